"""KMS 2016-01-20: secrets (responses layer). Regional: ``ctx.region`` is the region.

Secret values are never logged nor put into error messages.
"""

from __future__ import annotations

import json
import secrets as _random
import uuid
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List, Optional, Tuple

from ..api import ApiError, RequestContext, State, invalid_parameter
from ..regions import REGIONS
from . import _instances, _kms_views as _views, _roles, _secrets, _wire
from ._slr_templates import ECS_SERVICE

PRODUCT = "kms"
VERSION = "2016-01-20"

MAX_DESCRIPTION = 1024
# RotateSecret / UpdateSecretRotationPolicy on a Generic secret (real code not
# documented here; unsure).
UNSUPPORTED_CODE = "Forbidden.UnsupportedOperation"
# RotateSecret of an ECS secret while the service-linked role is missing
# (real code not documented here; unsure). 403: the service lacks the permission.
NO_ROLE_CODE = "Forbidden.ServiceLinkedRoleNotExist"


# --- plumbing -------------------------------------------------------------

def _region(ctx: RequestContext) -> str:
    if ctx.region not in REGIONS:
        raise ApiError("InvalidRegionId", f"KMS is not available in the region {ctx.region}.", 400)
    return ctx.region


@contextmanager
def _store(ctx: RequestContext, write: bool = False) -> Iterator[Tuple[Dict[str, Any], Dict[str, Any]]]:
    """(data, the region's secret store); takes the write lock only when needed."""
    region, account_id = _region(ctx), ctx.identity.account_id
    if not write:
        with ctx.state.read() as data:
            write = _secrets.purge_due(_secrets.peek_region_store(data, account_id, region))
    if write:
        with ctx.state.write() as data:
            store = _secrets.region_store(data, account_id, region)
            _secrets.purge(store)
            yield data, store
    else:
        with ctx.state.read() as data:
            yield data, _secrets.peek_region_store(data, account_id, region)


def _data_type(ctx: RequestContext) -> str:
    value = _wire.optional(ctx, "SecretDataType", "text")
    if value not in ("text", "binary"):
        raise invalid_parameter("SecretDataType", "It must be text or binary.")
    return value


def _description(ctx: RequestContext) -> Optional[str]:
    value = ctx.params.get("Description")
    if value is not None and len(value) > MAX_DESCRIPTION:
        raise invalid_parameter("Description", f"It must be at most {MAX_DESCRIPTION} characters.")
    return value


# --- regions and creation -------------------------------------------------

def describe_regions(ctx: RequestContext) -> Dict[str, Any]:
    return {"Regions": {"Region": [{"RegionId": r} for r in REGIONS]}}


def _rotation_settings(ctx: RequestContext, managed: bool) -> Tuple[bool, Optional[int]]:
    enabled = _wire.boolean(ctx, "EnableAutomaticRotation", False)
    interval = _secrets.parse_interval(ctx.params.get("RotationInterval"))
    if enabled and not managed:
        raise invalid_parameter("EnableAutomaticRotation", "Generic secrets cannot be rotated automatically.")
    if enabled and interval is None:
        raise invalid_parameter("RotationInterval", "It is required when EnableAutomaticRotation is true.")
    return enabled, interval


