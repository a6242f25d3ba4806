"""RAM roles and service-linked role deletion tasks: state and rules, no HTTP.

Kept under the account's ``ram`` part (ResourceManager shares it)::

    {"roles": {lowercased name: role}, "tasks": {task id: task}, "pending": [task ids]}

Times are stored as epoch seconds and formatted by the handlers.
"""

from __future__ import annotations

import random
import re
import uuid
from typing import Any, Dict, List, Optional

from ..api import ApiError, RequestContext, invalid_parameter
from . import _secrets, _wire
from ._slr_templates import SYSTEM_POLICIES, TEMPLATES, trust_policy

PART = "ram"
MAX_SESSION_DURATION = 3600
DEFAULT_DELETION_TASK_MS = 300

# Which KMS secret types keep which service's role in use. Only the ECS
# dynamic secrets are documented to block a role; the map keeps it one rule.
BLOCKING_SECRET_TYPES: Dict[str, str] = {
    "secretsmanager-ecs.kms.aliyuncs.com": "ECS",
}

# How many resources a RoleUsage lists per region. The real limit is not
# documented (unsure); None lists every one, so nothing is hidden from a caller.
ROLE_USAGE_RESOURCE_LIMIT: Optional[int] = None

# Unknown service name in CreateServiceLinkedRole / GetServiceLinkedRoleTemplate.
# The real code is not documented here (unsure): a 404 "entity does not exist".
UNKNOWN_SERVICE_CODE = "EntityNotExist.ServiceName"
# Unknown DeletionTaskId in GetServiceLinkedRoleDeletionStatus (unsure).
UNKNOWN_TASK_CODE = "EntityNotExist.DeletionTask"

_SUFFIX_RE = re.compile(r"^[A-Za-z0-9.\-]+$")
_ROLE_NAME_RE = re.compile(r"^[A-Za-z0-9.\-_]{1,64}$")


def part(data: Dict[str, Any], account_id: str) -> Dict[str, Any]:
    ram = _wire.account_part(data, account_id, PART)
    ram.setdefault("roles", {})
    ram.setdefault("tasks", {})
    ram.setdefault("pending", [])
    return ram


def role_arn(account_id: str, role_name: str) -> str:
    """Real RAM lowercases the role name in role ARNs."""
    return f"acs:ram::{account_id}:role/{role_name.lower()}"


def template(service: str) -> Dict[str, Any]:
    found = TEMPLATES.get(service)
    if found is None:
        raise _wire.not_found(UNKNOWN_SERVICE_CODE,
                              f"The service {service} does not exist or does not support service-linked roles.")
    return found


def system_policy(name: str) -> Optional[Dict[str, Any]]:
    return SYSTEM_POLICIES.get(name)


def role_name_for(service: str, suffix: Optional[str] = None) -> str:
    tpl = template(service)
    if not suffix:
        return tpl["RoleNamePrefix"]
    if not tpl["MultipleRolesAllowed"]:
        raise invalid_parameter("CustomSuffix", f"The service {service} does not allow a custom suffix.")
    name = f"{tpl['RoleNamePrefix']}_{suffix}"
    if not _SUFFIX_RE.match(suffix) or len(name) > 64:
        raise invalid_parameter("CustomSuffix", "It may hold letters, digits, periods and hyphens, "
                                "and the role name must be at most 64 characters.")
    return name


def get_role(data: Dict[str, Any], account_id: str, role_name: str) -> Optional[Dict[str, Any]]:
    ram = _wire.peek_account_part(data, account_id, PART)
    return ram.get("roles", {}).get(role_name.lower())


def require_role(data: Dict[str, Any], account_id: str, role_name: str) -> Dict[str, Any]:
    role = get_role(data, account_id, role_name)
    if role is None:
        raise _wire.not_found("EntityNotExist.Role", "The role does not exist.")
    return role


def _new_role(account_id: str, name: str, trust: str, description: str, now: float) -> Dict[str, Any]:
    return {
        "RoleName": name,
        "RoleId": str(random.randint(3 * 10**17, 4 * 10**17 - 1)),
        "Arn": role_arn(account_id, name),
        "AssumeRolePolicyDocument": trust,
        "Description": description,
        "CreateDate": now,
        "UpdateDate": now,
        "IsServiceLinkedRole": False,
        "ServiceName": None,
        "RolePrincipalName": f"{name}@role.{account_id}.onaliyunservice.com",
        "MaxSessionDuration": MAX_SESSION_DURATION,
        "Policies": [],
        "LatestDeletionTask": None,
    }


def create_service_linked_role(data: Dict[str, Any], account_id: str, service: str,
                               suffix: Optional[str] = None, description: Optional[str] = None) -> Dict[str, Any]:
    """Create the role of ``service``; 409 ``EntityAlreadyExists.Role`` if it exists."""
    tpl = template(service)
    name = role_name_for(service, suffix)
    ram = part(data, account_id)
    if name.lower() in ram["roles"]:
        raise ApiError("EntityAlreadyExists.Role", f"The role {name} already exists.", 409)
    # Only services that allow several roles take a caller's description; the
    # others keep the template's (the real service presets it; unsure whether
    # it ignores or refuses one: the emulator ignores it).
    preset = tpl["RoleDescriptions"]["RoleDescription"][0]["Description"]
    text = description if (description and tpl["MultipleRolesAllowed"]) else preset
    now = _wire.now()
    role = _new_role(account_id, name, trust_policy(service), text, now)
    role["IsServiceLinkedRole"] = True
    role["ServiceName"] = service
    role["Policies"].append({"PolicyName": tpl["SystemPolicyName"], "PolicyType": "System", "AttachDate": now})
    ram["roles"][name.lower()] = role
    return role


