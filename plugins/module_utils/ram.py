# Copyright: (c) 2026, alicloud.kms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""RAM service-linked roles: name from the service's template, read, create, delete, wait.

Pure functions over an ``AlicloudConnection`` (anything with
``call(product, action, request, region=None)``), so tests replace the cloud
with a fake. Every result is the snake_case shape modules return. Which role
belongs to a service is only ever learned from ``GetServiceLinkedRoleTemplate``:
there is no table of role names here.

RAM has no call that tells how a deletion task ended; ResourceManager's
``GetServiceLinkedRoleDeletionStatus`` does, and it answers for the tasks that
RAM's ``DeleteServiceLinkedRole`` starts (one service behind both APIs).
"""

from __future__ import annotations

import json
import re
import time

from ansible_collections.alicloud.kms.plugins.module_utils.alicloud import call_or_none, import_sdk
from ansible_collections.alicloud.kms.plugins.module_utils.errors import AlicloudError

# A service name is a host name such as secretsmanager-ecs.kms.aliyuncs.com.
SERVICE_NAME_PATTERN = re.compile(r"^(?=.{3,128}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")
# What RAM accepts in CustomSuffix: letters, digits, periods and hyphens.
SUFFIX_PATTERN = re.compile(r"^[A-Za-z0-9.-]{1,64}$")
MAX_ROLE_NAME = 64
MAX_DESCRIPTION = 1024

FINAL_FAILURES = ("FAILED", "INTERNAL_ERROR")
SUCCEEDED = "SUCCEEDED"

# Polling of waits: start short (most tasks end within a second), back off to a cap.
POLL_FIRST = 0.5
POLL_FACTOR = 1.5
POLL_CAP = 5.0


class RamError(Exception):
    """A problem that is not an API error: bad input, a role that is not ours, a failed or late task.

    ``result`` holds what the task returns beside ``msg`` (``role_usages``...).
    """

    def __init__(self, message, **result):
        super().__init__(message)
        self.message = message
        self.result = result


def ram_models():
    return import_sdk("alibabacloud_ram20150501.models", "alibabacloud-ram20150501")


def resourcemanager_models():
    return import_sdk("alibabacloud_resourcemanager20200331.models", "alibabacloud-resourcemanager20200331")


# --- input --------------------------------------------------------------------

def validate_params(params):
    """The first problem with the module's own options, or None. No API call is made."""
    service = params.get("service_name")
    if not service or not service.strip():
        return "service_name: must not be empty"
    if not SERVICE_NAME_PATTERN.match(service):
        return ("service_name: %r is not a service name; it is a lowercase host name such as "
                "secretsmanager-ecs.kms.aliyuncs.com" % service)
    suffix = params.get("custom_suffix")
    if suffix is not None and not SUFFIX_PATTERN.match(suffix):
        return ("custom_suffix: %r may only hold letters, digits, periods and hyphens "
                "(1 to 64 characters)" % suffix)
    description = params.get("description")
    if description is not None and len(description) > MAX_DESCRIPTION:
        return "description: must be at most %d characters, got %d" % (MAX_DESCRIPTION, len(description))
    timeout = params.get("wait_timeout")
    if timeout is not None and timeout < 1:
        return "wait_timeout: must be at least 1 second, got %d" % timeout
    return None


# --- template -> name -----------------------------------------------------------

def get_template(connection, service_name):
    """The ``ServiceLinkedRoleTemplate`` of the service (PascalCase dict)."""
    request = ram_models().GetServiceLinkedRoleTemplateRequest(service_name=service_name)
    body = connection.call("ram", "GetServiceLinkedRoleTemplate", request)
    return body.get("ServiceLinkedRoleTemplate") or {}


def role_name(template, custom_suffix=None):
    """``RoleNamePrefix``, plus ``_<suffix>`` for services that allow several roles."""
    prefix = template.get("RoleNamePrefix")
    service = template.get("ServiceName")
    if not prefix:
        raise RamError("service_name: the template of %s names no role" % service)
    if not custom_suffix:
        return prefix
    if not template.get("MultipleRolesAllowed"):
        raise RamError("custom_suffix: the service %s allows a single service-linked role (%s), "
                       "so it takes no suffix" % (service, prefix))
    name = "%s_%s" % (prefix, custom_suffix)
    if len(name) > MAX_ROLE_NAME:
        raise RamError("custom_suffix: the role name %s would be %d characters; RAM allows %d"
                       % (name, len(name), MAX_ROLE_NAME))
    return name


def template_description(template, language="en"):
    """The description the service presets for its role, in ``language`` when it has one."""
    entries = (template.get("RoleDescriptions") or {}).get("RoleDescription") or []
    for entry in entries:
        if entry.get("Language") == language:
            return entry.get("Description")
    return entries[0].get("Description") if entries else None


