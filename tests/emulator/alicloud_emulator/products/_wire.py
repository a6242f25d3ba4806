"""Small helpers shared by the product modules: reading wire parameters,
formatting times, and finding a product's part of an account.

Parameters arrive as strings exactly as they were on the wire; these helpers
turn them into Python values or raise the ``ApiError`` Alibaba Cloud answers.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from typing import Any, Dict, Optional

from ..api import ApiError, RequestContext, invalid_parameter, missing_parameter


def now() -> float:
    """The emulator's clock (seconds since the epoch); tests may patch it."""
    return time.time()


def iso(ts: Optional[float]) -> Optional[str]:
    """``2024-01-02T03:04:05Z`` (UTC, second precision), or None."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def account_part(data: Dict[str, Any], account_id: str, product: str) -> Dict[str, Any]:
    """``data["accounts"][account_id][product]``, created on first use."""
    return data["accounts"].setdefault(account_id, {}).setdefault(product, {})


def peek_account_part(data: Dict[str, Any], account_id: str, product: str) -> Dict[str, Any]:
    """Like ``account_part`` but never creates anything (for read-only paths)."""
    return data.get("accounts", {}).get(account_id, {}).get(product, {})


def required(ctx: RequestContext, name: str) -> str:
    value = ctx.params.get(name)
    if value is None or value == "":
        raise missing_parameter(name)
    return value


def optional(ctx: RequestContext, name: str, default: Optional[str] = None) -> Optional[str]:
    value = ctx.params.get(name)
    return default if value is None or value == "" else value


def boolean(ctx: RequestContext, name: str, default: bool = False) -> bool:
    """``true`` / ``false`` in any case (the SDK sends ``True`` / ``False``)."""
    value = ctx.params.get(name)
    if value is None or value == "":
        return default
    low = value.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    raise invalid_parameter(name, "It must be true or false.")


def integer(ctx: RequestContext, name: str, default: int, low: int, high: Optional[int] = None) -> int:
    value = ctx.params.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise invalid_parameter(name, "It must be an integer.") from None
    if number < low or (high is not None and number > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise invalid_parameter(name, f"It must be {bound}.")
    return number


def json_param(ctx: RequestContext, name: str, default: Any = None) -> Any:
    """A parameter that carries JSON (Filters, ExtendedConfig, Tags, ...)."""
    value = ctx.params.get(name)
    if value is None or value == "":
        return default
    try:
        return json.loads(value)
    except ValueError:
        raise invalid_parameter(name, "It is not valid JSON.") from None


def string_list(ctx: RequestContext, name: str) -> Optional[list]:
    """A list given as a JSON array, or as comma separated words."""
    value = ctx.params.get(name)
    if value is None or value == "":
        return None
    text = value.strip()
    if text.startswith("["):
        items = json_param(ctx, name)
        if not all(isinstance(item, str) for item in items):
            raise invalid_parameter(name, "It must be a list of strings.")
        return items
    return [part.strip() for part in text.split(",") if part.strip()]


def not_found(code: str, message: str) -> ApiError:
    return ApiError(code, message, 404)