def create_secret(ctx: RequestContext) -> Dict[str, Any]:
    region, account_id = _region(ctx), ctx.identity.account_id
    name = _wire.required(ctx, "SecretName")
    value = _wire.required(ctx, "SecretData")
    secret_type = _secrets.normalise_type(_wire.optional(ctx, "SecretType"))
    managed = secret_type in _secrets.MANAGED_TYPES
    # VersionId is documented as required; managed secrets get one generated
    # when it is left out (unsure: the service versions them itself).
    version_id = _wire.optional(ctx, "VersionId") if managed else _wire.required(ctx, "VersionId")
    version_id = version_id or uuid.uuid4().hex
    data_type = _data_type(ctx)
    _secrets.check_name(name, secret_type)
    enabled, interval = _rotation_settings(ctx, managed)
    tags = _secrets.merge_tags([], _secrets.parse_tags(_wire.json_param(ctx, "Tags"), "Tags"))
    description = _description(ctx) or ""
    if secret_type != "ECS":
        config = _wire.json_param(ctx, "ExtendedConfig")
        if config is not None and not isinstance(config, dict):
            raise invalid_parameter("ExtendedConfig", "It must be a JSON object.")
    elif data_type != "text":
        raise invalid_parameter("SecretDataType", "An ECS secret's data type must be text.")
    _roles.settle_for(ctx)
    with ctx.state.write() as data:
        store = _secrets.region_store(data, account_id, region)
        _secrets.purge(store)
        if name in store["secrets"]:
            raise ApiError("Rejected.ResourceExist", f"The secret {name} already exists.", 409)
        if secret_type == "ECS":
            config = _secrets.parse_ecs_config(
                ctx.params.get("ExtendedConfig"), region,
                lambda r, i: _instances.exists(data, account_id, r, i))
            _secrets.check_ecs_data(value, config["SecretSubType"])
        now = _wire.now()
        secret = _secrets.new_secret(
            region, account_id, name, secret_type, now, Description=description,
            DKMSInstanceId=_wire.optional(ctx, "DKMSInstanceId"),
            EncryptionKeyId=_wire.optional(ctx, "EncryptionKeyId"),
            ExtendedConfig=config, AutomaticRotation=enabled, RotationInterval=interval, Tags=tags)
        _secrets.add_version(secret, version_id, value, data_type, ["ACSCurrent"], now)
        if secret_type == "ECS":
            _roles.ensure_service_linked_role(data, account_id, ECS_SERVICE)
        _secrets.insert(store, secret)
        body = {"Arn": secret["Arn"], "SecretName": name, "SecretType": secret_type, "VersionId": version_id}
        body.update(_views.rotation_fields(secret))
        body.update({k: v for k, v in _views.optional_fields(secret).items() if k != "EncryptionKeyId"})
        return body


def seed_ecs_secrets(state: State, account_id: str, region_id: str, count: int,
                     sub_type: str = "Password", prefix: str = "acs/ecs/seed-") -> List[str]:
    """Create ``count`` instances and one ECS secret on each, in one write (control API, tests)."""
    if sub_type not in ("Password", "SSHKey"):
        raise invalid_parameter("SecretSubType", "It must be Password or SSHKey.")
    with state.write() as data:
        store = _secrets.region_store(data, account_id, region_id)
        instance_ids = _instances.add_instances(data, account_id, region_id, count)
        now = _wire.now()
        names: List[str] = []
        n = len(store["secrets"])
        for instance_id in instance_ids:
            while f"{prefix}{n:05d}" in store["secrets"]:
                n += 1
            name = f"{prefix}{n:05d}"
            n += 1
            config = {"SecretSubType": sub_type, "RegionId": region_id, "InstanceId": instance_id}
            secret = _secrets.new_secret(region_id, account_id, name, "ECS", now, ExtendedConfig=config,
                                         Description="Seeded ECS secret")
            secret["Versions"]["v1"] = {"VersionId": "v1", "SecretData": _new_ecs_value(sub_type, "root"),
                                        "SecretDataType": "text", "CreateTime": now, "Stages": ["ACSCurrent"]}
            store["secrets"][name] = secret
            names.append(name)
        store["names"].extend(names)
        store["names"].sort()
        _secrets.touch(store)
        if names:
            _roles.ensure_service_linked_role(data, account_id, ECS_SERVICE)
        return names


def _new_ecs_value(sub_type: str, user: str) -> str:
    if sub_type == "Password":
        return json.dumps({"UserName": user, "Password": _random.token_urlsafe(18)})
    key = _random.token_hex(16)
    return json.dumps({"UserName": user, "PublicKey": f"ssh-ed25519 AAAA{key} emulator",
                       "PrivateKey": f"-----BEGIN OPENSSH PRIVATE KEY-----\n{key}\n-----END OPENSSH PRIVATE KEY-----\n"})


# --- reading --------------------------------------------------------------

def describe_secret(ctx: RequestContext) -> Dict[str, Any]:
    name = _wire.required(ctx, "SecretName")
    fetch_tags = _wire.boolean(ctx, "FetchTags", False)
    with _store(ctx) as (_data, store):
        return _views.describe_view(_secrets.lookup(store, name), fetch_tags)


