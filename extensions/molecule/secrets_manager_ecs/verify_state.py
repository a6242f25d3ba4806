"""Check, with the Alibaba Cloud SDK, what the scenario must leave behind.

Run by verify.yml with the emulator's environment (HTTP_PROXY, keys, region,
EMULATOR_URL). Prints what it checked; exits 1, naming every problem, when
the state is wrong:

- the service-linked role AliyunServiceRoleForKMSSecretsManagerForECS is gone
  (RAM GetRole answers EntityNotExist.Role);
- no dynamic ECS secret is left in any KMS region, those scheduled for
  deletion included (KMS DescribeRegions, then ListSecrets in each);
- after the idempotence step, the second converge run made no write call
  (the emulator's call log, which converge empties when it starts).
"""

import json
import os
import sys
import urllib.request

from alibabacloud_kms20160120 import models as kms_models
from alibabacloud_kms20160120.client import Client as KmsClient
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as RamClient
from alibabacloud_tea_openapi import models as openapi_models

ROLE_NAME = "AliyunServiceRoleForKMSSecretsManagerForECS"


def config(endpoint, region):
    return openapi_models.Config(
        access_key_id=os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"],
        access_key_secret=os.environ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"],
        region_id=region,
        endpoint=endpoint,
        protocol=os.environ.get("ALICLOUD_PROTOCOL", "https"),
    )


def role_problems():
    ram = RamClient(config("ram.aliyuncs.com", "cn-hangzhou"))
    try:
        role = ram.get_role(ram_models.GetRoleRequest(role_name=ROLE_NAME)).body.role
    except Exception as exc:  # the SDK raises one exception type for every API error
        if getattr(exc, "code", None) == "EntityNotExist.Role":
            print("RAM: %s does not exist" % ROLE_NAME)
            return []
        return ["RAM GetRole failed unexpectedly: %s" % exc]
    return ["RAM: the role %s still exists (%s)" % (ROLE_NAME, role.arn)]


def secret_problems():
    home = os.environ.get("ALIBABA_CLOUD_REGION_ID", "cn-hangzhou")
    kms = KmsClient(config("kms.%s.aliyuncs.com" % home, home))
    regions = [r.region_id for r in kms.describe_regions().body.regions.region]
    if not regions:
        return ["KMS DescribeRegions returned no region"]
    problems = []
    filters = json.dumps([{"Key": "SecretType", "Values": ["ECS"]}])
    for region in regions:
        client = KmsClient(config("kms.%s.aliyuncs.com" % region, region))
        body = client.list_secrets(kms_models.ListSecretsRequest(filters=filters, page_size=100)).body
        names = [s.secret_name for s in (body.secret_list.secret if body.secret_list else [])]
        if body.total_count or names:
            problems.append("KMS %s: %s dynamic ECS secret(s) left: %s" % (region, body.total_count, ", ".join(names)))
    print("KMS: read %d regions, %d with dynamic ECS secrets" % (len(regions), len(problems)))
    return problems


def call_log_problems():
    runs_file = os.path.join(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"], "emulator", "converge_runs")
    try:
        with open(runs_file) as handle:
            runs = len(handle.read().split())
    except OSError:
        runs = 0
    if runs < 2:
        print("call log: converge ran %d time(s); the no-write check needs the idempotence run" % runs)
        return []
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(os.environ["EMULATOR_URL"] + "/_emulator/calls", timeout=30) as response:
        calls = json.load(response)["calls"]
    writes = [c["action"] for c in calls if c.get("write")]
    print("call log of the last converge run: %d calls, %d writes" % (len(calls), len(writes)))
    if not calls:
        return ["the call log of the last converge run is empty: the role did not even read"]
    if writes:
        return ["the last converge run made write calls: %s" % ", ".join(writes)]
    return []


def main():
    # The call log first: the SDK calls below are recorded in it too.
    problems = call_log_problems() + role_problems() + secret_problems()
    for problem in problems:
        print("PROBLEM: " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
