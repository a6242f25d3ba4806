"""STS 2015-04-01: AssumeRole and GetCallerIdentity.

The role of an AssumeRole must exist in the caller's account in the RAM
model (``_roles.get_role``); its trust policy is not evaluated: any caller of
the role's own account may assume it. Cross-account roles are refused.
Temporary credentials carry the caller's permissions (a read-only caller
stays read-only), which is a simplification of session policies.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Dict

from .. import identities
from ..api import ApiError, RequestContext, invalid_parameter, missing_parameter

try:
    from . import _roles
except ImportError:  # pragma: no cover - without a RAM model any role name is accepted
    _roles = None

PRODUCT = "sts"
VERSION = "2015-04-01"

MIN_DURATION = 900
MAX_DURATION = 43200
DEFAULT_DURATION = 3600

_ARN_RE = re.compile(r"^acs:ram::(?P<account>\d+):role/(?P<name>[A-Za-z0-9.\-_]{1,64})$")
_SESSION_RE = re.compile(r"^[A-Za-z0-9.@\-_]{2,64}$")


def assume_role(ctx: RequestContext) -> Dict[str, Any]:
    arn = ctx.params.get("RoleArn")
    session = ctx.params.get("RoleSessionName")
    if not arn:
        raise missing_parameter("RoleArn")
    if not session:
        raise missing_parameter("RoleSessionName")
    match = _ARN_RE.match(arn)
    if not match:
        raise ApiError("InvalidParameter.RoleArn", "The parameter RoleArn is wrong.", 400)
    if not _SESSION_RE.match(session):
        raise ApiError("InvalidParameter.RoleSessionName", "The parameter RoleSessionName is wrong.", 400)
    raw_duration = ctx.params.get("DurationSeconds") or str(DEFAULT_DURATION)
    try:
        duration = int(raw_duration)
    except ValueError:
        raise invalid_parameter("DurationSeconds") from None
    if not MIN_DURATION <= duration <= MAX_DURATION:
        raise ApiError("InvalidParameter.DurationSeconds",
                       f"The Min/Max value of DurationSeconds is {MIN_DURATION}/{MAX_DURATION} seconds, got {duration}.", 400)
    policy = ctx.params.get("Policy")
    if policy:
        try:
            json.loads(policy)
        except ValueError:
            raise ApiError("InvalidParameter.PolicyGrammar", "The parameter Policy has not passed grammar check.", 400) from None

    account_id = match.group("account")
    if account_id != ctx.identity.account_id:
        raise ApiError("NoPermission", "You are not authorized to do this action. You should be authorized by RAM.", 403)
    role_name = match.group("name")
    with ctx.state.write() as data:
        role_id = None
        if _roles is not None:
            role = _roles.get_role(data, account_id, role_name)
            if role is None:
                raise ApiError("EntityNotExist.Role", "The role does not exist.", 404)
            role_name, role_id = role["RoleName"], role["RoleId"]
        if role_id is None:
            role_id = str(int(hashlib.sha256(f"{account_id}/{role_name.lower()}".encode()).hexdigest()[:15], 16))
        assumed_arn = f"acs:ram::{account_id}:assumed-role/{role_name.lower()}/{session}"
        assumed_id = f"{role_id}:{session}"
        creds = identities.issue_temporary(
            data, ctx.identity.access_key_id, duration,
            name=f"sts:{session}", arn=assumed_arn, principal_id=assumed_id, identity_type="AssumedRoleUser",
        )
    return {
        "Credentials": creds,
        "AssumedRoleUser": {"Arn": assumed_arn, "AssumedRoleId": assumed_id},
    }


def get_caller_identity(ctx: RequestContext) -> Dict[str, Any]:
    with ctx.state.read() as data:
        record = dict(identities.lookup(data, ctx.identity.access_key_id) or {})
    identity_type = record.get("identity_type", "RAMUser")
    body = {
        "AccountId": ctx.identity.account_id,
        "Arn": ctx.identity.arn,
        "IdentityType": identity_type,
        "UserId": record.get("user_id", ""),
        "PrincipalId": record.get("principal_id") or record.get("user_id", ""),
    }
    if identity_type == "AssumedRoleUser":
        body["RoleId"] = body["PrincipalId"].split(":", 1)[0]
    return body


ACTIONS = {
    "AssumeRole": assume_role,
    "GetCallerIdentity": get_caller_identity,
}