def list_secrets(ctx: RequestContext) -> Dict[str, Any]:
    fetch_tags = _wire.boolean(ctx, "FetchTags", False)
    filters = _secrets.parse_filters(_wire.json_param(ctx, "Filters"))
    number = _wire.integer(ctx, "PageNumber", 1, 1)
    size = _wire.integer(ctx, "PageSize", 10, 1, 100)
    with _store(ctx) as (_data, store):
        total, chosen = _secrets.page(store, filters, number, size)
        return {"PageNumber": number, "PageSize": size, "TotalCount": total,
                "SecretList": {"Secret": [_views.list_view(s, fetch_tags) for s in chosen]}}


def get_secret_value(ctx: RequestContext) -> Dict[str, Any]:
    name = _wire.required(ctx, "SecretName")
    stage = _wire.optional(ctx, "VersionStage")
    version_id = _wire.optional(ctx, "VersionId")
    fetch_config = _wire.boolean(ctx, "FetchExtendedConfig", False)
    with _store(ctx) as (_data, store):
        secret = _secrets.lookup(store, name)
        _secrets.ensure_not_pending(secret)
        if secret["SecretType"] == "ECS" and stage is not None and stage not in _secrets.ECS_STAGES:
            raise invalid_parameter("VersionStage", "An ECS secret can only be read at ACSCurrent or ACSPrevious.")
        version = _secrets.version_for(secret, version_id, stage)
        if secret["SecretType"] == "ECS" and not set(version["Stages"]) & set(_secrets.ECS_STAGES):
            raise invalid_parameter("VersionId", "An ECS secret can only be read at ACSCurrent or ACSPrevious.")
        body = {"SecretName": name, "SecretType": secret["SecretType"], "SecretData": version["SecretData"],
                "SecretDataType": version["SecretDataType"], "VersionId": version["VersionId"],
                "VersionStages": _views.stages_view(version["Stages"]), "CreateTime": _wire.iso(version["CreateTime"])}
        body.update(_views.rotation_fields(secret))
        if fetch_config and secret["ExtendedConfig"] is not None:
            body["ExtendedConfig"] = json.dumps(secret["ExtendedConfig"])
        return body


def list_secret_version_ids(ctx: RequestContext) -> Dict[str, Any]:
    name = _wire.required(ctx, "SecretName")
    deprecated = _wire.boolean(ctx, "IncludeDeprecated", False)
    number = _wire.integer(ctx, "PageNumber", 1, 1)
    size = _wire.integer(ctx, "PageSize", 10, 1, 100)
    with _store(ctx) as (_data, store):
        secret = _secrets.lookup(store, name)
        versions = [v for v in secret["Versions"].values() if deprecated or v["Stages"]]
        versions.sort(key=lambda v: v["CreateTime"])  # stable: insertion order breaks ties
        start = (number - 1) * size
        return {"SecretName": name, "PageNumber": number, "PageSize": size, "TotalCount": len(versions),
                "VersionIds": {"VersionId": [
                    {"VersionId": v["VersionId"], "CreateTime": _wire.iso(v["CreateTime"]),
                     "VersionStages": _views.stages_view(v["Stages"])} for v in versions[start:start + size]]}}


# --- changing -------------------------------------------------------------

def delete_secret(ctx: RequestContext) -> Dict[str, Any]:
    name = _wire.required(ctx, "SecretName")
    force = _wire.boolean(ctx, "ForceDeleteWithoutRecovery", False)
    days = _wire.integer(ctx, "RecoveryWindowInDays", 30, 7, 30)
    with _store(ctx, write=True) as (_data, store):
        secret = _secrets.lookup(store, name)
        now = _wire.now()
        if force:
            # Force works on a scheduled secret too: it ends the recovery window now.
            _secrets.remove(store, name)
            return {"SecretName": name, "PlannedDeleteTime": _wire.iso(now)}
        _secrets.ensure_not_pending(secret)
        planned = now + days * 86400
        secret["PlannedDeleteTime"] = planned
        store["pending"][name] = planned
        return {"SecretName": name, "PlannedDeleteTime": _wire.iso(planned)}


