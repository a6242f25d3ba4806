import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.alicloud.kms.plugins.module_utils import alicloud
from ansible_collections.alicloud.kms.plugins.module_utils.alicloud import (
    AlicloudConnection, AlicloudModule, build_credential, snake_case, validate_connection_params)
from ansible_collections.alicloud.kms.plugins.module_utils.errors import AlicloudError
from ansible_collections.alicloud.kms.plugins.module_utils.retries import RetryPolicy


def make_module(monkeypatch, args, env=None):
    for name in [n for n in list(__import__("os").environ) if n.startswith(("ALICLOUD_", "ALIBABA_CLOUD_"))]:
        monkeypatch.delenv(name)
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    with patch_module_args(args):
        return AlicloudModule(argument_spec={}, supports_check_mode=True)


def run_failing(monkeypatch, capsys, args, env=None):
    with pytest.raises(SystemExit):
        make_module(monkeypatch, args, env)
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("name,expected", [
    ("CreateServiceLinkedRole", "create_service_linked_role"),
    ("GetServiceLinkedRoleDeletionStatus", "get_service_linked_role_deletion_status"),
    ("ListSecrets", "list_secrets"),
])
def test_snake_case_matches_sdk_method_names(name, expected):
    assert snake_case(name) == expected


def test_legacy_environment_names_are_read(monkeypatch):
    module = make_module(monkeypatch, {}, env={
        "ALICLOUD_ACCESS_KEY": "LTAIlegacy", "ALICLOUD_SECRET_KEY": "legacy-secret", "ALICLOUD_REGION": "eu-central-1"})
    assert module.params["access_key"] == "LTAIlegacy"
    assert module.params["secret_key"] == "legacy-secret"
    assert module.params["region"] == "eu-central-1"
    assert module.params["protocol"] == "https"


def test_alibaba_region_variable_is_read(monkeypatch):
    module = make_module(monkeypatch, {}, env={"ALIBABA_CLOUD_REGION_ID": "me-central-1"})
    assert module.params["region"] == "me-central-1"


def test_profile_with_explicit_keys_is_one_clear_error(monkeypatch, capsys):
    result = run_failing(monkeypatch, capsys, {"profile": "prod", "access_key": "a", "secret_key": "b"})
    assert result["failed"] and "mutually exclusive" in result["msg"] and "profile" in result["msg"]
    assert "b" not in result.get("invocation", {}).get("module_args", {}).get("secret_key", "")


def test_access_key_needs_its_secret(monkeypatch, capsys):
    result = run_failing(monkeypatch, capsys, {"access_key": "a"})
    assert "access_key" in result["msg"] and "secret_key" in result["msg"]


@pytest.mark.parametrize("params,fragment", [
    ({"region": "Hangzhou"}, "region: 'Hangzhou' is not a region ID"),
    ({"max_retries": -1}, "max_retries: must be at least 0"),
    ({"read_timeout": 0}, "read_timeout: must be at least 1"),
    ({"assume_role_session_expiration": 60}, "assume_role_session_expiration: must be between 900 and 43200"),
    ({"access_key": ""}, "access_key: must not be empty"),
    ({"assume_role_arn": "arn:aws:iam::1:role/x"}, "assume_role_arn: 'arn:aws:iam::1:role/x' is not a RAM role ARN"),
])
def test_bad_connection_options_are_named(params, fragment):
    assert fragment in validate_connection_params(params)


def test_good_connection_options_pass():
    assert validate_connection_params({"region": "cn-hangzhou", "max_retries": 0, "read_timeout": 5,
                                       "assume_role_arn": "acs:ram::123:role/ops"}) is None


def test_secret_key_is_not_echoed_in_a_failure(monkeypatch, capsys):
    result = run_failing(monkeypatch, capsys, {"access_key": "a", "secret_key": "TopSecretValue", "region": "NOPE"})
    assert "TopSecretValue" not in json.dumps(result)


def test_kms_endpoint_names_the_region():
    connection = AlicloudConnection({"region": "cn-shanghai", "kms_endpoint": "kms-vpc.{region}.aliyuncs.com"})
    assert connection.endpoint("kms", "me-central-1") == "kms-vpc.me-central-1.aliyuncs.com"
    assert connection.endpoint("kms") == "kms-vpc.cn-shanghai.aliyuncs.com"
    assert AlicloudConnection({}).endpoint("ram") == "ram.aliyuncs.com"


