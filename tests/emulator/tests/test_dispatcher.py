"""The dispatcher in-process, with a stand-in product module."""

import json
import types

from alicloud_emulator import identities, signing
from alicloud_emulator.api import State
from alicloud_emulator.auth import WireRequest
from alicloud_emulator.calls import CallLog, Stats
from alicloud_emulator.dispatcher import Dispatcher, Settings, split_host
from alicloud_emulator.faults import Faults


def make(handler):
    state = State()
    with state.write() as data:
        account = identities.create_account(data)
    module = types.SimpleNamespace(PRODUCT="kms", VERSION="2016-01-20", ACTIONS={"CreateSecret": handler, "ListSecrets": handler})
    dispatcher = Dispatcher(state, {"kms": module}, Faults(), Settings(), CallLog(), Stats())
    return dispatcher, account


def request(account, action="CreateSecret", version="2016-01-20", host="kms.cn-hangzhou.aliyuncs.com"):
    headers = signing.acs3_authorization(
        account["AccessKeyId"], account["AccessKeySecret"], "POST", "/", [], {
            "host": host, "x-acs-action": action, "x-acs-version": version,
            "x-acs-date": signing.utc_timestamp(), "x-acs-signature-nonce": signing.utc_timestamp() + action + str(id(object())),
        })
    return WireRequest("POST", host, "/", [], {k: [v] for k, v in headers.items()}, b"", {})


def test_split_host():
    assert split_host("kms-vpc.cn-hangzhou.aliyuncs.com") == ("kms", "cn-hangzhou")
    assert split_host("ram.aliyuncs.com") == ("ram", None)


def test_handler_gets_context_and_answer_gets_request_id():
    seen = {}

    def handler(ctx):
        seen.update(region=ctx.region, action=ctx.action, settings=ctx.settings, account=ctx.identity.account_id)
        return {"Ok": True}

    dispatcher, account = make(handler)
    response = dispatcher.handle(request(account))
    body = json.loads(response.body)
    assert response.status == 200 and body["Ok"] is True
    assert body["RequestId"] == response.headers["x-acs-request-id"]
    assert seen == {"region": "cn-hangzhou", "action": "CreateSecret", "settings": {"deletion_task_ms": 300},
                    "account": account["AccountId"]}


def test_unexpected_exception_is_a_500_with_the_traceback_on_stderr(capsys):
    def handler(ctx):
        raise RuntimeError("boom-in-handler")

    dispatcher, account = make(handler)
    response = dispatcher.handle(request(account))
    body = json.loads(response.body)
    assert (response.status, body["Code"]) == (500, "InternalError")
    assert "boom-in-handler" not in response.body.decode()
    assert "boom-in-handler" in capsys.readouterr().err
    assert dispatcher.calls.list()[-1]["code"] == "InternalError"


def test_faulted_call_never_reaches_the_handler():
    calls = []
    dispatcher, account = make(lambda ctx: calls.append(ctx) or {})
    dispatcher.faults.update({"error_rate": 1.0})
    assert dispatcher.handle(request(account)).status == 503
    dispatcher.faults.update({"error_rate": 0.0, "down_regions": ["cn-hangzhou"]})
    assert dispatcher.handle(request(account)).status == 503
    assert calls == []


def test_unknown_action_and_region():
    dispatcher, account = make(lambda ctx: {})
    response = dispatcher.handle(request(account, action="Nope"))
    assert (response.status, json.loads(response.body)["Code"]) == (404, "InvalidAction.NotFound")
    assert dispatcher.handle(request(account, host="kms.mars-north-1.aliyuncs.com")).status == 502
