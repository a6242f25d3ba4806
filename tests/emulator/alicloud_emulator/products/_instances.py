"""ECS instances: state and rules, no HTTP.

Kept per account and region under the account's ``ecs`` part::

    {"regions": {region: {"instances": {instance id: instance}}}}
"""

from __future__ import annotations

import random
import string
from typing import Any, Dict, List

from . import _wire

PART = "ecs"
_ALNUM = string.ascii_lowercase + string.digits


def new_instance_id(rng: random.Random) -> str:
    return "i-" + "".join(rng.choice(_ALNUM) for _position in range(20))


def region_instances(data: Dict[str, Any], account_id: str, region: str) -> Dict[str, Any]:
    regions = _wire.account_part(data, account_id, PART).setdefault("regions", {})
    return regions.setdefault(region, {"instances": {}})["instances"]


def peek_region_instances(data: Dict[str, Any], account_id: str, region: str) -> Dict[str, Any]:
    regions = _wire.peek_account_part(data, account_id, PART).get("regions", {})
    return (regions.get(region) or {}).get("instances", {})


def exists(data: Dict[str, Any], account_id: str, region: str, instance_id: str) -> bool:
    return instance_id in peek_region_instances(data, account_id, region)


def add_instances(data: Dict[str, Any], account_id: str, region: str, count: int) -> List[str]:
    """Create ``count`` running instances in ``region``; returns their IDs (call under the write lock)."""
    instances = region_instances(data, account_id, region)
    rng = random.Random()
    created = _wire.iso(_wire.now())[:16] + "Z"  # ECS answers minute precision: 2024-01-02T03:04Z
    ids = []
    while len(ids) < count:
        instance_id = new_instance_id(rng)
        if instance_id in instances:
            continue
        n = len(instances) + 1
        instances[instance_id] = {
            "InstanceId": instance_id,
            "InstanceName": f"emulated-{n}",
            "HostName": f"emulated-{n}",
            "RegionId": region,
            "ZoneId": f"{region}-a",
            "Status": "Running",
            "InstanceType": "ecs.g7.large",
            "InstanceTypeFamily": "ecs.g7",
            "Cpu": 2,
            "Memory": 8192,
            "OSType": "linux",
            "OSName": "Alibaba Cloud Linux 3.2104 LTS 64 bit",
            "ImageId": "aliyun_3_x64_20G_alibase_20240528.vhd",
            "CreationTime": created,
            "InstanceNetworkType": "vpc",
            "InstanceChargeType": "PostPaid",
            "Description": "",
        }
        ids.append(instance_id)
    return ids
