"""Signature canonicalisation and verification, without a server."""

import hashlib
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlencode

import pytest

from alicloud_emulator import identities, signing
from alicloud_emulator.api import ApiError, State
from alicloud_emulator.auth import NonceCache, WireRequest, authenticate, authorize

ACS3_SIGNED = "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version"


def test_acs3_vector():
    headers = {
        "host": ["ecs.cn-shanghai.aliyuncs.com"],
        "x-acs-action": ["RunInstances"],
        "x-acs-version": ["2014-05-26"],
        "x-acs-date": ["2023-10-26T09:01:01Z"],
        "x-acs-signature-nonce": ["d410180a5abf7fe235dd9b74aca91fc0"],
        "x-acs-content-sha256": [hashlib.sha256(b"").hexdigest()],
        "user-agent": ["not signed, must not matter"],
    }
    canonical = signing.acs3_canonical_request(
        "POST", "/",
        [("RegionId", "cn-shanghai"), ("ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd")],
        headers, ACS3_SIGNED.split(";"), hashlib.sha256(b"").hexdigest())
    assert signing.acs3_signature("YourAccessKeySecret", signing.acs3_string_to_sign(canonical)) == \
        "e521358f7776c97df52e6b2891a8bc73026794a071b50c3323388c4e0df64804"


def test_rpc_vector():
    params = {
        "AccessKeyId": "testid", "Action": "DescribeRegions", "Format": "XML",
        "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "SignatureVersion": "1.0", "Timestamp": "2016-02-23T12:46:24Z", "Version": "2014-05-26",
    }
    assert signing.rpc_signature("testsecret", signing.rpc_string_to_sign("GET", params)) == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def test_percent_encoding_is_rfc3986():
    assert signing.percent_encode("a b/c~d*e+f") == "a%20b%2Fc~d%2Ae%2Bf"


def test_malformed_authorization_is_rejected_by_the_parser():
    with pytest.raises(signing.MalformedAuthorization):
        signing.parse_acs3_authorization("ACS3-HMAC-SHA256 Credential=abc")


# -- verification --------------------------------------------------------------

@pytest.fixture
def world():
    state = State()
    with state.write() as data:
        account = identities.create_account(data)
    return state, account


def acs3_request(key_id, secret, *, body=b"", date=None, nonce="n-1", query=None, tamper=None, token=None):
    query = query or {"RegionId": "cn-hangzhou", "Name": "a b/c"}
    headers = {"host": "kms.cn-hangzhou.aliyuncs.com", "x-acs-action": "ListSecrets", "x-acs-version": "2016-01-20",
               "x-acs-date": date or signing.utc_timestamp(), "x-acs-signature-nonce": nonce,
               "user-agent": "AlibabaCloud (test)", "accept": "application/json"}
    if token:
        headers["x-acs-security-token"] = token
    signed = signing.acs3_authorization(key_id, secret, "POST", "/", list(query.items()), headers, body)
    if tamper:
        tamper(signed)
    # What arrives on the wire: urlencoded query (spaces as "+"), plus an unsigned header.
    wire_query = parse_qsl(urlencode(query), keep_blank_values=True)
    wire_headers = {k: [v] for k, v in signed.items()}
    wire_headers["connection"] = ["keep-alive"]
    return WireRequest("POST", "kms.cn-hangzhou.aliyuncs.com", "/", wire_query, wire_headers, body, dict(wire_query))


def rpc_request(key_id, secret, *, timestamp=None, nonce="r-1", form=None, token=None):
    params = {"Action": "ListSecrets", "Version": "2016-01-20", "Format": "JSON", "AccessKeyId": key_id,
              "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "SignatureNonce": nonce,
              "Timestamp": timestamp or signing.utc_timestamp(), "Filters": '[{"Key":"SecretType","Values":["ECS"]}]'}
    if token:
        params["SecurityToken"] = token
    signed = signing.rpc_sign({**params, **(form or {})}, secret, "POST")
    query = [(k, v) for k, v in signed.items() if k not in (form or {})]
    body = urlencode(form).encode() if form else b""
    return WireRequest("POST", "kms.cn-hangzhou.aliyuncs.com", "/", query,
                       {"host": ["kms.cn-hangzhou.aliyuncs.com"]}, body, dict(signed))


def error_of(callable_):
    with pytest.raises(ApiError) as info:
        callable_()
    return info.value


def test_acs3_valid_request_authenticates(world):
    state, acct = world
    identity = authenticate(acs3_request(acct["AccessKeyId"], acct["AccessKeySecret"], body=b"SecretData=x"), state, NonceCache())
    assert identity.account_id == acct["AccountId"] and not identity.readonly


def test_acs3_wrong_secret_does_not_match_and_hides_the_secret(world):
    state, acct = world
    err = error_of(lambda: authenticate(acs3_request(acct["AccessKeyId"], "wrong-secret"), state, NonceCache()))
    assert (err.code, err.status) == ("SignatureDoesNotMatch", 400)
    assert acct["AccessKeySecret"] not in err.message


def test_acs3_tampered_signed_header_does_not_match(world):
    state, acct = world
    req = acs3_request(acct["AccessKeyId"], acct["AccessKeySecret"],
                       tamper=lambda h: h.__setitem__("x-acs-action", "DeleteSecret"))
    assert error_of(lambda: authenticate(req, state, NonceCache())).code == "SignatureDoesNotMatch"


def test_acs3_body_must_match_its_hash(world):
    state, acct = world
    req = acs3_request(acct["AccessKeyId"], acct["AccessKeySecret"], body=b"SecretData=a")
    req.body = b"SecretData=b"
    assert error_of(lambda: authenticate(req, state, NonceCache())).code == "SignatureDoesNotMatch"


