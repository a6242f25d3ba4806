# Copyright: (c) 2026, alicloud.kms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One dynamic ECS secret: validation, planning and the KMS writes behind ``kms_ecs_secret``.

The work is split so each part can be tested alone:

* ``validate_params`` / ``validate_for_create`` / ``check_immutable`` answer
  "what is wrong with this task" with a message that names the option, and
  run before any write;
* ``plan_update`` compares the secret as ``DescribeSecret`` shows it with
  the task and returns only what differs, as values (``7d`` is ``604800s``);
* ``ensure_present`` / ``ensure_absent`` read, plan, and (unless in check
  mode) write, and return the result the module exits with.

The secret value (password or key pair) is only ever put into the
``SecretData`` of ``CreateSecret``; it is never read back, compared,
returned, or put into a message.
"""

from __future__ import annotations

import copy
import json
import re
import time

from ansible_collections.alicloud.kms.plugins.module_utils.alicloud import MissingSDKError
from ansible_collections.alicloud.kms.plugins.module_utils.errors import AlicloudError
from ansible_collections.alicloud.kms.plugins.module_utils.kms import describe_secret, kms_models
from ansible_collections.alicloud.kms.plugins.module_utils.ram import RamError, get_role_raw, get_template
from ansible_collections.alicloud.kms.plugins.module_utils.ram import role_name as slr_role_name

ECS_PREFIX = "acs/ecs/"
MAX_NAME = 192
MAX_CUSTOM_DATA = 10
MAX_EXTENDED_CONFIG = 1024
MAX_TAGS = 20
MAX_TAG_LENGTH = 128
MIN_ROTATION = 6 * 3600
MAX_ROTATION = 8760 * 3600
MIN_RECOVERY_DAYS = 7
MAX_RECOVERY_DAYS = 30
SUB_TYPES = ("Password", "SSHKey")
# The first version's ID; a new secret has no other version to collide with.
INITIAL_VERSION_ID = "v1"
# The one fixed fact about the role: its service. Its name comes from
# GetServiceLinkedRoleTemplate (ALICLOUD_API.md: never a table in a module).
ECS_SECRETS_SERVICE = "secretsmanager-ecs.kms.aliyuncs.com"

_NAME_RE = re.compile(r"^[A-Za-z0-9_/+=.@\-]+$")
_INTERVAL_RE = re.compile(r"^\s*(\d+)\s*([dhms])\s*$")
_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class InvalidTask(Exception):
    """The task asks for something the secret as it exists cannot give; the message names the option."""


# --- rotation intervals ---------------------------------------------------

def interval_to_seconds(value):
    """``7d`` / ``168h`` / ``10080m`` / ``604800s`` (or a number of seconds) -> int; None if unreadable.

    Used on values the service returns, so it is lenient and never raises.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    match = _INTERVAL_RE.match(str(value))
    # Python refuses to convert integers of more than 4300 digits; no interval has 19.
    if not match or len(match.group(1).lstrip("0")) > 18:
        return None
    return int(match.group(1)) * _UNITS[match.group(2)]


def parse_interval(text, option="rotation_interval"):
    """A task's rotation interval -> seconds; ``ValueError`` naming ``option`` when it is not allowed."""
    seconds = interval_to_seconds(text) if isinstance(text, str) else None
    if seconds is None:
        raise ValueError("%s: %r is not a number followed by d, h, m or s (for example 30d, 720h or 604800s)"
                         % (option, text))
    if not MIN_ROTATION <= seconds <= MAX_ROTATION:
        raise ValueError("%s: %s is %d seconds; it must be between 6h and 8760h (%d to %d seconds)"
                         % (option, text.strip(), seconds, MIN_ROTATION, MAX_ROTATION))
    return seconds


def format_interval(seconds):
    """Seconds in the form DescribeSecret returns them, so a result reads the same before and after."""
    return "%ds" % seconds


def desired_rotation(params):
    """``(enabled, seconds)`` the task asks for; ``(None, None)`` leaves the rotation policy alone.

    A ``rotation_interval`` without ``enable_automatic_rotation`` asks for
    rotation at that interval: an interval cannot be stored while rotation is
    off, so there is no other useful reading.
    """
    enabled = params.get("enable_automatic_rotation")
    interval = params.get("rotation_interval")
    if enabled is None and interval is None:
        return None, None
    if enabled is False:
        return False, None
    return True, parse_interval(interval)


# --- validation -----------------------------------------------------------

