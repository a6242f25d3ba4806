"""Real, unmodified SDK clients reaching the emulator through its proxy."""

import asyncio
import json

import pytest
from alibabacloud_credentials.provider import RamRoleArnCredentialsProvider
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as RamClient
from alibabacloud_sts20150401.client import Client as StsClient
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.models import Config
from aliyunsdkcore.client import AcsClient
from aliyunsdkcore.request import CommonRequest

SLR_SERVICE = "secretsmanager-ecs.kms.aliyuncs.com"


def sts_client(key_id, secret, token=None, protocol="http", **extra):
    return StsClient(Config(access_key_id=key_id, access_key_secret=secret, security_token=token,
                            protocol=protocol, endpoint="sts.aliyuncs.com", **extra))


def test_acs3_sdk_call_is_verified_and_recorded(emulator_env):
    emu = emulator_env
    body = sts_client(emu.access_key_id, emu.access_key_secret).get_caller_identity().body
    assert body.account_id == emu.account_id
    assert body.arn == f"acs:ram::{emu.account_id}:user/admin"
    [call] = emu.calls()
    assert call["action"] == "GetCallerIdentity" and call["http_status"] == 200
    assert call["access_key_id"] == emu.access_key_id


def test_sdk_with_a_wrong_secret_is_refused(emulator_env):
    with pytest.raises(ClientException) as info:
        sts_client(emulator_env.access_key_id, "x" * 30).get_caller_identity()
    assert info.value.code == "SignatureDoesNotMatch"
    assert "x" * 30 not in info.value.message


def test_readonly_user_gets_forbidden_ram_on_a_write(emulator_env):
    emu = emulator_env
    ram = RamClient(Config(access_key_id=emu.env["EMULATOR_READONLY_ACCESS_KEY_ID"],
                           access_key_secret=emu.env["EMULATOR_READONLY_ACCESS_KEY_SECRET"],
                           protocol="http", endpoint="ram.aliyuncs.com"))
    with pytest.raises(ClientException) as info:
        ram.create_service_linked_role(ram_models.CreateServiceLinkedRoleRequest(service_name=SLR_SERVICE))
    assert info.value.code == "Forbidden.RAM"
    assert info.value.status_code == 403
    assert "ram:CreateServiceLinkedRole" in info.value.message and "readonly" in info.value.message
    assert emu.calls()[-1]["write"] is True
    # Nothing was created behind the refusal.
    assert not emu.state()["accounts"].get(emu.account_id, {}).get("ram", {}).get("roles")


def test_old_core_sdk_hmac_sha1_reaches_the_emulator(emulator_env):
    emu = emulator_env
    for protocol in ("http", "https"):  # https: CONNECT + ALIBABA_CLOUD_CA_BUNDLE
        client = AcsClient(emu.access_key_id, emu.access_key_secret, "cn-hangzhou")
        request = CommonRequest(domain="sts.aliyuncs.com", version="2015-04-01", action_name="GetCallerIdentity")
        request.set_method("POST")
        request.set_protocol_type(protocol)
        assert json.loads(client.do_action_with_exception(request))["AccountId"] == emu.account_id
    assert [c["http_status"] for c in emu.calls()] == [200, 200]


def test_https_sdk_call_through_connect(emulator_env):
    emu = emulator_env
    # The synchronous stack (requests through a proxy) trusts only certifi,
    # whatever the environment says, so the CA goes in through Config(ca=...).
    sync = sts_client(emu.access_key_id, emu.access_key_secret, protocol="https", ca=emu.env["SSL_CERT_FILE"])
    assert sync.get_caller_identity().body.account_id == emu.account_id
    # The asynchronous stack (aiohttp) picks the CA up from SSL_CERT_FILE alone.
    plain = sts_client(emu.access_key_id, emu.access_key_secret, protocol="https")
    body = asyncio.run(plain.get_caller_identity_async()).body
    assert body.account_id == emu.account_id
    assert [c["http_status"] for c in emu.calls()] == [200, 200]