@pytest.mark.parametrize("params,provider", [
    ({"access_key": "a", "secret_key": "b"}, "StaticAKCredentialsProvider"),
    ({"access_key": "a", "secret_key": "b", "security_token": "t"}, "StaticSTSCredentialsProvider"),
    ({"profile": "p", "shared_credentials_file": "/nonexistent/config.json"}, "CLIProfileCredentialsProvider"),
    ({"access_key": "a", "secret_key": "b", "assume_role_arn": "acs:ram::1:role/r"}, "RamRoleArnCredentialsProvider"),
])
def test_credentials_come_from_alibabacloud_credentials(params, provider):
    client = build_credential(params)
    assert type(client.cloud_credential.provider).__name__ == provider


def test_default_chain_when_nothing_is_given():
    client = build_credential({})
    assert type(client.cloud_credential.provider).__name__ == "DefaultCredentialsProvider"


class FakeResponse:
    def __init__(self, body):
        self.body = body


class FakeBody:
    def __init__(self, data):
        self.data = data

    def to_map(self):
        return self.data


class FakeClient:
    def __init__(self, outcomes):
        self.outcomes = list(outcomes)
        self.requests = []

    def get_role_with_options(self, request, runtime):
        self.requests.append((request, runtime))
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return FakeResponse(FakeBody(outcome))


def test_call_goes_through_the_retry_policy_and_returns_the_body(monkeypatch):
    client = FakeClient([AlicloudError("Throttling.User", "slow"), {"Role": {"RoleName": "r"}}])
    connection = AlicloudConnection({"region": "cn-hangzhou"}, retry_policy=RetryPolicy(sleep=lambda _s: None))
    monkeypatch.setattr(connection, "_new_client", lambda product, region: client)
    assert connection.call("ram", "GetRole", "request") == {"Role": {"RoleName": "r"}}
    assert len(client.requests) == 2
    assert client.requests[0][1].autoretry is False


def test_clients_are_made_once_per_product_and_region(monkeypatch):
    made = []
    connection = AlicloudConnection({"region": "cn-hangzhou"})
    monkeypatch.setattr(connection, "_new_client", lambda product, region: made.append((product, region)) or object())
    first = connection.client("kms", "eu-west-1")
    assert connection.client("kms", "eu-west-1") is first
    connection.client("kms", "me-central-1")
    assert made == [("kms", "eu-west-1"), ("kms", "me-central-1")]


def test_a_real_sdk_client_is_configured_from_the_options():
    connection = AlicloudConnection({"region": "cn-hangzhou", "protocol": "http", "access_key": "a", "secret_key": "b",
                                     "connect_timeout": 3, "read_timeout": 7})
    client = connection.client("kms", "me-central-1")
    assert client._endpoint == "kms.me-central-1.aliyuncs.com"
    assert client._protocol == "http"
    assert client._read_timeout == 7000 and client._connect_timeout == 3000


def test_missing_sdk_is_reported_by_package_name(monkeypatch):
    monkeypatch.setitem(alicloud.PRODUCTS, "ram", ("alibabacloud-nope", "alibabacloud_nope_module", "x"))
    connection = AlicloudConnection({})
    with pytest.raises(alicloud.MissingSDKError) as info:
        connection.client("ram")
    assert info.value.package == "alibabacloud-nope"


@pytest.mark.parametrize("params,expected", [
    ({}, "sts.aliyuncs.com"),
    ({"protocol": "https", "sts_endpoint": "sts.cn-shanghai.aliyuncs.com"}, "sts.cn-shanghai.aliyuncs.com"),
    ({"protocol": "http"}, "http://sts.aliyuncs.com"),
    ({"protocol": "http", "sts_endpoint": "https://sts.example"}, "https://sts.example"),
])
def test_sts_endpoint_follows_the_protocol(params, expected):
    assert alicloud.sts_endpoint(params) == expected


class OneAnswer:
    def __init__(self, outcome):
        self.outcome = outcome

    def call(self, product, action, request, region=None):
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


def test_call_or_none_turns_only_missing_into_none():
    assert alicloud.call_or_none(OneAnswer({"Role": {}}), "ram", "GetRole", None) == {"Role": {}}
    assert alicloud.call_or_none(OneAnswer(AlicloudError("EntityNotExist.Role", "gone")), "ram", "GetRole", None) is None
    with pytest.raises(AlicloudError):
        alicloud.call_or_none(OneAnswer(AlicloudError("Forbidden.RAM", "no", status=403)), "ram", "GetRole", None)
