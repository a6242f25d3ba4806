"""The module end to end (argument parsing, results, check and diff mode) over a fake cloud."""

import importlib.util
import json
from pathlib import Path

import pytest

from ansible_collections.alicloud.kms.plugins.module_utils import ram
from ansible_collections.alicloud.kms.plugins.module_utils.alicloud import AlicloudModule
from ansible_collections.alicloud.kms.plugins.module_utils.errors import AlicloudError
from ansible_collections.alicloud.kms.plugins.modules import ram_service_linked_role

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19
    from contextlib import contextmanager
    from unittest import mock

    from ansible.module_utils import basic
    from ansible.module_utils.common.text.converters import to_bytes

    @contextmanager
    def patch_module_args(args):
        with mock.patch.object(basic, "_ANSIBLE_ARGS", to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args}))):
            yield

# One fake cloud for both test files: load the module_utils test file under its own name
# (the unit test directories are not packages, so it cannot be imported normally).
_SPEC = importlib.util.spec_from_file_location(
    "ram_fake_cloud", Path(__file__).resolve().parents[1] / "module_utils" / "test_ram.py")
fakes = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(fakes)

ECS, ECS_ROLE, MULTI = fakes.ECS, fakes.ECS_ROLE, fakes.MULTI
WRITES = ("CreateServiceLinkedRole", "DeleteServiceLinkedRole")


@pytest.fixture
def cloud(monkeypatch):
    fake = fakes.FakeCloud()
    monkeypatch.setattr(AlicloudModule, "connection", property(lambda self: fake))
    monkeypatch.setattr(ram, "time", fakes.FakeClock())
    # Warnings are kept process-wide for "the" module run; each test is a run of its own.
    from ansible.module_utils.common import warnings as ansible_warnings
    monkeypatch.setattr(ansible_warnings, "_global_warnings", type(ansible_warnings._global_warnings)())
    return fake


def run_module(capsys, **args):
    """Run the module as Ansible would; its JSON result, with ``failed`` when it failed."""
    args.setdefault("service_name", ECS)
    with patch_module_args(args):
        with pytest.raises(SystemExit) as info:
            ram_service_linked_role.main()
    result = json.loads(capsys.readouterr().out)
    assert bool(result.get("failed")) == (info.value.code != 0)
    return result


def warnings(result):
    # ansible-core 2.19 returns structured warnings; older versions plain strings.
    return [w["event"]["msg"] if isinstance(w, dict) else w for w in result.get("warnings", [])]


def writes(cloud):
    return [action for action in cloud.actions() if action in WRITES]


# --- present ------------------------------------------------------------------------

def test_present_creates_a_missing_role_with_one_write(cloud, capsys):
    result = run_module(capsys)
    assert result["changed"] is True
    assert result["role_name"] == ECS_ROLE
    assert writes(cloud) == ["CreateServiceLinkedRole"]
    role = result["role"]
    assert role["role_name"] == ECS_ROLE and role["role_id"] == "3001" and role["is_service_linked_role"] is True
    assert role["assume_role_policy_document"]["Statement"][0]["Principal"]["Service"] == [ECS]
    assert role["policy_document"] == fakes.DOCUMENT
    assert result["diff"] == {"before": {}, "after": role}


def test_present_on_an_existing_role_changes_nothing_and_writes_nothing(cloud, capsys):
    cloud.add_role()
    result = run_module(capsys)
    assert result["changed"] is False
    assert writes(cloud) == []
    assert result["role"]["arn"] == "acs:ram::1:role/" + ECS_ROLE.lower()
    assert result["diff"]["before"] == result["diff"]["after"] == result["role"]


def test_check_mode_predicts_the_creation_without_writing(cloud, capsys):
    predicted = run_module(capsys, _ansible_check_mode=True)
    assert predicted["changed"] is True
    assert writes(cloud) == []
    assert ECS_ROLE not in cloud.roles
    assert predicted["diff"] == {"before": {}, "after": predicted["role"]}
    real = run_module(capsys)
    # Everything predicted is what the real run returned; what is unknown was left out.
    for key, value in predicted["role"].items():
        if key == "attached_policies":
            assert [{k: p[k] for k in ("policy_name", "policy_type")} for p in real["role"][key]] == value
        else:
            assert real["role"][key] == value, key
    assert {"role_id", "arn", "create_date"} - set(predicted["role"]) == {"role_id", "arn", "create_date"}


def test_check_mode_on_an_existing_role_reports_no_change(cloud, capsys):
    cloud.add_role()
    result = run_module(capsys, _ansible_check_mode=True)
    assert result["changed"] is False
    assert result["role"]["role_id"] == "3001"


