"""ECS 2014-05-26: the part the KMS ECS secrets rely on (DescribeInstances)."""

from __future__ import annotations

from typing import Any, Dict, List

from ..api import RequestContext, State, invalid_parameter
from . import _instances, _wire

PRODUCT = "ecs"
VERSION = "2014-05-26"

MAX_INSTANCE_IDS = 100


def create_instances(state: State, account_id: str, region_id: str, count: int) -> List[str]:
    """Create ``count`` instances (one write); used by the control API and by tests."""
    with state.write() as data:
        return _instances.add_instances(data, account_id, region_id, count)


def _region(ctx: RequestContext) -> str:
    region = _wire.required(ctx, "RegionId")
    if ctx.region and region != ctx.region:
        raise invalid_parameter("RegionId", f"It must be the region of the endpoint, {ctx.region}.")
    return region


def _token(ctx: RequestContext) -> int:
    token = _wire.optional(ctx, "NextToken")
    if token is None:
        return 0
    if not token.isdigit():
        raise invalid_parameter("NextToken")
    return int(token)


def describe_instances(ctx: RequestContext) -> Dict[str, Any]:
    region = _region(ctx)
    wanted = _wire.json_param(ctx, "InstanceIds")
    if wanted is not None and (not isinstance(wanted, list) or len(wanted) > MAX_INSTANCE_IDS):
        raise invalid_parameter("InstanceIds", f"It must be a JSON array of at most {MAX_INSTANCE_IDS} IDs.")
    status = _wire.optional(ctx, "Status")
    token_mode = "MaxResults" in ctx.params or "NextToken" in ctx.params
    with ctx.state.read() as data:
        instances = _instances.peek_region_instances(data, ctx.identity.account_id, region)
        if wanted is not None:
            chosen = [instances[i] for i in wanted if i in instances]
        else:
            # By ID: stable across a restart (the state file sorts its keys).
            chosen = [instances[i] for i in sorted(instances)]
        if status:
            chosen = [i for i in chosen if i["Status"] == status]
        total = len(chosen)
        body: Dict[str, Any] = {"TotalCount": total}
        if token_mode:
            size = _wire.integer(ctx, "MaxResults", 10, 1, 100)
            start = _token(ctx)
            items = chosen[start:start + size]
            body["NextToken"] = str(start + size) if start + size < total else ""
        else:
            number = _wire.integer(ctx, "PageNumber", 1, 1)
            size = _wire.integer(ctx, "PageSize", 10, 1, 100)
            start = (number - 1) * size
            items = chosen[start:start + size]
            body["PageNumber"] = number
            body["PageSize"] = size
        body["Instances"] = {"Instance": [dict(i) for i in items]}
    return body


ACTIONS = {"DescribeInstances": describe_instances}