def restore_secret(ctx: RequestContext) -> Dict[str, Any]:
    """Restoring a secret that is not scheduled for deletion succeeds and changes
    nothing (unsure: the real service may refuse it; idempotent is the safe reading)."""
    name = _wire.required(ctx, "SecretName")
    with _store(ctx, write=True) as (_data, store):
        secret = _secrets.lookup(store, name)
        secret["PlannedDeleteTime"] = None
        store["pending"].pop(name, None)
        return {"SecretName": name}


def _managed(secret: Dict[str, Any], action: str) -> None:
    if secret["SecretType"] not in _secrets.MANAGED_TYPES:
        raise ApiError(UNSUPPORTED_CODE, f"{action} is not supported for a Generic secret.", 403)


def rotate_secret(ctx: RequestContext) -> Dict[str, Any]:
    name = _wire.required(ctx, "SecretName")
    version_id = _wire.required(ctx, "VersionId")
    _roles.settle_for(ctx)
    with _store(ctx, write=True) as (data, store):
        secret = _secrets.lookup(store, name)
        _secrets.ensure_not_pending(secret)
        _managed(secret, "RotateSecret")
        current = _secrets.version_for(secret, None, "ACSCurrent")
        value = current["SecretData"]
        if secret["SecretType"] == "ECS":
            role_name = _roles.role_name_for(ECS_SERVICE)
            if _roles.get_role(data, ctx.identity.account_id, role_name) is None:
                raise ApiError(NO_ROLE_CODE, f"The service-linked role {role_name} does not exist, so Secrets Manager "
                               "cannot rotate ECS secrets. Create it with CreateServiceLinkedRole.", 403)
            user = json.loads(value).get("UserName", "root")
            value = _new_ecs_value(secret["ExtendedConfig"]["SecretSubType"], user)
        now = _wire.now()
        _secrets.add_version(secret, version_id, value, current["SecretDataType"], ["ACSCurrent"], now)
        secret["LastRotationDate"] = now
        return {"Arn": secret["Arn"], "SecretName": name, "VersionId": version_id}


def update_secret_rotation_policy(ctx: RequestContext) -> Dict[str, Any]:
    name = _wire.required(ctx, "SecretName")
    _wire.required(ctx, "EnableAutomaticRotation")
    enabled, interval = _rotation_settings(ctx, managed=True)
    with _store(ctx, write=True) as (_data, store):
        secret = _secrets.lookup(store, name)
        _managed(secret, "UpdateSecretRotationPolicy")
        secret["AutomaticRotation"] = enabled
        if interval is not None:
            secret["RotationInterval"] = interval
        secret["UpdateTime"] = _wire.now()
        return {"SecretName": name}


def put_secret_value(ctx: RequestContext) -> Dict[str, Any]:
    name = _wire.required(ctx, "SecretName")
    version_id = _wire.required(ctx, "VersionId")
    value = _wire.required(ctx, "SecretData")
    data_type = _data_type(ctx)
    stages = _wire.string_list(ctx, "VersionStages") or ["ACSCurrent"]
    with _store(ctx, write=True) as (_data, store):
        secret = _secrets.lookup(store, name)
        _secrets.ensure_not_pending(secret)
        if secret["SecretType"] == "ECS":
            _secrets.check_ecs_data(value, secret["ExtendedConfig"]["SecretSubType"])
            if not set(stages) <= set(_secrets.ECS_STAGES):
                raise invalid_parameter("VersionStages", "An ECS secret only has ACSCurrent and ACSPrevious.")
        _secrets.add_version(secret, version_id, value, data_type, stages, _wire.now())
        return {"SecretName": name, "VersionId": version_id,
                "VersionStages": _views.stages_view(secret["Versions"][version_id]["Stages"])}