def normalize_tags(tags):
    """Tag values are strings to the API: ``{"n": 1}`` is the tag ``n=1``."""
    if tags is None:
        return None
    return {str(k): "" if v is None else str(v) for k, v in tags.items()}


def extended_config(region, instance_id, sub_type, custom_data):
    """The ExtendedConfig of CreateSecret, as a dict (the SDK serialises it)."""
    config = {"SecretSubType": sub_type, "RegionId": region, "InstanceId": instance_id}
    if custom_data:
        config["CustomData"] = custom_data
    return config


def extended_config_length(config):
    # The SDK's own serialisation (compact, not ASCII-escaped): what the 1024 limit is measured on.
    return len(json.dumps(config, ensure_ascii=False, separators=(",", ":")))


def validate_params(params):
    """The first problem with the task's options that needs no cloud call to see, or None."""
    name = params.get("name") or ""
    if not name.startswith(ECS_PREFIX) or name == ECS_PREFIX:
        return "name: %r must start with %s and name the secret after it" % (name, ECS_PREFIX)
    if len(name) > MAX_NAME:
        return "name: is %d characters; at most %d are allowed" % (len(name), MAX_NAME)
    if not _NAME_RE.match(name):
        return "name: %r may only hold letters, digits and _/+=.@-" % name
    for option in ("instance_id", "username", "encryption_key_id", "dkms_instance_id"):
        if params.get(option) == "":
            return "%s: must not be empty" % option

    state = params.get("state") or "present"
    window = params.get("recovery_window_in_days")
    if window is not None and not MIN_RECOVERY_DAYS <= window <= MAX_RECOVERY_DAYS:
        return "recovery_window_in_days: must be between %d and %d, got %d" % (MIN_RECOVERY_DAYS, MAX_RECOVERY_DAYS, window)
    if window is not None and params.get("force_delete"):
        return "recovery_window_in_days: cannot be combined with force_delete: true (there is no recovery)"
    if state == "present" and (window is not None or params.get("force_delete")):
        return "recovery_window_in_days, force_delete: only apply to state=absent"

    problem = _validate_credentials(params)
    if problem:
        return problem

    if params.get("enable_automatic_rotation") and params.get("rotation_interval") is None:
        return "enable_automatic_rotation: true needs rotation_interval (for example 30d)"
    if params.get("rotation_interval") is not None:
        try:
            parse_interval(params["rotation_interval"])
        except ValueError as exc:
            return str(exc)

    custom = params.get("custom_data")
    if custom is not None and len(custom) > MAX_CUSTOM_DATA:
        return "custom_data: has %d pairs; at most %d are allowed" % (len(custom), MAX_CUSTOM_DATA)
    config = extended_config(params.get("region") or "", params.get("instance_id") or "",
                             params.get("secret_sub_type") or "", custom)
    length = extended_config_length(config)
    if length > MAX_EXTENDED_CONFIG:
        return ("custom_data: the extended configuration (instance, sub type, region and custom_data as JSON) "
                "would be %d characters; at most %d are allowed" % (length, MAX_EXTENDED_CONFIG))

    return _validate_tags(params.get("tags"))


def _validate_credentials(params):
    """Password secrets take a password, SSH key secrets a key pair; never both."""
    password = params.get("password")
    keys = [k for k in ("public_key", "private_key") if params.get(k) is not None]
    sub_type = params.get("secret_sub_type")
    if password is not None and keys:
        return "password: cannot be given together with %s" % " and ".join(keys)
    if len(keys) == 1:
        missing = "private_key" if keys == ["public_key"] else "public_key"
        return "%s: must be given together with %s" % (keys[0], missing)
    if sub_type == "Password" and keys:
        return "public_key, private_key: secret_sub_type Password takes a password, not a key pair"
    if sub_type == "SSHKey" and password is not None:
        return "password: secret_sub_type SSHKey takes public_key and private_key, not a password"
    for option in ["password"] + keys:
        if params.get(option) == "":
            return "%s: must not be empty" % option
    return None


def _validate_tags(tags):
    if tags is None:
        return None
    if len(tags) > MAX_TAGS:
        return "tags: has %d tags; a secret can have at most %d" % (len(tags), MAX_TAGS)
    for key, value in normalize_tags(tags).items():
        if not key or len(key) > MAX_TAG_LENGTH:
            return "tags: the key %r must be 1 to %d characters" % (key, MAX_TAG_LENGTH)
        if key.lower().startswith(("aliyun", "acs:")):
            return "tags: the key %r may not start with aliyun or acs:" % key
        if len(value) > MAX_TAG_LENGTH:
            return "tags: the value of %r is longer than %d characters" % (key, MAX_TAG_LENGTH)
    return None