def test_acs3_replayed_nonce(world):
    state, acct = world
    nonces = NonceCache()
    authenticate(acs3_request(acct["AccessKeyId"], acct["AccessKeySecret"], nonce="same"), state, nonces)
    err = error_of(lambda: authenticate(acs3_request(acct["AccessKeyId"], acct["AccessKeySecret"], nonce="same"), state, nonces))
    assert (err.code, err.status) == ("SignatureNonceUsed", 400)


def test_acs3_stale_date(world):
    state, acct = world
    stale = signing.utc_timestamp(datetime.now(timezone.utc) - timedelta(minutes=16))
    err = error_of(lambda: authenticate(acs3_request(acct["AccessKeyId"], acct["AccessKeySecret"], date=stale), state, NonceCache()))
    assert (err.code, err.status) == ("InvalidTimeStamp.Expired", 400)


def test_acs3_date_within_skew_is_accepted(world):
    state, acct = world
    recent = signing.utc_timestamp(datetime.now(timezone.utc) - timedelta(minutes=14))
    assert authenticate(acs3_request(acct["AccessKeyId"], acct["AccessKeySecret"], date=recent), state, NonceCache())


def test_unknown_key(world):
    state = world[0]
    err = error_of(lambda: authenticate(acs3_request("LTAI5tNOSUCHKEY000000000", "x"), state, NonceCache()))
    assert (err.code, err.status) == ("InvalidAccessKeyId.NotFound", 404)


def test_malformed_authorization(world):
    state, acct = world
    req = acs3_request(acct["AccessKeyId"], acct["AccessKeySecret"],
                       tamper=lambda h: h.__setitem__("authorization", "ACS3-HMAC-SHA256 Credential=x,Signature=zz"))
    err = error_of(lambda: authenticate(req, state, NonceCache()))
    assert (err.code, err.status) == ("IncompleteSignature", 400)


def test_unsigned_nonce_header_is_incomplete(world):
    state, acct = world

    def drop_nonce_from_signed(headers):
        headers["authorization"] = headers["authorization"].replace("x-acs-signature-nonce;", "")

    req = acs3_request(acct["AccessKeyId"], acct["AccessKeySecret"], tamper=drop_nonce_from_signed)
    assert error_of(lambda: authenticate(req, state, NonceCache())).code == "IncompleteSignature"


def test_rpc_valid_with_form_body(world):
    state, acct = world
    req = rpc_request(acct["AccessKeyId"], acct["AccessKeySecret"], form={"SecretData": '{"UserName":"root","Password":"p w+"}'})
    assert authenticate(req, state, NonceCache()).access_key_id == acct["AccessKeyId"]


def test_rpc_wrong_secret_and_tampered_form(world):
    state, acct = world
    assert error_of(lambda: authenticate(rpc_request(acct["AccessKeyId"], "nope"), state, NonceCache())).code == "SignatureDoesNotMatch"
    req = rpc_request(acct["AccessKeyId"], acct["AccessKeySecret"], form={"SecretData": "a"})
    req.params["SecretData"] = "b"
    assert error_of(lambda: authenticate(req, state, NonceCache())).code == "SignatureDoesNotMatch"


def test_rpc_replay_and_stale_timestamp(world):
    state, acct = world
    nonces = NonceCache()
    authenticate(rpc_request(acct["AccessKeyId"], acct["AccessKeySecret"], nonce="x"), state, nonces)
    assert error_of(lambda: authenticate(rpc_request(acct["AccessKeyId"], acct["AccessKeySecret"], nonce="x"), state, nonces)).code == "SignatureNonceUsed"
    stale = signing.utc_timestamp(datetime.now(timezone.utc) + timedelta(minutes=20))
    request = rpc_request(acct["AccessKeyId"], acct["AccessKeySecret"], timestamp=stale)
    assert error_of(lambda: authenticate(request, state, NonceCache())).code == "InvalidTimeStamp.Expired"


def test_security_tokens(world):
    state, acct = world
    with state.write() as data:
        live = identities.issue_temporary(data, acct["AccessKeyId"], 3600)
        dead = identities.issue_temporary(data, acct["AccessKeyId"], 0)
    ok = authenticate(acs3_request(live["AccessKeyId"], live["AccessKeySecret"], token=live["SecurityToken"]), state, NonceCache())
    assert ok.account_id == acct["AccountId"]
    err = error_of(lambda: authenticate(acs3_request(dead["AccessKeyId"], dead["AccessKeySecret"], token=dead["SecurityToken"]), state, NonceCache()))
    assert (err.code, err.status) == ("InvalidSecurityToken.Expired", 400)
    err = error_of(lambda: authenticate(rpc_request(live["AccessKeyId"], live["AccessKeySecret"], token=dead["SecurityToken"]), state, NonceCache()))
    assert err.code == "InvalidSecurityToken.MismatchWithAccessKey"
    err = error_of(lambda: authenticate(acs3_request(live["AccessKeyId"], live["AccessKeySecret"]), state, NonceCache()))
    assert err.code == "InvalidSecurityToken.MismatchWithAccessKey"


def test_readonly_may_read_but_not_write(world):
    state, acct = world
    with state.read() as data:
        ro = identities.to_identity(acct["ReadOnlyAccessKeyId"], identities.lookup(data, acct["ReadOnlyAccessKeyId"]))
    authorize(ro, "kms", "ListSecrets")
    authorize(ro, "kms", "DescribeSecret")
    err = error_of(lambda: authorize(ro, "kms", "DeleteSecret"))
    assert (err.code, err.status) == ("Forbidden.RAM", 403)
    assert "kms:DeleteSecret" in err.message and ro.arn in err.message
