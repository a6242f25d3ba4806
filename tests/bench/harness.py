"""How the benchmark runs things: as a user would (``ansible``, ``ansible-playbook``,
``python -m <module>``), against the emulator, timed from the outside."""

import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COLLECTIONS = ROOT / ".cache" / "collections"
BIN = Path(sys.executable).parent
RUN_TIMEOUT = 400  # seconds; a run that hangs fails the benchmark instead of hanging it

RECAP = re.compile(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.MULTILINE)


class BenchError(SystemExit):
    """A run did not give the result it must give: the figures would mean nothing."""


def ensure_collection_link():
    link = COLLECTIONS / "ansible_collections" / "alicloud" / "kms"
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(ROOT)


def child_env(emulator, callback="oneline"):
    env = dict(os.environ)
    env.update(emulator.env)
    env["ANSIBLE_COLLECTIONS_PATH"] = str(COLLECTIONS)
    env["ANSIBLE_COLLECTIONS_SCAN_SYS_PATH"] = "False"
    env["ANSIBLE_PYTHON_INTERPRETER"] = sys.executable
    env["ANSIBLE_LOCALHOST_WARNING"] = "False"
    env["ANSIBLE_INVENTORY_UNPARSED_WARNING"] = "False"
    env["ANSIBLE_LOAD_CALLBACK_PLUGINS"] = "True"
    env["ANSIBLE_STDOUT_CALLBACK"] = callback  # oneline: "localhost | SUCCESS => {...}" on one line
    env["ANSIBLE_NOCOLOR"] = "True"
    return env


def children_cpu():
    """CPU seconds (user and system) of every finished child and grandchild so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_ad_hoc(emulator, module, args=None):
    """One ``ansible localhost -m MODULE`` run: (wall seconds, module result, CPU seconds of
    ansible and the module's process, which the machine's load does not inflate)."""
    command = [str(BIN / "ansible"), "localhost", "-c", "local", "-i", "localhost,", "-m", module]
    if args is not None:
        command += ["-a", json.dumps(args)]
    cpu = children_cpu()
    started = time.monotonic()
    done = subprocess.run(command, env=child_env(emulator), capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False)
    seconds = time.monotonic() - started
    cpu = children_cpu() - cpu
    try:
        result = json.loads(done.stdout.split(" => ", 1)[1])
    except (ValueError, IndexError):
        raise BenchError("ansible -m %s gave no result (rc %d):\n%s\n%s" % (module, done.returncode, done.stdout[-3000:], done.stderr[-3000:]))
    if result.get("failed") or done.returncode:
        raise BenchError("ansible -m %s failed: %s" % (module, result.get("msg")))
    return seconds, result, cpu


def run_module_process(emulator, module, args):
    """The module as ``python -m <module> <args file>``, the way Ansible runs it on
    the target: (wall seconds, peak RSS in MB of that one process, result, its CPU seconds).
    ``os.wait4`` reports the max RSS of that process and of nothing else."""
    with tempfile.TemporaryDirectory(prefix="kms-bench-") as workdir:
        args_file = Path(workdir, "args.json")
        args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
        out_path = Path(workdir, "out.json")
        env = child_env(emulator)
        env["PYTHONPATH"] = str(COLLECTIONS)
        started = time.monotonic()
        with open(out_path, "w") as out, open(Path(workdir, "err.txt"), "w+") as err:
            process = subprocess.Popen([sys.executable, "-m", module, str(args_file)], env=env, stdout=out, stderr=err, cwd=workdir)
            deadline = started + RUN_TIMEOUT
            while True:
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
                if pid:
                    break
                if time.monotonic() > deadline:
                    process.kill()
                    raise BenchError("%s ran longer than %d s" % (module, RUN_TIMEOUT))
                time.sleep(0.02)
            process.returncode = os.waitstatus_to_exitcode(status)
            seconds = time.monotonic() - started
            err.seek(0)
            stderr = err.read()
        try:
            result = json.loads(out_path.read_text())
        except ValueError:
            raise BenchError("%s gave no JSON (rc %d): %s" % (module, process.returncode, stderr[-3000:]))
    if result.get("failed"):
        raise BenchError("%s failed: %s" % (module, result.get("msg")))
    # ru_maxrss is in kilobytes on Linux
    return seconds, usage.ru_maxrss / 1024.0, result, usage.ru_utime + usage.ru_stime


def run_playbook(emulator, playbook, inventory, *options):
    """One ``ansible-playbook`` run: (wall seconds, {host: recap counts}, CPU seconds of it and its
    children); fails on any failed host."""
    command = [str(BIN / "ansible-playbook"), "-i", str(inventory), str(playbook)] + list(options)
    cpu = children_cpu()
    started = time.monotonic()
    done = subprocess.run(command, env=child_env(emulator, callback="default"), capture_output=True, text=True,
                          timeout=RUN_TIMEOUT, check=False)
    seconds = time.monotonic() - started
    cpu = children_cpu() - cpu
    recap = {m.group(1): {"ok": int(m.group(2)), "changed": int(m.group(3)), "unreachable": int(m.group(4)), "failed": int(m.group(5))}
             for m in RECAP.finditer(done.stdout)}
    if done.returncode or not recap or any(r["failed"] or r["unreachable"] for r in recap.values()):
        raise BenchError("ansible-playbook %s failed (rc %d):\n%s\n%s" % (Path(playbook).name, done.returncode, done.stdout[-4000:], done.stderr[-3000:]))
    return seconds, recap, cpu