def ensure_service_linked_role(data: Dict[str, Any], account_id: str, service: str) -> Dict[str, Any]:
    """The role of ``service``, created (with its policy) when missing."""
    existing = get_role(data, account_id, role_name_for(service))
    return existing if existing is not None else create_service_linked_role(data, account_id, service)


def create_plain_role(data: Dict[str, Any], account_id: str, role_name: str) -> Dict[str, Any]:
    """An ordinary role (not service-linked), e.g. to clash with a template's name."""
    if not _ROLE_NAME_RE.match(role_name):
        raise invalid_parameter("RoleName")
    ram = part(data, account_id)
    if role_name.lower() in ram["roles"]:
        raise ApiError("EntityAlreadyExists.Role", f"The role {role_name} already exists.", 409)
    trust = ('{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":'
             '{"RAM":["acs:ram::' + account_id + ':root"]}}],"Version":"1"}')
    role = _new_role(account_id, role_name, trust, "An ordinary role.", _wire.now())
    ram["roles"][role_name.lower()] = role
    return role


# --- deletion tasks -------------------------------------------------------

def start_deletion(data: Dict[str, Any], account_id: str, role_name: str, delay_ms: float) -> Dict[str, Any]:
    """DeleteServiceLinkedRole: a task that decides after ``delay_ms``.

    A second call while the role's task is still IN_PROGRESS returns that same
    task rather than a new one (unsure: the real service's behaviour is not
    documented; one task per role at a time is the plausible reading).
    """
    settle(data, account_id)
    role = require_role(data, account_id, role_name)
    if not role["IsServiceLinkedRole"]:
        raise _wire.not_found("EntityNotExist.ServiceLinkedRole",
                              f"The role {role['RoleName']} is not a service-linked role.")
    ram = part(data, account_id)
    latest = role.get("LatestDeletionTask")
    if latest:
        task = ram["tasks"].get(latest["DeletionTaskId"])
        if task is not None and task["Status"] == "IN_PROGRESS":
            return task
    now = _wire.now()
    task_id = f"task/acs-service-role/{role['ServiceName']}/{role['RoleName']}/{uuid.uuid4()}"
    task = {
        "DeletionTaskId": task_id,
        "RoleName": role["RoleName"],
        "RoleId": role["RoleId"],
        "ServiceName": role["ServiceName"],
        "CreateDate": now,
        "DecideAt": now + max(0.0, float(delay_ms)) / 1000.0,
        "Status": "IN_PROGRESS",
        "Reason": None,
    }
    ram["tasks"][task_id] = task
    ram["pending"].append(task_id)
    role["LatestDeletionTask"] = {"DeletionTaskId": task_id, "CreateDate": now}
    return task


def has_due_tasks(data: Dict[str, Any], account_id: str) -> bool:
    ram = _wire.peek_account_part(data, account_id, PART)
    pending = ram.get("pending") or []
    if not pending:
        return False
    now = _wire.now()
    return any(ram["tasks"][tid]["DecideAt"] <= now for tid in pending)


def settle(data: Dict[str, Any], account_id: str) -> None:
    """Decide every task whose time has come (call under the write lock)."""
    if not has_due_tasks(data, account_id):
        return
    ram = part(data, account_id)
    now = _wire.now()
    still = []
    for task_id in ram["pending"]:
        task = ram["tasks"][task_id]
        if task["DecideAt"] > now:
            still.append(task_id)
            continue
        _decide(data, account_id, ram, task)
    ram["pending"] = still


def _decide(data: Dict[str, Any], account_id: str, ram: Dict[str, Any], task: Dict[str, Any]) -> None:
    usages = role_usages(data, account_id, task["ServiceName"])
    key = task["RoleName"].lower()
    if usages:
        task["Status"] = "FAILED"
        task["Reason"] = {
            "Message": (f"Service-Linked Role {role_arn(account_id, task['RoleName'])} cannot be deleted "
                        f"as it is in use by {task['ServiceName']}."),
            "RoleUsages": {"RoleUsage": usages},
        }
        return
    task["Status"] = "SUCCEEDED"
    role = ram["roles"].get(key)
    if role is not None and role["RoleId"] == task["RoleId"]:
        del ram["roles"][key]


def role_usages(data: Dict[str, Any], account_id: str, service: str) -> List[Dict[str, Any]]:
    """``[{Region, Resources: {Resource: [secret ARNs]}}]`` of what keeps the role in use."""
    secret_type = BLOCKING_SECRET_TYPES.get(service)
    if secret_type is None:
        return []
    usages = []
    for region, arns in _secrets.arns_by_region(data, account_id, secret_type):
        if ROLE_USAGE_RESOURCE_LIMIT is not None:
            arns = arns[:ROLE_USAGE_RESOURCE_LIMIT]
        usages.append({"Region": region, "Resources": {"Resource": arns}})
    return usages


def task_status(data: Dict[str, Any], account_id: str, task_id: str) -> Dict[str, Any]:
    task = _wire.peek_account_part(data, account_id, PART).get("tasks", {}).get(task_id)
    if task is None:
        raise _wire.not_found(UNKNOWN_TASK_CODE, f"The deletion task {task_id} does not exist.")
    return task


def settle_for(ctx: RequestContext) -> None:
    """Decide the caller's due deletion tasks, taking the write lock only when one is due."""
    account_id = ctx.identity.account_id
    with ctx.state.read() as data:
        due = has_due_tasks(data, account_id)
    if due:
        with ctx.state.write() as data:
            settle(data, account_id)
