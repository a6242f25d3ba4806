"""Run one command against a fresh emulator, then stop the emulator.

    python tests/utils/with_emulator.py [--emulator-arg ARG ...] -- COMMAND [ARGS...]

The command inherits the emulator's environment (proxy, keys, region), so
modules and SDK clients talk to the emulator; its exit code is ours.
"""

import argparse
import os
import subprocess
import sys

from alicloud_emulator.testing import running_emulator


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emulator-arg", action="append", default=[], help="passed to alicloud-emulator")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("a command is needed after --")
    with running_emulator(*args.emulator_arg) as emulator:
        print("alicloud-emulator running at %s" % emulator.url, flush=True)
        env = dict(os.environ)
        env.update(emulator.env)
        return subprocess.call(command, env=env)


if __name__ == "__main__":
    sys.exit(main())
