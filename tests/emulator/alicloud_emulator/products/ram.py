"""RAM 2015-05-01: service-linked roles, roles and system policies (responses layer)."""

from __future__ import annotations

import base64
import json
from typing import Any, Dict

from ..api import RequestContext, State, invalid_parameter
from . import _roles, _wire
from ._slr_templates import POLICY_CREATE_DATE

PRODUCT = "ram"
VERSION = "2015-05-01"

MAX_ITEMS_DEFAULT = 100
MAX_ITEMS_LIMIT = 1000


def create_plain_role(state: State, account_id: str, role_name: str) -> Dict[str, Any]:
    """An ordinary role (not service-linked); used by the control API and by tests."""
    with state.write() as data:
        return role_view(_roles.create_plain_role(data, account_id, role_name), detail=True)


# --- views ---------------------------------------------------------------

def role_view(role: Dict[str, Any], detail: bool = False) -> Dict[str, Any]:
    view = {
        "Arn": role["Arn"],
        "AssumeRolePolicyDocument": role["AssumeRolePolicyDocument"],
        "CreateDate": _wire.iso(role["CreateDate"]),
        "Description": role["Description"],
        "IsServiceLinkedRole": role["IsServiceLinkedRole"],
        "RoleId": role["RoleId"],
        "RoleName": role["RoleName"],
        "RolePrincipalName": role["RolePrincipalName"],
    }
    if detail:
        view["AllowConsoleLogin"] = False
        view["MaxSessionDuration"] = role["MaxSessionDuration"]
        view["UpdateDate"] = _wire.iso(role["UpdateDate"])
        latest = role.get("LatestDeletionTask")
        if latest:
            view["LatestDeletionTask"] = {"DeletionTaskId": latest["DeletionTaskId"],
                                          "CreateDate": _wire.iso(latest["CreateDate"])}
    return view


def _list_view(role: Dict[str, Any]) -> Dict[str, Any]:
    return {
        "AllowConsoleLogin": False,
        "Arn": role["Arn"],
        "CreateDate": _wire.iso(role["CreateDate"]),
        "Description": role["Description"],
        "MaxSessionDuration": role["MaxSessionDuration"],
        "RoleId": role["RoleId"],
        "RoleName": role["RoleName"],
        "UpdateDate": _wire.iso(role["UpdateDate"]),
        "Tags": {"Tag": []},
    }


# --- service-linked roles (shared with ResourceManager) ---------------------

def create_service_linked_role(ctx: RequestContext) -> Dict[str, Any]:
    service = _wire.required(ctx, "ServiceName")
    suffix = _wire.optional(ctx, "CustomSuffix")
    description = _wire.optional(ctx, "Description")
    with ctx.state.write() as data:
        _roles.settle(data, ctx.identity.account_id)
        role = _roles.create_service_linked_role(data, ctx.identity.account_id, service, suffix, description)
        return {"Role": role_view(role)}


def delete_service_linked_role(ctx: RequestContext) -> Dict[str, Any]:
    name = _wire.required(ctx, "RoleName")
    delay = ctx.settings.get("deletion_task_ms", _roles.DEFAULT_DELETION_TASK_MS)
    with ctx.state.write() as data:
        task = _roles.start_deletion(data, ctx.identity.account_id, name, delay)
        return {"DeletionTaskId": task["DeletionTaskId"]}


def get_service_linked_role_template(ctx: RequestContext) -> Dict[str, Any]:
    tpl = _roles.template(_wire.required(ctx, "ServiceName"))
    return {"ServiceLinkedRoleTemplate": json.loads(json.dumps(tpl))}


# --- roles ------------------------------------------------------------------

def get_role(ctx: RequestContext) -> Dict[str, Any]:
    name = _wire.required(ctx, "RoleName")
    _roles.settle_for(ctx)
    with ctx.state.read() as data:
        return {"Role": role_view(_roles.require_role(data, ctx.identity.account_id, name), detail=True)}