def update_secret_version_stage(ctx: RequestContext) -> Dict[str, Any]:
    name = _wire.required(ctx, "SecretName")
    stage = _wire.required(ctx, "VersionStage")
    remove_from = _wire.optional(ctx, "RemoveFromVersion")
    move_to = _wire.optional(ctx, "MoveToVersion")
    if not remove_from and not move_to:
        raise invalid_parameter("MoveToVersion", "Give MoveToVersion, RemoveFromVersion, or both.")
    with _store(ctx, write=True) as (_data, store):
        secret = _secrets.lookup(store, name)
        _secrets.ensure_not_pending(secret)
        versions = secret["Versions"]
        for vid in (remove_from, move_to):
            if vid and vid not in versions:
                raise _wire.not_found("Forbidden.ResourceNotFound", f"The secret version {vid} does not exist.")
        if remove_from and stage not in versions[remove_from]["Stages"]:
            raise invalid_parameter("RemoveFromVersion", f"The version does not hold the stage {stage}.")
        for version in versions.values():
            if stage in version["Stages"]:
                version["Stages"].remove(stage)
        if move_to:
            versions[move_to]["Stages"].append(stage)
        secret["UpdateTime"] = _wire.now()
        return {"SecretName": name}


def update_secret(ctx: RequestContext) -> Dict[str, Any]:
    """Description, and an ECS secret's CustomData (``ExtendedConfig.CustomData.<key>``
    as the SDK flattens it, or ``ExtendedConfig`` as JSON ``{"CustomData": {...}}``)."""
    name = _wire.required(ctx, "SecretName")
    description = _description(ctx)
    custom = {k[len("ExtendedConfig.CustomData."):]: v for k, v in ctx.params.items()
              if k.startswith("ExtendedConfig.CustomData.")}
    config = _wire.json_param(ctx, "ExtendedConfig")
    if isinstance(config, dict) and isinstance(config.get("CustomData"), dict):
        custom.update(config["CustomData"])
    if len(custom) > _secrets.MAX_CUSTOM_DATA:
        raise invalid_parameter("ExtendedConfig", f"CustomData holds at most {_secrets.MAX_CUSTOM_DATA} pairs.")
    with _store(ctx, write=True) as (_data, store):
        secret = _secrets.lookup(store, name)
        if description is not None:
            secret["Description"] = description
        if custom:
            if secret["ExtendedConfig"] is None:
                raise invalid_parameter("ExtendedConfig", "The secret has no extended configuration.")
            secret["ExtendedConfig"]["CustomData"] = custom
        secret["UpdateTime"] = _wire.now()
        return {"SecretName": name}


def _tag_target(ctx: RequestContext) -> str:
    if _wire.optional(ctx, "KeyId") or _wire.optional(ctx, "CertificateId"):
        raise invalid_parameter("KeyId", "The emulator only tags secrets: give SecretName.")
    return _wire.required(ctx, "SecretName")


def tag_resource(ctx: RequestContext) -> Dict[str, Any]:
    name = _tag_target(ctx)
    _wire.required(ctx, "Tags")
    tags = _secrets.parse_tags(_wire.json_param(ctx, "Tags"), "Tags")
    with _store(ctx, write=True) as (_data, store):
        secret = _secrets.lookup(store, name)
        secret["Tags"] = _secrets.merge_tags(secret["Tags"], tags)
        return {}


def untag_resource(ctx: RequestContext) -> Dict[str, Any]:
    name = _tag_target(ctx)
    _wire.required(ctx, "TagKeys")
    keys = set(_wire.string_list(ctx, "TagKeys") or [])
    with _store(ctx, write=True) as (_data, store):
        secret = _secrets.lookup(store, name)
        secret["Tags"] = [t for t in secret["Tags"] if t["TagKey"] not in keys]
        return {}


ACTIONS = {
    "DescribeRegions": describe_regions,
    "CreateSecret": create_secret,
    "DescribeSecret": describe_secret,
    "ListSecrets": list_secrets,
    "GetSecretValue": get_secret_value,
    "ListSecretVersionIds": list_secret_version_ids,
    "DeleteSecret": delete_secret,
    "RestoreSecret": restore_secret,
    "RotateSecret": rotate_secret,
    "UpdateSecretRotationPolicy": update_secret_rotation_policy,
    "PutSecretValue": put_secret_value,
    "UpdateSecretVersionStage": update_secret_version_stage,
    "UpdateSecret": update_secret,
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
}
