"""Service-linked role templates and the system policies they attach.

Data only. ``TEMPLATES`` is keyed by service name; ``SYSTEM_POLICIES`` by
policy name. Only the KMS Secrets Manager for ECS entry is documented in
``shared/ALICLOUD_API.md``; the others are plausible stand-ins (unsure of each
exact name) so that modules can be tested against more than one template.
"""

from __future__ import annotations

import json
from typing import Any, Dict

ECS_SERVICE = "secretsmanager-ecs.kms.aliyuncs.com"
RDS_SERVICE = "secretsmanager-rds.kms.aliyuncs.com"
# A service that allows several roles (custom suffix). Which real services do
# is not documented here; Elasticsearch is the emulator's example (unsure).
MULTI_SERVICE = "ops.elasticsearch.aliyuncs.com"

# When the system policies were published; a fixed, plausible date.
POLICY_CREATE_DATE = "2021-06-01T08:00:00Z"


def trust_policy(service: str) -> str:
    """The AssumeRolePolicyDocument letting the service principal assume the role."""
    return json.dumps({
        "Statement": [{
            "Action": "sts:AssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": [service]},
        }],
        "Version": "1",
    })


def _descriptions(english: str, chinese: str) -> Dict[str, Any]:
    return {"RoleDescription": [
        {"Language": "en", "Description": english},
        {"Language": "zh-cn", "Description": chinese},
    ]}


TEMPLATES: Dict[str, Dict[str, Any]] = {
    ECS_SERVICE: {
        "ServiceName": ECS_SERVICE,
        "RoleNamePrefix": "AliyunServiceRoleForKMSSecretsManagerForECS",
        "SystemPolicyName": "AliyunServiceRolePolicyForKMSSecretsManagerForECS",
        "MultipleRolesAllowed": False,
        "RoleDescriptions": _descriptions(
            "KMS Secrets Manager will use this role to access ECS resources to rotate ECS secrets.",
            "KMS凭据管家使用此角色访问ECS资源以轮转ECS凭据。"),
    },
    RDS_SERVICE: {
        "ServiceName": RDS_SERVICE,
        "RoleNamePrefix": "AliyunServiceRoleForKMSSecretsManagerForRDS",
        "SystemPolicyName": "AliyunServiceRolePolicyForKMSSecretsManagerForRDS",
        "MultipleRolesAllowed": False,
        "RoleDescriptions": _descriptions(
            "KMS Secrets Manager will use this role to access RDS resources to rotate RDS secrets.",
            "KMS凭据管家使用此角色访问RDS资源以轮转RDS凭据。"),
    },
    MULTI_SERVICE: {
        "ServiceName": MULTI_SERVICE,
        "RoleNamePrefix": "AliyunServiceRoleForElasticsearch",
        "SystemPolicyName": "AliyunServiceRolePolicyForElasticsearch",
        "MultipleRolesAllowed": True,
        "RoleDescriptions": _descriptions(
            "Elasticsearch will use this role to access your resources in other services.",
            "Elasticsearch使用此角色访问您在其他云产品中的资源。"),
    },
}

_ECS_POLICY = {
    "Version": "1",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["ecs:DescribeInstances", "ecs:InvokeCommand", "ecs:DescribeInvocationResults"],
            "Resource": ["acs:ecs:*:*:instance/*", "acs:ecs:*:*:command/cmd-ACS-KMS-RotateECSSecret*"],
        },
        {
            "Effect": "Allow",
            "Action": ["kms:ListSecretVersionIds", "kms:GetSecretValue", "kms:DescribeSecret",
                       "kms:PutSecretValue", "kms:UpdateSecretVersionStage"],
            "Resource": ["acs:kms:*:*:secret/acs/ecs/*"],
        },
        {
            "Effect": "Allow",
            "Action": "ram:DeleteServiceLinkedRole",
            "Resource": "*",
            "Condition": {"StringEquals": {"ram:ServiceName": ECS_SERVICE}},
        },
    ],
}

_RDS_POLICY = {
    "Version": "1",
    "Statement": [
        {"Effect": "Allow", "Action": ["rds:DescribeDBInstances", "rds:DescribeAccounts",
                                       "rds:ResetAccountPassword", "rds:CreateAccount"],
         "Resource": "*"},
        {"Effect": "Allow", "Action": ["kms:GetSecretValue", "kms:PutSecretValue",
                                       "kms:UpdateSecretVersionStage"],
         "Resource": ["acs:kms:*:*:secret/acs/rds/*"]},
        {"Effect": "Allow", "Action": "ram:DeleteServiceLinkedRole", "Resource": "*",
         "Condition": {"StringEquals": {"ram:ServiceName": RDS_SERVICE}}},
    ],
}

_ES_POLICY = {
    "Version": "1",
    "Statement": [
        {"Effect": "Allow", "Action": ["ecs:DescribeInstances", "vpc:DescribeVSwitches"], "Resource": "*"},
        {"Effect": "Allow", "Action": "ram:DeleteServiceLinkedRole", "Resource": "*",
         "Condition": {"StringEquals": {"ram:ServiceName": MULTI_SERVICE}}},
    ],
}

# name -> {Description, DefaultVersion, Versions: {VersionId: document dict}}
SYSTEM_POLICIES: Dict[str, Dict[str, Any]] = {
    "AliyunServiceRolePolicyForKMSSecretsManagerForECS": {
        "Description": "Policy of the service-linked role of KMS Secrets Manager for ECS.",
        "DefaultVersion": "v1",
        "Versions": {"v1": _ECS_POLICY},
    },
    "AliyunServiceRolePolicyForKMSSecretsManagerForRDS": {
        "Description": "Policy of the service-linked role of KMS Secrets Manager for RDS.",
        "DefaultVersion": "v1",
        "Versions": {"v1": _RDS_POLICY},
    },
    "AliyunServiceRolePolicyForElasticsearch": {
        "Description": "Policy of the service-linked role of Elasticsearch.",
        "DefaultVersion": "v1",
        "Versions": {"v1": _ES_POLICY},
    },
}
