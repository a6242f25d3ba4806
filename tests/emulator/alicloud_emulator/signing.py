"""ACS3-HMAC-SHA256 and RPC V1 HMAC-SHA1: canonical forms, signing, parsing.

Pure functions (no state): the dispatcher does the key look-up, timestamps
and nonces. Signing helpers exist so tests can craft requests the SDKs would
never send (stale dates, replayed nonces, tampered bodies).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import datetime, timezone
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import quote

ACS3 = "ACS3-HMAC-SHA256"


def percent_encode(value: str) -> str:
    """RFC 3986 encoding both signature versions use ("~" kept, space %20)."""
    return quote(value, safe="~", encoding="utf-8")


# -- ACS3 ---------------------------------------------------------------------

def acs3_canonical_query(pairs: Iterable[Tuple[str, str]]) -> str:
    encoded = sorted((percent_encode(k), percent_encode(v)) for k, v in pairs)
    return "&".join(f"{k}={v}" for k, v in encoded)


def acs3_canonical_request(method: str, path: str, query_pairs: Iterable[Tuple[str, str]],
                           headers: Mapping[str, Sequence[str]], signed_headers: Sequence[str],
                           payload_hash: str) -> str:
    """``headers`` maps lower-case names to every value received; only the
    names in ``signed_headers`` are used (HTTP stacks add unsigned ones)."""
    names = sorted(h.lower() for h in signed_headers)
    canonical_headers = "".join(
        f"{name}:{','.join(sorted(v.strip() for v in headers.get(name, [])))}\n" for name in names
    )
    return "\n".join([
        method.upper(),
        path or "/",
        acs3_canonical_query(query_pairs),
        canonical_headers,
        ";".join(names),
        payload_hash,
    ])


def acs3_string_to_sign(canonical_request: str) -> str:
    return f"{ACS3}\n{hashlib.sha256(canonical_request.encode('utf-8')).hexdigest()}"


def acs3_signature(secret: str, string_to_sign: str) -> str:
    return hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


_AUTH_RE = re.compile(
    r"^(?P<alg>ACS3-[A-Z0-9-]+)\s+Credential=(?P<cred>[^,\s]+)\s*,\s*SignedHeaders=(?P<signed>[^,\s]+)\s*,\s*Signature=(?P<sig>[0-9a-fA-F]+)\s*$"
)


class MalformedAuthorization(ValueError):
    pass


def parse_acs3_authorization(value: str) -> Tuple[str, str, List[str], str]:
    """-> (algorithm, access_key_id, signed_headers, signature)."""
    match = _AUTH_RE.match(value.strip())
    if not match:
        raise MalformedAuthorization(value)
    # V4-style credentials carry a scope after the key id; the key id is the first part.
    access_key_id = match.group("cred").split("/", 1)[0]
    signed = [h for h in match.group("signed").lower().split(";") if h]
    if not signed:
        raise MalformedAuthorization(value)
    return match.group("alg"), access_key_id, signed, match.group("sig").lower()


def acs3_authorization(access_key_id: str, secret: str, method: str, path: str,
                       query_pairs: Iterable[Tuple[str, str]], headers: Mapping[str, str],
                       body: bytes = b"") -> Dict[str, str]:
    """Sign like the SDK does (every given header is signed); answers the
    headers to send, including ``x-acs-content-sha256`` and ``Authorization``."""
    out = {k.lower(): v for k, v in headers.items()}
    out["x-acs-content-sha256"] = hashlib.sha256(body).hexdigest()
    multi = {k: [v] for k, v in out.items()}
    signed = sorted(out)
    canonical = acs3_canonical_request(method, path, list(query_pairs), multi, signed, out["x-acs-content-sha256"])
    signature = acs3_signature(secret, acs3_string_to_sign(canonical))
    out["authorization"] = f"{ACS3} Credential={access_key_id},SignedHeaders={';'.join(signed)},Signature={signature}"
    return out


# -- RPC V1 -------------------------------------------------------------------

def rpc_string_to_sign(method: str, params: Mapping[str, str]) -> str:
    canonical = "&".join(
        f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()) if k != "Signature"
    )
    return f"{method.upper()}&%2F&{percent_encode(canonical)}"


def rpc_signature(secret: str, string_to_sign: str) -> str:
    digest = hmac.new((secret + "&").encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def rpc_sign(params: Mapping[str, str], secret: str, method: str = "POST") -> Dict[str, str]:
    out = dict(params)
    out["Signature"] = rpc_signature(secret, rpc_string_to_sign(method, out))
    return out


# -- time ---------------------------------------------------------------------

def utc_timestamp(when: Optional[datetime] = None) -> str:
    return (when or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(value: str) -> Optional[datetime]:
    """ISO 8601 UTC as the SDKs send it (with or without fractions)."""
    for fmt in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ"):
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=timezone.utc)
        except (TypeError, ValueError):
            continue
    return None


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
