"""The service-linked role through the real SDKs: it appears with the first ECS
secret, and its deletion fails while an ECS secret exists anywhere."""

import json

import pytest
from alibabacloud_kms20160120 import models as kms_models
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_resourcemanager20200331 import models as rm_models
from alibabacloud_tea_openapi.exceptions import ClientException

import sdk_clients as c

REGION = "me-central-1"


def create_ecs_secret(emu, region=REGION, name="acs/ecs/web-1"):
    [instance_id] = emu.control("POST", "/_emulator/ecs/instances", {"RegionId": region, "Count": 1})["InstanceIds"]
    request = kms_models.CreateSecretRequest(
        secret_name=name, secret_type="ECS", version_id="v1",
        secret_data=json.dumps({"UserName": "root", "Password": "Pa55-word!"}),
        extended_config={"SecretSubType": "Password", "RegionId": region, "InstanceId": instance_id},
        enable_automatic_rotation=True, rotation_interval="7d")
    return c.kms(emu, region).create_secret(request).body


def get_role_error(emu):
    with pytest.raises(ClientException) as info:
        c.ram(emu).get_role(ram_models.GetRoleRequest(role_name=c.ECS_ROLE))
    return info.value


def test_role_appears_with_the_first_ecs_secret(emulator_env):
    emu = emulator_env
    assert get_role_error(emu).code == "EntityNotExist.Role"
    created = create_ecs_secret(emu)
    assert created.arn == f"acs:kms:{REGION}:{emu.account_id}:secret/acs/ecs/web-1"
    assert c.unfilled(created, {"dkmsinstance_id"}) == []
    role = c.ram(emu).get_role(ram_models.GetRoleRequest(role_name=c.ECS_ROLE)).body.role
    assert role.is_service_linked_role is True and role.max_session_duration == 3600
    assert role.arn == f"acs:ram::{emu.account_id}:role/{c.ECS_ROLE.lower()}"
    assert c.unfilled(role, {"latest_deletion_task"}) == []
    policies = c.ram(emu).list_policies_for_role(
        ram_models.ListPoliciesForRoleRequest(role_name=c.ECS_ROLE)).body.policies.policy
    assert [(p.policy_name, p.policy_type) for p in policies] == [
        ("AliyunServiceRolePolicyForKMSSecretsManagerForECS", "System")]
    assert c.unfilled(policies[0]) == []


def test_template_and_policy_documents(emulator_env):
    emu = emulator_env
    tpl = c.ram(emu).get_service_linked_role_template(
        ram_models.GetServiceLinkedRoleTemplateRequest(service_name=c.ECS_SERVICE)).body.service_linked_role_template
    assert c.unfilled(tpl) == [] and tpl.role_name_prefix == c.ECS_ROLE and tpl.multiple_roles_allowed is False
    request = ram_models.GetPolicyRequest(policy_name=tpl.system_policy_name, policy_type="System")
    body = c.ram(emu).get_policy(request).body
    assert c.unfilled(body) == []
    doc = json.loads(body.default_policy_version.policy_document)
    resources = {r for s in doc["Statement"] for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])}
    assert {"acs:ecs:*:*:instance/*", "acs:ecs:*:*:command/cmd-ACS-KMS-RotateECSSecret*",
            "acs:kms:*:*:secret/acs/ecs/*", "*"} == resources
    version = c.ram(emu).get_policy_version(ram_models.GetPolicyVersionRequest(
        policy_name=tpl.system_policy_name, policy_type="System", version_id="v1")).body.policy_version
    assert json.loads(version.policy_document) == doc and version.is_default_version is True


