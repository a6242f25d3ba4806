"""A fake KMS behind a real ``AlicloudConnection``, for the listing tests.

Only the SDK client is replaced: requests are the SDK's own models, and every
call still goes through the connection's RetryPolicy and error translation.
The fake counts calls and how many run at once, per region and overall, so
tests can check the concurrency bounds instead of trusting them.
"""

import json
import random
import threading
import time
from types import SimpleNamespace

from ansible_collections.alicloud.kms.plugins.module_utils.alicloud import AlicloudConnection
from ansible_collections.alicloud.kms.plugins.module_utils.retries import RetryPolicy

REGIONS = ["cn-hangzhou", "cn-shanghai", "eu-west-1", "me-central-1", "us-east-1"]
# Never to appear in any result: put in every DescribeSecret body on purpose.
SECRET_VALUE = "s3cr3t-VALUE-never-returned"


class FakeSdkError(Exception):
    """Shaped like the tea SDK's ClientException / ServerException."""

    def __init__(self, code, status, message="fake"):
        super().__init__("%s: %s" % (code, message))
        self.code = code
        self.status_code = status
        self.message = message
        self.data = {"Code": code, "Message": message, "RequestId": "REQ-%s" % code}


def ecs_secret(name, instance_id="i-1", sub_type="Password", tags=None, planned=None, custom=None):
    config = {"SecretSubType": sub_type, "InstanceId": instance_id, "RegionId": "cn-hangzhou"}
    if custom is not None:
        config["CustomData"] = custom
    return {
        "SecretName": name, "SecretType": "ECS", "Arn": "acs:kms:r:1:secret/%s" % name,
        "Description": "d-%s" % name, "CreateTime": "2026-01-01T00:00:00Z", "UpdateTime": "2026-01-02T00:00:00Z",
        "PlannedDeleteTime": planned, "AutomaticRotation": "Enabled", "RotationInterval": "604800s",
        "LastRotationDate": "2026-01-01T00:00:00Z", "NextRotationDate": "2026-01-08T00:00:00Z",
        "EncryptionKeyId": "key-1", "DKMSInstanceId": None, "ExtendedConfig": json.dumps(config),
        "Tags": {"Tag": [{"TagKey": k, "TagValue": v} for k, v in sorted((tags or {}).items())]},
        "SecretData": SECRET_VALUE,
    }


