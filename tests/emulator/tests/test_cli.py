"""The CLI, the env file, persistence and the control API's edges."""

import json
import os
import signal
import subprocess
import sys
import urllib.request

import pytest

from alicloud_emulator.testing import ControlError, api_call, running_emulator

STS = "2015-04-01"


def test_first_line_then_sigterm_exits_zero(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "alicloud_emulator.cli", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("alicloud-emulator listening on http://127.0.0.1:")
        port = int(line.rsplit(":", 1)[1])
        assert port > 0
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"http://127.0.0.1:{port}/_emulator/health", timeout=10) as resp:
            assert json.loads(resp.read()) == {"ok": True}
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        proc.stdout.close()


def test_env_file_contents(emulator):
    env = emulator.env
    url = emulator.url
    for key in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "EMULATOR_URL"):
        assert env[key] == url
    assert env["NO_PROXY"] == env["no_proxy"] == "127.0.0.1,localhost"
    assert env["ALIBABA_CLOUD_REGION_ID"] == "cn-hangzhou"
    assert env["ALICLOUD_PROTOCOL"] == "http"
    assert len(env["EMULATOR_ACCOUNT_ID"]) == 16 and env["EMULATOR_ACCOUNT_ID"].isdigit()
    for key in ("ALIBABA_CLOUD_ACCESS_KEY_ID", "EMULATOR_READONLY_ACCESS_KEY_ID"):
        assert env[key].startswith("LTAI5t") and len(env[key]) == 24
    for key in ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "EMULATOR_READONLY_ACCESS_KEY_SECRET"):
        assert len(env[key]) == 30
    assert env["ALIBABA_CLOUD_ACCESS_KEY_ID"] != env["EMULATOR_READONLY_ACCESS_KEY_ID"]
    for key in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "ALIBABA_CLOUD_CA_BUNDLE", "EMULATOR_CA_CERT"):
        assert os.path.isfile(env[key]), key
    with open(env["SSL_CERT_FILE"]) as bundle, open(env["EMULATOR_CA_CERT"]) as ca:
        assert bundle.read().startswith(ca.read().strip())


def test_state_survives_a_restart(tmp_path):
    state_file = tmp_path / "state.json"
    with running_emulator(state=state_file) as emu:
        first_env = emu.env
        token = emu.control("POST", "/_emulator/sts/tokens", {"AccessKeyId": emu.access_key_id, "DurationSeconds": 3600})
        other = emu.control("POST", "/_emulator/accounts")
    saved = json.loads(state_file.read_text())
    assert other["AccountId"] in saved["identities"]["accounts"]
    with running_emulator(state=state_file) as emu:
        assert emu.account_id == first_env["EMULATOR_ACCOUNT_ID"]
        assert emu.access_key_id == first_env["ALIBABA_CLOUD_ACCESS_KEY_ID"]
        assert emu.env["EMULATOR_CA_CERT"] == first_env["EMULATOR_CA_CERT"]
        answer = api_call(emu, "sts.aliyuncs.com", "GetCallerIdentity", STS, access_key_id=token["AccessKeyId"],
                          access_key_secret=token["AccessKeySecret"], security_token=token["SecurityToken"])
        assert answer.status == 200, answer
        answer = api_call(emu, "sts.aliyuncs.com", "GetCallerIdentity", STS, access_key_id=other["AccessKeyId"],
                          access_key_secret=other["AccessKeySecret"])
        assert answer.json["AccountId"] == other["AccountId"]
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def test_without_state_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with running_emulator() as emu:
        emu.control("POST", "/_emulator/accounts")
    assert os.listdir(tmp_path) == []


def test_reset_keeps_identities(emulator):
    emulator.control("POST", "/_emulator/ram/roles", {"RoleName": "keep-me-not"})
    assert emulator.state()["accounts"][emulator.account_id]
    emulator.control("POST", "/_emulator/reset")
    state = emulator.state()
    assert state["accounts"][emulator.account_id] == {}
    assert emulator.access_key_id in state["identities"]["keys"]


def test_control_errors(emulator):
    with pytest.raises(ControlError) as info:
        emulator.control("GET", "/_emulator/nothing-here")
    assert info.value.status == 404
    with pytest.raises(ControlError) as info:
        emulator.control("PUT", "/_emulator/faults", {"throttle_rate": 2})
    assert info.value.status == 400
    assert emulator.control("PUT", "/_emulator/settings", {"deletion_task_ms": 50})["deletion_task_ms"] == 50
    assert emulator.control("GET", "/_emulator/settings")["deletion_task_ms"] == 50
    emulator.control("PUT", "/_emulator/settings", {"deletion_task_ms": 300})


def test_unknown_region_is_a_bad_gateway(emulator):
    assert api_call(emulator, "kms.xx-nowhere-1.aliyuncs.com", "ListSecrets", "2016-01-20").status == 502
    assert api_call(emulator, "nosuchproduct.aliyuncs.com", "Anything", "2020-01-01").status == 502
    assert emulator.calls() == []


def test_errors_have_the_documented_shape(emulator):
    answer = api_call(emulator, "sts.aliyuncs.com", "NoSuchAction", STS)
    assert answer.status == 404
    assert set(answer.json) == {"RequestId", "HostId", "Code", "Message", "Recommend"}
    assert answer.json["Code"] == "InvalidAction.NotFound"
    assert answer.headers["x-acs-request-id"] == answer.json["RequestId"]
    answer = api_call(emulator, "sts.aliyuncs.com", "GetCallerIdentity", "2099-01-01")
    assert (answer.status, answer.code) == (400, "InvalidVersion")
    call = emulator.calls()[-1]
    assert call["product"] == "sts" and call["http_status"] == 400 and call["code"] == "InvalidVersion"
    assert call["write"] is False
