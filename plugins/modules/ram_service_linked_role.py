#!/usr/bin/python
# Copyright: (c) 2026, alicloud.kms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ram_service_linked_role
short_description: Ensure that a RAM service-linked role exists, or delete it once nothing uses it
version_added: 0.1.0
description:
  - Creates or deletes the RAM service-linked role of an Alibaba Cloud service, for example
    the role C(AliyunServiceRoleForKMSSecretsManagerForECS) that KMS Secrets Manager uses to
    rotate the passwords and SSH keys of ECS instances (dynamic ECS secrets).
  - The role's name comes from the service's template (C(GetServiceLinkedRoleTemplate)), so
    any service that has service-linked roles can be managed, not only KMS.
  - A deletion is an asynchronous task in which the service checks that nothing uses the role
    any more; the module follows it (C(GetServiceLinkedRoleDeletionStatus) of ResourceManager)
    and, when the role is still in use, fails with the resources that use it, region by region.
  - A role of the same name that is not the service's service-linked role is never touched.
author:
  - alicloud.kms contributors (!UNKNOWN)
options:
  service_name:
    description:
      - The service whose service-linked role is managed, for example
        V(secretsmanager-ecs.kms.aliyuncs.com).
    type: str
    required: true
  custom_suffix:
    description:
      - The suffix of the role's name, C(<prefix>_<suffix>), for services that allow several
        service-linked roles. Letters, digits, periods and hyphens.
      - Services that allow a single role refuse it.
    type: str
  description:
    description:
      - The description of a role that this module creates. Services that allow a single role
        may preset their own.
      - The description of an existing service-linked role cannot be changed; when it differs,
        the module warns and changes nothing.
    type: str
  state:
    description:
      - V(present) creates the role when it is missing; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description:
      - With O(state=absent), follow the deletion task until the service decides; without it
        the module returns the task's ID as soon as the deletion is requested.
      - With O(state=present), wait until C(GetRole) sees a role that was just created.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds O(wait) waits at most before the task fails. At least 1.
    type: int
    default: 300
extends_documentation_fragment:
  - alicloud.kms.alicloud
attributes:
  check_mode:
    description: Only reads; returns the same C(changed), RV(role) and diff that a real run would.
    support: full
  diff_mode:
    description: C(before) and C(after) are the role as in RV(role), or C({}) when there is none.
    support: full
notes:
  - The role of KMS Secrets Manager for ECS also appears by itself with the first dynamic ECS
    secret of the account, and can be deleted only once no dynamic ECS secret is left in any
    region, including secrets scheduled for deletion.
  - RAM is global; O(region) is not needed.
seealso:
  - name: Service-linked roles
    description: What service-linked roles are, in the RAM documentation.
    link: https://www.alibabacloud.com/help/en/ram/user-guide/service-linked-roles
"""

EXAMPLES = r"""
- name: Let KMS Secrets Manager rotate ECS passwords and SSH keys
  alicloud.kms.ram_service_linked_role:
    service_name: secretsmanager-ecs.kms.aliyuncs.com
    state: present

- name: Retire the role once no dynamic ECS secret is left
  alicloud.kms.ram_service_linked_role:
    service_name: secretsmanager-ecs.kms.aliyuncs.com
    state: absent
    wait_timeout: 120
  register: retired

- name: Show what still uses the role when the deletion was refused
  alicloud.kms.ram_service_linked_role:
    service_name: secretsmanager-ecs.kms.aliyuncs.com
    state: absent
  register: attempt
  ignore_errors: true

- name: List the regions and secrets that block it
  ansible.builtin.debug:
    msg: "{{ item.region }}: {{ item.resources | join(', ') }}"
  loop: "{{ attempt.role_usages | default([]) }}"

- name: Start the deletion without waiting for its verdict
  alicloud.kms.ram_service_linked_role:
    service_name: secretsmanager-ecs.kms.aliyuncs.com
    state: absent
    wait: false
  register: deletion

- name: A second role of a service that allows several, with credentials set once
  module_defaults:
    group/alicloud.kms.alicloud:
      profile: automation
  block:
    - name: Create the role with a suffix
      alicloud.kms.ram_service_linked_role:
        service_name: ops.elasticsearch.aliyuncs.com
        custom_suffix: search-prod
        description: Elasticsearch cluster search-prod
"""

RETURN = r"""
service_name:
  description: The service, as given.
  returned: always
  type: str
  sample: secretsmanager-ecs.kms.aliyuncs.com
