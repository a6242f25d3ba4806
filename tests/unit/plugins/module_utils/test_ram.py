"""module_utils/ram.py against a fake connection that keeps roles, policies and deletion tasks."""

import json

import pytest

from ansible_collections.alicloud.kms.plugins.module_utils import ram
from ansible_collections.alicloud.kms.plugins.module_utils.errors import AlicloudError

ECS = "secretsmanager-ecs.kms.aliyuncs.com"
MULTI = "ops.elasticsearch.aliyuncs.com"
ECS_ROLE = "AliyunServiceRoleForKMSSecretsManagerForECS"
ECS_POLICY = "AliyunServiceRolePolicyForKMSSecretsManagerForECS"
DOCUMENT = {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ecs:DescribeInstances", "Resource": "*"}]}


def trust(*services):
    return json.dumps({"Version": "1", "Statement": [
        {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": list(services)}}]})


class FakeCloud:
    """RAM and ResourceManager as far as ram.py uses them; records every call."""

    def __init__(self):
        self.templates = {
            ECS: {"ServiceName": ECS, "RoleNamePrefix": ECS_ROLE, "SystemPolicyName": ECS_POLICY,
                  "MultipleRolesAllowed": False,
                  "RoleDescriptions": {"RoleDescription": [
                      {"Language": "zh-cn", "Description": "zh"}, {"Language": "en", "Description": "preset"}]}},
            MULTI: {"ServiceName": MULTI, "RoleNamePrefix": "AliyunServiceRoleForElasticsearch",
                    "SystemPolicyName": "AliyunServiceRolePolicyForElasticsearch", "MultipleRolesAllowed": True,
                    "RoleDescriptions": {"RoleDescription": [{"Language": "en", "Description": "es"}]}},
        }
        self.roles = {}
        self.documents = {ECS_POLICY: json.dumps(DOCUMENT)}
        self.calls = []
        self.fail = {}            # action -> [error to raise, ...] before the action runs
        self.statuses = []        # what GetServiceLinkedRoleDeletionStatus answers, in turn
        self.usages = []          # RoleUsage entries of a failed task

    def call(self, product, action, request, region=None):
        params = request.to_map()
        self.calls.append((product, action, params))
        pending = self.fail.get(action)
        if pending:
            error = pending.pop(0)
            if callable(error):
                error = error(self)
            raise error
        return getattr(self, action)(params)

    def actions(self):
        return [action for _p, action, _params in self.calls]

    def add_role(self, service=ECS, name=ECS_ROLE, linked=True, trust_services=None, description="preset"):
        self.roles[name] = {
            "RoleName": name, "RoleId": "3001", "Arn": "acs:ram::1:role/" + name.lower(), "Description": description,
            "CreateDate": "2026-01-01T00:00:00Z", "IsServiceLinkedRole": linked,
            "AssumeRolePolicyDocument": trust(*(trust_services or [service])),
            "_policies": [self.templates[service]["SystemPolicyName"]] if linked else [],
        }
        return self.roles[name]

    @staticmethod
    def _error(code, status=404):
        return AlicloudError(code, code + " message", action="x", status=status)

    def GetServiceLinkedRoleTemplate(self, params):
        if params["ServiceName"] not in self.templates:
            raise self._error("EntityNotExist.ServiceName")
        return {"ServiceLinkedRoleTemplate": self.templates[params["ServiceName"]]}

    def GetRole(self, params):
        if params["RoleName"] not in self.roles:
            raise self._error("EntityNotExist.Role")
        return {"Role": {k: v for k, v in self.roles[params["RoleName"]].items() if not k.startswith("_")}}

    def ListPoliciesForRole(self, params):
        names = self.roles[params["RoleName"]]["_policies"]
        return {"Policies": {"Policy": [{"PolicyName": n, "PolicyType": "System", "DefaultVersion": "v1",
                                         "AttachDate": "2026-01-01T00:00:00Z"} for n in names]}}

    def GetPolicy(self, params):
        if params["PolicyName"] not in self.documents:
            raise self._error("EntityNotExist.Policy")
        return {"Policy": {"PolicyName": params["PolicyName"]},
                "DefaultPolicyVersion": {"VersionId": "v1", "PolicyDocument": self.documents[params["PolicyName"]]}}

    def CreateServiceLinkedRole(self, params):
        template = self.templates[params["ServiceName"]]
        name = ram.role_name(template, params.get("CustomSuffix"))
        if name in self.roles:
            raise self._error("EntityAlreadyExists.Role", 409)
        role = self.add_role(params["ServiceName"], name, description=params.get("Description") or "preset")
        return {"Role": {k: v for k, v in role.items() if not k.startswith("_")}}

    def DeleteServiceLinkedRole(self, params):
        if params["RoleName"] not in self.roles:
            raise self._error("EntityNotExist.Role")
        self.deleting = params["RoleName"]
        return {"DeletionTaskId": "task/acs-service-role/%s/1" % params["RoleName"]}

    def GetServiceLinkedRoleDeletionStatus(self, params):
        status = self.statuses.pop(0) if self.statuses else "IN_PROGRESS"
        body = {"Status": status}
        if status == "SUCCEEDED":
            self.roles.pop(self.deleting, None)
        if status == "FAILED":
            body["Reason"] = {"Message": "in use", "RoleUsages": {"RoleUsage": self.usages}}
        return body


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    def monotonic(self):
        return self.now


@pytest.fixture
def cloud():
    return FakeCloud()


@pytest.fixture
def clock():
    return FakeClock()


# --- input validation -------------------------------------------------------------

def params(**overrides):
    base = dict(service_name=ECS, custom_suffix=None, description=None, wait_timeout=300)
    base.update(overrides)
    return base


@pytest.mark.parametrize("overrides, option", [
    (dict(service_name=""), "service_name: must not be empty"),
    (dict(service_name="   "), "service_name: must not be empty"),
    (dict(service_name="Secrets Manager"), "service_name: 'Secrets Manager' is not a service name"),
    (dict(service_name="nodot"), "service_name: 'nodot' is not a service name"),
    (dict(service_name="UPPER.aliyuncs.com"), "service_name:"),
    (dict(custom_suffix="bad suffix!"), "custom_suffix: 'bad suffix!' may only hold"),
    (dict(custom_suffix="x" * 65), "custom_suffix:"),
    (dict(description="d" * 1025), "description: must be at most 1024 characters"),
    (dict(wait_timeout=0), "wait_timeout: must be at least 1 second, got 0"),
    (dict(wait_timeout=-5), "wait_timeout: must be at least 1 second"),
])
def test_bad_input_names_the_option(overrides, option):
    assert ram.validate_params(params(**overrides)).startswith(option)


@pytest.mark.parametrize("overrides", [
    {}, dict(service_name=MULTI, custom_suffix="search-prod.1"), dict(description="d" * 1024), dict(wait_timeout=1),
])
def test_good_input_passes(overrides):
    assert ram.validate_params(params(**overrides)) is None


# --- template -> name ----------------------------------------------------------------

def test_role_name_comes_from_the_template(cloud):
    template = ram.get_template(cloud, ECS)
    assert ram.role_name(template) == ECS_ROLE
    assert cloud.calls == [("ram", "GetServiceLinkedRoleTemplate", {"ServiceName": ECS})]


def test_suffix_is_part_of_the_name_where_several_roles_are_allowed(cloud):
    assert ram.role_name(cloud.templates[MULTI], "prod") == "AliyunServiceRoleForElasticsearch_prod"


def test_suffix_is_refused_for_a_single_role_service(cloud):
    with pytest.raises(ram.RamError, match=r"^custom_suffix: the service %s allows a single" % ECS):
        ram.role_name(cloud.templates[ECS], "prod")


def test_suffix_that_makes_the_name_too_long_is_refused(cloud):
    with pytest.raises(ram.RamError, match=r"^custom_suffix: .* would be 73 characters"):
        ram.role_name(cloud.templates[MULTI], "x" * 39)


def test_template_description_prefers_english(cloud):
    assert ram.template_description(cloud.templates[ECS]) == "preset"
    assert ram.template_description({}) is None


# --- reading ----------------------------------------------------------------------------

def test_missing_role_reads_as_none(cloud):
    assert ram.get_role_raw(cloud, ECS_ROLE) is None


def test_other_errors_of_get_role_are_raised(cloud):
    cloud.fail["GetRole"] = [AlicloudError("Forbidden.RAM", "denied", action="GetRole", status=403)]
    with pytest.raises(AlicloudError) as info:
        ram.get_role_raw(cloud, ECS_ROLE)
    assert info.value.code == "Forbidden.RAM"


def test_describe_role_parses_documents_and_lists_policies(cloud):
    raw = cloud.add_role()
    role = ram.describe_role(cloud, dict(raw), cloud.templates[ECS])
    assert role["role_name"] == ECS_ROLE
    assert role["is_service_linked_role"] is True
    assert role["assume_role_policy_document"]["Statement"][0]["Principal"]["Service"] == [ECS]
    assert role["attached_policies"] == [{"policy_name": ECS_POLICY, "policy_type": "System",
                                          "default_version": "v1", "attach_date": "2026-01-01T00:00:00Z"}]
    assert role["policy_document"] == DOCUMENT


def test_policy_document_left_out_when_it_cannot_be_read(cloud):
    raw = cloud.add_role()
    cloud.fail["GetPolicy"] = [AlicloudError("NoPermission", "no", action="GetPolicy", status=403)]
    role = ram.describe_role(cloud, dict(raw), cloud.templates[ECS])
    assert "policy_document" not in role
    assert role["attached_policies"][0]["policy_name"] == ECS_POLICY


def test_policy_read_errors_other_than_permission_are_raised(cloud):
    cloud.fail["GetPolicy"] = [AlicloudError("InternalError", "boom", action="GetPolicy", status=500)]
    with pytest.raises(AlicloudError):
        ram.get_policy_document(cloud, ECS_POLICY)


def test_unparsable_document_is_kept_as_text():
    assert ram.parse_json("{not json") == "{not json"
    assert ram.parse_json("") is None


def test_ordinary_role_of_the_same_name_is_refused(cloud):
    raw = cloud.add_role(linked=False)
    with pytest.raises(ram.RamError, match="exists but is not a service-linked role"):
        ram.check_ownership(raw, ECS)


def test_role_of_another_service_is_refused(cloud):
    raw = cloud.add_role(trust_services=["other.aliyuncs.com"])
    with pytest.raises(ram.RamError, match="is the service-linked role of other.aliyuncs.com, not of " + ECS):
        ram.check_ownership(raw, ECS)


def test_role_of_the_service_is_accepted(cloud):
    assert ram.check_ownership(cloud.add_role(), ECS) is None


def test_prediction_leaves_out_what_the_service_chooses(cloud):
    role = ram.predicted_role(cloud, cloud.templates[ECS], ECS_ROLE)
    assert role == {"role_name": ECS_ROLE, "is_service_linked_role": True, "description": "preset",
                    "attached_policies": [{"policy_name": ECS_POLICY, "policy_type": "System"}],
                    "policy_document": DOCUMENT}
    assert all(action.startswith("Get") for action in cloud.actions())


def test_prediction_keeps_a_description_only_where_the_service_takes_it(cloud):
    assert "description" not in ram.predicted_role(cloud, cloud.templates[ECS], ECS_ROLE, "mine")
    assert ram.predicted_role(cloud, cloud.templates[MULTI], "n", "mine")["description"] == "mine"


# --- writing ------------------------------------------------------------------------------

def test_create_sends_the_options_and_reports_created(cloud):
    created, raw = ram.create_role(cloud, MULTI, "prod", "mine")
    assert created is True
    assert raw["RoleName"] == "AliyunServiceRoleForElasticsearch_prod"
    assert cloud.calls[-1] == ("ram", "CreateServiceLinkedRole",
                               {"ServiceName": MULTI, "CustomSuffix": "prod", "Description": "mine"})


def test_create_answered_already_exists_is_not_a_change(cloud):
    cloud.add_role()
    assert ram.create_role(cloud, ECS) == (False, None)


def test_create_other_errors_are_raised(cloud):
    cloud.fail["CreateServiceLinkedRole"] = [AlicloudError("Forbidden.RAM", "no", status=403)]
    with pytest.raises(AlicloudError, match="Forbidden.RAM"):
        ram.create_role(cloud, ECS)


def test_delete_returns_the_task_or_none_when_gone(cloud):
    cloud.add_role()
    assert ram.delete_role(cloud, ECS_ROLE) == "task/acs-service-role/%s/1" % ECS_ROLE
    cloud.roles.clear()
    assert ram.delete_role(cloud, ECS_ROLE) is None


def test_delete_of_a_role_that_is_not_service_linked_is_raised(cloud):
    cloud.fail["DeleteServiceLinkedRole"] = [AlicloudError("EntityNotExist.ServiceLinkedRole", "no", status=404)]
    with pytest.raises(AlicloudError, match="EntityNotExist.ServiceLinkedRole"):
        ram.delete_role(cloud, ECS_ROLE)


def test_deletion_status_uses_resourcemanager_and_normalises_usages(cloud):
    cloud.statuses = ["FAILED"]
    cloud.usages = [{"Region": "cn-shanghai", "Resources": {"Resource": ["acs:kms:cn-shanghai:1:secret/acs/ecs/a"]}}]
    task = ram.get_deletion_status(cloud, "t-1")
    assert cloud.calls[-1] == ("resourcemanager", "GetServiceLinkedRoleDeletionStatus", {"DeletionTaskId": "t-1"})
    assert task == {"deletion_task_id": "t-1", "status": "FAILED", "reason": {
        "message": "in use",
        "role_usages": [{"region": "cn-shanghai", "resources": ["acs:kms:cn-shanghai:1:secret/acs/ecs/a"]}]}}


# --- waiting --------------------------------------------------------------------------------

def test_poll_backs_off_from_half_a_second_to_a_cap(clock):
    answers = [None] * 9 + ["done"]
    value, done = ram.poll(lambda: answers.pop(0), 300, clock.sleep, clock.monotonic)
    assert (value, done) == ("done", True)
    assert clock.sleeps[0] == 0.5
    assert clock.sleeps == sorted(clock.sleeps)
    assert max(clock.sleeps) == ram.POLL_CAP


def test_poll_never_sleeps_past_its_deadline(clock):
    value, done = ram.poll(lambda: None, 7, clock.sleep, clock.monotonic)
    assert (value, done) == (None, False)
    assert clock.now == pytest.approx(7)


def test_wait_deleted_follows_the_task_to_success(cloud, clock):
    cloud.add_role()
    task_id = ram.delete_role(cloud, ECS_ROLE)
    cloud.statuses = ["NOT_STARTED", "IN_PROGRESS", "SUCCEEDED"]
    task = ram.wait_deleted(cloud, ECS_ROLE, ECS, task_id, 60, clock.sleep, clock.monotonic)
    assert task["status"] == "SUCCEEDED"
    assert cloud.actions().count("GetServiceLinkedRoleDeletionStatus") == 3
    assert ECS_ROLE not in cloud.roles


def test_failed_deletion_names_role_service_and_usages_region_by_region(cloud, clock):
    cloud.add_role()
    cloud.statuses = ["IN_PROGRESS", "FAILED"]
    cloud.usages = [
        {"Region": "cn-shanghai", "Resources": {"Resource": ["secret/acs/ecs/a", "secret/acs/ecs/b"]}},
        {"Region": "eu-central-1", "Resources": {"Resource": ["secret/acs/ecs/c"]}},
    ]
    with pytest.raises(ram.RamError) as info:
        ram.wait_deleted(cloud, ECS_ROLE, ECS, "t-1", 60, clock.sleep, clock.monotonic)
    message = info.value.message
    assert ECS_ROLE in message and ECS in message and "ended FAILED" in message
    assert "cn-shanghai: secret/acs/ecs/a, secret/acs/ecs/b; eu-central-1: secret/acs/ecs/c" in message
    assert info.value.result["changed"] is False
    assert info.value.result["role_usages"][1] == {"region": "eu-central-1", "resources": ["secret/acs/ecs/c"]}
    assert ECS_ROLE in cloud.roles


def test_internal_error_is_final(cloud, clock):
    cloud.statuses = ["INTERNAL_ERROR", "SUCCEEDED"]
    with pytest.raises(ram.RamError, match="ended INTERNAL_ERROR"):
        ram.wait_deleted(cloud, ECS_ROLE, ECS, "t-1", 60, clock.sleep, clock.monotonic)
    assert cloud.statuses == ["SUCCEEDED"]


def test_deletion_that_does_not_finish_times_out_with_the_last_status(cloud, clock):
    with pytest.raises(ram.RamError) as info:
        ram.wait_deleted(cloud, ECS_ROLE, ECS, "t-1", 10, clock.sleep, clock.monotonic)
    assert "did not finish within 10 seconds" in info.value.message
    assert "still IN_PROGRESS" in info.value.message
    assert info.value.result["deletion_task"]["status"] == "IN_PROGRESS"
    assert clock.now == pytest.approx(10)


def test_wait_visible_returns_the_role_once_get_role_sees_it(cloud, clock):
    cloud.fail["GetRole"] = [AlicloudError("EntityNotExist.Role", "no", status=404)] * 2
    cloud.add_role()
    assert ram.wait_visible(cloud, ECS_ROLE, 30, clock.sleep, clock.monotonic)["RoleName"] == ECS_ROLE
    assert cloud.actions() == ["GetRole"] * 3


def test_wait_visible_fails_after_its_deadline(cloud, clock):
    with pytest.raises(ram.RamError, match="did not see it within 3 seconds"):
        ram.wait_visible(cloud, ECS_ROLE, 3, clock.sleep, clock.monotonic)
    assert clock.now == pytest.approx(3)