def test_creation_lost_to_a_parallel_run_is_success_without_change(cloud, capsys):
    def parallel_run_wins(fake):
        fake.add_role()
        return AlicloudError("EntityAlreadyExists.Role", "The role already exists.", status=409)

    cloud.fail["CreateServiceLinkedRole"] = [parallel_run_wins]
    result = run_module(capsys)
    assert result.get("failed") is None
    assert result["changed"] is False
    assert result["role"]["role_name"] == ECS_ROLE
    assert result["diff"]["before"] == result["diff"]["after"]


def test_race_won_by_an_ordinary_role_fails(cloud, capsys):
    def ordinary_role_appears(fake):
        fake.add_role(linked=False)
        return AlicloudError("EntityAlreadyExists.Role", "exists", status=409)

    cloud.fail["CreateServiceLinkedRole"] = [ordinary_role_appears]
    result = run_module(capsys)
    assert result["failed"] is True
    assert "is not a service-linked role" in result["msg"]


def test_created_role_is_waited_for_until_get_role_sees_it(cloud, capsys):
    # First GetRole: the read before the write; the next two: not yet visible after the create.
    real_get_role = cloud.GetRole
    misses = []

    def eventually_consistent(params):
        if "CreateServiceLinkedRole" in cloud.actions() and len(misses) < 2:
            misses.append(1)
            raise AlicloudError("EntityNotExist.Role", "not yet", status=404)
        return real_get_role(params)

    cloud.GetRole = eventually_consistent
    result = run_module(capsys)
    assert result["changed"] is True
    assert cloud.actions().count("GetRole") == 4
    assert ram.time.sleeps[:2] == [0.5, 0.75]


def test_differing_description_is_a_warning_not_a_change(cloud, capsys):
    cloud.add_role(description="preset")
    result = run_module(capsys, description="my own words")
    assert result["changed"] is False
    assert writes(cloud) == []
    assert any("keeps its description 'preset'" in w and w.startswith("description:") for w in warnings(result))


def test_same_description_gives_no_warning(cloud, capsys):
    cloud.add_role(description="preset")
    assert warnings(run_module(capsys, description="preset")) == []


@pytest.mark.parametrize("state", ["present", "absent"])
def test_role_that_is_not_service_linked_is_refused_untouched(cloud, capsys, state):
    cloud.add_role(linked=False)
    result = run_module(capsys, state=state)
    assert result["failed"] is True
    assert "%s exists but is not a service-linked role" % ECS_ROLE in result["msg"]
    assert writes(cloud) == []
    assert ECS_ROLE in cloud.roles


def test_role_of_another_service_is_refused(cloud, capsys):
    cloud.add_role(trust_services=["other.aliyuncs.com"])
    result = run_module(capsys, state="absent")
    assert result["failed"] is True and "other.aliyuncs.com" in result["msg"]
    assert writes(cloud) == []


# --- absent -----------------------------------------------------------------------------

def test_absent_deletes_and_follows_the_task(cloud, capsys):
    cloud.add_role()
    cloud.statuses = ["IN_PROGRESS", "SUCCEEDED"]
    result = run_module(capsys, state="absent")
    assert result["changed"] is True
    assert writes(cloud) == ["DeleteServiceLinkedRole"]
    assert result["deletion_task"]["status"] == "SUCCEEDED"
    assert result["deletion_task_id"] == result["deletion_task"]["deletion_task_id"]
    assert result["role"] == {}
    assert result["diff"]["before"]["role_name"] == ECS_ROLE and result["diff"]["after"] == {}
    assert ECS_ROLE not in cloud.roles


def test_absent_on_a_missing_role_changes_nothing(cloud, capsys):
    result = run_module(capsys, state="absent")
    assert result["changed"] is False
    assert writes(cloud) == []
    assert result["diff"] == {"before": {}, "after": {}}
    assert "deletion_task_id" not in result


def test_absent_in_check_mode_predicts_without_writing(cloud, capsys):
    cloud.add_role()
    result = run_module(capsys, state="absent", _ansible_check_mode=True)
    assert result["changed"] is True
    assert writes(cloud) == []
    assert result["diff"]["before"]["role_id"] == "3001" and result["diff"]["after"] == {}
    assert ECS_ROLE in cloud.roles


def test_absent_without_wait_returns_the_task_id(cloud, capsys):
    cloud.add_role()
    result = run_module(capsys, state="absent", wait=False)
    assert result["changed"] is True
    assert result["deletion_task_id"] == "task/acs-service-role/%s/1" % ECS_ROLE
    assert result["deletion_task"]["status"] is None
    assert "GetServiceLinkedRoleDeletionStatus" not in cloud.actions()
    assert result["role"]["role_name"] == ECS_ROLE  # still there until the task ends