# --- reading --------------------------------------------------------------------

def parse_json(text):
    """A policy document as a dict; what does not parse is kept as it came."""
    if isinstance(text, dict) or not text:
        return text or None
    try:
        return json.loads(text)
    except ValueError:
        return text


def trusted_services(role):
    """The service principals that the role's trust policy lets assume it."""
    document = parse_json(role.get("AssumeRolePolicyDocument"))
    services = set()
    if not isinstance(document, dict):
        return services
    for statement in document.get("Statement") or []:
        principal = statement.get("Principal") if isinstance(statement, dict) else None
        value = principal.get("Service") if isinstance(principal, dict) else None
        services.update([value] if isinstance(value, str) else (value or []))
    return services


def get_role_raw(connection, name):
    """``GetRole``'s ``Role`` (PascalCase), or None when there is no such role."""
    body = call_or_none(connection, "ram", "GetRole", ram_models().GetRoleRequest(role_name=name))
    return (body or {}).get("Role") or None


def list_attached_policies(connection, name):
    body = connection.call("ram", "ListPoliciesForRole", ram_models().ListPoliciesForRoleRequest(role_name=name))
    policies = (body.get("Policies") or {}).get("Policy") or []
    return [{
        "policy_name": policy.get("PolicyName"),
        "policy_type": policy.get("PolicyType"),
        "default_version": policy.get("DefaultVersion"),
        "attach_date": policy.get("AttachDate"),
    } for policy in policies]


def get_policy_document(connection, policy_name, policy_type="System"):
    """The default version's document of a policy, parsed; None when it cannot be read.

    The document is extra information: an identity that may read the role but
    not the policy still gets the role, without it.
    """
    request = ram_models().GetPolicyRequest(policy_name=policy_name, policy_type=policy_type)
    try:
        body = connection.call("ram", "GetPolicy", request)
    except AlicloudError as error:
        if error.is_missing or error.is_permission:
            return None
        raise
    version = body.get("DefaultPolicyVersion") or {}
    return parse_json(version.get("PolicyDocument") or (body.get("Policy") or {}).get("PolicyDocument"))


def normalize_role(raw, attached_policies=None, policy_document=None):
    """A ``GetRole`` / ``CreateServiceLinkedRole`` role as the module returns it."""
    role = {
        "role_name": raw.get("RoleName"),
        "role_id": raw.get("RoleId"),
        "arn": raw.get("Arn"),
        "description": raw.get("Description"),
        "create_date": raw.get("CreateDate"),
        "is_service_linked_role": bool(raw.get("IsServiceLinkedRole")),
        "assume_role_policy_document": parse_json(raw.get("AssumeRolePolicyDocument")),
        "attached_policies": attached_policies or [],
    }
    if policy_document is not None:
        role["policy_document"] = policy_document
    return role


def check_ownership(raw, service_name):
    """Refuse a role of this name that is not the service's service-linked role."""
    name = raw.get("RoleName")
    if not raw.get("IsServiceLinkedRole"):
        raise RamError("The role %s exists but is not a service-linked role, so it is not the role of %s; "
                       "nothing was changed. Rename or delete that role first." % (name, service_name))
    services = trusted_services(raw)
    # A trust policy without any service principal says nothing either way; one that
    # names other services only is the role of those.
    if services and service_name not in services:
        raise RamError("The role %s is the service-linked role of %s, not of %s; nothing was changed."
                       % (name, ", ".join(sorted(services)), service_name))


def describe_role(connection, raw, template):
    """The full role: attributes, attached policies and the system policy's document."""
    policies = list_attached_policies(connection, raw["RoleName"])
    system = template.get("SystemPolicyName")
    document = None
    if system and any(p["policy_name"] == system for p in policies):
        document = get_policy_document(connection, system)
    return normalize_role(raw, policies, document)


def predicted_role(connection, template, name, description=None):
    """What a creation would return, for check mode; what cannot be known is left out.

    The ID, ARN (needs the account), dates and trust document are the
    service's to choose. A caller's description is kept only by services that
    allow several roles (the others preset theirs), so it is predicted only there.
    """
    role = {"role_name": name, "is_service_linked_role": True}
    if not description:
        role["description"] = template_description(template)
    elif template.get("MultipleRolesAllowed"):
        role["description"] = description
    system = template.get("SystemPolicyName")
    role["attached_policies"] = [{"policy_name": system, "policy_type": "System"}] if system else []
    if system:
        document = get_policy_document(connection, system)
        if document is not None:
            role["policy_document"] = document
    return role