def validate_for_create(params):
    """What creating the secret needs beyond ``validate_params``, or None."""
    missing = [o for o in ("instance_id", "secret_sub_type", "username") if not params.get(o)]
    sub_type = params.get("secret_sub_type")
    if sub_type == "Password" and params.get("password") is None:
        missing.append("password")
    if sub_type == "SSHKey" and params.get("public_key") is None:
        missing.extend(["public_key", "private_key"])
    if missing:
        return "%s: required to create %s, which does not exist in %s" % (
            ", ".join(missing), params["name"], params.get("region"))
    return None


def check_immutable(current, params):
    """Fail clearly when the task asks to change what an ECS secret cannot change after creation."""
    name = current.get("secret_name")
    if current.get("secret_type") and current["secret_type"] != "ECS":
        return "name: %s is a %s secret, not an ECS secret" % (name, current["secret_type"])
    for option, field in (("instance_id", "instance_id"), ("secret_sub_type", "secret_sub_type"),
                          ("encryption_key_id", "encryption_key_id"), ("dkms_instance_id", "dkms_instance_id")):
        wanted, have = params.get(option), current.get(field)
        # An attribute the service does not report cannot be compared; only a known difference fails.
        if wanted is not None and have and wanted != have:
            return ("%s: %s has %s %s and it cannot change after creation (wanted %s); "
                    "delete the secret and create it again to change it" % (option, name, option, have, wanted))
    return None


# --- planning -------------------------------------------------------------

def is_enabled(automatic_rotation):
    return str(automatic_rotation).lower() in ("enabled", "true")


def plan_update(current, params):
    """What to change on an existing secret: a dict with only the keys that differ.

    Keys: ``restore`` (True), ``description`` (str), ``custom_data`` (dict),
    ``rotation`` ((enabled, seconds)), ``tags_add`` ({k: v}), ``tags_remove`` ([k]).
    """
    plan = {}
    if current.get("planned_delete_time"):
        plan["restore"] = True

    description = params.get("description")
    if description is not None and description != (current.get("description") or ""):
        plan["description"] = description

    custom = params.get("custom_data")
    if custom is not None and custom != (current.get("custom_data") or {}):
        plan["custom_data"] = custom

    enabled, seconds = desired_rotation(params)
    if enabled is not None:
        have_enabled = is_enabled(current.get("automatic_rotation"))
        if enabled != have_enabled or (enabled and seconds != interval_to_seconds(current.get("rotation_interval"))):
            plan["rotation"] = (enabled, seconds)

    tags = normalize_tags(params.get("tags"))
    if tags is not None:
        have = current.get("tags") or {}
        add = {k: v for k, v in tags.items() if have.get(k) != v}
        remove = sorted(k for k in have if k not in tags)
        if add:
            plan["tags_add"] = add
        if remove:
            plan["tags_remove"] = remove
    return plan


def changes_of(plan):
    """The names of what a plan changes, for the ``changes`` result."""
    names = {"restore": "restored", "description": "description", "custom_data": "custom_data",
             "rotation": "rotation_policy", "tags_add": "tags", "tags_remove": "tags"}
    seen = []
    for key in ("restore", "description", "custom_data", "rotation", "tags_add", "tags_remove"):
        if key in plan and names[key] not in seen:
            seen.append(names[key])
    return seen


def predict(current, plan):
    """The secret as it will read after ``plan``: the check-mode result and diff."""
    after = copy.deepcopy(current)
    if plan.get("restore"):
        after["planned_delete_time"] = None
    if "description" in plan:
        after["description"] = plan["description"]
    if "custom_data" in plan:
        after["custom_data"] = dict(plan["custom_data"])
    if "rotation" in plan:
        enabled, seconds = plan["rotation"]
        after["automatic_rotation"] = "Enabled" if enabled else "Disabled"
        if enabled:
            after["rotation_interval"] = format_interval(seconds)
    if "tags_add" in plan or "tags_remove" in plan:
        tags = dict(after.get("tags") or {})
        for key in plan.get("tags_remove", []):
            tags.pop(key, None)
        tags.update(plan.get("tags_add", {}))
        after["tags"] = tags
    return after


