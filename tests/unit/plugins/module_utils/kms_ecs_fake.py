"""A small in-memory KMS + RAM for the unit tests of kms_ecs_secret.

It stands where ``AlicloudConnection`` stands (``call(product, action,
request, region=None)``), keeps just enough state for a plan to be applied
and read back, and records every call so a test can assert that check mode
writes nothing and that a second run makes no write. The emulator is the
faithful model; this one only answers the calls the module makes.
"""

import json

from ansible_collections.alicloud.kms.plugins.module_utils.errors import AlicloudError

WRITES = {"CreateSecret", "UpdateSecret", "UpdateSecretRotationPolicy", "TagResource", "UntagResource",
          "DeleteSecret", "RestoreSecret"}
ROLE = "AliyunServiceRoleForKMSSecretsManagerForECS"
UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


class FakeCloud:
    def __init__(self, role_exists=False, ram_denied=False):
        self.secrets = {}          # (region, name) -> DescribeSecret body
        self.role_exists = role_exists
        self.ram_denied = ram_denied
        self.calls = []            # (product, action, region, request map)
        self.fail = {}             # action -> AlicloudError to raise

    # -- what tests look at ---------------------------------------------------
    def actions(self, writes_only=False):
        return [c[1] for c in self.calls if not writes_only or c[1] in WRITES]

    def add(self, name, region="cn-hangzhou", instance="i-1", sub_type="Password", rotation=None,
            description="", tags=None, custom=None, planned=None):
        config = {"SecretSubType": sub_type, "RegionId": region, "InstanceId": instance}
        if custom:
            config["CustomData"] = custom
        self.secrets[(region, name)] = {
            "SecretName": name, "SecretType": "ECS", "Arn": "acs:kms:%s:1:secret/%s" % (region, name),
            "ExtendedConfig": json.dumps(config), "Description": description,
            "AutomaticRotation": "Enabled" if rotation else "Disabled",
            "RotationInterval": rotation, "PlannedDeleteTime": planned,
            "Tags": {"Tag": [{"TagKey": k, "TagValue": v} for k, v in (tags or {}).items()]},
            "CreateTime": "2026-01-01T00:00:00Z", "UpdateTime": "2026-01-01T00:00:00Z",
            # Kept only to prove it never leaks; DescribeSecret does not return it.
            "_value": None,
        }

    # -- the connection interface --------------------------------------------
    def call(self, product, action, request, region=None, on_retry=None):
        params = request.to_map()
        self.calls.append((product, action, region, params))
        if action in self.fail:
            raise self.fail[action]
        return getattr(self, "_" + action)(region, params)

    def _missing(self, region, params):
        return AlicloudError("Forbidden.ResourceNotFound", "The resource does not exist.", "DescribeSecret",
                             "req-1", region, 404, "kms")

    def _secret(self, region, params):
        secret = self.secrets.get((region, params["SecretName"]))
        if secret is None:
            raise self._missing(region, params)
        return secret

    def _DescribeSecret(self, region, params):
        return {k: v for k, v in self._secret(region, params).items() if not k.startswith("_")}

    def _CreateSecret(self, region, params):
        config = params["ExtendedConfig"]
        self.add(params["SecretName"], region, config["InstanceId"], config["SecretSubType"],
                 params.get("RotationInterval") if params.get("EnableAutomaticRotation") else None,
                 params.get("Description") or "",
                 {t["TagKey"]: t["TagValue"] for t in json.loads(params.get("Tags") or "[]")},
                 config.get("CustomData"))
        self.secrets[(region, params["SecretName"])]["_value"] = params["SecretData"]
        self.role_exists = True
        return {"SecretName": params["SecretName"], "VersionId": params["VersionId"]}

    def _UpdateSecret(self, region, params):
        secret = self._secret(region, params)
        if params.get("Description") is not None:
            secret["Description"] = params["Description"]
        custom = (params.get("ExtendedConfig") or {}).get("CustomData")
        if custom is not None:
            config = json.loads(secret["ExtendedConfig"])
            config["CustomData"] = custom
            secret["ExtendedConfig"] = json.dumps(config)
        return {}

    def _UpdateSecretRotationPolicy(self, region, params):
        secret = self._secret(region, params)
        secret["AutomaticRotation"] = "Enabled" if params["EnableAutomaticRotation"] else "Disabled"
        if params["EnableAutomaticRotation"]:
            text = params["RotationInterval"]
            secret["RotationInterval"] = "%ds" % (int(text[:-1]) * UNITS[text[-1]])
        return {}

    def _TagResource(self, region, params):
        secret = self._secret(region, params)
        tags = {t["TagKey"]: t["TagValue"] for t in secret["Tags"]["Tag"]}
        tags.update({t["TagKey"]: t["TagValue"] for t in json.loads(params["Tags"])})
        secret["Tags"]["Tag"] = [{"TagKey": k, "TagValue": v} for k, v in tags.items()]
        return {}

    def _UntagResource(self, region, params):
        secret = self._secret(region, params)
        gone = set(json.loads(params["TagKeys"]))
        secret["Tags"]["Tag"] = [t for t in secret["Tags"]["Tag"] if t["TagKey"] not in gone]
        return {}

    def _DeleteSecret(self, region, params):
        secret = self._secret(region, params)
        if params.get("ForceDeleteWithoutRecovery") == "true":
            del self.secrets[(region, params["SecretName"])]
            return {"SecretName": params["SecretName"]}
        secret["PlannedDeleteTime"] = "2026-02-01T00:00:00Z"
        return {"SecretName": params["SecretName"], "PlannedDeleteTime": secret["PlannedDeleteTime"]}

    def _RestoreSecret(self, region, params):
        self._secret(region, params)["PlannedDeleteTime"] = None
        return {}

    def _GetServiceLinkedRoleTemplate(self, region, params):
        if self.ram_denied:
            raise AlicloudError("NoPermission", "You are not authorized to do this action.",
                                "GetServiceLinkedRoleTemplate", "req-2", None, 403, "ram")
        assert params["ServiceName"] == "secretsmanager-ecs.kms.aliyuncs.com"
        return {"ServiceLinkedRoleTemplate": {"ServiceName": params["ServiceName"], "RoleNamePrefix": ROLE}}

    def _GetRole(self, region, params):
        if not self.role_exists or params["RoleName"] != ROLE:
            raise AlicloudError("EntityNotExist.Role", "The role does not exist.", "GetRole", "req-3", None, 404, "ram")
        return {"Role": {"RoleName": ROLE}}