# --- writing ----------------------------------------------------------------------

def create_role(connection, service_name, custom_suffix=None, description=None):
    """``CreateServiceLinkedRole``; returns ``(created, raw role or None)``.

    "Already exists" means another run created it between our read and this
    write: the role is there, and this run did not change anything.
    """
    request = ram_models().CreateServiceLinkedRoleRequest(
        service_name=service_name, custom_suffix=custom_suffix or None, description=description or None)
    try:
        body = connection.call("ram", "CreateServiceLinkedRole", request)
    except AlicloudError as error:
        if error.is_already_exists:
            return False, None
        raise
    return True, body.get("Role") or None


def delete_role(connection, name):
    """``DeleteServiceLinkedRole``: the deletion task's ID, or None when the role is already gone."""
    request = ram_models().DeleteServiceLinkedRoleRequest(role_name=name)
    body = call_or_none(connection, "ram", "DeleteServiceLinkedRole", request)
    return None if body is None else body.get("DeletionTaskId")


def normalize_usages(reason):
    """``Reason.RoleUsages.RoleUsage`` -> ``[{region, resources}]``."""
    usages = ((reason or {}).get("RoleUsages") or {}).get("RoleUsage") or []
    return [{
        "region": usage.get("Region"),
        "resources": list((usage.get("Resources") or {}).get("Resource") or []),
    } for usage in usages]


def get_deletion_status(connection, task_id):
    """The task as ``{deletion_task_id, status, reason: {message, role_usages} or None}``."""
    request = resourcemanager_models().GetServiceLinkedRoleDeletionStatusRequest(deletion_task_id=task_id)
    body = connection.call("resourcemanager", "GetServiceLinkedRoleDeletionStatus", request)
    reason = body.get("Reason")
    return {
        "deletion_task_id": task_id,
        "status": body.get("Status"),
        "reason": {"message": reason.get("Message"), "role_usages": normalize_usages(reason)} if reason else None,
    }


# --- waiting ----------------------------------------------------------------------

def poll(check, timeout, sleep=None, clock=None):
    """Call ``check()`` until it returns something other than None, or ``timeout`` seconds pass.

    Returns ``(value, done)``; on timeout ``value`` is the last ``None``.
    Pauses start at POLL_FIRST and grow to POLL_CAP, never past the deadline.
    """
    sleep = sleep or time.sleep  # looked up at call time, so tests can replace the clock
    clock = clock or time.monotonic
    deadline = clock() + timeout
    pause = POLL_FIRST
    while True:
        value = check()
        if value is not None:
            return value, True
        left = deadline - clock()
        if left <= 0:
            return None, False
        sleep(min(pause, left))
        pause = min(POLL_CAP, pause * POLL_FACTOR)


def wait_visible(connection, name, timeout, sleep=None, clock=None):
    """The raw role once ``GetRole`` sees it (RAM is eventually consistent after a create)."""
    raw, done = poll(lambda: get_role_raw(connection, name), timeout, sleep, clock)
    if not done:
        raise RamError("The role %s was created but GetRole did not see it within %d seconds" % (name, timeout),
                       changed=True)
    return raw


def describe_usages(usages):
    """``cn-shanghai: secret-a, secret-b; eu-central-1: ...``: region by region."""
    return "; ".join("%s: %s" % (u["region"], ", ".join(u["resources"]) or "(resources not listed)")
                     for u in usages)


def wait_deleted(connection, name, service_name, task_id, timeout, sleep=None, clock=None):
    """Follow the deletion task to its verdict; the final task on success, RamError otherwise."""
    last = {}

    def check():
        task = get_deletion_status(connection, task_id)
        last.update(task)
        if task["status"] == SUCCEEDED or task["status"] in FINAL_FAILURES:
            return task
        return None

    task, done = poll(check, timeout, sleep, clock)
    if not done:
        raise RamError("The deletion of the role %s (service %s) did not finish within %d seconds; "
                       "the task %s was still %s" % (name, service_name, timeout, task_id, last.get("status")),
                       changed=True, deletion_task_id=task_id, deletion_task=dict(last))
    if task["status"] == SUCCEEDED:
        return task
    reason = task["reason"] or {}
    usages = reason.get("role_usages") or []
    message = "Could not delete the role %s of the service %s: the deletion task %s ended %s" % (
        name, service_name, task_id, task["status"])
    if usages:
        message += "; it is still in use by %s" % describe_usages(usages)
    if reason.get("message"):
        message += " (%s)" % reason["message"]
    # The role was not deleted, so nothing changed even though a task was started.
    raise RamError(message, changed=False, deletion_task_id=task_id, deletion_task=task, role_usages=usages)
