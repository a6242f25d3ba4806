#!/usr/bin/python
# Copyright: (c) 2026, alicloud.kms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: kms_ecs_secret_info
short_description: List the dynamic ECS secrets of KMS Secrets Manager, in one region or all of them
version_added: 0.1.0
description:
  - Lists the dynamic ECS secrets (KMS secrets of type C(ECS)) of the account, the passwords and
    SSH keys of ECS instances that KMS Secrets Manager rotates through the service-linked role
    C(AliyunServiceRoleForKMSSecretsManagerForECS).
  - Reads every region asked for, concurrently, and every page of each (C(ListSecrets), 100 a
    page, until C(TotalCount)); with O(details), describes each secret (C(DescribeSecret)).
  - A region that cannot be read fails the module and is named with its error, because "could
    not look" must never read as "there is none"; see O(ignore_unreachable_regions).
  - Never reads a secret's value.
author:
  - alicloud.kms contributors (!UNKNOWN)
options:
  regions:
    description:
      - The regions to read, as region IDs, or the single value V(all) for every region that
        KMS C(DescribeRegions) returns.
      - Region IDs are checked against C(DescribeRegions); one where KMS does not run is refused.
      - Defaults to O(region).
    type: list
    elements: str
  names:
    description:
      - Only the secrets with these exact names. Each starts with C(acs/ecs/).
    type: list
    elements: str
  name_prefix:
    description:
      - Only the secrets whose names start with this, for example V(acs/ecs/web-).
    type: str
  instance_ids:
    description:
      - Only the secrets of these ECS instances.
      - The instance is known only from C(DescribeSecret), so each secret is described even with
        O(details=false).
    type: list
    elements: str
  secret_sub_type:
    description:
      - Only the secrets of this kind, a password or an SSH key pair.
      - Like O(instance_ids), needs C(DescribeSecret) for each secret.
    type: str
    choices: [Password, SSHKey]
  tags:
    description:
      - Only the secrets that carry all these tags, with these values.
    type: dict
  include_planned_deletion:
    description:
      - Whether secrets scheduled for deletion are returned. They still exist until their
        RV(secrets[].planned_delete_time), can be restored, and still keep the service-linked
        role in use, so they are returned by default.
    type: bool
    default: true
  details:
    description:
      - Describe each secret (C(DescribeSecret)), the only way to learn its instance, sub type,
        rotation, ARN, description and keys.
      - With V(false), only what C(ListSecrets) returns is filled in, and the other fields are
        V(null); one call lists 100 secrets.
    type: bool
    default: true
  max_concurrency:
    description:
      - At most this many API calls at once in any one region (KMS limits request rates per
        region). Regions are read at the same time, with at most 64 calls in flight overall.
      - Throttled calls back off and are retried (see O(max_retries)).
      - At least 1.
    type: int
    default: 8
  ignore_unreachable_regions:
    description:
      - With V(true), a region that cannot be read (down, throttled past the retry budget,
        refused) gives a warning and is listed in RV(failed_regions) instead of failing the
        module; its secrets are then missing from RV(secrets).
    type: bool
    default: false
extends_documentation_fragment:
  - alicloud.kms.alicloud
attributes:
  check_mode:
    description: Only reads; runs the same in check mode.
    support: full
  diff_mode:
    description: Changes nothing, so has no diff.
    support: none
notes:
  - C(DescribeRegions) is asked of O(region), else of the first region of O(regions), else of
    C(cn-hangzhou).
  - Needs C(kms:DescribeRegions), C(kms:ListSecrets) and, with O(details), C(kms:DescribeSecret);
    a read-only RAM user is enough.
seealso:
  - module: alicloud.kms.kms_ecs_secret
  - module: alicloud.kms.ram_service_linked_role
"""

EXAMPLES = r"""
- name: Which ECS secrets still depend on the service-linked role?
  alicloud.kms.kms_ecs_secret_info:
    regions: all
  register: ecs_secrets

- name: Say where they are
  ansible.builtin.debug:
    msg: "{{ ecs_secrets.count_by_region | dict2items | selectattr('value') | items2dict }}"

- name: Only names and dates, fast, in two regions
  alicloud.kms.kms_ecs_secret_info:
    regions: [cn-hangzhou, cn-shanghai]
    details: false

- name: The SSH keys of two instances, not counting those scheduled for deletion
  alicloud.kms.kms_ecs_secret_info:
    region: cn-hangzhou
    instance_ids: [i-bp1abc, i-bp1def]
    secret_sub_type: SSHKey
    include_planned_deletion: false

- name: Audit every region, and carry on when one cannot be read
  alicloud.kms.kms_ecs_secret_info:
    regions: all
    tags:
      team: web
    name_prefix: acs/ecs/web-
    ignore_unreachable_regions: true
  register: audit

- name: Tell which regions were not read
  ansible.builtin.debug:
    msg: "Not read: {{ audit.failed_regions | map(attribute='region_id') | join(', ') }}"
  when: audit.failed_regions | length > 0