def test_deletion_fails_while_an_ecs_secret_exists_then_succeeds(emulator_env):
    emu = emulator_env
    created = create_ecs_secret(emu)
    rm = c.resourcemanager(emu)
    task_id = rm.delete_service_linked_role(
        rm_models.DeleteServiceLinkedRoleRequest(role_name=c.ECS_ROLE)).body.deletion_task_id
    assert task_id.startswith(f"task/acs-service-role/{c.ECS_SERVICE}/{c.ECS_ROLE}/")

    def status():
        return rm.get_service_linked_role_deletion_status(
            rm_models.GetServiceLinkedRoleDeletionStatusRequest(deletion_task_id=task_id)).body

    assert status().status == "IN_PROGRESS"
    role = c.ram(emu).get_role(ram_models.GetRoleRequest(role_name=c.ECS_ROLE)).body.role
    assert role.latest_deletion_task.deletion_task_id == task_id and c.unfilled(role) == []

    failed = c.wait_final(status)
    assert failed.status == "FAILED" and c.unfilled(failed) == []
    assert f"role/{c.ECS_ROLE.lower()} cannot be deleted as it is in use by {c.ECS_SERVICE}" in failed.reason.message
    [usage] = failed.reason.role_usages.role_usage
    assert usage.region == REGION and usage.resources.resource == [created.arn]
    assert c.ram(emu).get_role(ram_models.GetRoleRequest(role_name=c.ECS_ROLE)).body.role.role_name == c.ECS_ROLE

    c.kms(emu, REGION).delete_secret(kms_models.DeleteSecretRequest(
        secret_name="acs/ecs/web-1", force_delete_without_recovery="true"))
    task_id = c.ram(emu).delete_service_linked_role(
        ram_models.DeleteServiceLinkedRoleRequest(role_name=c.ECS_ROLE)).body.deletion_task_id
    done = c.wait_final(status)
    assert done.status == "SUCCEEDED" and done.reason is None
    error = get_role_error(emu)
    assert (error.code, error.status_code) == ("EntityNotExist.Role", 404)


def test_scheduled_secret_still_blocks(emulator_env):
    emu = emulator_env
    create_ecs_secret(emu, "ap-southeast-1")
    c.kms(emu, "ap-southeast-1").delete_secret(kms_models.DeleteSecretRequest(
        secret_name="acs/ecs/web-1", recovery_window_in_days="7"))
    rm = c.resourcemanager(emu)
    task_id = rm.delete_service_linked_role(
        rm_models.DeleteServiceLinkedRoleRequest(role_name=c.ECS_ROLE)).body.deletion_task_id
    body = c.wait_final(lambda: rm.get_service_linked_role_deletion_status(
        rm_models.GetServiceLinkedRoleDeletionStatusRequest(deletion_task_id=task_id)).body)
    assert body.status == "FAILED"
    assert body.reason.role_usages.role_usage[0].region == "ap-southeast-1"


def test_role_errors(emulator_env):
    emu = emulator_env
    create_ecs_secret(emu)
    with pytest.raises(ClientException) as info:
        c.resourcemanager(emu).create_service_linked_role(
            rm_models.CreateServiceLinkedRoleRequest(service_name=c.ECS_SERVICE))
    assert (info.value.code, info.value.status_code) == ("EntityAlreadyExists.Role", 409)
    emu.control("POST", "/_emulator/ram/roles", {"RoleName": "PlainRole"})
    with pytest.raises(ClientException) as info:
        c.ram(emu).delete_service_linked_role(ram_models.DeleteServiceLinkedRoleRequest(role_name="PlainRole"))
    assert (info.value.code, info.value.status_code) == ("EntityNotExist.ServiceLinkedRole", 404)
    with pytest.raises(ClientException) as info:
        c.resourcemanager(emu).get_service_linked_role_deletion_status(
            rm_models.GetServiceLinkedRoleDeletionStatusRequest(deletion_task_id="task/none"))
    assert info.value.status_code == 404
    roles = c.ram(emu).list_roles(ram_models.ListRolesRequest(max_items=1)).body
    assert roles.is_truncated is True and roles.marker
    rest = c.ram(emu).list_roles(ram_models.ListRolesRequest(max_items=1, marker=roles.marker)).body
    assert rest.is_truncated is False
    names = {r.role_name for r in roles.roles.role + rest.roles.role}
    assert names == {c.ECS_ROLE, "PlainRole"}
    assert c.unfilled(rest.roles.role[0]) == []
