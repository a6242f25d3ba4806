"""The ECS secret listing of module_utils/kms.py: filters, pages, the pool, failing regions."""

import json
import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.alicloud.kms.plugins.module_utils import kms
from ansible_collections.alicloud.kms.plugins.module_utils.alicloud import AlicloudConnection
from ansible_collections.alicloud.kms.plugins.module_utils.errors import AlicloudError

sys.path.insert(0, str(Path(__file__).resolve().parent))  # kms_fake sits beside this file
from kms_fake import REGIONS, SECRET_VALUE, FakeConnection, FakeKms, ecs_secret  # noqa: E402

HYPOTHESIS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def scan(cloud, regions=("cn-hangzhou",), query=None, **kwargs):
    return kms.scan_regions(FakeConnection(cloud), list(regions), query or kms.SecretQuery(), **kwargs)


def filled(count, region="cn-hangzhou", **kwargs):
    cloud = FakeKms(**kwargs)
    for index in range(count):
        cloud.add(region, ecs_secret("acs/ecs/s%05d" % index, instance_id="i-%d" % index))
    return cloud


# --- validation, before any call -------------------------------------------

@pytest.mark.parametrize("params,words", [
    ({"regions": []}, ["regions", "at least one"]),
    ({"regions": ["all", "cn-hangzhou"]}, ["all stands alone", "cn-hangzhou"]),
    ({"regions": ["cn-hangzhou", "Not A Region"]}, ["'Not A Region'", "not a region ID"]),
    ({"max_concurrency": 0}, ["max_concurrency", "at least 1"]),
    ({"secret_sub_type": "Token"}, ["secret_sub_type", "Password, SSHKey"]),
    ({"names": ["web/root"]}, ["'web/root'", "acs/ecs/"]),
    ({"names": []}, ["names", "at least one"]),
    ({"names": ["acs/ecs/" + "x" * 190]}, ["longer than 192"]),
    ({"names": ["acs/ecs/bad name"]}, ["characters"]),
    ({"name_prefix": "rds/"}, ["name_prefix", "can match no ECS secret"]),
    ({"name_prefix": ""}, ["name_prefix", "non-empty"]),
    ({"instance_ids": [" "]}, ["instance_ids"]),
])
def test_bad_options_are_refused_with_the_option_named(params, words):
    problem = kms.validate_query_params(params)
    assert problem is not None
    for word in words:
        assert word in problem


@pytest.mark.parametrize("params", [
    {}, {"regions": ["all"]}, {"regions": ["cn-hangzhou", "me-central-1"]}, {"max_concurrency": 1},
    {"names": ["acs/ecs/web-01/root"]}, {"name_prefix": "acs/"}, {"name_prefix": "acs/ecs/web-"},
    {"secret_sub_type": "SSHKey"}, {"instance_ids": ["i-1"]},
])
def test_good_options_pass(params):
    assert kms.validate_query_params(params) is None


# --- which filters reach the API --------------------------------------------

def test_secret_type_is_always_pushed_and_prefix_is_not():
    filters = kms.SecretQuery(name_prefix="acs/ecs/web-").api_filters()
    assert filters == [{"Key": "SecretType", "Values": ["ECS"]}]


def test_up_to_ten_exact_names_are_pushed_more_are_filtered_here():
    ten = ["acs/ecs/n%d" % i for i in range(10)]
    assert {"Key": "SecretName", "Values": sorted(ten)} in kms.SecretQuery(names=ten).api_filters()
    eleven = ten + ["acs/ecs/n10"]
    assert all(f["Key"] != "SecretName" for f in kms.SecretQuery(names=eleven).api_filters())


def test_one_tag_is_pushed_as_key_and_value():
    filters = kms.SecretQuery(tags={"team": "web", "env": 3}).api_filters()
    assert {"Key": "TagKey", "Values": ["env"]} in filters
    assert {"Key": "TagValue", "Values": ["3"]} in filters
    assert len(filters) == 3
    empty = kms.SecretQuery(tags={"a": "", "b": "x"}).api_filters()
    assert {"Key": "TagKey", "Values": ["b"]} in empty and {"Key": "TagValue", "Values": ["x"]} in empty
    only_empty = kms.SecretQuery(tags={"a": None}).api_filters()
    assert [f["Key"] for f in only_empty] == ["SecretType", "TagKey"]


# --- pagination ---------------------------------------------------------------

