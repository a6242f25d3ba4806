"""The one path every API call takes: host -> product and region, latency,
authentication, faults, version and action, permission, handler, answer,
call record."""

from __future__ import annotations

import json
import sys
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple

from . import faults as faults_mod
from .api import ApiError, RequestContext, State, missing_parameter
from .auth import NonceCache, WireRequest, authenticate, authorize, claimed_key_id
from .calls import CallLog, Stats

try:
    from .regions import REGIONS
except ImportError:  # pragma: no cover - the product helper owns regions.py
    REGIONS = []

# Products whose endpoints exist per region: an unknown region is a host
# name that does not resolve.
REGIONAL_PRODUCTS = ("kms", "ecs")

DEFAULT_SETTINGS = {"deletion_task_ms": 300}


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: Dict[str, str] = field(default_factory=dict)
    drop: bool = False          # close the connection without answering

    @classmethod
    def json(cls, status: int, payload: Any, headers: Optional[Dict[str, str]] = None) -> "Response":
        return cls(status, json.dumps(payload).encode("utf-8"),
                   {"Content-Type": "application/json;charset=utf-8", **(headers or {})})


DROP = Response(0, drop=True)


def bad_gateway(host: str) -> Response:
    return Response(502, f"alicloud-emulator: cannot resolve host {host}\n".encode(),
                    {"Content-Type": "text/plain; charset=utf-8"})


class Settings:
    def __init__(self, values: Optional[Dict[str, Any]] = None):
        self._lock = threading.Lock()
        self._values = {**DEFAULT_SETTINGS, **(values or {})}

    def snapshot(self) -> Dict[str, Any]:
        with self._lock:
            return dict(self._values)

    def update(self, changes: Dict[str, Any]) -> Dict[str, Any]:
        for key, value in changes.items():
            if key not in DEFAULT_SETTINGS:
                raise ValueError(f"unknown setting {key!r}")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"{key} must be a number >= 0")
        with self._lock:
            self._values.update(changes)
            return dict(self._values)


def split_host(host: str) -> Tuple[str, Optional[str]]:
    """``kms-vpc.cn-hangzhou.aliyuncs.com`` -> ("kms", "cn-hangzhou");
    ``ram.aliyuncs.com`` -> ("ram", None)."""
    labels = host.lower().rstrip(".").split(".")
    product = labels[0]
    if product.endswith("-vpc"):
        product = product[: -len("-vpc")]
    region = labels[1] if len(labels) == 4 else None
    return product, region


def _error_body(err: ApiError, request_id: str, host: str, product: str) -> Dict[str, Any]:
    body = {
        "RequestId": request_id,
        "HostId": host,
        "Code": err.code,
        "Message": err.message,
        "Recommend": f"https://api.aliyun.com/troubleshoot?q={err.code}&product={product}&requestId={request_id}",
    }
    body.update(getattr(err, "extra", None) or {})
    return body


FAULT_ERRORS = {
    faults_mod.DOWN: lambda region: ApiError(
        "ServiceUnavailable",
        f"The request has failed due to a temporary failure of the server (region {region} is unavailable).", 503),
    faults_mod.THROTTLE: lambda region: ApiError("Throttling.User", "Request was denied due to user flow control.", 400),
    faults_mod.ERROR: lambda region: ApiError("ServiceUnavailable", "The request has failed due to a temporary failure of the server.", 503),
}


class Dispatcher:
    def __init__(self, state: State, products: Dict[str, Any], faults: faults_mod.Faults,
                 settings: Settings, calls: CallLog, stats: Stats):
        self.state = state
        self.products = products
        self.faults = faults
        self.settings = settings
        self.calls = calls
        self.stats = stats
        self.nonces = NonceCache()

    def resolves(self, host: str) -> bool:
        """Whether a real DNS would know this API host name."""
        host = host.lower()
        if not host.endswith(".aliyuncs.com"):
            return False
        product, region = split_host(host)
        if product not in self.products:
            return False
        return not (product in REGIONAL_PRODUCTS and region is not None and region not in REGIONS)

    def handle(self, req: WireRequest) -> Response:
        if not self.resolves(req.host):
            return bad_gateway(req.host)
        self.stats.enter()
        try:
            latency = self.faults.latency_seconds()
            if latency:
                time.sleep(latency)  # outside every lock, so slow calls overlap
            return self._handle(req)
        finally:
            self.stats.leave()

    def _handle(self, req: WireRequest) -> Response:
        product, host_region = split_host(req.host)
        module = self.products[product]
        params = req.params
        action = req.header("x-acs-action") or params.get("Action")
        version = req.header("x-acs-version") or params.get("Version")
        region = host_region or params.get("RegionId")
        key_id = claimed_key_id(req)
        request_id = str(uuid.uuid4()).upper()
        status, code = 200, None
        try:
            identity = authenticate(req, self.state, self.nonces)
            key_id = identity.access_key_id
            fault = self.faults.decide(region)
            if fault == faults_mod.DROP:
                self.calls.record(product=product, region=region, action=action, access_key_id=key_id,
                                  http_status=0, code="ConnectionDropped")
                return DROP
            if fault is not None:
                raise FAULT_ERRORS[fault](region)
            if not version:
                raise missing_parameter("Version")
            if version != module.VERSION:
                raise ApiError("InvalidVersion", f"Specified parameter Version is not valid: {version}.", 400)
            handler = module.ACTIONS.get(action or "")
            if handler is None:
                raise ApiError("InvalidAction.NotFound", f"Specified api is not found, please check your url and method: {action}.", 404)
            authorize(identity, product, action)
            ctx = RequestContext(product=product, region=region, action=action, params=dict(params),
                                 identity=identity, state=self.state, request_id=request_id,
                                 settings=self.settings.snapshot())
            body = dict(handler(ctx) or {})
            body["RequestId"] = request_id
            response = Response.json(200, body)
        except ApiError as err:
            status, code = err.status, err.code
            response = Response.json(err.status, _error_body(err, request_id, req.host, product))
        except Exception:  # noqa: BLE001 - the client gets a 500, the traceback stays here
            print(f"alicloud-emulator: internal error in {product} {action} (request {request_id}):", file=sys.stderr)
            traceback.print_exc()
            sys.stderr.flush()
            err = ApiError("InternalError", "The request processing has failed due to some unknown error, exception or failure.", 500)
            status, code = 500, err.code
            response = Response.json(500, _error_body(err, request_id, req.host, product))
        response.headers["x-acs-request-id"] = request_id
        self.calls.record(product=product, region=region, action=action, access_key_id=key_id,
                          http_status=status, code=code)
        return response