def test_blocked_deletion_fails_naming_what_uses_the_role(cloud, capsys):
    cloud.add_role()
    cloud.statuses = ["FAILED"]
    cloud.usages = [{"Region": "eu-central-1", "Resources": {"Resource": ["acs:kms:eu-central-1:1:secret/acs/ecs/web"]}}]
    result = run_module(capsys, state="absent")
    assert result["failed"] is True
    assert result["changed"] is False
    for part in (ECS_ROLE, ECS, "eu-central-1: acs:kms:eu-central-1:1:secret/acs/ecs/web"):
        assert part in result["msg"]
    assert result["role_usages"] == [{"region": "eu-central-1", "resources": ["acs:kms:eu-central-1:1:secret/acs/ecs/web"]}]
    assert result["role"]["role_name"] == ECS_ROLE
    assert ECS_ROLE in cloud.roles


def test_deletion_timeout_fails_with_the_task(cloud, capsys):
    cloud.add_role()
    result = run_module(capsys, state="absent", wait_timeout=5)
    assert result["failed"] is True
    assert "did not finish within 5 seconds" in result["msg"]
    assert result["deletion_task_id"].startswith("task/")
    assert ram.time.now == pytest.approx(5)


# --- errors and input ------------------------------------------------------------------------

@pytest.mark.parametrize("args, start", [
    (dict(service_name=""), "service_name: must not be empty"),
    (dict(service_name="not a service"), "service_name: 'not a service' is not a service name"),
    (dict(custom_suffix="a/b"), "custom_suffix: 'a/b' may only hold"),
    (dict(wait_timeout=0), "wait_timeout: must be at least 1 second"),
])
def test_bad_input_fails_before_any_call(cloud, capsys, args, start):
    result = run_module(capsys, **args)
    assert result["failed"] is True
    assert result["msg"].startswith(start)
    assert cloud.calls == []


def test_suffix_for_a_single_role_service_fails_after_reading_only_the_template(cloud, capsys):
    result = run_module(capsys, custom_suffix="prod")
    assert result["failed"] is True and result["msg"].startswith("custom_suffix:")
    assert cloud.actions() == ["GetServiceLinkedRoleTemplate"]


def test_suffix_names_the_role_of_a_multi_role_service(cloud, capsys):
    result = run_module(capsys, service_name=MULTI, custom_suffix="prod", description="mine")
    assert result["role_name"] == "AliyunServiceRoleForElasticsearch_prod"
    assert result["role"]["description"] == "mine"
    assert "policy_document" not in result["role"]  # the fake has no document for it


def test_unknown_service_says_so(cloud, capsys):
    result = run_module(capsys, service_name="nothing.aliyuncs.com")
    assert result["failed"] is True
    assert result["msg"].startswith("service_name: cannot read the service-linked role template of nothing.aliyuncs.com")
    assert result["error"]["code"] == "EntityNotExist.ServiceName"


def test_permission_error_names_the_action_and_code(cloud, capsys):
    cloud.fail["CreateServiceLinkedRole"] = [AlicloudError(
        "Forbidden.RAM", "User not authorized", action="CreateServiceLinkedRole", request_id="R1", status=403)]
    result = run_module(capsys)
    assert result["failed"] is True
    assert "CreateServiceLinkedRole failed: Forbidden.RAM" in result["msg"]
    assert result["error"]["code"] == "Forbidden.RAM" and result["error"]["request_id"] == "R1"


def test_secret_key_is_not_in_the_result(cloud, capsys):
    cloud.fail["GetServiceLinkedRoleTemplate"] = [AlicloudError(
        "SignatureDoesNotMatch", "The signature does not match.", action="GetServiceLinkedRoleTemplate", status=400)]
    result = run_module(capsys, access_key="LTAI5tEXAMPLE", secret_key="TopSecretValue123")
    assert result["msg"].startswith("GetServiceLinkedRoleTemplate failed: SignatureDoesNotMatch")
    assert "TopSecretValue123" not in json.dumps(result)


def test_role_deleted_by_someone_else_between_read_and_delete_is_no_change(cloud, capsys):
    cloud.add_role()

    def deleted_meanwhile(fake):
        fake.roles.clear()
        return AlicloudError("EntityNotExist.Role", "The role does not exist.", status=404)

    cloud.fail["DeleteServiceLinkedRole"] = [deleted_meanwhile]
    result = run_module(capsys, state="absent")
    assert result["changed"] is False
    assert result["diff"] == {"before": {}, "after": {}}
    assert "deletion_task_id" not in result


def test_unavailable_template_is_not_blamed_on_service_name(cloud, capsys):
    cloud.fail["GetServiceLinkedRoleTemplate"] = [AlicloudError(
        "Forbidden.RAM", "denied", action="GetServiceLinkedRoleTemplate", status=403)]
    result = run_module(capsys)
    assert result["msg"].startswith("GetServiceLinkedRoleTemplate failed: Forbidden.RAM")
