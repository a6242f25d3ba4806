"""The benchmarks of issue 6, measured side by side against one emulator.

    python -m tests.bench          (from the repository root; ``make bench``)

1. ``kms_ecs_secret_info``, ``regions: all``, ``details: true``: 200 ECS
   secrets in 5 of the emulator's regions, at 0, 50 and 100 ms of latency on
   every call, run by ``ansible`` (process start, module transfer and module
   start included), against the same listing done one call at a time with
   the same SDK in this process (DescribeRegions, ListSecrets per region and
   page, DescribeSecret per secret). Target at 100 ms: under 2.5 s and more
   than 8 times faster.
2. 10,000 ECS secrets in one region, ``details: false`` and ``true``: wall
   time, calls (from the emulator's call log) and the peak memory of the
   module's process (target under 150 MB). The module runs as
   ``python -m <module> <args file>``, the way Ansible runs it on the target,
   so ``os.wait4`` reports the max RSS of that one process only.
3. The role's ``absent`` flow (``playbooks/retire.yml``, delete_secrets and
   force_delete true) at 50 ms, with a few secrets in 2 regions: wall time and
   API calls against the minimum number of round trips it needs, named term
   by term (``absent_minimum``).
4. Module overhead: ``ram_service_linked_role`` ``present`` on an existing
   role against ``ansible.builtin.ping``, the same ad-hoc invocation, median
   of several runs, interleaved.
5. Fleet: ``playbooks/audit.yml`` over 20 emulator accounts (each host of the
   inventory carries its account's read-only keys), ``--forks 1`` against
   ``--forks 10``.

Timings are reported, never asserted by a test. Results go to
tests/output/bench/latest.json; the exit status is 1 when a target is missed.
"""

import json
import math
import os
import platform
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from alicloud_emulator.testing import running_emulator

from tests.bench.harness import ROOT, BenchError, ensure_collection_link, run_ad_hoc, run_module_process, run_playbook

OUTPUT = ROOT / "tests" / "output" / "bench" / "latest.json"
INFO_MODULE = "ansible_collections.alicloud.kms.plugins.modules.kms_ecs_secret_info"
SERVICE = "secretsmanager-ecs.kms.aliyuncs.com"
PAGE_SIZE = 100  # ListSecrets' largest page

# Row 1
SPREAD_REGIONS = ["cn-hangzhou", "cn-shanghai", "eu-central-1", "us-east-1", "me-central-1"]
SECRETS_PER_REGION = 40
SPREAD_LATENCIES_MS = [0, 50, 100]
SPREAD_RUNS = 3  # module runs per latency (median); the sequential SDK listing runs once per latency
# Row 2
BIG_REGION = "cn-hangzhou"
BIG_COUNT = 10000
BIG_LATENCY_MS = 100
# Row 3
ABSENT_LATENCY_MS = 50
ABSENT_SEED = {"cn-hangzhou": 3, "eu-central-1": 3}
# Row 4
OVERHEAD_RUNS = 5  # of each, interleaved
# Row 5
FLEET_ACCOUNTS = 20
FLEET_LATENCY_MS = 50
FLEET_FORKS = [1, 10]
FLEET_SEED = [(0, "cn-hangzhou", 3), (1, "eu-central-1", 2), (1, "us-east-1", 2), (4, "cn-shanghai", 1)]  # (account index, region, count)

