# Copyright: (c) 2026, alicloud.kms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  access_key:
    description:
      - The AccessKey ID of a RAM user or of temporary STS credentials.
      - When no credential option is set, credentials come from the default chain of
        C(alibabacloud-credentials), which reads E(ALIBABA_CLOUD_ACCESS_KEY_ID),
        E(ALIBABA_CLOUD_ACCESS_KEY_SECRET) and E(ALIBABA_CLOUD_SECURITY_TOKEN), then the
        profile of E(ALIBABA_CLOUD_PROFILE) in C(~/.aliyun/config.json), then the ECS
        instance's RAM role.
      - The environment variables E(ALICLOUD_ACCESS_KEY) and E(ALICLOUD_ACCESS_KEY_ID)
        of the older C(alibaba.alicloud) collection are read when this is not set.
      - Mutually exclusive with O(profile) and O(ecs_role_name).
    type: str
    aliases: [alicloud_access_key, access_key_id]
  secret_key:
    description:
      - The AccessKey secret that belongs to O(access_key). Never logged.
      - Read from E(ALICLOUD_SECRET_KEY) or E(ALICLOUD_ACCESS_KEY_SECRET) when not set.
    type: str
    aliases: [alicloud_secret_key, access_key_secret]
  security_token:
    description:
      - The STS security token of temporary credentials, together with O(access_key)
        and O(secret_key). Never logged.
      - Read from E(ALICLOUD_SECURITY_TOKEN) when not set.
    type: str
    aliases: [alicloud_security_token]
  profile:
    description:
      - A profile of the Alibaba Cloud CLI configuration file (see O(shared_credentials_file)),
        in any of its modes (C(AK), C(StsToken), C(RamRoleArn), C(EcsRamRole)).
      - Read from E(ALICLOUD_PROFILE) when not set; the default chain reads E(ALIBABA_CLOUD_PROFILE).
      - Mutually exclusive with O(access_key), O(secret_key), O(security_token) and O(ecs_role_name).
    type: str
    aliases: [alicloud_profile]
  shared_credentials_file:
    description:
      - The CLI configuration file that holds O(profile).
      - Read from E(ALIBABA_CLOUD_CONFIG_FILE) or E(ALICLOUD_SHARED_CREDENTIALS_FILE);
        C(~/.aliyun/config.json) when none is set.
    type: path
    aliases: [profile_file]
  ecs_role_name:
    description:
      - The RAM role of the ECS instance the module runs on; its credentials come from
        the instance metadata service.
      - Read from E(ALICLOUD_ECS_ROLE_NAME) when not set.
    type: str
    aliases: [alicloud_ecs_role_name]
  assume_role_arn:
    description:
      - The ARN of a RAM role to assume (STS C(AssumeRole)) with the credentials given by
        the other options, or found by the default chain.
      - Read from E(ALICLOUD_ASSUME_ROLE_ARN) when not set.
    type: str
    aliases: [alicloud_assume_role_arn]
  assume_role_session_name:
    description:
      - The session name of the assumed role, seen in ActionTrail.
    type: str
    default: ansible-alicloud-kms
    aliases: [alicloud_assume_role_session_name]
  assume_role_session_expiration:
    description:
      - How long the assumed role's credentials last, in seconds (900 to 43200).
    type: int
    default: 3600
    aliases: [alicloud_assume_role_session_expiration]
  assume_role_policy:
    description:
      - A policy (JSON) that further restricts the assumed role's permissions for this session.
    type: json
  region:
    description:
      - The region ID, for example V(cn-hangzhou).
      - Read from E(ALIBABA_CLOUD_REGION_ID), E(ALICLOUD_REGION) or E(ALICLOUD_REGION_ID) when not set.
      - RAM and ResourceManager are global; modules that work on regional resources say how they use it.
    type: str
    aliases: [alicloud_region, region_id]
  protocol:
    description:
      - The protocol of API calls. Keep V(https); V(http) is for proxies that inspect
        traffic and for the local API emulator of this collection's tests.
      - Read from E(ALICLOUD_PROTOCOL) or E(ALIBABA_CLOUD_PROTOCOL) when not set.
    type: str
    choices: [https, http]
    default: https
  ram_endpoint:
    description:
      - The RAM endpoint, instead of C(ram.aliyuncs.com).
      - Read from E(ALICLOUD_RAM_ENDPOINT) when not set.
    type: str
  resourcemanager_endpoint:
    description:
      - The ResourceManager endpoint, instead of C(resourcemanager.aliyuncs.com).
      - Read from E(ALICLOUD_RESOURCEMANAGER_ENDPOINT) when not set.
    type: str
  kms_endpoint:
    description:
      - The KMS endpoint, instead of C(kms.<region>.aliyuncs.com). C({region}) in the
        value is replaced by each region's ID, for example C(kms-vpc.{region}.aliyuncs.com).
      - Read from E(ALICLOUD_KMS_ENDPOINT) when not set.
    type: str
  sts_endpoint:
    description:
      - The STS endpoint used to assume O(assume_role_arn), instead of C(sts.aliyuncs.com).
      - Read from E(ALIBABA_CLOUD_STS_ENDPOINT) or E(ALICLOUD_STS_ENDPOINT) when not set.
    type: str
  max_retries:
    description:
      - How many times a throttled, unavailable or failed-in-transit call is retried, with
        jittered exponential backoff (0.2 s doubling, at most 10 s between tries).
      - Errors that cannot get better by waiting (bad input, no permission) are never retried.
      - Read from E(ALICLOUD_MAX_RETRIES) when not set.
    type: int
    default: 10
  connect_timeout:
    description:
      - Seconds to wait for a connection to an API endpoint.
    type: int
    default: 10
  read_timeout:
    description:
      - Seconds to wait for an API endpoint's answer.
    type: int
    default: 30
requirements:
  - python >= 3.9
  - alibabacloud-credentials
notes:
  - Every failure from the cloud is reported with its error code, message, request ID and
    API action in RV(ignore:error); secret keys, security tokens and secret values are never
    part of a result or a message.
  - The modules of this collection belong to the action group C(alicloud.kms.alicloud), so
    connection options can be set once with C(module_defaults).
"""