def predict_created(params):
    """The secret a create will make, in the shape of ``normalize_secret`` (unknowns None)."""
    enabled, seconds = desired_rotation(params)
    return {
        "secret_name": params["name"], "region_id": params["region"], "arn": None, "secret_type": "ECS",
        "secret_sub_type": params["secret_sub_type"], "instance_id": params["instance_id"],
        "description": params.get("description") or "", "create_time": None, "update_time": None,
        "planned_delete_time": None, "automatic_rotation": "Enabled" if enabled else "Disabled",
        "rotation_interval": format_interval(seconds) if enabled else None,
        "last_rotation_date": None, "next_rotation_date": None,
        "encryption_key_id": params.get("encryption_key_id"), "dkms_instance_id": params.get("dkms_instance_id"),
        "tags": normalize_tags(params.get("tags")) or {}, "custom_data": dict(params.get("custom_data") or {}),
    }


def secret_data(params):
    """The first version's value as CreateSecret wants it. Never logged, never returned."""
    data = {"UserName": params["username"]}
    if params["secret_sub_type"] == "Password":
        data["Password"] = params["password"]
    else:
        data["PublicKey"] = params["public_key"]
        data["PrivateKey"] = params["private_key"]
    return json.dumps(data)


# --- KMS writes -----------------------------------------------------------

def create_secret(connection, params):
    models = kms_models()
    enabled, seconds = desired_rotation(params)
    tags = normalize_tags(params.get("tags"))
    request = models.CreateSecretRequest(
        secret_name=params["name"],
        secret_type="ECS",
        secret_data=secret_data(params),
        secret_data_type="text",
        version_id=INITIAL_VERSION_ID,
        extended_config=extended_config(params["region"], params["instance_id"], params["secret_sub_type"],
                                        params.get("custom_data")),
        description=params.get("description"),
        enable_automatic_rotation=bool(enabled),
        rotation_interval=format_interval(seconds) if enabled else None,
        encryption_key_id=params.get("encryption_key_id"),
        dkmsinstance_id=params.get("dkms_instance_id"),
        tags=json.dumps([{"TagKey": k, "TagValue": v} for k, v in sorted(tags.items())]) if tags else None,
    )
    return connection.call("kms", "CreateSecret", request, region=params["region"])


def apply_update(connection, region, name, plan):
    """Carry out ``plan`` on the secret; restore first, since a secret pending deletion refuses changes."""
    models = kms_models()
    if plan.get("restore"):
        connection.call("kms", "RestoreSecret", models.RestoreSecretRequest(secret_name=name), region=region)
    if "description" in plan or "custom_data" in plan:
        request = models.UpdateSecretRequest(secret_name=name, description=plan.get("description"))
        if "custom_data" in plan:
            request.extended_config = models.UpdateSecretRequestExtendedConfig(custom_data=plan["custom_data"])
        connection.call("kms", "UpdateSecret", request, region=region)
    if "rotation" in plan:
        enabled, seconds = plan["rotation"]
        request = models.UpdateSecretRotationPolicyRequest(
            secret_name=name, enable_automatic_rotation=enabled,
            rotation_interval=format_interval(seconds) if enabled else None)
        connection.call("kms", "UpdateSecretRotationPolicy", request, region=region)
    # Untag before tagging, so replacing tags never passes through more than MAX_TAGS.
    if plan.get("tags_remove"):
        request = models.UntagResourceRequest(secret_name=name, tag_keys=json.dumps(plan["tags_remove"]))
        connection.call("kms", "UntagResource", request, region=region)
    if plan.get("tags_add"):
        tags = [{"TagKey": k, "TagValue": v} for k, v in sorted(plan["tags_add"].items())]
        request = models.TagResourceRequest(secret_name=name, tags=json.dumps(tags))
        connection.call("kms", "TagResource", request, region=region)


def delete_secret(connection, region, name, force=False, recovery_window_in_days=None):
    """DeleteSecret; the body (``PlannedDeleteTime`` when a recovery window applies)."""
    request = kms_models().DeleteSecretRequest(
        secret_name=name,
        force_delete_without_recovery="true" if force else None,
        recovery_window_in_days=str(recovery_window_in_days) if recovery_window_in_days and not force else None,
    )
    return connection.call("kms", "DeleteSecret", request, region=region)


# --- the service-linked role ----------------------------------------------

def service_linked_role_name(connection):
    """The name of the ECS secrets' service-linked role, from its template; None when RAM cannot tell us."""
    try:
        return slr_role_name(get_template(connection, ECS_SECRETS_SERVICE))
    except (AlicloudError, MissingSDKError, RamError):
        return None