@pytest.mark.parametrize("count,calls", [(0, 1), (1, 1), (99, 1), (100, 1), (101, 2), (200, 2), (201, 3), (1000, 10)])
def test_every_page_is_read_until_total_count(count, calls):
    cloud = filled(count)
    result = scan(cloud, query=kms.SecretQuery(details=False))
    assert cloud.count("ListSecrets") == calls
    assert [s["secret_name"] for s in result.secrets] == ["acs/ecs/s%05d" % i for i in range(count)]
    assert {c[2]["PageSize"] for c in cloud.calls} == {100}
    assert sorted(c[2]["PageNumber"] for c in cloud.calls) == list(range(1, calls + 1))


@HYPOTHESIS
@given(counts=st.lists(st.integers(min_value=0, max_value=350), min_size=1, max_size=4))
def test_pages_of_many_regions_are_all_read(counts):
    cloud = FakeKms()
    regions = REGIONS[:len(counts)]
    for region, count in zip(regions, counts):
        for index in range(count):
            cloud.add(region, ecs_secret("acs/ecs/%s-%04d" % (region, index)))
    result = scan(cloud, regions, kms.SecretQuery(details=False), max_concurrency=3)
    assert result.count_by_region == dict(zip(regions, counts))
    assert cloud.count("ListSecrets") == sum(max(1, -(-c // 100)) for c in counts)
    keys = [(s["region_id"], s["secret_name"]) for s in result.secrets]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)


def test_a_total_count_that_grows_while_paging_adds_pages():
    cloud = filled(150)

    original = cloud._list

    def growing_list(region, request):
        body = original(region, request)
        if request.page_number == 1:
            for index in range(150, 260):  # 110 more arrive after the first page
                cloud.add(region, ecs_secret("acs/ecs/s%05d" % index))
        return body

    cloud._list = growing_list
    result = scan(cloud, query=kms.SecretQuery(details=False), max_concurrency=1)
    assert cloud.count("ListSecrets") == 3
    assert len(result.secrets) == 260


def test_tag_filtered_listing_at_the_cap_is_redone_without_the_tag(monkeypatch):
    monkeypatch.setattr(kms, "TAG_FILTER_CAP", 5)
    cloud = FakeKms()
    cloud.tag_filter_cap = 5  # the service answers at most 5 of a tag-filtered listing
    for index in range(8):
        cloud.add("cn-hangzhou", ecs_secret("acs/ecs/t%d" % index, tags={"team": "web"}))
    cloud.add("cn-hangzhou", ecs_secret("acs/ecs/other", tags={"team": "db"}))
    result = scan(cloud, query=kms.SecretQuery(tags={"team": "web"}, details=False))
    assert [s["secret_name"] for s in result.secrets] == ["acs/ecs/t%d" % i for i in range(8)]
    untagged = [c for c in cloud.calls if "TagKey" not in c[2].get("Filters", "")]
    assert len(untagged) == 1


# --- filters, against a reference -------------------------------------------

SECRETS = st.lists(
    st.fixed_dictionaries({
        "name": st.sampled_from(["acs/ecs/a", "acs/ecs/ab", "acs/ecs/abc", "acs/ecs/b", "acs/ecs/b1", "acs/ecs/c"]),
        "instance": st.sampled_from(["i-1", "i-2", "i-3"]),
        "sub_type": st.sampled_from(["Password", "SSHKey"]),
        "tags": st.dictionaries(st.sampled_from(["team", "env"]), st.sampled_from(["web", "db", "prod"]), max_size=2),
        "planned": st.sampled_from([None, "2026-03-01T00:00:00Z"]),
    }), max_size=6)

QUERIES = st.fixed_dictionaries({
    "names": st.one_of(st.none(), st.lists(st.sampled_from(["acs/ecs/a", "acs/ecs/ab", "acs/ecs/b", "acs/ecs/zz"]),
                                           min_size=1, max_size=3)),
    "name_prefix": st.sampled_from([None, "acs/ecs/a", "acs/ecs/b", "acs/"]),
    "instance_ids": st.one_of(st.none(), st.lists(st.sampled_from(["i-1", "i-2"]), min_size=1, max_size=2)),
    "secret_sub_type": st.sampled_from([None, "Password", "SSHKey"]),
    "tags": st.one_of(st.none(), st.dictionaries(st.sampled_from(["team", "env"]), st.sampled_from(["web", "prod"]),
                                                 min_size=1, max_size=2)),
    "include_planned_deletion": st.booleans(),
    "details": st.booleans(),
})


def reference(secrets, q):
    """What the filters mean, written the plain way."""
    chosen = set()
    for s in secrets:
        if q["names"] is not None and s["name"] not in q["names"]:
            continue
        if q["name_prefix"] and not s["name"].startswith(q["name_prefix"]):
            continue
        if q["instance_ids"] is not None and s["instance"] not in q["instance_ids"]:
            continue
        if q["secret_sub_type"] and s["sub_type"] != q["secret_sub_type"]:
            continue
        if q["tags"] and any(s["tags"].get(k) != v for k, v in q["tags"].items()):
            continue
        if not q["include_planned_deletion"] and s["planned"]:
            continue
        chosen.add(s["name"])
    return sorted(chosen)


@HYPOTHESIS
@given(secrets=SECRETS, q=QUERIES, name_match=st.sampled_from(["exact", "prefix"]))
def test_filters_give_exactly_what_they_mean(secrets, q, name_match):
    cloud = FakeKms(name_match=name_match)
    unique = {s["name"]: s for s in secrets}  # one secret per name in a region
    for s in unique.values():
        cloud.add("cn-hangzhou", ecs_secret(s["name"], s["instance"], s["sub_type"], s["tags"], s["planned"]))
    result = scan(cloud, query=kms.SecretQuery(**q))
    assert [s["secret_name"] for s in result.secrets] == reference(unique.values(), q)
    described = bool(q["details"] or q["instance_ids"] or q["secret_sub_type"])
    if described:
        assert cloud.count("DescribeSecret") >= len(result.secrets)
    else:
        assert cloud.count("DescribeSecret") == 0
    for secret in result.secrets:
        assert (secret["instance_id"] is not None) == described


def test_details_give_every_field_and_never_the_value():
    cloud = FakeKms()
    cloud.add("cn-hangzhou", ecs_secret("acs/ecs/web/root", "i-web", "SSHKey", {"team": "web"},
                                        custom={"owner": "ops"}))
    result = scan(cloud)
    (secret,) = result.secrets
    assert tuple(secret) == kms.SECRET_FIELDS
    assert secret["instance_id"] == "i-web" and secret["secret_sub_type"] == "SSHKey"
    assert secret["tags"] == {"team": "web"} and secret["custom_data"] == {"owner": "ops"}
    assert secret["planned_delete_time"] is None and secret["rotation_interval"] == "604800s"
    assert SECRET_VALUE not in json.dumps(result.secrets)
    assert cloud.count("DescribeSecret") == 1


def test_without_details_no_secret_is_described():
    cloud = filled(30)
    result = scan(cloud, query=kms.SecretQuery(details=False))
    assert cloud.count("DescribeSecret") == 0
    assert all(s["arn"] is None and s["instance_id"] is None for s in result.secrets)
    assert tuple(result.secrets[0]) == kms.SECRET_FIELDS


def test_a_secret_deleted_between_list_and_describe_is_left_out():
    cloud = filled(3)
    original = cloud._describe

    def vanishing(region, request):
        if request.secret_name == "acs/ecs/s00001":
            cloud.secrets[region].pop(request.secret_name, None)
        return original(region, request)

    cloud._describe = vanishing
    result = scan(cloud)
    assert [s["secret_name"] for s in result.secrets] == ["acs/ecs/s00000", "acs/ecs/s00002"]
    assert result.failed == {}


def test_planned_deletion_is_flagged_and_can_be_left_out():
    cloud = FakeKms()
    cloud.add("cn-hangzhou", ecs_secret("acs/ecs/going", planned="2026-03-01T00:00:00Z"))
    cloud.add("cn-hangzhou", ecs_secret("acs/ecs/staying"))
    flagged = scan(cloud).secrets
    assert [(s["secret_name"], s["planned_delete_time"]) for s in flagged] == [
        ("acs/ecs/going", "2026-03-01T00:00:00Z"), ("acs/ecs/staying", None)]
    kept = scan(cloud, query=kms.SecretQuery(include_planned_deletion=False, details=False)).secrets
    assert [s["secret_name"] for s in kept] == ["acs/ecs/staying"]


# --- the pool: bounds per region and overall ----------------------------------

def test_calls_in_one_region_never_exceed_max_concurrency():
    cloud = FakeKms(latency=0.01)
    for region in REGIONS[:3]:
        for index in range(40):
            cloud.add(region, ecs_secret("acs/ecs/%s-%d" % (region, index)))
    result = scan(cloud, REGIONS[:3], max_concurrency=3)
    assert len(result.secrets) == 120
    assert max(cloud.max_in_flight.values()) <= 3
    # and the bound is used: 40 describes at 10 ms each do overlap up to it
    assert max(cloud.max_in_flight.values()) == 3


def test_the_global_bound_holds_across_regions():
    cloud = FakeKms(latency=0.01)
    for region in REGIONS:
        for index in range(12):
            cloud.add(region, ecs_secret("acs/ecs/%s-%d" % (region, index)))
    result = scan(cloud, REGIONS, max_concurrency=4, global_concurrency=6)
    assert len(result.secrets) == 60
    assert cloud.max_in_flight_total <= 6
    assert max(cloud.max_in_flight.values()) <= 4


def test_max_concurrency_one_is_one_call_at_a_time():
    cloud = filled(20, latency=0.002)
    scan(cloud, max_concurrency=1)
    assert cloud.max_in_flight["cn-hangzhou"] == 1


def test_regions_share_the_pool_fairly():
    # A region with many queued calls must not hold back a region with few:
    # the quiet region's call starts in the first round, not after the busy ones.
    started = []
    lock = threading.Lock()

    def call(name):
        with lock:
            started.append(name)

    # per_region=2, total=2: "busy" alone could fill the pool; round-robin must not let it.
    pool = kms.RegionPool(per_region=2, total=2)
    for index in range(5):
        pool.submit("busy", call, ("busy-%d" % index,))
    pool.submit("quiet", call, ("quiet",))
    pool.run(expected_regions=2)
    assert "quiet" in started[:2]
    assert sorted(started) == ["busy-%d" % i for i in range(5)] + ["quiet"]


def test_a_bug_in_a_worker_is_raised_not_taken_for_a_failed_region():
    pool = kms.RegionPool(per_region=2)
    scan_ = kms.RegionScan(None, "cn-hangzhou", kms.SecretQuery(), pool)

    def broken():
        raise KeyError("bug")

    pool.submit("cn-hangzhou", broken, on_error=scan_._fail)
    with pytest.raises(KeyError):
        pool.run()


# --- failing regions ---------------------------------------------------------

def test_a_down_region_is_failed_not_empty_and_the_others_are_read():
    cloud = FakeKms()
    for region in REGIONS:
        cloud.add(region, ecs_secret("acs/ecs/in-%s" % region))
    cloud.down.add("eu-west-1")
    result = kms.scan_regions(FakeConnection(cloud, max_retries=2), REGIONS, kms.SecretQuery())
    assert set(result.failed) == {"eu-west-1"}
    error = result.failed["eu-west-1"]
    assert error.code == "ServiceUnavailable" and error.region == "eu-west-1" and error.action == "ListSecrets"
    assert "eu-west-1" not in result.regions and "eu-west-1" not in result.count_by_region
    assert [s["region_id"] for s in result.secrets] == sorted(set(REGIONS) - {"eu-west-1"})
    assert cloud.count("ListSecrets", "eu-west-1") == 3  # the first try and two retries
    message, items = kms.describe_failures(result.failed)
    assert message.startswith("eu-west-1: ListSecrets in eu-west-1 failed: ServiceUnavailable")
    assert items[0]["region_id"] == "eu-west-1" and items[0]["error"]["code"] == "ServiceUnavailable"


def test_a_region_failing_while_describing_returns_no_partial_list():
    cloud = filled(50)
    original = cloud._describe

    def failing(region, request):
        if request.secret_name == "acs/ecs/s00042":
            raise AlicloudError("Forbidden.RAM", "no", status=403)
        return original(region, request)

    cloud._describe = failing
    result = scan(cloud)
    assert set(result.failed) == {"cn-hangzhou"} and result.secrets == []


def test_a_refused_region_is_not_retried():
    cloud = filled(3)
    cloud.refuse["cn-hangzhou"] = "Forbidden.RAM"
    result = scan(cloud)
    assert result.failed["cn-hangzhou"].code == "Forbidden.RAM"
    assert cloud.count("ListSecrets") == 1


def test_throttling_is_retried_and_the_full_result_returned():
    cloud = FakeKms(seed=7)
    for region in REGIONS:
        for index in range(60):
            cloud.add(region, ecs_secret("acs/ecs/%s-%02d" % (region, index)))
    cloud.throttle_rate = 0.3
    # A budget of 30 retries: with 10, one call in ~560,000 is throttled 11 times in a row,
    # which over the ~430 calls here would fail one run in ~1,300 for no fault of the code.
    result = kms.scan_regions(FakeConnection(cloud, max_retries=30), REGIONS, kms.SecretQuery(), max_concurrency=4)
    assert result.failed == {}
    assert len(result.secrets) == 300
    throttled_calls = len(cloud.calls) - (len(REGIONS) + 300)  # one page a region, one describe a secret
    assert throttled_calls > 30


# --- regions --------------------------------------------------------------------

def test_all_means_every_region_describe_regions_returns():
    cloud = FakeKms()
    assert kms.resolve_regions(FakeConnection(cloud), ["all"], "cn-hangzhou") == sorted(REGIONS)
    assert cloud.calls[0][:2] == ("cn-hangzhou", "DescribeRegions")


def test_unknown_regions_are_refused_by_name():
    cloud = FakeKms()
    with pytest.raises(kms.QueryError) as caught:
        kms.resolve_regions(FakeConnection(cloud), ["cn-hangzhou", "xx-nowhere-1", "ap-fake-9"], None)
    assert "ap-fake-9, xx-nowhere-1" in str(caught.value)
    assert cloud.calls[0][0] == "cn-hangzhou"  # asked of the first listed region when none is set


def test_regions_default_to_the_connection_region_and_one_is_needed():
    cloud = FakeKms()
    assert kms.resolve_regions(FakeConnection(cloud), None, "me-central-1") == ["me-central-1"]
    with pytest.raises(kms.QueryError, match="regions: is required"):
        kms.resolve_regions(FakeConnection(cloud), None, None)


def test_describe_regions_failing_is_an_error_not_an_empty_account():
    cloud = FakeKms()
    cloud.down.add("cn-hangzhou")
    with pytest.raises(AlicloudError) as caught:
        kms.resolve_regions(FakeConnection(cloud, max_retries=0), ["all"], "cn-hangzhou")
    assert caught.value.action == "DescribeRegions" and caught.value.region == "cn-hangzhou"


# --- the real SDK client, shared by many threads --------------------------------

class _EchoKms(BaseHTTPRequestHandler):
    """Answers DescribeSecret with the name it was asked for, after a random pause."""

    def do_POST(self):
        query = parse_qs(urlparse(self.path).query)
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        time.sleep(random.random() / 200)
        name = query["SecretName"][0]
        body = json.dumps({"RequestId": "r", "SecretName": name, "SecretType": "ECS",
                           "ExtendedConfig": json.dumps({"InstanceId": "i-" + name.rsplit("/", 1)[-1]})}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_one_sdk_client_serves_many_threads_without_mixing_answers(monkeypatch):
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EchoKms)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        connection = AlicloudConnection({
            "access_key": "LTAItest", "secret_key": "not-a-real-secret", "region": "cn-hangzhou",
            "protocol": "http", "kms_endpoint": "127.0.0.1:%d" % server.server_address[1],
            "max_retries": 0, "connect_timeout": 5, "read_timeout": 10})
        names = ["acs/ecs/n%03d" % i for i in range(160)]
        with ThreadPoolExecutor(max_workers=32) as pool:
            answers = list(pool.map(lambda n: kms.describe_secret(connection, "cn-hangzhou", n), names))
        assert [a["secret_name"] for a in answers] == names
        assert [a["instance_id"] for a in answers] == ["i-" + n.rsplit("/", 1)[-1] for n in names]
        assert len(connection._clients) == 1  # one client, shared
    finally:
        server.shutdown()
        server.server_close()


def test_hosts_share_one_tls_context_but_not_one_pool():
    # 28 regions are 28 endpoint hosts; the SDK made an SSL context (loading every CA
    # certificate) for each. After the connection layer's change, one per scheme.
    from darabonba.core import DaraCore

    from ansible_collections.alicloud.kms.plugins.module_utils.alicloud import share_tls_contexts

    share_tls_contexts()
    first, second = DaraCore.get_adapter("https"), DaraCore.get_adapter("https", pool_size=7)
    assert first is not second
    assert first.ssl_context is second.ssl_context
    assert second._pool_maxsize == 7
    assert DaraCore.get_adapter("http").ssl_context is not first.ssl_context
