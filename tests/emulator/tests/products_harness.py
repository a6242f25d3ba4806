"""Drive product handlers without HTTP: a State, hand-built RequestContexts,
and a clock the test moves (``_wire.now`` is the products' only clock)."""

from __future__ import annotations

import json
from typing import Any, Dict, Optional

import pytest

from alicloud_emulator.api import ApiError, Identity, RequestContext, State
from alicloud_emulator.products import _wire, ecs, kms, ram, resourcemanager

ACCOUNT = "1234567890123456"
OTHER_ACCOUNT = "6543210987654321"
ECS_SERVICE = "secretsmanager-ecs.kms.aliyuncs.com"
ECS_ROLE = "AliyunServiceRoleForKMSSecretsManagerForECS"
PRODUCTS = {"ram": ram, "resourcemanager": resourcemanager, "kms": kms, "ecs": ecs}


class Clock:
    def __init__(self, start: float = 1_700_000_000.0):
        self.t = start

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


class Harness:
    def __init__(self, clock: Clock, settings: Optional[Dict[str, Any]] = None):
        self.state = State()
        self.clock = clock
        self.settings = {"deletion_task_ms": 300, **(settings or {})}

    def call(self, product: str, action: str, region: Optional[str] = None,
             account: str = ACCOUNT, **params: Any) -> Dict[str, Any]:
        wire = {k: (json.dumps(v) if isinstance(v, (list, dict)) else str(v)) for k, v in params.items()}
        ctx = RequestContext(product, region, action, wire, Identity("AK", account, "admin"),
                             self.state, "req-1", dict(self.settings))
        body = PRODUCTS[product].ACTIONS[action](ctx)
        json.dumps(body)  # every answer must be JSON-serialisable
        return body

    def error(self, product: str, action: str, region: Optional[str] = None, **params: Any) -> ApiError:
        with pytest.raises(ApiError) as caught:
            self.call(product, action, region, **params)
        return caught.value

    # -- shortcuts ---------------------------------------------------------
    def instance(self, region: str, account: str = ACCOUNT) -> str:
        return ecs.create_instances(self.state, account, region, 1)[0]

    def ecs_secret(self, region: str, name: str = "acs/ecs/web-1", sub_type: str = "Password",
                   account: str = ACCOUNT, **extra: Any) -> Dict[str, Any]:
        instance_id = self.instance(region, account)
        data = ({"UserName": "root", "Password": "S3cret!pw"} if sub_type == "Password"
                else {"UserName": "root", "PublicKey": "ssh-ed25519 AAAA", "PrivateKey": "-----BEGIN-----"})
        params = dict(SecretName=name, SecretType="ECS", SecretData=json.dumps(data), VersionId="v1",
                      ExtendedConfig={"SecretSubType": sub_type, "RegionId": region, "InstanceId": instance_id})
        params.update(extra)
        return self.call("kms", "CreateSecret", region, account=account, **params)

    def generic_secret(self, region: str, name: str, **extra: Any) -> Dict[str, Any]:
        params = dict(SecretName=name, SecretData="value", VersionId="v1")
        params.update(extra)
        return self.call("kms", "CreateSecret", region, **params)

    def deletion_status(self, task_id: str) -> Dict[str, Any]:
        return self.call("resourcemanager", "GetServiceLinkedRoleDeletionStatus", DeletionTaskId=task_id)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(_wire, "now", fake)
    return fake


@pytest.fixture
def h(clock) -> Harness:
    return Harness(clock)
