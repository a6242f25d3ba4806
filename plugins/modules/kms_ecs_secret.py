#!/usr/bin/python
# Copyright: (c) 2026, alicloud.kms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: kms_ecs_secret
short_description: Create, update and delete a dynamic ECS secret of KMS Secrets Manager
version_added: 0.1.0
description:
  - Manages one dynamic ECS secret (a KMS secret of type C(ECS)), that is the password or SSH key
    pair of a user of an ECS instance, which KMS Secrets Manager rotates on the instance.
  - Creating the first ECS secret of an account makes the service-linked role
    C(AliyunServiceRoleForKMSSecretsManagerForECS) appear; the result says so in
    RV(service_linked_role_created).
  - Only what differs is changed. An option left out leaves that attribute of an existing
    secret alone. What cannot change after creation (O(instance_id), O(secret_sub_type),
    O(encryption_key_id), O(dkms_instance_id)) fails the task when it differs, instead of
    silently staying different.
  - The secret value (O(password), O(public_key), O(private_key)) is sent only when the
    secret is created, as its first version. It is never read back, compared or returned;
    KMS rotates it from then on, so a different value on a later run changes nothing.
author:
  - alicloud.kms contributors (!UNKNOWN)
options:
  name:
    description:
      - The secret's name. It must start with C(acs/ecs/) and be at most 192 characters of
        letters, digits and C(_/+=.@-).
    type: str
    required: true
    aliases: [secret_name]
  state:
    description:
      - V(present) creates the secret, or updates it to match the task; a secret scheduled for
        deletion is restored first (see O(restore)).
      - V(absent) schedules the secret for deletion after O(recovery_window_in_days), or deletes it
        at once with O(force_delete). A secret already scheduled for deletion is left as it is
        unless O(force_delete=true).
    type: str
    choices: [present, absent]
    default: present
  instance_id:
    description:
      - The ECS instance, in the module's O(region), whose user the secret holds.
      - Required to create the secret; cannot change afterwards.
    type: str
  secret_sub_type:
    description:
      - V(Password) for a password, V(SSHKey) for an SSH key pair.
      - Required to create the secret; cannot change afterwards.
    type: str
    choices: [Password, SSHKey]
  username:
    description:
      - The user on the instance whose password or key pair the secret holds.
      - Required to create the secret; only used then.
    type: str
  password:
    description:
      - The first password, for O(secret_sub_type=Password). Only used to create the secret.
      - Never logged or returned.
    type: str
  public_key:
    description:
      - The first public key, for O(secret_sub_type=SSHKey), with O(private_key). Only used to create the secret.
      - Never logged or returned.
    type: str
  private_key:
    description:
      - The first private key, for O(secret_sub_type=SSHKey), with O(public_key). Only used to create the secret.
      - Never logged or returned.
    type: str
  custom_data:
    description:
      - Custom key/value data kept in the secret's extended configuration, at most 10 pairs.
      - When given, the secret's custom data is made exactly this. The extended configuration
        as a whole (instance, sub type, region and this) is at most 1024 characters of JSON.
      - The KMS API cannot empty the custom data of an existing secret, so V({}) on a secret
        that has some fails.
    type: dict
  description:
    description:
      - The secret's description.
    type: str
  tags:
    description:
      - The secret's tags. When given, the secret has exactly these tags; others are removed.
        V({}) removes every tag. At most 20; values are strings.
    type: dict
  encryption_key_id:
    description:
      - The KMS key that encrypts the secret value; the service's default key when not set.
      - Only used to create the secret; a different key than the existing secret's fails.
    type: str
  dkms_instance_id:
    description:
      - The KMS instance that holds the secret.
      - Only used to create the secret; a different instance than the existing secret's fails.
    type: str
  enable_automatic_rotation:
    description:
      - Whether KMS rotates the secret automatically every O(rotation_interval).
      - V(true) needs O(rotation_interval). Left out, O(rotation_interval) alone turns rotation on.
    type: bool
  rotation_interval:
    description:
      - How often the secret is rotated, as a number followed by C(d), C(h), C(m) or C(s), for
        example V(30d), V(720h) or V(604800s); between 6 hours and 8760 hours.
      - Compared by value, so V(7d) and V(604800s) are the same interval.
      - Ignored when O(enable_automatic_rotation=false).
    type: str
  recovery_window_in_days:
    description:
      - For O(state=absent), the days (7 to 30) during which the deleted secret can still be
        restored. The service's default, 30, when not set.
      - Cannot be combined with O(force_delete=true).
    type: int
  force_delete:
    description:
      - For O(state=absent), delete the secret at once, without a recovery window.
    type: bool
    default: false
  restore:
    description:
      - For O(state=present), restore a secret that is scheduled for deletion.
      - With V(false), such a secret fails the task instead.
    type: bool
    default: true