def _marker(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


def _unmarker(marker: str) -> str:
    try:
        return base64.urlsafe_b64decode(marker.encode()).decode()
    except ValueError:
        raise invalid_parameter("Marker") from None


def list_roles(ctx: RequestContext) -> Dict[str, Any]:
    """Roles ordered by lowercased name; ``Marker`` is the last name returned, encoded."""
    max_items = _wire.integer(ctx, "MaxItems", MAX_ITEMS_DEFAULT, 1, MAX_ITEMS_LIMIT)
    marker = _wire.optional(ctx, "Marker")
    after = _unmarker(marker) if marker else None
    _roles.settle_for(ctx)
    with ctx.state.read() as data:
        roles = _wire.peek_account_part(data, ctx.identity.account_id, _roles.PART).get("roles", {})
        keys = sorted(k for k in roles if after is None or k > after)
        chosen = keys[:max_items]
        body: Dict[str, Any] = {"IsTruncated": len(keys) > max_items,
                                "Roles": {"Role": [_list_view(roles[k]) for k in chosen]}}
        if body["IsTruncated"]:
            body["Marker"] = _marker(chosen[-1])
        return body


def list_policies_for_role(ctx: RequestContext) -> Dict[str, Any]:
    name = _wire.required(ctx, "RoleName")
    _roles.settle_for(ctx)
    with ctx.state.read() as data:
        role = _roles.require_role(data, ctx.identity.account_id, name)
        policies = []
        for attached in role["Policies"]:
            policy = _roles.system_policy(attached["PolicyName"]) or {}
            policies.append({
                "AttachDate": _wire.iso(attached["AttachDate"]),
                "DefaultVersion": policy.get("DefaultVersion", "v1"),
                "Description": policy.get("Description", ""),
                "PolicyName": attached["PolicyName"],
                "PolicyType": attached["PolicyType"],
            })
        return {"Policies": {"Policy": policies}}


# --- policies -------------------------------------------------------------

def _policy(ctx: RequestContext) -> Dict[str, Any]:
    name = _wire.required(ctx, "PolicyName")
    policy_type = _wire.required(ctx, "PolicyType")
    if policy_type not in ("System", "Custom"):
        raise invalid_parameter("PolicyType", "It must be System or Custom.")
    policy = _roles.system_policy(name) if policy_type == "System" else None
    if policy is None:
        raise _wire.not_found("EntityNotExist.Policy", f"The policy {name} does not exist.")
    return policy


def _version_view(policy: Dict[str, Any], version_id: str) -> Dict[str, Any]:
    return {
        "CreateDate": POLICY_CREATE_DATE,
        "IsDefaultVersion": version_id == policy["DefaultVersion"],
        "PolicyDocument": json.dumps(policy["Versions"][version_id]),
        "VersionId": version_id,
    }


def get_policy(ctx: RequestContext) -> Dict[str, Any]:
    policy = _policy(ctx)
    name = ctx.params["PolicyName"]
    with ctx.state.read() as data:
        roles = _wire.peek_account_part(data, ctx.identity.account_id, _roles.PART).get("roles", {})
        count = sum(1 for r in roles.values() for p in r["Policies"] if p["PolicyName"] == name)
    default = _version_view(policy, policy["DefaultVersion"])
    return {
        "Policy": {
            "AttachmentCount": count,
            "CreateDate": POLICY_CREATE_DATE,
            "DefaultVersion": policy["DefaultVersion"],
            "Description": policy["Description"],
            "PolicyDocument": default["PolicyDocument"],
            "PolicyName": name,
            "PolicyType": "System",
            "UpdateDate": POLICY_CREATE_DATE,
        },
        "DefaultPolicyVersion": default,
    }


def get_policy_version(ctx: RequestContext) -> Dict[str, Any]:
    policy = _policy(ctx)
    version_id = _wire.required(ctx, "VersionId")
    if version_id not in policy["Versions"]:
        raise _wire.not_found("EntityNotExist.PolicyVersion", f"The policy version {version_id} does not exist.")
    return {"PolicyVersion": _version_view(policy, version_id)}


ACTIONS = {
    "CreateServiceLinkedRole": create_service_linked_role,
    "DeleteServiceLinkedRole": delete_service_linked_role,
    "GetServiceLinkedRoleTemplate": get_service_linked_role_template,
    "GetRole": get_role,
    "ListRoles": list_roles,
    "ListPoliciesForRole": list_policies_for_role,
    "GetPolicy": get_policy,
    "GetPolicyVersion": get_policy_version,
}
