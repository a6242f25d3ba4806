"""Accounts, their key pairs, and STS temporary credentials.

Everything lives in ``data["identities"]`` of the shared state so ``--state``
keeps the keys an env file hands out valid across restarts::

    {"default_account": "1234567890123456",
     "accounts": {account_id: {"admin": key_id, "readonly": key_id}},
     "keys": {key_id: {"secret", "account_id", "name", "readonly", "arn", "user_id"}},
     "temporary": {key_id: {... same ..., "token", "expiration", "parent",
                            "identity_type", "principal_id"}}}

Callers hold the state lock (``State.write()`` / ``State.read()``).
"""

from __future__ import annotations

import secrets
import string
import time
from datetime import datetime, timezone
from typing import Any, Dict, Optional

from .api import Identity

_ALNUM = string.ascii_letters + string.digits


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _position in range(length))


def _digits(length: int) -> str:
    return secrets.choice("123456789") + _random(string.digits, length - 1)


def new_access_key_id() -> str:
    # Real RAM user keys today look like LTAI5t + 18 characters.
    return "LTAI5t" + _random(_ALNUM, 18)


def new_secret() -> str:
    return _random(_ALNUM, 30)


def section(data: Dict[str, Any]) -> Dict[str, Any]:
    ids = data.setdefault("identities", {})
    ids.setdefault("accounts", {})
    ids.setdefault("keys", {})
    ids.setdefault("temporary", {})
    return ids


def _add_user(ids: Dict[str, Any], account_id: str, name: str, readonly: bool) -> str:
    key_id = new_access_key_id()
    ids["keys"][key_id] = {
        "secret": new_secret(),
        "account_id": account_id,
        "name": name,
        "readonly": readonly,
        "arn": f"acs:ram::{account_id}:user/{name}",
        "user_id": _digits(16),
    }
    return key_id


def create_account(data: Dict[str, Any]) -> Dict[str, str]:
    """A new account with an administrator and a read-only user."""
    ids = section(data)
    account_id = _digits(16)
    while account_id in ids["accounts"]:
        account_id = _digits(16)
    admin = _add_user(ids, account_id, "admin", readonly=False)
    readonly = _add_user(ids, account_id, "readonly", readonly=True)
    ids["accounts"][account_id] = {"admin": admin, "readonly": readonly}
    data.setdefault("accounts", {}).setdefault(account_id, {})
    return account_summary(data, account_id)


def ensure_default_account(data: Dict[str, Any]) -> str:
    ids = section(data)
    if not ids.get("default_account"):
        ids["default_account"] = create_account(data)["AccountId"]
    return ids["default_account"]


def account_summary(data: Dict[str, Any], account_id: str) -> Dict[str, str]:
    ids = section(data)
    users = ids["accounts"][account_id]
    return {
        "AccountId": account_id,
        "AccessKeyId": users["admin"],
        "AccessKeySecret": ids["keys"][users["admin"]]["secret"],
        "ReadOnlyAccessKeyId": users["readonly"],
        "ReadOnlyAccessKeySecret": ids["keys"][users["readonly"]]["secret"],
    }


def lookup(data: Dict[str, Any], key_id: str) -> Optional[Dict[str, Any]]:
    """The record of a permanent or temporary key, or None."""
    ids = section(data)
    return ids["keys"].get(key_id) or ids["temporary"].get(key_id)


def is_temporary(record: Dict[str, Any]) -> bool:
    return "token" in record


def is_expired(record: Dict[str, Any], now: Optional[float] = None) -> bool:
    return is_temporary(record) and (now if now is not None else time.time()) >= record["expiration"]


def to_identity(key_id: str, record: Dict[str, Any]) -> Identity:
    return Identity(
        access_key_id=key_id,
        account_id=record["account_id"],
        name=record["name"],
        readonly=bool(record["readonly"]),
        arn=record["arn"],
    )


def iso8601(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def issue_temporary(data: Dict[str, Any], parent_key_id: str, duration_seconds: int, *,
                    name: Optional[str] = None, arn: Optional[str] = None,
                    principal_id: Optional[str] = None, identity_type: Optional[str] = None) -> Dict[str, str]:
    """Temporary credentials with the parent's permissions (a read-only
    parent gives a read-only token). ``duration_seconds`` 0 is already expired."""
    ids = section(data)
    parent = lookup(data, parent_key_id)
    if parent is None:
        raise KeyError(parent_key_id)
    key_id = "STS." + _random(_ALNUM, 28)
    expiration = time.time() + duration_seconds
    # Tokens are opaque to clients; real ones are long base64 blobs starting "CAIS".
    token = "CAIS" + _random(_ALNUM, 180)
    ids["temporary"][key_id] = {
        "secret": new_secret(),
        "account_id": parent["account_id"],
        "name": name or f"sts:{parent['name']}",
        "readonly": bool(parent["readonly"]),
        "arn": arn or parent["arn"],
        "user_id": parent.get("user_id", ""),
        "token": token,
        "expiration": expiration,
        "parent": parent_key_id,
        "identity_type": identity_type or parent.get("identity_type", "RAMUser"),
        "principal_id": principal_id or parent.get("principal_id") or parent.get("user_id", ""),
    }
    _forget_long_expired(ids)
    return {
        "AccessKeyId": key_id,
        "AccessKeySecret": ids["temporary"][key_id]["secret"],
        "SecurityToken": token,
        "Expiration": iso8601(expiration),
    }


def _forget_long_expired(ids: Dict[str, Any]) -> None:
    # Keep recently expired tokens so clients get "Expired" rather than "NotFound".
    horizon = time.time() - 86400
    for key_id in [k for k, v in ids["temporary"].items() if v["expiration"] < horizon]:
        del ids["temporary"][key_id]
