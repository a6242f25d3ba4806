"""ResourceManager 2020-03-31: service-linked roles and their deletion status.

It shares RAM's data (roles and deletion tasks), so a role created here is the
one RAM's GetRole answers, and a task started by either is readable here.
"""

from __future__ import annotations

from typing import Any, Dict

from ..api import RequestContext
from . import _roles, _wire
from .ram import create_service_linked_role, delete_service_linked_role

PRODUCT = "resourcemanager"
VERSION = "2020-03-31"


def get_service_linked_role_deletion_status(ctx: RequestContext) -> Dict[str, Any]:
    task_id = _wire.required(ctx, "DeletionTaskId")
    _roles.settle_for(ctx)
    with ctx.state.read() as data:
        task = _roles.task_status(data, ctx.identity.account_id, task_id)
        body: Dict[str, Any] = {"Status": task["Status"]}
        if task.get("Reason"):
            reason = task["Reason"]
            body["Reason"] = {
                "Message": reason["Message"],
                "RoleUsages": {"RoleUsage": [
                    {"Region": u["Region"], "Resources": {"Resource": list(u["Resources"]["Resource"])}}
                    for u in reason["RoleUsages"]["RoleUsage"]
                ]},
            }
        return body


ACTIONS = {
    "CreateServiceLinkedRole": create_service_linked_role,
    "DeleteServiceLinkedRole": delete_service_linked_role,
    "GetServiceLinkedRoleDeletionStatus": get_service_linked_role_deletion_status,
}