class FakeKms:
    def __init__(self, regions=tuple(REGIONS), name_match="exact", latency=0.0, seed=0):
        self.regions = list(regions)
        self.secrets = {region: {} for region in self.regions}
        self.name_match = name_match          # how the SecretName filter compares: exact or prefix
        self.latency = latency
        self.down = set()
        self.throttle_rate = 0.0
        self.refuse = {}                      # region -> error code answered to every call
        self.tag_filter_cap = None            # emulate the 4,000-secret cap of tag-filtered listings
        self.calls = []
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self.in_flight = {}
        self.max_in_flight = {}
        self.in_flight_total = 0
        self.max_in_flight_total = 0

    def add(self, region, secret):
        self.secrets[region][secret["SecretName"]] = secret

    def count(self, action, region=None):
        return sum(1 for c in self.calls if c[1] == action and (region is None or c[0] == region))

    # -- the SDK client surface ------------------------------------------------
    def client(self, region):
        fake = self

        class Client:
            def describe_regions_with_options(self, runtime):  # the SDK's takes no request
                return fake._call(region, "DescribeRegions", None,
                                  lambda: {"Regions": {"Region": [{"RegionId": r} for r in fake.regions]}})

            def list_secrets_with_options(self, request, runtime):
                return fake._call(region, "ListSecrets", request, lambda: fake._list(region, request))

            def describe_secret_with_options(self, request, runtime):
                return fake._call(region, "DescribeSecret", request, lambda: fake._describe(region, request))

        return Client()

    def _call(self, region, action, request, answer):
        with self._lock:
            self.calls.append((region, action, request.to_map() if request is not None else {}))
            self.in_flight[region] = self.in_flight.get(region, 0) + 1
            self.max_in_flight[region] = max(self.max_in_flight.get(region, 0), self.in_flight[region])
            self.in_flight_total += 1
            self.max_in_flight_total = max(self.max_in_flight_total, self.in_flight_total)
            throttled = self._random.random() < self.throttle_rate
        try:
            if self.latency:
                time.sleep(self.latency)
            if region in self.down:
                raise FakeSdkError("ServiceUnavailable", 503, "region is down")
            if region in self.refuse:
                raise FakeSdkError(self.refuse[region], 403, "not allowed")
            if throttled:
                raise FakeSdkError("Throttling", 400, "slow down")
            body = answer()
            return SimpleNamespace(body=SimpleNamespace(to_map=lambda: body))
        finally:
            with self._lock:
                self.in_flight[region] -= 1
                self.in_flight_total -= 1

    def _list(self, region, request):
        size = request.page_size or 10
        number = request.page_number or 1
        if not 1 <= size <= 100:
            raise FakeSdkError("InvalidParameter", 400, "PageSize")
        filters = json.loads(request.filters) if request.filters else []
        if len(filters) > 10 or any(len(f["Values"]) > 10 for f in filters):
            raise FakeSdkError("InvalidParameter", 400, "Filters")
        chosen = [self.secrets[region][name] for name in sorted(self.secrets[region])
                  if self._matches(self.secrets[region][name], filters)]
        total = len(chosen)
        if self.tag_filter_cap is not None and any(f["Key"] in ("TagKey", "TagValue") for f in filters):
            chosen = chosen[:self.tag_filter_cap]
        page = chosen[(number - 1) * size:number * size]
        entries = []
        for secret in page:
            entry = {k: secret[k] for k in ("SecretName", "SecretType", "CreateTime", "UpdateTime")}
            if secret["PlannedDeleteTime"]:
                entry["PlannedDeleteTime"] = secret["PlannedDeleteTime"]
            if request.fetch_tags == "true":
                entry["Tags"] = secret["Tags"]
            entries.append(entry)
        return {"PageNumber": number, "PageSize": size, "TotalCount": total, "SecretList": {"Secret": entries}}

    def _matches(self, secret, filters):
        tags = secret["Tags"]["Tag"]
        for item in filters:
            key, values = item["Key"], item["Values"]
            if key == "SecretType":
                have = [secret["SecretType"]]
            elif key == "SecretName":
                have = [secret["SecretName"]]
            elif key == "TagKey":
                have = [t["TagKey"] for t in tags]
            elif key == "TagValue":
                have = [t["TagValue"] for t in tags]
            else:
                raise FakeSdkError("InvalidParameter", 400, "Filters key %s" % key)
            if key == "SecretName" and self.name_match == "prefix":
                ok = any(h.startswith(v) for h in have for v in values)
            else:
                ok = any(h == v for h in have for v in values)
            if not ok:
                return False
        return True

    def _describe(self, region, request):
        secret = self.secrets[region].get(request.secret_name)
        if secret is None:
            raise FakeSdkError("Forbidden.ResourceNotFound", 404, "no such secret")
        body = dict(secret)
        if request.fetch_tags != "true":
            body.pop("Tags")
        return body


class FakeConnection(AlicloudConnection):
    """The real connection (retries, error translation) over FakeKms clients."""

    def __init__(self, cloud, region="cn-hangzhou", max_retries=10):
        super().__init__({"region": region, "max_retries": max_retries},
                         retry_policy=RetryPolicy(max_retries=max_retries, base_delay=0.001, max_delay=0.005))
        self.cloud = cloud

    def client(self, product, region=None):
        assert product == "kms"
        return self.cloud.client(region)

    def runtime_options(self):
        return None
