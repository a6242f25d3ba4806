"""Fault injection: throttling, 5xx, dropped connections, regions down."""

import http.client

import pytest
from alibabacloud_sts20150401.client import Client as StsClient
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.models import Config
from darabonba.runtime import RuntimeOptions

from alicloud_emulator.testing import api_call

STS = "2015-04-01"


def test_throttle_rate_one_throttles_every_call(emulator_env):
    emu = emulator_env
    emu.set_faults(throttle_rate=1.0)
    client = StsClient(Config(access_key_id=emu.access_key_id, access_key_secret=emu.access_key_secret,
                              protocol="http", endpoint="sts.aliyuncs.com"))
    with pytest.raises(ClientException) as info:
        client.get_caller_identity_with_options(RuntimeOptions(autoretry=False))
    assert info.value.code == "Throttling.User"
    assert info.value.status_code == 400
    assert "Request was denied due to user flow control." in info.value.message
    # The control API itself is never faulted.
    assert emu.control("GET", "/_emulator/faults")["throttle_rate"] == 1.0
    assert emu.calls()[-1]["code"] == "Throttling.User"


def test_error_rate_gives_service_unavailable(emulator):
    emulator.set_faults(error_rate=1.0)
    answer = api_call(emulator, "sts.aliyuncs.com", "GetCallerIdentity", STS)
    assert (answer.status, answer.code) == (503, "ServiceUnavailable")


def test_a_faulted_write_changes_nothing(emulator):
    emulator.control("POST", "/_emulator/ram/roles", {"RoleName": "deployer"})
    before = emulator.state()["identities"]["temporary"]
    emulator.set_faults(throttle_rate=1.0)
    answer = api_call(emulator, "sts.aliyuncs.com", "AssumeRole", STS,
                      {"RoleArn": f"acs:ram::{emulator.account_id}:role/deployer", "RoleSessionName": "s1"})
    assert answer.code == "Throttling.User"
    assert emulator.state()["identities"]["temporary"] == before
    emulator.reset_faults()
    answer = api_call(emulator, "sts.aliyuncs.com", "AssumeRole", STS,
                      {"RoleArn": f"acs:ram::{emulator.account_id}:role/deployer", "RoleSessionName": "s1"})
    assert answer.status == 200, answer
    assert len(emulator.state()["identities"]["temporary"]) == len(before) + 1


def test_down_region_fails_only_that_region(emulator):
    emulator.set_faults(down_regions=["cn-shanghai"])
    down = api_call(emulator, "sts.cn-shanghai.aliyuncs.com", "GetCallerIdentity", STS)
    assert (down.status, down.code) == (503, "ServiceUnavailable")
    again = api_call(emulator, "sts.cn-shanghai.aliyuncs.com", "GetCallerIdentity", STS)
    assert again.status == 503
    up = api_call(emulator, "sts.cn-hangzhou.aliyuncs.com", "GetCallerIdentity", STS)
    assert up.status == 200, up
    regions = [(c["region"], c["http_status"]) for c in emulator.calls()]
    assert regions == [("cn-shanghai", 503), ("cn-shanghai", 503), ("cn-hangzhou", 200)]


def test_drop_closes_the_connection_without_an_answer(emulator):
    emulator.set_faults(drop_rate=1.0)
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        api_call(emulator, "sts.aliyuncs.com", "GetCallerIdentity", STS)
    assert emulator.calls()[-1]["code"] == "ConnectionDropped"
    emulator.set_faults(drop_rate=0.0)
    assert api_call(emulator, "sts.aliyuncs.com", "GetCallerIdentity", STS).status == 200


def test_faults_are_merged_not_replaced(emulator):
    emulator.set_faults(latency_ms=5)
    merged = emulator.set_faults(error_rate=0.25)
    assert merged["latency_ms"] == 5 and merged["error_rate"] == 0.25 and merged["throttle_rate"] == 0.0