TARGETS = {"wall_seconds": 2.5, "ratio": 8.0, "list_calls": BIG_COUNT // PAGE_SIZE, "describe_calls": BIG_COUNT, "peak_rss_mb": 150.0}


def seed(emulator, region, count, account_id=None):
    payload = {"RegionId": region, "Count": count}
    if account_id:
        payload["AccountId"] = account_id
    emulator.control("POST", "/_emulator/kms/secrets", payload)


def sequential_sdk(emulator):
    """The spread listing one call at a time with the SDK: (seconds, calls, secrets, regions)."""
    # pylint: disable=import-outside-toplevel
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
                    page_number=page, page_size=PAGE_SIZE, fetch_tags="true",
                    filters=json.dumps([{"Key": "SecretType", "Values": ["ECS"]}])), runtime).body
                calls += 1
                for entry in body.secret_list.secret or []:
                    found.append(client(region).describe_secret_with_options(models.DescribeSecretRequest(
                        secret_name=entry.secret_name, fetch_tags="true"), runtime).body.secret_name)
                    calls += 1
                if page * PAGE_SIZE >= (body.total_count or 0):
                    break
                page += 1
        return time.monotonic() - started, calls, len(found), len(regions)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def bench_spread(emulator):
    """Row 1: one entry per latency."""
    emulator.reset()
    for region in SPREAD_REGIONS:
        seed(emulator, region, SECRETS_PER_REGION)
    expected = len(SPREAD_REGIONS) * SECRETS_PER_REGION
    entries = []
    for latency in SPREAD_LATENCIES_MS:
        emulator.set_faults(latency_ms=latency)
        walls, cpus = [], []
        for run in range(SPREAD_RUNS):
            emulator.clear_calls()
            seconds, result, cpu = run_ad_hoc(emulator, "alicloud.kms.kms_ecs_secret_info", {"regions": ["all"], "details": True})
            if len(result["secrets"]) != expected:
                raise BenchError("run %d at %d ms: the module found %d secrets, not %d" % (run + 1, latency, len(result["secrets"]), expected))
            walls.append(seconds)
            cpus.append(cpu)
        module_calls = len(emulator.calls())
        seq_seconds, seq_calls, seq_found, regions = sequential_sdk(emulator)
        if seq_found != expected:
            raise BenchError("the sequential listing found %d secrets, not %d" % (seq_found, expected))
        wall = statistics.median(walls)
        entries.append({"latency_ms": latency, "regions": regions, "secrets": expected,
                        "module_wall_seconds_runs": [round(w, 3) for w in walls], "module_wall_seconds": round(wall, 3),
                        "module_cpu_seconds": round(statistics.median(cpus), 3),
                        "module_calls": module_calls, "sequential_sdk_seconds": round(seq_seconds, 3),
                        "sequential_sdk_calls": seq_calls, "ratio": round(seq_seconds / wall, 2)})
    return entries


def bench_big(emulator):
    """Row 2: 10,000 secrets in one region, details false then true."""
    emulator.reset()
    seed(emulator, BIG_REGION, BIG_COUNT)
    emulator.set_faults(latency_ms=BIG_LATENCY_MS)
    entries = []
    for details in (False, True):
        emulator.clear_calls()
        seconds, peak_mb, result, cpu = run_module_process(emulator, INFO_MODULE, {"regions": [BIG_REGION], "details": details})
        if len(result["secrets"]) != BIG_COUNT:
            raise BenchError("details %s: the module returned %d secrets, not %d" % (details, len(result["secrets"]), BIG_COUNT))
        calls = Counter(c["action"] for c in emulator.calls())
        entries.append({"details": details, "region": BIG_REGION, "secrets": BIG_COUNT, "latency_ms": BIG_LATENCY_MS,
                        "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3), "peak_rss_mb": round(peak_mb, 1), "calls": sum(calls.values()),
                        "calls_by_action": dict(calls)})
    return entries


def absent_minimum(region_count, seeded):
    """The fewest round trips the role's ``absent`` flow can make, term by term:
    [(action, count, why)]. ``seeded`` is {region: ECS secrets there}."""
    secrets = sum(seeded.values())
    # a region without secrets still takes one (empty) page
    pages = region_count - len(seeded) + sum(max(1, math.ceil(n / PAGE_SIZE)) for n in seeded.values())
    return [
        # "all" has to be resolved into region IDs: one call answers it.
        ("DescribeRegions", 1, "resolve 'all' into the region list"),
        # Every region must be read (a secret anywhere keeps the role in use); one page holds 100.
        ("ListSecrets", pages, "every region, one page per 100 secrets"),
        # The instance of a secret (and its planned deletion time) is only in DescribeSecret, and the
        # role names both before it deletes anything.
        ("DescribeSecret", secrets, "one per secret: instance and deletion time, shown before deleting"),
        # KMS has no batch deletion.
        ("DeleteSecret", secrets, "one per secret, there is no batch call"),
        # The role's name comes from the service's template.
        ("GetServiceLinkedRoleTemplate", 1, "the role's name, from the service name"),
        # Does the role exist, and is it the service's own (never delete another role)?
        ("GetRole", 1, "the role exists and is the service's"),
        ("DeleteServiceLinkedRole", 1, "the deletion task"),
        # The deletion is a task: its verdict (SUCCEEDED, or FAILED with RoleUsages) needs at least one poll.
        ("GetServiceLinkedRoleDeletionStatus", 1, "at least one poll for the task's verdict"),
    ]


