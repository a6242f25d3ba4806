"""ListSecrets paging and filters, ECS DescribeInstances paging."""

import json
import re
import time

from hypothesis import HealthCheck, given, settings, strategies as st

from products_harness import ACCOUNT, Clock, Harness

from alicloud_emulator.products import ecs, kms

R = "cn-hangzhou"


def _all_pages(h, size, **params):
    names, number = [], 1
    while True:
        body = h.call("kms", "ListSecrets", R, PageNumber=number, PageSize=size, **params)
        page = [s["SecretName"] for s in body["SecretList"]["Secret"]]
        assert body["PageSize"] == size and body["PageNumber"] == number
        names += page
        if len(page) < size or len(names) >= body["TotalCount"]:
            return names, number, body["TotalCount"]
        number += 1


def test_paging_defaults_and_limits(h):
    for i in range(25):
        h.generic_secret(R, f"s-{i:02d}")
    body = h.call("kms", "ListSecrets", R)
    assert (body["PageNumber"], body["PageSize"], body["TotalCount"]) == (1, 10, 25)
    assert "Tags" not in body["SecretList"]["Secret"][0]
    names, pages, total = _all_pages(h, 10)
    assert pages == 3 and names == sorted(names) and len(set(names)) == total == 25
    assert h.call("kms", "ListSecrets", R, PageNumber=9)["SecretList"]["Secret"] == []
    for bad in ({"PageSize": 0}, {"PageSize": 101}, {"PageNumber": 0}, {"PageSize": "ten"}):
        assert h.error("kms", "ListSecrets", R, **bad).code == "InvalidParameter"


def _mixed(h):
    h.ecs_secret(R, "acs/ecs/web-1", Tags=[{"TagKey": "team", "TagValue": "web"}])
    h.ecs_secret(R, "acs/ecs/db-1", Tags=[{"TagKey": "team", "TagValue": "db"}], Description="database box")
    h.generic_secret(R, "app/token", Tags='[{"TagKey":"env","TagValue":"prod"}]')
    h.generic_secret(R, "app/other", Description="the database password")


def _names(h, filters, **params):
    body = h.call("kms", "ListSecrets", R, Filters=json.dumps(filters), PageSize=100, **params)
    return sorted(s["SecretName"] for s in body["SecretList"]["Secret"])


def test_filters(h):
    _mixed(h)
    assert _names(h, [{"Key": "SecretType", "Values": ["ECS"]}]) == ["acs/ecs/db-1", "acs/ecs/web-1"]
    assert _names(h, [{"Key": "SecretType", "Values": ["Generic", "ECS"]}]) == [
        "acs/ecs/db-1", "acs/ecs/web-1", "app/other", "app/token"]
    assert _names(h, [{"Key": "SecretName", "Values": ["app/"]}]) == ["app/other", "app/token"]
    assert _names(h, [{"Key": "SecretName", "Values": ["app/token"]}]) == ["app/token"]
    assert _names(h, [{"Key": "TagKey", "Values": ["team"]}]) == ["acs/ecs/db-1", "acs/ecs/web-1"]
    assert _names(h, [{"Key": "TagKey", "Values": ["team"]}, {"Key": "TagValue", "Values": ["db", "prod"]}]) == ["acs/ecs/db-1"]
    assert _names(h, [{"Key": "Description", "Values": ["database"]}]) == ["acs/ecs/db-1", "app/other"]
    assert _names(h, [{"Key": "Description", "Values": ["database"]}, {"Key": "SecretType", "Values": ["ECS"]}]) == ["acs/ecs/db-1"]
    assert _names(h, [{"Key": "Creator", "Values": [ACCOUNT]}, {"Key": "SecretName", "Values": ["acs/ecs/w"]}]) == ["acs/ecs/web-1"]
    assert _names(h, [{"Key": "DKMSInstanceId", "Values": ["kst-none"]}]) == []
    body = h.call("kms", "ListSecrets", R, FetchTags="true", Filters='[{"Key":"SecretName","Values":["acs/ecs/web-1"]}]')
    assert body["SecretList"]["Secret"][0]["Tags"] == {"Tag": [{"TagKey": "team", "TagValue": "web"}]}


