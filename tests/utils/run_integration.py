"""Run the integration targets, each against an emulator of its own.

    python tests/utils/run_integration.py [TARGET ...]

A target is a role under tests/integration/targets/; it runs in a real
ansible-playbook process whose modules reach the emulator over HTTP. Targets
run two at a time (the machines here have two cores); each one's output goes
to tests/output/integration/<target>.log and is shown when it fails.
"""

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from alicloud_emulator.testing import running_emulator

ROOT = Path(__file__).resolve().parents[2]
TARGETS = ROOT / "tests" / "integration" / "targets"
LOGS = ROOT / "tests" / "output" / "integration"
TARGET_TIMEOUT = 600


def run_target(name):
    log_path = LOGS / ("%s.log" % name)
    started = time.monotonic()
    with running_emulator() as emulator, open(log_path, "w") as log:
        env = dict(os.environ)
        env.update(emulator.env)
        env["ANSIBLE_ROLES_PATH"] = str(TARGETS)
        env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(ROOT / ".cache" / "collections"))
        env.setdefault("ANSIBLE_PYTHON_INTERPRETER", sys.executable)
        command = [
            str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", "-c", "local",
            str(ROOT / "tests" / "integration" / "target.yml"), "-e", "integration_target=%s" % name,
        ]
        try:
            code = subprocess.call(command, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=TARGET_TIMEOUT)
        except subprocess.TimeoutExpired:
            log.write("\nTIMEOUT after %d s\n" % TARGET_TIMEOUT)
            code = 124
    return name, code, time.monotonic() - started, log_path


def main(argv):
    names = argv or sorted(p.name for p in TARGETS.iterdir() if (p / "tasks" / "main.yml").is_file())
    if not names:
        print("no integration targets found")
        return 1
    LOGS.mkdir(parents=True, exist_ok=True)
    failed = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for name, code, seconds, log_path in pool.map(run_target, names):
            print("%-40s %s (%.1f s)" % (name, "ok" if code == 0 else "FAILED rc=%d" % code, seconds), flush=True)
            if code != 0:
                failed.append(name)
                print(log_path.read_text()[-6000:])
    print("%d passed, %d failed" % (len(names) - len(failed), len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
