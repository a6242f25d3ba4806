import importlib.util
import json
import os
from pathlib import Path

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.alicloud.kms.plugins.module_utils import alicloud
from ansible_collections.alicloud.kms.plugins.module_utils.errors import AlicloudError
from ansible_collections.alicloud.kms.plugins.modules import kms_ecs_secret

# The fake cloud lives beside the module_utils tests; loaded by path, as test files are not a package.
_SPEC = importlib.util.spec_from_file_location(
    "kms_ecs_fake", Path(__file__).resolve().parents[1] / "module_utils" / "kms_ecs_fake.py")
fakes = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(fakes)

PASSWORD = "Pa55-never-shown"
PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----never-shown"
NAME = "acs/ecs/web-01/root"


@pytest.fixture
def cloud(monkeypatch):
    for name in [n for n in os.environ if n.startswith(("ALICLOUD_", "ALIBABA_CLOUD_"))]:
        monkeypatch.delenv(name)
    fake = fakes.FakeCloud()
    monkeypatch.setattr(alicloud, "AlicloudConnection", lambda params: fake)
    return fake


def run(capsys, args, check_mode=False, diff=False):
    args = dict(args)
    args.setdefault("region", "cn-hangzhou")
    args.update(_ansible_check_mode=check_mode, _ansible_diff=diff)
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            kms_ecs_secret.main()
    out = capsys.readouterr().out
    return json.loads(out), out


CREATE = {"name": NAME, "instance_id": "i-1", "secret_sub_type": "Password", "username": "root",
          "password": PASSWORD, "rotation_interval": "7d", "tags": {"team": "web"}, "description": "root"}


def test_four_steps_of_create(cloud, capsys):
    check, out1 = run(capsys, CREATE, check_mode=True, diff=True)
    assert check["changed"] and cloud.actions(writes_only=True) == []
    assert check["diff"]["before"] == {} and check["diff"]["after"]["rotation_interval"] == "604800s"
    done, out2 = run(capsys, CREATE, diff=True)
    assert done["changed"] and cloud.actions(writes_only=True) == ["CreateSecret"]
    assert done["service_linked_role_created"] is True and done["secret"]["arn"]
    cloud.calls.clear()
    recheck = run(capsys, CREATE, check_mode=True)[0]
    again = run(capsys, dict(CREATE, rotation_interval="604800s"))[0]
    assert not recheck["changed"] and not again["changed"] and cloud.actions(writes_only=True) == []
    assert "diff" not in again  # only with --diff
    for out in (out1, out2):
        assert PASSWORD not in out


def test_key_pair_never_appears_in_the_output(cloud, capsys):
    args = {"name": NAME, "instance_id": "i-1", "secret_sub_type": "SSHKey", "username": "deploy",
            "public_key": "ssh-ed25519 AAAAC3public", "private_key": PRIVATE_KEY}
    result, out = run(capsys, args, diff=True)
    assert result["changed"] and PRIVATE_KEY not in out
    assert result["invocation"]["module_args"]["private_key"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


def test_validation_fails_before_any_call_and_names_the_option(cloud, capsys):
    result, out = run(capsys, dict(CREATE, rotation_interval="2h"))
    assert result["failed"] and result["msg"].startswith("rotation_interval: 2h is 7200 seconds")
    assert cloud.calls == [] and PASSWORD not in out


def test_region_is_required(cloud, capsys):
    result = run(capsys, dict(CREATE, region=None))[0]
    assert result["failed"] and result["msg"].startswith("region: is required")
    assert cloud.calls == []


def test_immutable_change_fails_clearly(cloud, capsys):
    cloud.add(NAME, instance="i-1")
    result = run(capsys, dict(CREATE, instance_id="i-2"))[0]
    assert result["failed"] and "instance_id: acs/ecs/web-01/root has instance_id i-1" in result["msg"]
    assert cloud.actions(writes_only=True) == []


def test_service_error_is_reported_with_code_and_secret_name(cloud, capsys):
    cloud.fail["CreateSecret"] = AlicloudError("Forbidden.RAM", "User not authorized to operate on the specified resource.",
                                               "CreateSecret", "req-9", "cn-hangzhou", 403, "kms")
    result, out = run(capsys, CREATE)
    assert result["failed"] and result["msg"].startswith("secret acs/ecs/web-01/root: CreateSecret in cn-hangzhou failed: Forbidden.RAM")
    assert result["error"]["code"] == "Forbidden.RAM" and result["error"]["request_id"] == "req-9"
    assert PASSWORD not in out


def test_delete_with_window_then_present_restores(cloud, capsys):
    cloud.add(NAME, rotation="604800s", tags={"team": "web"}, description="root")
    gone = run(capsys, {"name": NAME, "state": "absent", "recovery_window_in_days": 7})[0]
    assert gone["changed"] and gone["secret"]["planned_delete_time"]
    back = run(capsys, CREATE)[0]
    assert back["changed"] and back["changes"] == ["restored"] and back["secret"]["planned_delete_time"] is None