"""

RETURN = r"""
secrets:
  description:
    - The dynamic ECS secrets found, sorted by region, then name. Never a secret value.
    - With O(details=false) (and neither O(instance_ids) nor O(secret_sub_type)), the fields
      that only C(DescribeSecret) returns are V(null).
  returned: success
  type: list
  elements: dict
  contains:
    secret_name:
      description: The secret's name.
      type: str
      sample: acs/ecs/web-01/root
    region_id:
      description: The region of the secret.
      type: str
      sample: cn-hangzhou
    arn:
      description: The secret's ARN.
      type: str
      sample: acs:kms:cn-hangzhou:1234567890123456:secret/acs/ecs/web-01/root
    secret_type:
      description: Always C(ECS).
      type: str
      sample: ECS
    secret_sub_type:
      description: C(Password) or C(SSHKey).
      type: str
      sample: Password
    instance_id:
      description: The ECS instance whose password or key this is.
      type: str
      sample: i-bp1abcdefghij0123456
    description:
      description: The secret's description.
      type: str
      sample: root password of web-01
    create_time:
      description: When the secret was created (UTC, ISO 8601).
      type: str
      sample: "2026-01-05T10:20:30Z"
    update_time:
      description: When the secret was last changed (UTC, ISO 8601).
      type: str
      sample: "2026-01-05T10:20:30Z"
    planned_delete_time:
      description: When the secret is to be deleted, or V(null) when it is not scheduled for deletion.
      type: str
      sample: "2026-02-04T10:20:30Z"
    automatic_rotation:
      description: C(Enabled), C(Disabled) or C(Invalid).
      type: str
      sample: Enabled
    rotation_interval:
      description: The rotation interval, as KMS answers it.
      type: str
      sample: 604800s
    last_rotation_date:
      description: When the secret was last rotated.
      type: str
      sample: "2026-01-05T10:20:30Z"
    next_rotation_date:
      description: When the secret is next rotated.
      type: str
      sample: "2026-01-12T10:20:30Z"
    encryption_key_id:
      description: The KMS key that encrypts the secret.
      type: str
      sample: key-hzz62f1cb66fa42qo****
    dkms_instance_id:
      description: The KMS instance that keeps the secret, if any.
      type: str
      sample: kst-hzz62ee817bvyyr5x****
    tags:
      description: The secret's tags.
      type: dict
      sample: {team: web}
    custom_data:
      description: The C(CustomData) of the secret's extended configuration.
      type: dict
      sample: {owner: ops}
regions:
  description: The regions that were read, sorted.
  returned: success
  type: list
  elements: str
  sample: [cn-hangzhou, cn-shanghai, me-central-1]
count_by_region:
  description: How many secrets of RV(secrets) each region read has, zero included.
  returned: success
  type: dict
  sample: {cn-hangzhou: 2, cn-shanghai: 0, me-central-1: 1}
failed_regions:
  description:
    - The regions that could not be read, each with the error. Empty unless
      O(ignore_unreachable_regions=true) (without it, the module fails and returns them too).
  returned: always
  type: list
  elements: dict
  sample:
    - region_id: eu-west-1
      msg: "ListSecrets in eu-west-1 failed: ServiceUnavailable: The service is unavailable."
      error:
        code: ServiceUnavailable
        message: The service is unavailable.
        action: ListSecrets
        region: eu-west-1
        http_status: 503
        request_id: 7D3B1F2E-0000-4C1A-9D7E-1234567890AB
"""

from ansible_collections.alicloud.kms.plugins.module_utils import kms
from ansible_collections.alicloud.kms.plugins.module_utils.alicloud import AlicloudModule

ARGUMENT_SPEC = dict(
    regions=dict(type="list", elements="str"),
    names=dict(type="list", elements="str"),
    name_prefix=dict(type="str"),
    instance_ids=dict(type="list", elements="str"),
    secret_sub_type=dict(type="str", choices=list(kms.SECRET_SUB_TYPES)),
    tags=dict(type="dict"),
    include_planned_deletion=dict(type="bool", default=True),
    details=dict(type="bool", default=True),
    max_concurrency=dict(type="int", default=8),
    ignore_unreachable_regions=dict(type="bool", default=False),
)


def run(module):
    params = module.params
    query = kms.SecretQuery(
        names=params["names"], name_prefix=params["name_prefix"], instance_ids=params["instance_ids"],
        secret_sub_type=params["secret_sub_type"], tags=params["tags"],
        include_planned_deletion=params["include_planned_deletion"], details=params["details"])
    try:
        regions = kms.resolve_regions(module.connection, params["regions"], params["region"])
    except kms.QueryError as problem:
        module.fail_json(msg=str(problem), changed=False)
    scan = kms.scan_regions(module.connection, regions, query, max_concurrency=params["max_concurrency"])
    message, failed = kms.describe_failures(scan.failed)
    if failed and not params["ignore_unreachable_regions"]:
        module.fail_json(msg="Could not read %d of %d regions, so the listing is incomplete: %s" % (
            len(failed), len(regions), message), changed=False, failed_regions=failed)
    for item in failed:
        module.warn("Region %s was not read, its ECS secrets are not listed: %s" % (item["region_id"], item["msg"]))
    module.exit_json(changed=False, secrets=scan.secrets, regions=scan.regions,
                     count_by_region=scan.count_by_region, failed_regions=failed)


def main():
    module = AlicloudModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    problem = kms.validate_query_params(module.params)
    if problem:
        module.fail_json(msg=problem)
    module.run(run)


if __name__ == "__main__":
    main()
