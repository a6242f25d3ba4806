"""Fault drills: real ansible-playbook (or module) processes against emulators under faults.

Each drill starts the emulators it needs (``running_emulator`` or the shared
fixtures below), states what must hold, and checks it through the emulator's
state (``GET /_emulator/state``) and call log (``GET /_emulator/calls``).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alicloud_emulator import testing

ROOT = Path(__file__).resolve().parents[2]
COLLECTIONS = ROOT / ".cache" / "collections"
LINK = COLLECTIONS / "ansible_collections" / "alicloud" / "kms"
if not LINK.exists():
    LINK.parent.mkdir(parents=True, exist_ok=True)
    LINK.symlink_to(ROOT)
if str(COLLECTIONS) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS))

# Fixtures are shared by assignment: pytest finds them by name in this module.
emulator_session = testing.emulator_session
emulator = testing.emulator
emulator_env = testing.emulator_env

PLAYBOOKS = Path(__file__).resolve().parent / "playbooks"
PLAYBOOK_TIMEOUT = 300
MODULE_TIMEOUT = 120
# Credentials of the developer's shell must not reach a drill.
FOREIGN = ("ALIBABA_CLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_PROFILE", "ALIBABA_CLOUD_ROLE_ARN", "ALICLOUD_ACCESS_KEY",
           "ALICLOUD_SECRET_KEY", "ALICLOUD_SECURITY_TOKEN", "ALICLOUD_PROFILE", "ALICLOUD_ASSUME_ROLE_ARN")


class Ansible:
    """Runs playbooks and modules with an emulator's environment."""

    def env(self, emu_env, extra=None):
        env = {k: v for k, v in os.environ.items() if k not in FOREIGN}
        env.update(emu_env)
        env.update({
            "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS),
            "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "False",
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "ANSIBLE_LOCALHOST_WARNING": "False",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "False",
        })
        env.update(extra or {})
        return env

    def command(self, playbook, extra_vars=None, verbosity=0):
        command = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", "-c", "local",
                   str(PLAYBOOKS / playbook)]
        if extra_vars:
            command += ["-e", json.dumps(extra_vars)]
        if verbosity:
            command.append("-" + "v" * verbosity)
        return command

    def playbook(self, emu_env, playbook, extra_vars=None, verbosity=0, extra_env=None):
        """Run a playbook to its end; the CompletedProcess, stdout and stderr merged in ``stdout``."""
        return subprocess.run(self.command(playbook, extra_vars, verbosity), env=self.env(emu_env, extra_env),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=PLAYBOOK_TIMEOUT,
                              check=False, cwd=str(ROOT))

    def start_playbook(self, emu_env, playbook, extra_vars=None, log=None):
        """Start a playbook without waiting; its output goes to the open file ``log``."""
        return subprocess.Popen(self.command(playbook, extra_vars), env=self.env(emu_env), stdout=log,
                                stderr=subprocess.STDOUT, text=True, cwd=str(ROOT))

    def module(self, emu_env, name, args, tmp_path):
        """Run one module of the collection directly, as ``python -m``, with ``args`` in a file.

        Answers ``(returncode, result or None, output)``; ``output`` is stdout and stderr.
        """
        fd_path = str(tmp_path / ("%s-%s.json" % (name, os.urandom(6).hex())))
        Path(fd_path).write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
        try:
            done = subprocess.run([sys.executable, "-m", "ansible_collections.alicloud.kms.plugins.modules." + name, fd_path],
                                  env=self.env(emu_env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  timeout=MODULE_TIMEOUT, check=False, cwd=str(COLLECTIONS))
        finally:
            os.unlink(fd_path)
        result = None
        for line in done.stdout.splitlines():
            if line.startswith("{"):
                try:
                    result = json.loads(line)
                except ValueError:
                    result = None
        return done.returncode, result, done.stdout + done.stderr

    @staticmethod
    def successful(calls, action):
        """How many ``action`` calls the emulator answered with 200."""
        return len([c for c in calls if c["action"] == action and c["http_status"] == 200])

    @staticmethod
    def secrets(state):
        """``{(region, name): secret}`` of every KMS secret in the state, any account."""
        found = {}
        for account in state["accounts"].values():
            for region, data in account.get("kms", {}).get("regions", {}).items():
                for name, secret in data.get("secrets", {}).items():
                    found[(region, name)] = secret
        return found

    @staticmethod
    def roles(state):
        """``{RoleName: role}`` of every RAM role in the state, any account."""
        return {role["RoleName"]: role for account in state["accounts"].values()
                for role in account.get("ram", {}).get("roles", {}).values()}

    @staticmethod
    def recap(output):
        """``{"ok": n, "changed": n, "failed": n, ...}`` of localhost from a PLAY RECAP."""
        for line in output.splitlines()[::-1]:
            if line.startswith("localhost") and "ok=" in line:
                return {k: int(v) for k, v in (item.split("=") for item in line.split(":", 1)[1].split())}
        raise AssertionError("no PLAY RECAP in the output:\n" + output[-3000:])


@pytest.fixture
def ansible():
    return Ansible()