extends_documentation_fragment:
  - alicloud.kms.alicloud
attributes:
  check_mode:
    support: full
    description: Makes only read calls, and returns the predicted secret and diff.
  diff_mode:
    support: full
    description: Shows the secret's attributes before and after; never its value.
notes:
  - The module works in one region, O(region), which it requires.
  - RV(service_linked_role_created) costs three RAM reads when a secret is created (the role's
    name from its template, then C(GetRole) before and after), and none otherwise.
  - It needs C(ram:GetServiceLinkedRoleTemplate) and C(ram:GetRole); without them
    RV(service_linked_role_created) is V(null) and the task does not fail.
seealso:
  - module: alicloud.kms.kms_ecs_secret_info
"""

EXAMPLES = r"""
- name: Keep the root password of an instance in KMS, rotated every 30 days
  alicloud.kms.kms_ecs_secret:
    name: acs/ecs/web-01/root
    region: cn-hangzhou
    instance_id: i-bp1example0000001
    secret_sub_type: Password
    username: root
    password: "{{ vault_web01_root_password }}"
    enable_automatic_rotation: true
    rotation_interval: 30d
    description: root of web-01
    tags:
      team: web
  register: web01_root

- name: A deploy key pair, kept but not rotated automatically
  alicloud.kms.kms_ecs_secret:
    name: acs/ecs/web-01/deploy
    instance_id: i-bp1example0000001
    secret_sub_type: SSHKey
    username: deploy
    public_key: "{{ lookup('file', 'deploy.pub') }}"
    private_key: "{{ vault_deploy_private_key }}"
    enable_automatic_rotation: false

- name: Rotate weekly from now on (168h, 7d and 604800s are the same)
  alicloud.kms.kms_ecs_secret:
    name: acs/ecs/web-01/root
    rotation_interval: 7d

- name: Schedule the secret for deletion in 7 days
  alicloud.kms.kms_ecs_secret:
    name: acs/ecs/web-01/root
    state: absent
    recovery_window_in_days: 7

- name: Delete it at once, without recovery
  alicloud.kms.kms_ecs_secret:
    name: acs/ecs/web-01/deploy
    state: absent
    force_delete: true
"""

RETURN = r"""
changes:
  description:
    - What the task changed (or, in check mode, would change), in order.
    - Any of V(created), V(restored), V(description), V(custom_data), V(rotation_policy),
      V(tags), V(scheduled_for_deletion), V(deleted).
  returned: always
  type: list
  elements: str
  sample: [rotation_policy, tags]
service_linked_role_created:
  description:
    - V(true) when creating this secret made the service-linked role of ECS secrets appear
      (in check mode, when it would), V(false) when the role was already there or nothing was
      created, V(null) when that cannot be told, because the role could not be read (no RAM
      permission) or was still missing right after the creation (RAM reads may lag).
  returned: when O(state=present)
  type: bool
  sample: true