def service_linked_role_exists(connection, name):
    """True, False, or None when we cannot tell.

    Callers that may manage KMS but not read RAM get None, never a failure:
    this is information, not the task's purpose.
    """
    if name is None:
        return None
    try:
        return get_role_raw(connection, name) is not None
    except (AlicloudError, MissingSDKError):
        return None


def role_created(before, after):
    """True when the role was missing before and exists after; None when that cannot be told.

    Missing both before and after reads as "unknown", not "no": the service
    creates the role with the first ECS secret, so a role still missing is
    more likely RAM's reads lagging behind than a role that will not come.
    """
    if before is None or after is None or (before is False and after is False):
        return None
    return (not before) and after


# --- the module's two states ----------------------------------------------

def ensure_present(connection, params, check_mode):
    region, name = params["region"], params["name"]
    current = describe_secret(connection, region, name)
    if current is None:
        return _create(connection, params, check_mode)
    return _update(connection, params, check_mode, current)


def _update(connection, params, check_mode, current):
    region, name = params["region"], params["name"]
    problem = check_immutable(current, params)
    if problem:
        raise InvalidTask(problem)
    if current.get("planned_delete_time") and not params.get("restore", True):
        raise InvalidTask("restore: %s is scheduled for deletion on %s; set restore: true to restore it"
                          % (name, current["planned_delete_time"]))
    plan = plan_update(current, params)
    if plan.get("custom_data") == {}:
        # UpdateSecret sends CustomData as flattened keys: an empty mapping sends nothing at all.
        raise InvalidTask("custom_data: the KMS API cannot remove every custom_data pair of an existing secret; "
                          "leave custom_data out, or give the pairs it should hold")
    result = {"changed": bool(plan), "changes": changes_of(plan), "service_linked_role_created": False}
    if not plan:
        after = current
    elif check_mode:
        after = predict(current, plan)
    else:
        apply_update(connection, region, name, plan)
        after = describe_secret(connection, region, name) or predict(current, plan)
    result["secret"] = after
    result["diff"] = {"before": current, "after": after}
    return result


def _create(connection, params, check_mode):
    problem = validate_for_create(params)
    if problem:
        raise InvalidTask(problem)
    # RAM reads only on this path: one for the role's name, one GetRole before and one after.
    role_name = service_linked_role_name(connection)
    role_before = service_linked_role_exists(connection, role_name)
    result = {"changed": True, "changes": ["created"]}
    if check_mode:
        after = predict_created(params)
        # The role appears with the first ECS secret: a missing role now would be created.
        result["service_linked_role_created"] = None if role_before is None else not role_before
    else:
        try:
            create_secret(connection, params)
        except AlicloudError as error:
            current = describe_secret(connection, params["region"], params["name"]) if error.is_already_exists else None
            if current is None:
                raise
            # Created meanwhile, by a parallel run or by our own retried call whose answer was lost:
            # the secret is there, so make it what the task asks, as for any existing secret.
            return _update(connection, params, check_mode, current)
        after = describe_secret(connection, params["region"], params["name"]) or predict_created(params)
        role_after = service_linked_role_exists(connection, role_name) if role_before is False else role_before
        result["service_linked_role_created"] = role_created(role_before, role_after)
    result["secret"] = after
    result["diff"] = {"before": {}, "after": after}
    return result


def ensure_absent(connection, params, check_mode, now=time.time):
    region, name = params["region"], params["name"]
    force = bool(params.get("force_delete"))
    current = describe_secret(connection, region, name)
    # A secret already scheduled for deletion is absent enough, unless it must go now.
    if current is None or (current.get("planned_delete_time") and not force):
        return {"changed": False, "changes": [], "secret": current,
                "diff": {"before": current or {}, "after": current or {}}}
    window = params.get("recovery_window_in_days")
    if force:
        after = None
        if not check_mode:
            delete_secret(connection, region, name, force=True)
    else:
        after = copy.deepcopy(current)
        if check_mode:
            # An estimate: the service fixes the time when it receives the call.
            days = window or MAX_RECOVERY_DAYS
            after["planned_delete_time"] = time.strftime(_TIME_FORMAT, time.gmtime(now() + days * 86400))
        else:
            body = delete_secret(connection, region, name, recovery_window_in_days=window)
            after = describe_secret(connection, region, name) or after
            after["planned_delete_time"] = after.get("planned_delete_time") or body.get("PlannedDeleteTime")
    return {"changed": True, "changes": ["deleted" if force else "scheduled_for_deletion"], "secret": after,
            "diff": {"before": current, "after": after or {}}}
