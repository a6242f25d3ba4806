"""The speed kms_ecs_secret_info must reach (issue 4), measured against the emulator.

    python -m tests.bench          (from the repository root; ``make bench``)

1. 200 ECS secrets in 5 of the emulator's regions, 100 ms latency on every
   call: ``kms_ecs_secret_info`` with ``regions: all`` and ``details: true``
   as a real ``ansible`` ad-hoc run (process start, module transfer and
   module start included), against the same listing done one call at a time
   with the SDK in this process (DescribeRegions, ListSecrets per region and
   page, DescribeSecret per secret). Target: under 2.5 s, more than 8 times
   faster.
2. 10,000 ECS secrets in one region, ``details: false``: how many ListSecrets
   calls the module makes (from the emulator's call log; target exactly 100)
   and the peak memory of the module's process (target under 150 MB). The
   module runs as ``python -m <module> <args file>``, the way Ansible runs it
   on the target, so ``os.wait4`` reports the max RSS of that one process and
   of nothing else (not the controller, not the emulator).

Timings are reported, never asserted by a test. Results go to
tests/output/bench/latest.json.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from alicloud_emulator.testing import running_emulator

ROOT = Path(__file__).resolve().parents[2]
COLLECTIONS = ROOT / ".cache" / "collections"
OUTPUT = ROOT / "tests" / "output" / "bench" / "latest.json"
MODULE = "ansible_collections.alicloud.kms.plugins.modules.kms_ecs_secret_info"

SPREAD_REGIONS = ["cn-hangzhou", "cn-shanghai", "eu-central-1", "us-east-1", "me-central-1"]
SECRETS_PER_REGION = 40
LATENCY_MS = 100
BIG_REGION = "cn-hangzhou"
BIG_COUNT = 10000
RUNS = 3
RUN_TIMEOUT = 300  # seconds; a run that hangs fails the benchmark instead of hanging it

TARGETS = {"wall_seconds": 2.5, "ratio": 8.0, "list_calls": 100, "peak_rss_mb": 150.0}


def ensure_collection_link():
    link = COLLECTIONS / "ansible_collections" / "alicloud" / "kms"
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(ROOT)


def child_env(emulator):
    env = dict(os.environ)
    env.update(emulator.env)
    env["ANSIBLE_COLLECTIONS_PATH"] = str(COLLECTIONS)
    env["ANSIBLE_COLLECTIONS_SCAN_SYS_PATH"] = "False"
    env["ANSIBLE_PYTHON_INTERPRETER"] = sys.executable
    env["ANSIBLE_LOCALHOST_WARNING"] = "False"
    env["ANSIBLE_INVENTORY_UNPARSED_WARNING"] = "False"
    env["ANSIBLE_LOAD_CALLBACK_PLUGINS"] = "True"
    env["ANSIBLE_STDOUT_CALLBACK"] = "oneline"  # "localhost | SUCCESS => {...}" on one line
    return env


def seed_spread(emulator):
    emulator.reset()
    for region in SPREAD_REGIONS:
        emulator.control("POST", "/_emulator/kms/secrets", {"RegionId": region, "Count": SECRETS_PER_REGION})


def run_ad_hoc(emulator):
    """One ``ansible`` ad-hoc run of the module: (wall seconds, module result)."""
    command = [str(Path(sys.executable).parent / "ansible"), "localhost", "-c", "local", "-i", "localhost,",
               "-m", "alicloud.kms.kms_ecs_secret_info", "-a", json.dumps({"regions": ["all"], "details": True})]
    started = time.monotonic()
    done = subprocess.run(command, env=child_env(emulator), capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False)
    seconds = time.monotonic() - started
    try:
        result = json.loads(done.stdout.split(" => ", 1)[1])
    except (ValueError, IndexError):
        raise SystemExit("the ansible run gave no result (rc %d):\n%s\n%s" % (done.returncode, done.stdout[-3000:], done.stderr[-3000:]))
    if result.get("failed"):
        raise SystemExit("the module failed: %s" % result.get("msg"))
    return seconds, result


def sequential_sdk(emulator):
    """The same listing, one call at a time with the SDK: (seconds, calls, secrets)."""
    from alibabacloud_kms20160120 import models
    from alibabacloud_kms20160120.client import Client
    from alibabacloud_tea_openapi.utils_models import Config
    from darabonba.runtime import RuntimeOptions

    saved = dict(os.environ)
    os.environ.update(emulator.env)  # the proxy that reaches the emulator
    try:
        clients = {}

        def client(region):
            if region not in clients:
                clients[region] = Client(Config(
                    access_key_id=emulator.env["ALIBABA_CLOUD_ACCESS_KEY_ID"],
                    access_key_secret=emulator.env["ALIBABA_CLOUD_ACCESS_KEY_SECRET"],
                    region_id=region, endpoint="kms.%s.aliyuncs.com" % region, protocol="http"))
            return clients[region]

        runtime = RuntimeOptions(autoretry=False, read_timeout=30000, connect_timeout=10000)
        started = time.monotonic()
        calls = 1
        regions = [r.region_id for r in client("cn-hangzhou").describe_regions_with_options(runtime).body.regions.region]
        found = []
        for region in regions:
            page = 1
            while True:
                body = client(region).list_secrets_with_options(models.ListSecretsRequest(
                    page_number=page, page_size=100, fetch_tags="true",
                    filters=json.dumps([{"Key": "SecretType", "Values": ["ECS"]}])), runtime).body
                calls += 1
                for entry in body.secret_list.secret or []:
                    found.append(client(region).describe_secret_with_options(models.DescribeSecretRequest(
                        secret_name=entry.secret_name, fetch_tags="true"), runtime).body.secret_name)
                    calls += 1
                if page * 100 >= (body.total_count or 0):
                    break
                page += 1
        return time.monotonic() - started, calls, len(found), len(regions)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def big_listing(emulator):
    """10,000 secrets, details false: (ListSecrets calls, peak RSS MB, seconds, secrets returned)."""
    emulator.reset()
    emulator.control("POST", "/_emulator/kms/secrets", {"RegionId": BIG_REGION, "Count": BIG_COUNT})
    emulator.set_faults(latency_ms=LATENCY_MS)
    emulator.clear_calls()
    with tempfile.TemporaryDirectory(prefix="kms-bench-") as workdir:
        args_file = Path(workdir, "args.json")
        args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": {"regions": [BIG_REGION], "details": False}}))
        out_path = Path(workdir, "out.json")
        env = child_env(emulator)
        env["PYTHONPATH"] = str(COLLECTIONS)
        started = time.monotonic()
        with open(out_path, "w") as out:
            process = subprocess.Popen([sys.executable, "-m", MODULE, str(args_file)], env=env, stdout=out,
                                       stderr=subprocess.PIPE, cwd=workdir)
            deadline = started + RUN_TIMEOUT
            while True:
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
                if pid:
                    break
                if time.monotonic() > deadline:
                    process.kill()
                    raise SystemExit("the module ran longer than %d s" % RUN_TIMEOUT)
                time.sleep(0.02)
            process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - started
        stderr = process.stderr.read().decode(errors="replace")
        process.stderr.close()
        try:
            result = json.loads(out_path.read_text())
        except ValueError:
            raise SystemExit("the module gave no JSON (rc %d): %s" % (process.returncode, stderr[-3000:]))
    if result.get("failed"):
        raise SystemExit("the module failed: %s" % result.get("msg"))
    calls = [c for c in emulator.calls() if c["action"] == "ListSecrets"]
    # ru_maxrss is in kilobytes on Linux
    return len(calls), usage.ru_maxrss / 1024.0, seconds, len(result["secrets"])


def main():
    ensure_collection_link()
    with running_emulator() as emulator:
        seed_spread(emulator)
        emulator.set_faults(latency_ms=LATENCY_MS)
        walls = []
        for _run in range(RUNS):
            emulator.clear_calls()
            seconds, result = run_ad_hoc(emulator)
            walls.append(seconds)
            if len(result["secrets"]) != len(SPREAD_REGIONS) * SECRETS_PER_REGION:
                raise SystemExit("the module found %d secrets, not %d" % (len(result["secrets"]), len(SPREAD_REGIONS) * SECRETS_PER_REGION))
        module_calls = len(emulator.calls())
        seq_seconds, seq_calls, seq_found, region_count = sequential_sdk(emulator)
        list_calls, peak_mb, big_seconds, big_found = big_listing(emulator)

    wall = statistics.median(walls)
    report = {
        # Other processes slow every figure here; the load says how busy the machine was.
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()], "cpus": os.cpu_count(),
        "spread": {
            "regions": region_count, "secrets": seq_found, "latency_ms": LATENCY_MS,
            "module_wall_seconds_runs": [round(w, 3) for w in walls],
            "module_wall_seconds": round(wall, 3), "module_calls": module_calls,
            "sequential_sdk_seconds": round(seq_seconds, 3), "sequential_sdk_calls": seq_calls,
            "ratio": round(seq_seconds / wall, 2),
        },
        "big": {"region": BIG_REGION, "secrets": big_found, "details": False, "latency_ms": LATENCY_MS,
                "list_secrets_calls": list_calls, "peak_rss_mb": round(peak_mb, 1), "seconds": round(big_seconds, 3)},
        "targets": TARGETS,
        "measured_how": {
            "module_wall": "median of %d 'ansible localhost -m alicloud.kms.kms_ecs_secret_info' runs, process start included" % RUNS,
            "sequential": "one SDK call at a time in the bench process (no process start counted)",
            "peak_rss": "ru_maxrss from os.wait4 of 'python -m %s <args file>', that process only" % MODULE,
        },
    }
    checks = [
        ("kms_ecs_secret_info, regions all, details true (%d regions, %d secrets, %d ms)" % (region_count, seq_found, LATENCY_MS),
         "%.2f s" % wall, "< %.1f s" % TARGETS["wall_seconds"], wall < TARGETS["wall_seconds"]),
        ("the same, one SDK call at a time (%d calls)" % seq_calls, "%.2f s" % seq_seconds, "", True),
        ("ratio", "%.1fx" % (seq_seconds / wall), "> %.0fx" % TARGETS["ratio"], seq_seconds / wall > TARGETS["ratio"]),
        ("10,000 secrets, details false: ListSecrets calls", str(list_calls), "= %d" % TARGETS["list_calls"],
         list_calls == TARGETS["list_calls"]),
        ("10,000 secrets, details false: module peak memory", "%.1f MB" % peak_mb, "< %.0f MB" % TARGETS["peak_rss_mb"],
         peak_mb < TARGETS["peak_rss_mb"]),
    ]
    report["met"] = all(check[3] for check in checks if check[2])
    width = max(len(c[0]) for c in checks)
    print("%-*s  %10s  %9s  %s" % (width, "measure", "result", "target", "met"))
    for name, value, target, ok in checks:
        print("%-*s  %10s  %9s  %s" % (width, name, value, target, ("yes" if ok else "NO") if target else ""))
    print("module runs: %s s; 10,000-secret listing took %.2f s; load average %s on %d CPUs" % (
        ", ".join("%.2f" % w for w in walls), big_seconds, " ".join("%.2f" % x for x in os.getloadavg()), os.cpu_count()))
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(report, indent=2) + "\n")
    print("written to %s" % OUTPUT.relative_to(ROOT))
    return 0 if report["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