# Why a call above the minimum is made; what is not listed here is unexplained.
EXTRA_REASONS = {
    "DescribeSecret": "kms_ecs_secret state=absent reads each secret again before deleting it (avoidable: the scan has just read it)",
    "ListPoliciesForRole": "ram_service_linked_role state=absent describes the whole role (policies) for its diff/result (avoidable)",
    "GetPolicy": "the same: the system policy's document for the result (avoidable)",
    "GetServiceLinkedRoleDeletionStatus": "more polls while the task is IN_PROGRESS (the emulator takes 300 ms; waiting, not a wasted call)",
}


def bench_absent(emulator, region_count):
    """Row 3: the role's absent flow end to end."""
    emulator.reset()
    for region, count in ABSENT_SEED.items():
        seed(emulator, region, count)
    emulator.set_faults(latency_ms=ABSENT_LATENCY_MS)
    emulator.clear_calls()
    seconds, recap, cpu = run_playbook(emulator, ROOT / "playbooks" / "retire.yml", "localhost,",
                                       "-e", "secrets_manager_ecs_delete_secrets=true", "-e", "secrets_manager_ecs_force_delete=true")
    calls = Counter(c["action"] for c in emulator.calls())
    secrets = sum(ABSENT_SEED.values())
    if calls["DeleteSecret"] != secrets or calls["DeleteServiceLinkedRole"] != 1 or recap["localhost"]["changed"] < 2:
        raise BenchError("the absent flow did not delete the %d secrets and the role: %s" % (secrets, dict(calls)))
    minimum = absent_minimum(region_count, ABSENT_SEED)
    wanted = Counter({action: count for action, count, why in minimum})
    extra = calls - wanted
    missing = wanted - calls
    return {"latency_ms": ABSENT_LATENCY_MS, "regions": region_count, "seeded": ABSENT_SEED, "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 1),
            "calls": sum(calls.values()), "calls_by_action": dict(calls),
            "minimum": sum(wanted.values()), "minimum_terms": [{"action": a, "count": n, "why": w} for a, n, w in minimum],
            "above_minimum": {a: {"count": n, "why": EXTRA_REASONS.get(a, "unexplained")} for a, n in extra.items()},
            "below_minimum": dict(missing)}


def bench_overhead(emulator):
    """Row 4: ram_service_linked_role present on an existing role against ping, interleaved."""
    emulator.reset()
    seed(emulator, "cn-hangzhou", 1)  # the first ECS secret brings the role
    ping, slr, calls, ping_cpu, slr_cpu = [], [], [], [], []
    for run in range(OVERHEAD_RUNS):
        seconds, result, cpu = run_ad_hoc(emulator, "ansible.builtin.ping")
        ping.append(seconds)
        ping_cpu.append(cpu)
        emulator.clear_calls()
        seconds, result, cpu = run_ad_hoc(emulator, "alicloud.kms.ram_service_linked_role", {"service_name": SERVICE, "state": "present"})
        if result.get("changed") or not result.get("role", {}).get("role_id"):
            raise BenchError("run %d: ram_service_linked_role did not find the existing role unchanged" % (run + 1))
        slr.append(seconds)
        slr_cpu.append(cpu)
        calls.append(len(emulator.calls()))
    return {"runs": OVERHEAD_RUNS, "ping_seconds_runs": [round(s, 3) for s in ping], "module_seconds_runs": [round(s, 3) for s in slr],
            "ping_seconds": round(statistics.median(ping), 3), "module_seconds": round(statistics.median(slr), 3),
            "difference_seconds": round(statistics.median(slr) - statistics.median(ping), 3), "module_calls": max(calls),
            "ping_cpu_seconds": round(statistics.median(ping_cpu), 3), "module_cpu_seconds": round(statistics.median(slr_cpu), 3)}


