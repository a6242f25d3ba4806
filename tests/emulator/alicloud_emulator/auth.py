"""Who is calling: signature, timestamp, nonce and security-token checks,
and the read-only permission rule. Raises ``ApiError`` the way the real
gateway answers."""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Dict, List, Mapping, Optional, Tuple

from . import identities, signing
from .api import ApiError, Identity, State
from .calls import READ_PREFIXES

CLOCK_SKEW_SECONDS = 15 * 60
NONCE_TTL_SECONDS = 15 * 60


@dataclass
class WireRequest:
    """An API request as it arrived, before any interpretation."""
    method: str
    host: str                           # lower-case host name, no port
    path: str
    query_pairs: List[Tuple[str, str]]  # decoded, in wire order
    headers: Dict[str, List[str]]       # lower-case name -> every value
    body: bytes
    params: Dict[str, str]              # query and form body merged

    def header(self, name: str) -> Optional[str]:
        values = self.headers.get(name.lower())
        return values[0] if values else None


class NonceCache:
    """Nonces seen in the last 15 minutes (in memory: a restart forgets them,
    which only matters for a replay across a restart)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._seen: Dict[Tuple[str, str], float] = {}
        self._next_prune = time.monotonic() + 60

    def use(self, key_id: str, nonce: str) -> bool:
        """True the first time a (key, nonce) is seen within the TTL."""
        now = time.monotonic()
        with self._lock:
            if now >= self._next_prune:
                self._seen = {k: t for k, t in self._seen.items() if now - t < NONCE_TTL_SECONDS}
                self._next_prune = now + 60
            seen = self._seen.get((key_id, nonce))
            if seen is not None and now - seen < NONCE_TTL_SECONDS:
                return False
            self._seen[(key_id, nonce)] = now
            return True


def _incomplete(detail: str) -> ApiError:
    return ApiError("IncompleteSignature", f"The request signature does not conform to Aliyun standards. {detail}", 400)


def claimed_key_id(req: WireRequest) -> Optional[str]:
    """The AccessKey ID the request says it is signed with, for the call log."""
    auth = req.header("authorization")
    if auth:
        try:
            return signing.parse_acs3_authorization(auth)[1]
        except signing.MalformedAuthorization:
            return None
    return req.params.get("AccessKeyId")


def _check_time(value: Optional[str], name: str) -> None:
    if not value:
        raise _incomplete(f"Missing {name}.")
    when = signing.parse_timestamp(value)
    if when is None:
        raise ApiError("InvalidTimeStamp.Format", f"Specified time stamp or date value is not well formatted: {name}={value}.", 400)
    if abs((datetime.now(timezone.utc) - when).total_seconds()) > CLOCK_SKEW_SECONDS:
        raise ApiError("InvalidTimeStamp.Expired",
                       f"Specified time stamp or date value is expired: {name}={value} is more than 15 minutes away from the server time.", 400)


def _key_record(state: State, key_id: str) -> Dict:
    with state.read() as data:
        record = identities.lookup(data, key_id)
        record = dict(record) if record else None
    if record is None:
        raise ApiError("InvalidAccessKeyId.NotFound", "Specified access key is not found.", 404)
    return record


def _mismatch(detail: str) -> ApiError:
    return ApiError("SignatureDoesNotMatch",
                    f"Specified signature does not match our calculation. {detail}", 400)


def _verify_acs3(req: WireRequest, auth: str) -> Tuple[str, Dict, str]:
    try:
        algorithm, key_id, signed_headers, signature = signing.parse_acs3_authorization(auth)
    except signing.MalformedAuthorization:
        raise _incomplete("Authorization must be 'ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=<names>,Signature=<hex>'.") from None
    if algorithm != signing.ACS3:
        raise _incomplete(f"Unsupported signature algorithm {algorithm}.")
    # Without these signed, a captured request could be replayed or retargeted.
    for required in ("host", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"):
        if required not in signed_headers or req.header(required) is None:
            raise _incomplete(f"Header {required} must be present and signed.")
    return key_id, {"signed_headers": signed_headers, "signature": signature}, req.header("x-acs-signature-nonce")


def authenticate(req: WireRequest, state: State, nonces: NonceCache) -> Identity:
    auth = req.header("authorization")
    if auth and auth.strip().upper().startswith("ACS3-"):
        key_id, parts, nonce = _verify_acs3(req, auth)
        record = _key_record(state, key_id)
        _check_time(req.header("x-acs-date"), "x-acs-date")
        payload_hash = req.header("x-acs-content-sha256").strip().lower()
        if payload_hash != hashlib.sha256(req.body).hexdigest():
            raise _mismatch("The x-acs-content-sha256 header is not the SHA-256 of the request body.")
        canonical = signing.acs3_canonical_request(req.method, req.path, req.query_pairs, req.headers,
                                                   parts["signed_headers"], payload_hash)
        string_to_sign = signing.acs3_string_to_sign(canonical)
        if not signing.constant_time_equal(signing.acs3_signature(record["secret"], string_to_sign), parts["signature"]):
            raise _mismatch(f"server string to sign is:{string_to_sign}")
        token = req.header("x-acs-security-token") or req.params.get("SecurityToken")
    elif auth:
        raise _incomplete("Unsupported Authorization scheme.")
    elif "Signature" in req.params:
        params = req.params
        key_id = params.get("AccessKeyId")
        if not key_id:
            raise _incomplete("Missing AccessKeyId.")
        if params.get("SignatureMethod", "HMAC-SHA1") != "HMAC-SHA1":
            raise _incomplete(f"Unsupported SignatureMethod {params.get('SignatureMethod')}.")
        nonce = params.get("SignatureNonce")
        if not nonce:
            raise _incomplete("Missing SignatureNonce.")
        record = _key_record(state, key_id)
        _check_time(params.get("Timestamp"), "Timestamp")
        string_to_sign = signing.rpc_string_to_sign(req.method, params)
        if not signing.constant_time_equal(signing.rpc_signature(record["secret"], string_to_sign), params["Signature"]):
            raise _mismatch(f"server string to sign is:{string_to_sign}")
        token = params.get("SecurityToken")
    else:
        raise _incomplete("The request is not signed.")

    if not nonces.use(key_id, nonce):
        raise ApiError("SignatureNonceUsed", "Specified signature nonce was used already.", 400)
    _check_token(record, token)
    return identities.to_identity(key_id, record)


def _check_token(record: Mapping, token: Optional[str]) -> None:
    if identities.is_temporary(record):
        if identities.is_expired(record):
            raise ApiError("InvalidSecurityToken.Expired", "Specified SecurityToken is expired.", 400)
        if not token or not signing.constant_time_equal(token, record["token"]):
            raise ApiError("InvalidSecurityToken.MismatchWithAccessKey",
                           "Specified SecurityToken mismatch with the AccessKey.", 400)
    elif token:
        raise ApiError("InvalidSecurityToken.MismatchWithAccessKey",
                       "Specified SecurityToken mismatch with the AccessKey.", 400)


def authorize(identity: Identity, product: str, action: str) -> None:
    """Read-only identities may only read; everyone else may do everything."""
    if not identity.readonly or action.startswith(READ_PREFIXES):
        return
    auth_action = f"{product}:{action}"
    err = ApiError(
        "Forbidden.RAM",
        "User not authorized to operate on the specified resource, or this API doesn't support RAM. "
        f"AuthAction: {auth_action}, AuthPrincipal: {identity.arn} ({identity.name}), NoPermissionType: ImplicitDeny",
        403,
    )
    # The tea SDK reads this into ClientException.access_denied_detail.
    err.extra = {"AccessDeniedDetail": {
        "AuthAction": auth_action,
        "AuthPrincipalType": "AssumedRoleUser" if identity.access_key_id.startswith("STS.") else "SubUser",
        "AuthPrincipalDisplayName": identity.name,
        "AuthPrincipalOwnerId": identity.account_id,
        "NoPermissionType": "ImplicitDeny",
        "PolicyType": "AccountLevelIdentityBasedPolicy",
        "EncodedDiagnosticMessage": "",
    }}
    raise err
