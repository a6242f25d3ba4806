"""Unmodified SDK clients pointed at the real endpoint names (the emulator is the HTTP proxy)."""

from __future__ import annotations

import time
from typing import Any, Callable, Iterable, List

from alibabacloud_ecs20140526.client import Client as EcsClient
from alibabacloud_kms20160120.client import Client as KmsClient
from alibabacloud_ram20150501.client import Client as RamClient
from alibabacloud_resourcemanager20200331.client import Client as RmClient
from alibabacloud_tea_openapi.models import Config

ECS_SERVICE = "secretsmanager-ecs.kms.aliyuncs.com"
ECS_ROLE = "AliyunServiceRoleForKMSSecretsManagerForECS"


def _config(emu, endpoint: str, region: str, readonly: bool = False, secret: str | None = None) -> Config:
    key_id = emu.env["EMULATOR_READONLY_ACCESS_KEY_ID"] if readonly else emu.access_key_id
    key_secret = emu.env["EMULATOR_READONLY_ACCESS_KEY_SECRET"] if readonly else emu.access_key_secret
    return Config(access_key_id=key_id, access_key_secret=secret or key_secret, region_id=region,
                  endpoint=endpoint, protocol="http")


def kms(emu, region: str = "cn-hangzhou", **kw: Any) -> KmsClient:
    return KmsClient(_config(emu, f"kms.{region}.aliyuncs.com", region, **kw))


def ecs(emu, region: str = "cn-hangzhou", **kw: Any) -> EcsClient:
    return EcsClient(_config(emu, f"ecs.{region}.aliyuncs.com", region, **kw))


def ram(emu, **kw: Any) -> RamClient:
    return RamClient(_config(emu, "ram.aliyuncs.com", "cn-hangzhou", **kw))


def resourcemanager(emu, **kw: Any) -> RmClient:
    return RmClient(_config(emu, "resourcemanager.aliyuncs.com", "cn-hangzhou", **kw))


def unfilled(model: Any, allowed: Iterable[str] = (), path: str = "") -> List[str]:
    """Dotted paths of the SDK model's fields the response left empty (None), minus ``allowed``."""
    allowed = set(allowed)
    empty = []
    for name, value in vars(model).items():
        if name.startswith("_"):
            continue
        where = f"{path}.{name}" if path else name
        if value is None:
            if where not in allowed:
                empty.append(where)
        elif isinstance(value, list):
            for item in value:
                if hasattr(item, "to_map"):
                    empty += unfilled(item, allowed, f"{where}[]")
        elif hasattr(value, "to_map"):
            empty += unfilled(value, allowed, where)
    return sorted(set(empty))


def wait_final(read: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Poll a deletion-status read until it is no longer IN_PROGRESS."""
    deadline = time.monotonic() + timeout
    while True:
        body = read()
        if body.status != "IN_PROGRESS" or time.monotonic() > deadline:
            return body
        time.sleep(0.05)