def bench_fleet(emulator):
    """Row 5: audit.yml over 20 accounts, forks 1 against forks 10."""
    emulator.reset()
    accounts = [emulator.control("POST", "/_emulator/accounts") for index in range(FLEET_ACCOUNTS)]
    for index, region, count in FLEET_SEED:
        seed(emulator, region, count, accounts[index]["AccountId"])
    hosts = {"account%02d" % (i + 1): {"alicloud_access_key": a["ReadOnlyAccessKeyId"], "alicloud_secret_key": a["ReadOnlyAccessKeySecret"],
                                       "alicloud_region": "cn-hangzhou"} for i, a in enumerate(accounts)}
    keys = {a["ReadOnlyAccessKeyId"] for a in accounts}
    emulator.set_faults(latency_ms=FLEET_LATENCY_MS)
    entries = []
    with tempfile.TemporaryDirectory(prefix="kms-bench-fleet-") as workdir:
        inventory = Path(workdir, "accounts.yml")
        inventory.write_text(json.dumps({"all": {"hosts": hosts}}, indent=1))  # JSON is YAML
        for forks in FLEET_FORKS:
            emulator.clear_calls()
            seconds, recap, cpu = run_playbook(emulator, ROOT / "playbooks" / "audit.yml", inventory, "--forks", str(forks))
            calls = emulator.calls()
            used = {c["access_key_id"] for c in calls}
            if len(recap) != FLEET_ACCOUNTS or used != keys:
                raise BenchError("forks %d: %d hosts ran, calls came from %d of the %d accounts' keys" % (forks, len(recap), len(used & keys), len(keys)))
            entries.append({"forks": forks, "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 1), "calls": len(calls)})
    return {"accounts": FLEET_ACCOUNTS, "latency_ms": FLEET_LATENCY_MS, "seeded_accounts": len({i for i, r, n in FLEET_SEED}),
            "runs": entries, "ratio": round(entries[0]["seconds"] / entries[-1]["seconds"], 2)}


def ansible_core_version():
    from ansible.release import __version__  # pylint: disable=import-outside-toplevel
    return __version__


def machine():
    with open("/proc/meminfo") as meminfo:
        total_kb = int(meminfo.readline().split()[1])
    return {"cpus": os.cpu_count(), "memory_gib": round(total_kb / 1024.0 / 1024.0, 1), "python": platform.python_version(),
            "ansible_core": ansible_core_version(), "system": "%s %s" % (platform.system(), platform.release())}


def table(report):
    """[(row, measure, result, target, met)]; met is None where there is no target."""
    rows = []
    for entry in report["spread"]:
        lat = entry["latency_ms"]
        at_target = lat == max(SPREAD_LATENCIES_MS)
        rows.append(("1", "kms_ecs_secret_info all regions, details, %d regions/%d secrets, %d ms: module (median of %d, %d calls, %.1f CPU s)"
                     % (entry["regions"], entry["secrets"], lat, SPREAD_RUNS, entry["module_calls"], entry["module_cpu_seconds"]),
                     "%.2f s" % entry["module_wall_seconds"], "< %.1f s" % TARGETS["wall_seconds"] if at_target else "",
                     entry["module_wall_seconds"] < TARGETS["wall_seconds"] if at_target else None))
        rows.append(("1", "  the same one SDK call at a time, %d ms (%d calls)" % (lat, entry["sequential_sdk_calls"]),
                     "%.2f s" % entry["sequential_sdk_seconds"], "", None))
        rows.append(("1", "  ratio at %d ms" % lat, "%.1fx" % entry["ratio"], "> %.0fx" % TARGETS["ratio"] if at_target else "",
                     entry["ratio"] > TARGETS["ratio"] if at_target else None))
    for entry in report["big"]:
        name = "10,000 secrets, one region, details %s, %d ms" % (str(entry["details"]).lower(), entry["latency_ms"])
        by_action = entry["calls_by_action"]
        rows.append(("2", name + ": wall time (%.1f CPU s)" % entry["cpu_seconds"], "%.2f s" % entry["seconds"], "", None))
        rows.append(("2", "  calls (%s)" % ", ".join("%s %d" % item for item in sorted(by_action.items())), str(entry["calls"]),
                     "ListSecrets = %d" % TARGETS["list_calls"], by_action.get("ListSecrets") == TARGETS["list_calls"]))
        if entry["details"]:
            rows.append(("2", "  DescribeSecret calls", str(by_action.get("DescribeSecret", 0)), "= %d" % TARGETS["describe_calls"],
                         by_action.get("DescribeSecret") == TARGETS["describe_calls"]))
        rows.append(("2", "  peak memory of the module process", "%.1f MB" % entry["peak_rss_mb"], "< %.0f MB" % TARGETS["peak_rss_mb"],
                     entry["peak_rss_mb"] < TARGETS["peak_rss_mb"]))
    absent = report["absent"]
    rows.append(("3", "role absent (retire.yml, delete_secrets, force_delete), %d secrets in %d regions, %d ms: wall time (%.1f CPU s)"
                 % (sum(absent["seeded"].values()), len(absent["seeded"]), absent["latency_ms"], absent["cpu_seconds"]),
                 "%.2f s" % absent["seconds"], "", None))
    rows.append(("3", "  API calls, actual vs minimum round trips", "%d" % absent["calls"], "min %d" % absent["minimum"], None))
    overhead = report["overhead"]
    rows.append(("4", "ansible localhost -m ansible.builtin.ping (median of %d, %.2f CPU s)" % (overhead["runs"], overhead["ping_cpu_seconds"]),
                 "%.2f s" % overhead["ping_seconds"], "", None))
    rows.append(("4", "ansible localhost -m alicloud.kms.ram_service_linked_role present, existing role (%d calls, %.2f CPU s)"
                 % (overhead["module_calls"], overhead["module_cpu_seconds"]),
                 "%.2f s" % overhead["module_seconds"], "", None))
    rows.append(("4", "  difference: what our imports and calls cost", "%.2f s" % overhead["difference_seconds"], "", None))
    fleet = report["fleet"]
    for entry in fleet["runs"]:
        rows.append(("5", "audit.yml over %d accounts, %d ms, --forks %d (%d calls, %.0f CPU s)"
                     % (fleet["accounts"], fleet["latency_ms"], entry["forks"], entry["calls"], entry["cpu_seconds"]),
                     "%.2f s" % entry["seconds"], "", None))
    rows.append(("5", "  ratio forks %d / forks %d" % (FLEET_FORKS[0], FLEET_FORKS[-1]), "%.1fx" % fleet["ratio"], "", None))
    return rows


def main():
    ensure_collection_link()
    report = {"machine": machine(), "targets": TARGETS}
    started = time.monotonic()
    timings, loads = {}, {}
    with running_emulator() as emulator:
        for name, bench in (("spread", bench_spread), ("big", bench_big),
                            ("absent", lambda e: bench_absent(e, report["spread"][0]["regions"])),
                            ("overhead", bench_overhead), ("fleet", bench_fleet)):
            began = time.monotonic()
            loads[name] = round(os.getloadavg()[0], 2)
            report[name] = bench(emulator)
            timings[name] = round(time.monotonic() - began, 1)
    report["load_average_1_5_15"] = [round(x, 2) for x in os.getloadavg()]
    report["bench_seconds"] = round(time.monotonic() - started, 1)
    report["bench_seconds_by_row"] = timings
    report["load_average_1min_at_row_start"] = loads
    rows = table(report)
    report["table"] = [{"row": r, "measure": m, "result": v, "target": t, "met": ok} for r, m, v, t, ok in rows]
    report["met"] = all(ok for r, m, v, t, ok in rows if ok is not None)

    width = max(len(row[1]) for row in rows)
    print("%s  %-*s  %10s  %16s  %s" % ("#", width, "measure", "result", "target", "met"))
    for row, name, value, target, ok in rows:
        print("%s  %-*s  %10s  %16s  %s" % (row, width, name, value, target, "" if ok is None else ("yes" if ok else "NO")))
    absent = report["absent"]
    print("\n3: the minimum, %d round trips: %s" % (absent["minimum"], " + ".join(
        "%d %s" % (term["count"], term["action"]) for term in absent["minimum_terms"])))
    for term in absent["minimum_terms"]:
        print("     %3d %-36s %s" % (term["count"], term["action"], term["why"]))
    print("   actual %d: %s" % (absent["calls"], ", ".join("%s %d" % item for item in sorted(absent["calls_by_action"].items()))))
    for action, extra in sorted(absent["above_minimum"].items()):
        print("   above the minimum: %s +%d: %s" % (action, extra["count"], extra["why"]))
    for action, count in sorted(absent["below_minimum"].items()):
        print("   below the minimum: %s -%d (the minimum is wrong: fix absent_minimum)" % (action, count))
    spec = report["machine"]
    print("\nmachine: %d CPUs, %.1f GiB, Python %s, ansible-core %s, %s" % (
        spec["cpus"], spec["memory_gib"], spec["python"], spec["ansible_core"], spec["system"]))
    print("bench took %.0f s (%s); 1-minute load average as each row began: %s; at the end %s" % (
        report["bench_seconds"], ", ".join("%s %.0f s" % item for item in timings.items()),
        ", ".join("%s %.2f" % item for item in loads.items()), " ".join("%.2f" % x for x in report["load_average_1_5_15"])))
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(report, indent=2) + "\n")
    print("written to %s" % OUTPUT.relative_to(ROOT))
    return 0 if report["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