role_name:
  description: The role's name, from the service's template (and O(custom_suffix)).
  returned: when the service's template could be read
  type: str
  sample: AliyunServiceRoleForKMSSecretsManagerForECS
role:
  description:
    - The role after the task, or C({}) when there is none.
    - In check mode, when the role would be created, the values the service chooses (ID, ARN,
      dates, trust policy) are left out.
    - With O(state=absent) and O(wait=false), the role, which still exists until the deletion
      task ends.
  returned: success
  type: dict
  contains:
    role_name:
      description: The role's name.
      type: str
      sample: AliyunServiceRoleForKMSSecretsManagerForECS
    role_id:
      description: The role's ID.
      type: str
      sample: "324378162337445523"
    arn:
      description: The role's ARN.
      type: str
      sample: acs:ram::1234567890123456:role/aliyunserviceroleforkmssecretsmanagerforecs
    description:
      description: The role's description.
      type: str
      sample: KMS Secrets Manager will use this role to access ECS resources to rotate ECS secrets.
    create_date:
      description: When the role was created (UTC).
      type: str
      sample: "2026-01-12T08:30:05Z"
    is_service_linked_role:
      description: Whether the role is a service-linked role; always true for a role this module returns.
      type: bool
      sample: true
    assume_role_policy_document:
      description: The trust policy, parsed; it lets the service's principal assume the role.
      type: dict
      sample:
        Version: "1"
        Statement:
          - Action: sts:AssumeRole
            Effect: Allow
            Principal:
              Service: [secretsmanager-ecs.kms.aliyuncs.com]
    attached_policies:
      description: The policies attached to the role.
      type: list
      elements: dict
      contains:
        policy_name:
          description: The policy's name.
          type: str
          sample: AliyunServiceRolePolicyForKMSSecretsManagerForECS
        policy_type:
          description: V(System) or V(Custom).
          type: str
          sample: System
        default_version:
          description: The policy's default version; not predicted in check mode.
          type: str
          sample: v1
        attach_date:
          description: When the policy was attached (UTC); not predicted in check mode.
          type: str
          sample: "2026-01-12T08:30:05Z"
    policy_document:
      description:
        - The document of the service's system policy attached to the role (its default
          version), parsed; left out when the caller may not read it.
      type: dict
      returned: when the system policy is attached and can be read
      sample:
        Version: "1"
        Statement:
          - Effect: Allow
            Action: [ecs:DescribeInstances, ecs:InvokeCommand, ecs:DescribeInvocationResults]
            Resource: ["acs:ecs:*:*:instance/*", "acs:ecs:*:*:command/cmd-ACS-KMS-RotateECSSecret*"]
deletion_task_id:
  description: The ID of the deletion task this run started.
  returned: when a deletion was requested (not in check mode)
  type: str
  sample: task/acs-service-role/secretsmanager-ecs.kms.aliyuncs.com/AliyunServiceRoleForKMSSecretsManagerForECS/2f0e5d3c-1b1a-4c59-9b8e-0c2f6e7d8a91
deletion_task:
  description: The deletion task as last seen.
  returned: when a deletion was requested (not in check mode)
  type: dict
  contains:
    deletion_task_id:
      description: The task's ID.
      type: str
      sample: task/acs-service-role/secretsmanager-ecs.kms.aliyuncs.com/AliyunServiceRoleForKMSSecretsManagerForECS/2f0e5d3c-1b1a-4c59-9b8e-0c2f6e7d8a91
    status:
      description:
        - V(SUCCEEDED), V(FAILED), V(INTERNAL_ERROR), V(IN_PROGRESS) or V(NOT_STARTED).
        - V(null) with O(wait=false), as the task was not followed.
      type: str
      sample: SUCCEEDED
    reason:
      description: Why the task failed, or V(null).
      type: dict
      contains:
        message:
          description: The service's explanation.
          type: str
          sample: >-
            Service-Linked Role acs:ram::1234567890123456:role/aliyunserviceroleforkmssecretsmanagerforecs
            cannot be deleted as it is in use by secretsmanager-ecs.kms.aliyuncs.com.
        role_usages:
          description: Same as RV(role_usages).
          type: list
          elements: dict
