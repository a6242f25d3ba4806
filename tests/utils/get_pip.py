"""A stand-in for the ``get-pip.py`` script that ansible-test bootstraps its virtual environments with.

ansible-test creates each sanity test's virtual environment without pip, then
runs ``get-pip.py <pip options> pip==<version>``, a script it downloads from
ci-files.testing.ansible.com. That host may be unreachable where PyPI is not
(as on the machines that run ``make test``), so ``tests/utils/gates.sh`` puts
this file where ansible-test caches the download. It does the same job with
the standard library: ``ensurepip`` installs the pip bundled with Python, which
then installs the exact packages ansible-test asked for from the package index.
"""

import subprocess
import sys


def main(argv):
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"], stdout=subprocess.DEVNULL)
    # get-pip.py takes the arguments of ``pip install``; its --no-setuptools and
    # --no-wheel mean "do not add them", which is already what ensurepip does here.
    args = [arg for arg in argv if arg not in ("--no-setuptools", "--no-wheel")]
    return subprocess.call([sys.executable, "-m", "pip", "install", "--upgrade"] + args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
