"""The JSON control API under ``/_emulator/``: what tests use to look inside
the emulator, shape its behaviour, and seed data in bulk. Never faulted,
never signed (it only listens where the emulator listens, on loopback)."""

from __future__ import annotations

import importlib
import json
import sys
import traceback
from typing import Any, Callable, Dict, Optional, Tuple

from . import identities
from .api import ApiError, State
from .dispatcher import Dispatcher, Response


class ControlError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _body_json(body: bytes) -> Dict[str, Any]:
    if not body.strip():
        return {}
    try:
        value = json.loads(body)
    except ValueError:
        raise ControlError(400, "body is not JSON") from None
    if not isinstance(value, dict):
        raise ControlError(400, "body must be a JSON object")
    return value


def _int(payload: Dict[str, Any], name: str, default: Optional[int] = None, low: int = 0) -> int:
    value = payload.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ControlError(400, f"{name} must be an integer >= {low}")
    return value


def _str(payload: Dict[str, Any], name: str, default: Optional[str] = None) -> str:
    value = payload.get(name, default)
    if not isinstance(value, str) or not value:
        raise ControlError(400, f"{name} is required (a string)")
    return value


class Control:
    def __init__(self, dispatcher: Dispatcher, info: Dict[str, Any]):
        self.dispatcher = dispatcher
        self.state: State = dispatcher.state
        self.info = info
        self.routes: Dict[Tuple[str, str], Callable[[Dict[str, Any]], Any]] = {
            ("GET", "/_emulator/health"): lambda p: {"ok": True},
            ("GET", "/_emulator/info"): lambda p: self.info,
            ("GET", "/_emulator/calls"): lambda p: {"calls": dispatcher.calls.list()},
            ("DELETE", "/_emulator/calls"): self._clear_calls,
            ("GET", "/_emulator/faults"): lambda p: dispatcher.faults.snapshot(),
            ("PUT", "/_emulator/faults"): self._put_faults,
            ("GET", "/_emulator/settings"): lambda p: dispatcher.settings.snapshot(),
            ("PUT", "/_emulator/settings"): self._put_settings,
            ("GET", "/_emulator/stats"): lambda p: dispatcher.stats.snapshot(),
            ("DELETE", "/_emulator/stats"): self._reset_stats,
            ("GET", "/_emulator/state"): self._get_state,
            ("POST", "/_emulator/reset"): self._reset,
            ("POST", "/_emulator/accounts"): self._create_account,
            ("POST", "/_emulator/sts/tokens"): self._create_token,
            ("POST", "/_emulator/ecs/instances"): self._create_instances,
            ("POST", "/_emulator/kms/secrets"): self._seed_secrets,
            ("POST", "/_emulator/ram/roles"): self._create_role,
        }

    def handle(self, method: str, path: str, body: bytes) -> Response:
        path = path.split("?", 1)[0].rstrip("/") or "/"
        route = self.routes.get((method, path))
        if route is None:
            known = any(p == path for _method, p in self.routes)
            status = 405 if known else 404
            return Response.json(status, {"error": f"{'method not allowed' if known else 'not found'}: {method} {path}"})
        try:
            result = route(_body_json(body))
        except ControlError as err:
            return Response.json(err.status, {"error": err.message})
        except ValueError as err:
            return Response.json(400, {"error": str(err)})
        except ApiError as err:
            return Response.json(err.status, {"error": err.message, "Code": err.code, "Message": err.message})
        except Exception:  # noqa: BLE001
            traceback.print_exc()
            sys.stderr.flush()
            return Response.json(500, {"error": "internal error (see the emulator's stderr)"})
        return Response.json(200, result if result is not None else {})

    # -- handlers ------------------------------------------------------------
    def _clear_calls(self, payload):
        self.dispatcher.calls.clear()
        return {"calls": []}

    def _put_faults(self, payload):
        return self.dispatcher.faults.update(payload)

    def _put_settings(self, payload):
        return self.dispatcher.settings.update(payload)

    def _reset_stats(self, payload):
        self.dispatcher.stats.reset()
        return self.dispatcher.stats.snapshot()

    def _get_state(self, payload):
        with self.state.read() as data:
            # Serialised under the lock so a concurrent write cannot tear it.
            return json.loads(json.dumps(data))

    def _reset(self, payload):
        with self.state.write() as data:
            accounts = identities.section(data)["accounts"]
            data["accounts"] = {account_id: {} for account_id in accounts}
        return {"ok": True}

    def _account(self, payload) -> str:
        with self.state.read() as data:
            ids = identities.section(data)
            account_id = payload.get("AccountId") or ids["default_account"]
            if account_id not in ids["accounts"]:
                raise ControlError(404, f"unknown AccountId {account_id}")
        return account_id

    def _create_account(self, payload):
        with self.state.write() as data:
            return identities.create_account(data)

    def _create_token(self, payload):
        parent = _str(payload, "AccessKeyId")
        duration = _int(payload, "DurationSeconds", 3600)
        with self.state.write() as data:
            if identities.lookup(data, parent) is None:
                raise ControlError(404, f"unknown AccessKeyId {parent}")
            return identities.issue_temporary(data, parent, duration)

    @staticmethod
    def _product(name: str):
        try:
            return importlib.import_module(f"alicloud_emulator.products.{name}")
        except ImportError as err:
            raise ControlError(501, f"product module {name} is not available: {err}") from None

    def _create_instances(self, payload):
        account_id = self._account(payload)
        ecs = self._product("ecs")
        ids = ecs.create_instances(self.state, account_id, _str(payload, "RegionId"), _int(payload, "Count", 1, low=1))
        return {"InstanceIds": ids}

    def _seed_secrets(self, payload):
        account_id = self._account(payload)
        kms = self._product("kms")
        names = kms.seed_ecs_secrets(
            self.state, account_id, _str(payload, "RegionId"), _int(payload, "Count", 1, low=1),
            sub_type=_str(payload, "SecretSubType", "Password"), prefix=_str(payload, "Prefix", "acs/ecs/seed-"),
        )
        return {"SecretNames": names}

    def _create_role(self, payload):
        account_id = self._account(payload)
        ram = self._product("ram")
        return ram.create_plain_role(self.state, account_id, _str(payload, "RoleName"))
