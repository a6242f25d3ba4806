"""RAM model: templates, service-linked roles, roles paging, system policies."""

import json
import re

from products_harness import ACCOUNT, ECS_ROLE, ECS_SERVICE

from alicloud_emulator.products import ram

ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
MULTI = "ops.elasticsearch.aliyuncs.com"


def test_ecs_template_names_role_and_policy(h):
    tpl = h.call("ram", "GetServiceLinkedRoleTemplate", ServiceName=ECS_SERVICE)["ServiceLinkedRoleTemplate"]
    assert tpl["RoleNamePrefix"] == ECS_ROLE
    assert tpl["SystemPolicyName"] == "AliyunServiceRolePolicyForKMSSecretsManagerForECS"
    assert tpl["MultipleRolesAllowed"] is False
    assert {d["Language"] for d in tpl["RoleDescriptions"]["RoleDescription"]} == {"en", "zh-cn"}


def test_unknown_service_is_404(h):
    for action in ("GetServiceLinkedRoleTemplate", "CreateServiceLinkedRole"):
        err = h.error("ram", action, ServiceName="nope.aliyuncs.com")
        assert (err.code, err.status) == ("EntityNotExist.ServiceName", 404)


def test_create_role_shape(h):
    role = h.call("ram", "CreateServiceLinkedRole", ServiceName=ECS_SERVICE)["Role"]
    assert role["RoleName"] == ECS_ROLE
    assert role["Arn"] == f"acs:ram::{ACCOUNT}:role/{ECS_ROLE.lower()}"
    assert role["RoleId"].isdigit() and role["IsServiceLinkedRole"] is True
    assert ISO_Z.match(role["CreateDate"])
    trust = json.loads(role["AssumeRolePolicyDocument"])
    assert trust["Statement"][0]["Principal"]["Service"] == [ECS_SERVICE]
    got = h.call("ram", "GetRole", RoleName=ECS_ROLE)["Role"]
    assert got["MaxSessionDuration"] == 3600 and ISO_Z.match(got["UpdateDate"])
    assert got["RolePrincipalName"].startswith(ECS_ROLE + "@")
    assert "LatestDeletionTask" not in got


def test_second_create_is_409(h):
    h.call("ram", "CreateServiceLinkedRole", ServiceName=ECS_SERVICE)
    err = h.error("resourcemanager", "CreateServiceLinkedRole", ServiceName=ECS_SERVICE)
    assert (err.code, err.status) == ("EntityAlreadyExists.Role", 409)


def test_get_role_is_case_insensitive_and_missing_is_404(h):
    h.call("ram", "CreateServiceLinkedRole", ServiceName=ECS_SERVICE)
    assert h.call("ram", "GetRole", RoleName=ECS_ROLE.lower())["Role"]["RoleName"] == ECS_ROLE
    err = h.error("ram", "GetRole", RoleName="Nobody")
    assert (err.code, err.status) == ("EntityNotExist.Role", 404)
    assert h.error("ram", "GetRole").code == "MissingParameter"


def test_custom_suffix_only_where_allowed(h):
    err = h.error("ram", "CreateServiceLinkedRole", ServiceName=ECS_SERVICE, CustomSuffix="x")
    assert err.code == "InvalidParameter" and "CustomSuffix" in err.message
    role = h.call("ram", "CreateServiceLinkedRole", ServiceName=MULTI, CustomSuffix="blue", Description="mine")["Role"]
    assert role["RoleName"] == "AliyunServiceRoleForElasticsearch_blue"
    assert role["Description"] == "mine"
    second = h.call("ram", "CreateServiceLinkedRole", ServiceName=MULTI, CustomSuffix="green")["Role"]
    assert second["RoleName"].endswith("_green")
    assert h.error("ram", "CreateServiceLinkedRole", ServiceName=MULTI, CustomSuffix="bad suffix!").code == "InvalidParameter"