secret:
  description:
    - The secret after the task (in check mode, as it would be), without its value.
    - V(null) when it does not exist (any more).
    - In check mode, values only the service knows (ARN, times) are V(null), and a planned
      deletion time is an estimate.
  returned: always
  type: dict
  contains:
    secret_name:
      description: The secret's name.
      type: str
      sample: acs/ecs/web-01/root
    region_id:
      description: The region of the secret and its instance.
      type: str
      sample: cn-hangzhou
    arn:
      description: The secret's ARN.
      type: str
      sample: acs:kms:cn-hangzhou:1234567890123456:secret/acs/ecs/web-01/root
    secret_type:
      description: Always V(ECS).
      type: str
      sample: ECS
    secret_sub_type:
      description: V(Password) or V(SSHKey).
      type: str
      sample: Password
    instance_id:
      description: The ECS instance whose user the secret holds.
      type: str
      sample: i-bp1example0000001
    description:
      description: The description.
      type: str
      sample: root of web-01
    create_time:
      description: When the secret was created (UTC).
      type: str
      sample: "2026-01-05T10:00:00Z"
    update_time:
      description: When the secret last changed (UTC).
      type: str
      sample: "2026-01-05T10:00:00Z"
    planned_delete_time:
      description: When a secret scheduled for deletion goes for good; V(null) otherwise.
      type: str
      sample: "2026-01-12T10:00:00Z"
    automatic_rotation:
      description: V(Enabled), V(Disabled) or V(Invalid), as KMS reports it.
      type: str
      sample: Enabled
    rotation_interval:
      description: The rotation interval in seconds, as KMS reports it.
      type: str
      sample: 2592000s
    last_rotation_date:
      description: When the secret was last rotated (UTC).
      type: str
      sample: "2026-01-05T10:00:00Z"
    next_rotation_date:
      description: When the secret is next rotated (UTC).
      type: str
      sample: "2026-02-04T10:00:00Z"
    encryption_key_id:
      description: The KMS key that encrypts the value.
      type: str
      sample: key-hzz65f1a2b3c4d5e6f7g8
    dkms_instance_id:
      description: The KMS instance that holds the secret.
      type: str
      sample: kst-hzz65f1a2b3c4d5e6f7g8
    tags:
      description: The tags.
      type: dict
      sample: {team: web}
    custom_data:
      description: The custom data of the extended configuration.
      type: dict
      sample: {owner: ops}
"""

from ansible_collections.alicloud.kms.plugins.module_utils.alicloud import AlicloudModule
from ansible_collections.alicloud.kms.plugins.module_utils.errors import AlicloudError
from ansible_collections.alicloud.kms.plugins.module_utils.kms_ecs_secret import (
    InvalidTask, ensure_absent, ensure_present, validate_params)

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True, aliases=["secret_name"]),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    instance_id=dict(type="str"),
    secret_sub_type=dict(type="str", choices=["Password", "SSHKey"]),
    username=dict(type="str"),
    password=dict(type="str", no_log=True),
    public_key=dict(type="str", no_log=True),
    private_key=dict(type="str", no_log=True),
    custom_data=dict(type="dict"),
    description=dict(type="str"),
    tags=dict(type="dict"),
    encryption_key_id=dict(type="str", no_log=False),
    dkms_instance_id=dict(type="str"),
    enable_automatic_rotation=dict(type="bool"),
    rotation_interval=dict(type="str"),
    recovery_window_in_days=dict(type="int"),
    force_delete=dict(type="bool", default=False),
    restore=dict(type="bool", default=True),
)


def run(module):
    params = dict(module.params, region=module.require_region())
    problem = validate_params(params)
    if problem:
        module.fail_json(msg=problem)
    ensure = ensure_present if params["state"] == "present" else ensure_absent
    try:
        result = ensure(module.connection, params, module.check_mode)
    except InvalidTask as error:
        module.fail_json(msg=str(error))
    except AlicloudError as error:
        module.fail_on_error(error, msg="secret %s" % params["name"])
    diff = result.pop("diff")
    if module._diff:
        result["diff"] = diff
    module.exit_json(**result)


def main():
    module = AlicloudModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.run(run)


if __name__ == "__main__":
    main()
