"""kms_ecs_secret_info end to end (arguments, results, check mode) over a fake KMS."""

import importlib.util
import json
import os
from pathlib import Path

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.alicloud.kms.plugins.module_utils import alicloud, kms
from ansible_collections.alicloud.kms.plugins.modules import kms_ecs_secret_info

# The fake KMS lives beside the module_utils tests; loaded by path, as test files are not a package.
_SPEC = importlib.util.spec_from_file_location(
    "kms_fake_for_info", Path(__file__).resolve().parents[1] / "module_utils" / "kms_fake.py")
fakes = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(fakes)


@pytest.fixture
def cloud(monkeypatch):
    for name in [n for n in os.environ if n.startswith(("ALICLOUD_", "ALIBABA_CLOUD_"))]:
        monkeypatch.delenv(name)
    fake = fakes.FakeKms()
    fake.add("cn-hangzhou", fakes.ecs_secret("acs/ecs/web-02/root", "i-web2", tags={"team": "web"}))
    fake.add("cn-hangzhou", fakes.ecs_secret("acs/ecs/web-01/root", "i-web1", "SSHKey", {"team": "web"}))
    fake.add("me-central-1", fakes.ecs_secret("acs/ecs/db/root", "i-db", planned="2026-03-01T00:00:00Z"))
    monkeypatch.setattr(alicloud, "AlicloudConnection",
                        lambda params: fakes.FakeConnection(fake, params.get("region"), params.get("max_retries")))
    return fake


def run(capsys, args, check_mode=False):
    args = dict(args)
    args.setdefault("region", "cn-hangzhou")
    args["_ansible_check_mode"] = check_mode
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            kms_ecs_secret_info.main()
    out = capsys.readouterr().out
    return json.loads(out), out


def test_all_regions_sorted_with_exactly_the_documented_fields(cloud, capsys):
    result, out = run(capsys, {"regions": ["all"]})
    assert result["changed"] is False and "failed" not in result
    assert [(s["region_id"], s["secret_name"]) for s in result["secrets"]] == [
        ("cn-hangzhou", "acs/ecs/web-01/root"), ("cn-hangzhou", "acs/ecs/web-02/root"), ("me-central-1", "acs/ecs/db/root")]
    assert all(tuple(s) == kms.SECRET_FIELDS for s in result["secrets"])
    assert result["regions"] == sorted(fakes.REGIONS)
    assert result["count_by_region"] == {"cn-hangzhou": 2, "cn-shanghai": 0, "eu-west-1": 0, "me-central-1": 1, "us-east-1": 0}
    assert result["failed_regions"] == []
    assert result["secrets"][2]["planned_delete_time"] == "2026-03-01T00:00:00Z"
    assert fakes.SECRET_VALUE not in out


def test_check_mode_runs_the_same(cloud, capsys):
    normal, _out = run(capsys, {"regions": ["all"]})
    checked, _out = run(capsys, {"regions": ["all"]}, check_mode=True)
    assert checked["changed"] is False
    assert checked["secrets"] == normal["secrets"] and checked["count_by_region"] == normal["count_by_region"]


def test_default_region_is_the_connection_region(cloud, capsys):
    result, _out = run(capsys, {"region": "me-central-1"})
    assert result["regions"] == ["me-central-1"] and len(result["secrets"]) == 1


def test_filters_and_details_false(cloud, capsys):
    result, _out = run(capsys, {"regions": ["cn-hangzhou"], "tags": {"team": "web"}, "details": False,
                                "name_prefix": "acs/ecs/web-0"})
    assert [s["secret_name"] for s in result["secrets"]] == ["acs/ecs/web-01/root", "acs/ecs/web-02/root"]
    assert all(s["instance_id"] is None and s["tags"] == {"team": "web"} for s in result["secrets"])
    assert cloud.count("DescribeSecret") == 0
    ssh, _out = run(capsys, {"regions": ["cn-hangzhou"], "secret_sub_type": "SSHKey", "details": False})
    assert [s["instance_id"] for s in ssh["secrets"]] == ["i-web1"]
    kept, _out = run(capsys, {"regions": ["all"], "include_planned_deletion": False, "instance_ids": ["i-db", "i-web2"]})
    assert [s["instance_id"] for s in kept["secrets"]] == ["i-web2"]


@pytest.mark.parametrize("args,words", [
    ({"regions": ["all", "cn-hangzhou"]}, ["all stands alone"]),
    ({"regions": ["cn_hangzhou"]}, ["'cn_hangzhou'"]),
    ({"max_concurrency": 0}, ["max_concurrency"]),
    ({"secret_sub_type": "Token"}, ["secret_sub_type"]),
    ({"names": ["root"]}, ["'root'", "acs/ecs/"]),
    ({"name_prefix": "acs/rds/"}, ["name_prefix"]),
])
def test_bad_options_fail_before_any_call(cloud, capsys, args, words):
    result, _out = run(capsys, args)
    assert result["failed"]
    for word in words:
        assert word in result["msg"]
    assert cloud.calls == []


def test_unknown_regions_are_refused_by_name_after_describe_regions_only(cloud, capsys):
    result, _out = run(capsys, {"regions": ["cn-hangzhou", "mars-north-1"]})
    assert result["failed"] and "mars-north-1" in result["msg"] and "cn-hangzhou," not in result["msg"].split("knows")[0]
    assert [c[1] for c in cloud.calls] == ["DescribeRegions"]


def test_no_region_at_all_is_a_clear_error(cloud, capsys):
    args = {"region": None}
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            kms_ecs_secret_info.main()
    result = json.loads(capsys.readouterr().out)
    assert result["failed"] and result["msg"].startswith("regions: is required")
    assert cloud.calls == []


def test_a_down_region_fails_the_module_naming_it(cloud, capsys):
    cloud.down.add("me-central-1")
    result, out = run(capsys, {"regions": ["all"], "max_retries": 1})
    assert result["failed"] and "me-central-1" in result["msg"] and "ServiceUnavailable" in result["msg"]
    assert "incomplete" in result["msg"]
    assert [f["region_id"] for f in result["failed_regions"]] == ["me-central-1"]
    assert "secrets" not in result  # a partial list must not pass for the whole one


def test_ignore_unreachable_regions_warns_and_lists_the_region(cloud, capsys):
    cloud.down.add("me-central-1")
    result, _out = run(capsys, {"regions": ["all"], "max_retries": 1, "ignore_unreachable_regions": True})
    assert "failed" not in result
    assert [f["region_id"] for f in result["failed_regions"]] == ["me-central-1"]
    assert result["failed_regions"][0]["error"]["code"] == "ServiceUnavailable"
    assert "me-central-1" not in result["regions"] and "me-central-1" not in result["count_by_region"]
    assert any("me-central-1" in str(w) for w in result["warnings"]), result.get("warnings")
    assert [s["secret_name"] for s in result["secrets"]] == ["acs/ecs/web-01/root", "acs/ecs/web-02/root"]


def test_max_concurrency_reaches_the_pool(cloud, capsys):
    for index in range(30):
        cloud.add("cn-shanghai", fakes.ecs_secret("acs/ecs/m%02d" % index))
    cloud.latency = 0.005
    result, _out = run(capsys, {"regions": ["cn-shanghai"], "max_concurrency": 2})
    assert len(result["secrets"]) == 30
    assert cloud.max_in_flight["cn-shanghai"] == 2