def test_description_of_single_role_service_is_preset(h):
    role = h.call("ram", "CreateServiceLinkedRole", ServiceName=ECS_SERVICE, Description="ignored")["Role"]
    assert role["Description"] != "ignored"


def test_policy_attached_and_documented(h):
    h.call("ram", "CreateServiceLinkedRole", ServiceName=ECS_SERVICE)
    policies = h.call("ram", "ListPoliciesForRole", RoleName=ECS_ROLE)["Policies"]["Policy"]
    assert [(p["PolicyName"], p["PolicyType"], p["DefaultVersion"]) for p in policies] == [
        ("AliyunServiceRolePolicyForKMSSecretsManagerForECS", "System", "v1")]
    body = h.call("ram", "GetPolicy", PolicyName=policies[0]["PolicyName"], PolicyType="System")
    assert body["Policy"]["AttachmentCount"] == 1
    doc = json.loads(body["DefaultPolicyVersion"]["PolicyDocument"])
    actions = {a for s in doc["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert {"ecs:InvokeCommand", "kms:UpdateSecretVersionStage", "ram:DeleteServiceLinkedRole"} <= actions
    last = doc["Statement"][-1]
    assert last["Condition"] == {"StringEquals": {"ram:ServiceName": ECS_SERVICE}}
    version = h.call("ram", "GetPolicyVersion", PolicyName=policies[0]["PolicyName"], PolicyType="System",
                     VersionId="v1")["PolicyVersion"]
    assert version["IsDefaultVersion"] is True and json.loads(version["PolicyDocument"]) == doc


def test_policy_errors(h):
    assert h.error("ram", "GetPolicy", PolicyName="Nope", PolicyType="System").code == "EntityNotExist.Policy"
    assert h.error("ram", "GetPolicy", PolicyName="Nope", PolicyType="Weird").code == "InvalidParameter"
    err = h.error("ram", "GetPolicyVersion", PolicyName="AliyunServiceRolePolicyForKMSSecretsManagerForECS",
                  PolicyType="System", VersionId="v9")
    assert (err.code, err.status) == ("EntityNotExist.PolicyVersion", 404)


def test_list_roles_pages_by_marker(h):
    for i in range(25):
        ram.create_plain_role(h.state, ACCOUNT, f"role-{i:02d}")
    seen, marker, pages = [], None, 0
    while True:
        params = {"MaxItems": 10, **({"Marker": marker} if marker else {})}
        body = h.call("ram", "ListRoles", **params)
        pages += 1
        seen += [r["RoleName"] for r in body["Roles"]["Role"]]
        if not body["IsTruncated"]:
            assert "Marker" not in body
            break
        marker = body["Marker"]
    assert pages == 3 and seen == [f"role-{i:02d}" for i in range(25)]
    assert h.error("ram", "ListRoles", MaxItems=0).code == "InvalidParameter"
    assert h.error("ram", "ListRoles", MaxItems=1001).code == "InvalidParameter"


def test_plain_role_clash_and_delete_errors(h):
    ram.create_plain_role(h.state, ACCOUNT, ECS_ROLE)
    err = h.error("ram", "CreateServiceLinkedRole", ServiceName=ECS_SERVICE)
    assert err.code == "EntityAlreadyExists.Role"
    err = h.error("ram", "DeleteServiceLinkedRole", RoleName=ECS_ROLE)
    assert (err.code, err.status) == ("EntityNotExist.ServiceLinkedRole", 404)
    err = h.error("resourcemanager", "DeleteServiceLinkedRole", RoleName="Missing")
    assert (err.code, err.status) == ("EntityNotExist.Role", 404)
    assert h.call("ram", "GetRole", RoleName=ECS_ROLE)["Role"]["IsServiceLinkedRole"] is False


def test_roles_are_per_account(h):
    h.call("ram", "CreateServiceLinkedRole", ServiceName=ECS_SERVICE)
    assert h.call("ram", "ListRoles", account="6543210987654321")["Roles"]["Role"] == []