def test_assume_role_with_the_credentials_library(emulator_env):
    emu = emulator_env
    emu.control("POST", "/_emulator/ram/roles", {"RoleName": "deployer"})
    provider = RamRoleArnCredentialsProvider(
        access_key_id=emu.access_key_id, access_key_secret=emu.access_key_secret,
        role_arn=f"acs:ram::{emu.account_id}:role/deployer", role_session_name="pytest", duration_seconds=900)
    creds = asyncio.run(provider.get_credentials_async())  # https to sts.aliyuncs.com via CONNECT
    assert creds.get_access_key_id().startswith("STS.")
    body = sts_client(creds.get_access_key_id(), creds.get_access_key_secret(), creds.get_security_token()) \
        .get_caller_identity().body
    assert body.identity_type == "AssumedRoleUser"
    assert body.arn == f"acs:ram::{emu.account_id}:assumed-role/deployer/pytest"
    assert [c["action"] for c in emu.calls()] == ["AssumeRole", "GetCallerIdentity"]
    assert emu.calls()[1]["access_key_id"] == creds.get_access_key_id()


def test_assume_role_of_a_missing_role_fails(emulator_env):
    emu = emulator_env
    provider = RamRoleArnCredentialsProvider(
        access_key_id=emu.access_key_id, access_key_secret=emu.access_key_secret,
        role_arn=f"acs:ram::{emu.account_id}:role/ghost", role_session_name="pytest",
        sts_endpoint="http://sts.aliyuncs.com")  # plain HTTP: the sync path cannot be given a CA
    with pytest.raises(Exception, match="EntityNotExist.Role"):
        provider.get_credentials()


def test_expired_and_mismatched_tokens_are_rejected(emulator_env):
    emu = emulator_env
    dead = emu.control("POST", "/_emulator/sts/tokens", {"AccessKeyId": emu.access_key_id, "DurationSeconds": 0})
    with pytest.raises(ClientException) as info:
        sts_client(dead["AccessKeyId"], dead["AccessKeySecret"], dead["SecurityToken"]).get_caller_identity()
    assert info.value.code == "InvalidSecurityToken.Expired"
    live = emu.control("POST", "/_emulator/sts/tokens", {"AccessKeyId": emu.access_key_id, "DurationSeconds": 600})
    with pytest.raises(ClientException) as info:
        sts_client(live["AccessKeyId"], live["AccessKeySecret"], dead["SecurityToken"]).get_caller_identity()
    assert info.value.code == "InvalidSecurityToken.MismatchWithAccessKey"
    assert sts_client(live["AccessKeyId"], live["AccessKeySecret"], live["SecurityToken"]) \
        .get_caller_identity().body.account_id == emu.account_id


def test_readonly_token_stays_readonly(emulator_env):
    emu = emulator_env
    ro = emu.control("POST", "/_emulator/sts/tokens",
                     {"AccessKeyId": emu.env["EMULATOR_READONLY_ACCESS_KEY_ID"], "DurationSeconds": 600})
    ram = RamClient(Config(access_key_id=ro["AccessKeyId"], access_key_secret=ro["AccessKeySecret"],
                           security_token=ro["SecurityToken"], protocol="http", endpoint="ram.aliyuncs.com"))
    with pytest.raises(ClientException) as info:
        ram.create_service_linked_role(ram_models.CreateServiceLinkedRoleRequest(service_name=SLR_SERVICE))
    assert info.value.code == "Forbidden.RAM"


def test_other_accounts_are_separate(emulator_env):
    emu = emulator_env
    other = emu.control("POST", "/_emulator/accounts")
    assert other["AccountId"] != emu.account_id
    body = sts_client(other["AccessKeyId"], other["AccessKeySecret"]).get_caller_identity().body
    assert body.account_id == other["AccountId"]