role_usages:
  description: The resources that still use the role, region by region, when its deletion failed.
  returned: when a deletion task failed
  type: list
  elements: dict
  contains:
    region:
      description: The region.
      type: str
      sample: cn-shanghai
    resources:
      description: The resources (for KMS, secret ARNs) that use the role in that region.
      type: list
      elements: str
      sample: ["acs:kms:cn-shanghai:1234567890123456:secret/acs/ecs/web-1/root"]
"""

from ansible_collections.alicloud.kms.plugins.module_utils import ram
from ansible_collections.alicloud.kms.plugins.module_utils.alicloud import AlicloudModule
from ansible_collections.alicloud.kms.plugins.module_utils.errors import CREDENTIAL_CODES, AlicloudError

ARGUMENT_SPEC = dict(
    service_name=dict(type="str", required=True),
    custom_suffix=dict(type="str"),
    description=dict(type="str"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=300),
)


def ensure_present(module, template, name, raw):
    """Returns (changed, role); creates the role when it is missing."""
    connection, params = module.connection, module.params
    if raw is not None:
        role = ram.describe_role(connection, raw, template)
        warn_description(module, role)
        return False, role
    if module.check_mode:
        return True, ram.predicted_role(connection, template, name, params["description"])
    created, raw = ram.create_role(connection, params["service_name"], params["custom_suffix"], params["description"])
    if params["wait"] or raw is None:
        # Without a role in the answer (another run created it) we must read it, so we wait for it too.
        raw = ram.wait_visible(connection, name, params["wait_timeout"])
    if not created:
        # Another run created it between our read and our write: make sure it is the service's.
        ram.check_ownership(raw, params["service_name"])
    role = ram.describe_role(connection, raw, template)
    warn_description(module, role)
    return created, role


def warn_description(module, role):
    wanted = module.params["description"]
    if wanted and role.get("description") != wanted:
        module.warn("description: the role %s keeps its description %r; the description of a service-linked "
                    "role cannot be changed" % (role["role_name"], role.get("description")))


def ensure_absent(module, template, name, raw, result):
    """Returns (changed, role); deletes the role, following the task when asked."""
    connection, params = module.connection, module.params
    if raw is None:
        return False, {}
    before = ram.describe_role(connection, raw, template)
    # Also what a failed deletion reports: the role is still there.
    result["diff"]["before"] = result["role"] = before
    # Until the task ends the role still exists: without waiting, it is what the run leaves.
    remaining = {} if params["wait"] else before
    if module.check_mode:
        return True, remaining
    task_id = ram.delete_role(connection, name)
    if task_id is None:  # deleted by someone else since we read it: this run changed nothing
        result["diff"]["before"] = {}
        return False, {}
    result["deletion_task_id"] = task_id
    result["deletion_task"] = {"deletion_task_id": task_id, "status": None, "reason": None}
    if params["wait"]:
        result["deletion_task"] = ram.wait_deleted(connection, name, params["service_name"], task_id,
                                                   params["wait_timeout"])
    return True, remaining


def run(module):
    params = module.params
    result = dict(changed=False, service_name=params["service_name"], diff=dict(before={}, after={}))
    try:
        template = ram.get_template(module.connection, params["service_name"])
    except AlicloudError as error:
        # Only an answer about the service itself is blamed on service_name; bad credentials,
        # refused permissions or an unavailable service are reported as they are.
        about_service = not (error.is_permission or error.is_retryable or error.code in CREDENTIAL_CODES)
        module.fail_on_error(error, msg="service_name: cannot read the service-linked role template of %s"
                             % params["service_name"] if about_service else None, **result)
    try:
        name = result["role_name"] = ram.role_name(template, params["custom_suffix"])
        raw = ram.get_role_raw(module.connection, name)
        if raw is not None:
            ram.check_ownership(raw, params["service_name"])
        if params["state"] == "present":
            result["changed"], result["role"] = ensure_present(module, template, name, raw)
            result["diff"]["before"] = {} if result["changed"] else result["role"]
        else:
            result["changed"], result["role"] = ensure_absent(module, template, name, raw, result)
        result["diff"]["after"] = result["role"] if params["state"] == "present" else {}
    except ram.RamError as error:
        result.update(error.result)
        module.fail_json(msg=error.message, **result)
    except AlicloudError as error:
        module.fail_on_error(error, **result)
    module.exit_json(**result)


def main():
    module = AlicloudModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    problem = ram.validate_params(module.params)
    if problem:
        module.fail_json(msg=problem)
    module.run(run)


if __name__ == "__main__":
    main()
