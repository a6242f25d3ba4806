"""The contract between the emulator's core (HTTP, signatures, identities,
faults, state) and its product modules (RAM, ResourceManager, KMS, ECS, STS).

A product module is a file in ``alicloud_emulator/products/`` that defines::

    PRODUCT = "kms"                      # the first label of the host name
    VERSION = "2016-01-20"               # the API version it answers
    ACTIONS = {"ListSecrets": list_secrets, ...}

Each handler is ``handler(ctx: RequestContext) -> dict``: it reads
``ctx.params`` (strings, exactly as they arrived on the wire), changes state
only inside ``with ctx.state.write() as data:`` and returns the response body
without ``RequestId`` (the dispatcher adds it). Failures are raised as
``ApiError``. The dispatcher, not the handler, checks signatures, identities,
permissions and faults, and records the call.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, Optional


class ApiError(Exception):
    """An error answered the way Alibaba Cloud answers it."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


def missing_parameter(name: str) -> ApiError:
    return ApiError("MissingParameter", f"The input parameter \"{name}\" that is mandatory for processing this request is not supplied.")


def invalid_parameter(name: str, reason: str = "") -> ApiError:
    detail = f" {reason}" if reason else ""
    return ApiError("InvalidParameter", f"The parameter \"{name}\" is invalid.{detail}")


@dataclass
class Identity:
    access_key_id: str
    account_id: str
    name: str                 # "admin", "readonly", or "sts:<session>"
    readonly: bool = False
    arn: str = ""


class State:
    """All emulator state: one JSON-serialisable dict, one lock.

    ``data`` is laid out as ``{"accounts": {account_id: {product: {...}}}, ...}``;
    products keep their own part of an account under their ``PRODUCT`` key and
    may read another product's part (KMS creates the RAM role, RAM's deletion
    task reads KMS secrets).
    """

    def __init__(self, data: Optional[Dict[str, Any]] = None, persist: Optional[Callable[[Dict[str, Any]], None]] = None):
        self.data: Dict[str, Any] = data if data is not None else {"accounts": {}}
        self._lock = threading.RLock()
        self._persist = persist

    @contextmanager
    def read(self) -> Iterator[Dict[str, Any]]:
        with self._lock:
            yield self.data

    @contextmanager
    def write(self) -> Iterator[Dict[str, Any]]:
        """Changes made in the block are persisted before the block returns,
        so nothing acknowledged to a client is lost by a crash."""
        with self._lock:
            yield self.data
            if self._persist is not None:
                self._persist(self.data)


@dataclass
class RequestContext:
    product: str                      # "ram", "resourcemanager", "kms", "ecs", "sts"
    region: Optional[str]             # from the host name; for global endpoints the RegionId parameter, if any
    action: str
    params: Dict[str, str]            # query and form body merged, wire strings
    identity: Identity
    state: State
    request_id: str
    settings: Dict[str, Any] = field(default_factory=dict)  # run-time knobs, e.g. deletion_task_ms

    def account(self, data: Dict[str, Any]) -> Dict[str, Any]:
        """This caller's account part of ``data`` (created on first use)."""
        return data["accounts"].setdefault(self.identity.account_id, {})


Handler = Callable[[RequestContext], Dict[str, Any]]