def test_filter_cache_sees_new_and_removed_secrets(h):
    _mixed(h)
    ecs_only = [{"Key": "SecretType", "Values": ["ECS"]}]
    assert len(_names(h, ecs_only)) == 2
    h.ecs_secret(R, "acs/ecs/new")
    assert len(_names(h, ecs_only)) == 3
    h.call("kms", "DeleteSecret", R, SecretName="acs/ecs/new", ForceDeleteWithoutRecovery="true")
    assert len(_names(h, ecs_only)) == 2


def test_filter_validation(h):
    too_many = [{"Key": "SecretType", "Values": ["ECS"]}] * 11
    for filters in ("not json", [{"Key": "Color", "Values": ["red"]}], [{"Key": "SecretType", "Values": []}],
                    [{"Key": "SecretType", "Values": [f"v{i}" for i in range(11)]}], too_many, {"Key": "x"}):
        raw = filters if isinstance(filters, str) else json.dumps(filters)
        err = h.error("kms", "ListSecrets", R, Filters=raw)
        assert err.code == "InvalidParameter" and "Filters" in err.message


def test_ten_thousand_secrets_page_fast(h):
    kms.seed_ecs_secrets(h.state, ACCOUNT, R, 10000)
    for number, params in ((57, {}), (57, {"Filters": '[{"Key":"SecretType","Values":["ECS"]}]'}),
                           (7, {"Filters": '[{"Key":"SecretName","Values":["acs/ecs/seed-09"]}]'})):
        h.call("kms", "ListSecrets", R, PageNumber=1, PageSize=100, **params)  # warm
        started = time.perf_counter()
        body = h.call("kms", "ListSecrets", R, PageNumber=number, PageSize=100, **params)
        elapsed = time.perf_counter() - started
        assert len(body["SecretList"]["Secret"]) == 100
        assert elapsed < 0.02, (params, elapsed)


names_strategy = st.lists(st.from_regex(r"[a-z]{1,3}(/[a-z0-9]{1,3})?", fullmatch=True), unique=True, max_size=40)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=names_strategy, size=st.integers(1, 12), prefix=st.from_regex(r"[a-z]{0,2}", fullmatch=True))
def test_paging_returns_every_match_once(names, size, prefix):
    h = Harness(Clock())
    for name in names:
        h.generic_secret(R, name)
    params = {"Filters": json.dumps([{"Key": "SecretName", "Values": [prefix]}])} if prefix else {}
    got, _pages, total = _all_pages(h, size, **params)
    expected = sorted(n for n in names if n.startswith(prefix))
    assert got == expected and total == len(expected)


def test_describe_instances_paging(h):
    ids = ecs.create_instances(h.state, ACCOUNT, R, 23)
    assert all(re.fullmatch(r"i-[a-z0-9]{20}", i) for i in ids) and len(set(ids)) == 23
    body = h.call("ecs", "DescribeInstances", R, RegionId=R, PageSize=10, PageNumber=3)
    assert (body["TotalCount"], len(body["Instances"]["Instance"])) == (23, 3)
    seen, token = [], None
    while True:
        params = {"MaxResults": 10, **({"NextToken": token} if token else {})}
        body = h.call("ecs", "DescribeInstances", R, RegionId=R, **params)
        seen += [i["InstanceId"] for i in body["Instances"]["Instance"]]
        token = body["NextToken"]
        if not token:
            break
    assert sorted(seen) == sorted(ids) and len(seen) == 23
    some = h.call("ecs", "DescribeInstances", R, RegionId=R, InstanceIds=json.dumps(ids[:2] + ["i-missing"]))
    assert {i["InstanceId"] for i in some["Instances"]["Instance"]} == set(ids[:2])
    assert some["Instances"]["Instance"][0]["RegionId"] == R


def test_describe_instances_errors_and_isolation(h):
    ecs.create_instances(h.state, ACCOUNT, R, 2)
    assert h.error("ecs", "DescribeInstances", R).code == "MissingParameter"
    assert h.error("ecs", "DescribeInstances", R, RegionId="cn-beijing").code == "InvalidParameter"
    assert h.error("ecs", "DescribeInstances", R, RegionId=R, InstanceIds="[").code == "InvalidParameter"
    assert h.call("ecs", "DescribeInstances", "cn-beijing", RegionId="cn-beijing")["TotalCount"] == 0
    assert h.call("ecs", "DescribeInstances", R, RegionId=R, account="6543210987654321")["TotalCount"] == 0
