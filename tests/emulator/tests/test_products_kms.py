"""KMS model: ECS secret rules, describe, versions, deletion, rotation, tags."""

import json

import pytest

from products_harness import ACCOUNT, ECS_ROLE

from alicloud_emulator.products import kms
from alicloud_emulator.regions import REGIONS

R = "cn-hangzhou"


def test_describe_regions(h):
    regions = [r["RegionId"] for r in h.call("kms", "DescribeRegions", R)["Regions"]["Region"]]
    assert regions == REGIONS and len(regions) == 28 and "me-central-1" in regions


def test_first_ecs_secret_creates_the_role_with_its_policy(h):
    assert h.error("ram", "GetRole", RoleName=ECS_ROLE).code == "EntityNotExist.Role"
    body = h.ecs_secret(R, EnableAutomaticRotation="True", RotationInterval="7d")
    assert body["Arn"] == f"acs:kms:{R}:{ACCOUNT}:secret/acs/ecs/web-1"
    assert (body["AutomaticRotation"], body["RotationInterval"]) == ("Enabled", "604800s")
    policies = h.call("ram", "ListPoliciesForRole", RoleName=ECS_ROLE)["Policies"]["Policy"]
    assert policies[0]["PolicyName"] == "AliyunServiceRolePolicyForKMSSecretsManagerForECS"
    h.ecs_secret(R, "acs/ecs/web-2")  # the existing role is fine


def test_generic_secret_does_not_create_the_role(h):
    h.generic_secret(R, "plain")
    assert h.error("ram", "GetRole", RoleName=ECS_ROLE).code == "EntityNotExist.Role"


def _ecs_params(h, region=R, **over):
    iid = h.instance(region)
    params = dict(SecretName="acs/ecs/x", SecretType="ECS", VersionId="v1",
                  SecretData=json.dumps({"UserName": "root", "Password": "hunter2-secret"}),
                  ExtendedConfig={"SecretSubType": "Password", "RegionId": region, "InstanceId": iid})
    params.update(over)
    return {k: v for k, v in params.items() if v is not None}


@pytest.mark.parametrize("over, code, mentions", [
    ({"SecretName": "ecs/x"}, "InvalidParameter", "SecretName"),
    ({"SecretName": "acs/ecs/" + "a" * 185}, "InvalidParameter", "SecretName"),
    ({"SecretName": None}, "MissingParameter", "SecretName"),
    ({"SecretData": None}, "MissingParameter", "SecretData"),
    ({"ExtendedConfig": None}, "MissingParameter", "ExtendedConfig"),
    ({"ExtendedConfig": "not json"}, "InvalidParameter", "ExtendedConfig"),
    ({"ExtendedConfig": {"SecretSubType": "Password", "RegionId": R}}, "InvalidParameter", "InstanceId"),
    ({"ExtendedConfig": {"SecretSubType": "Token", "RegionId": R, "InstanceId": "i-x"}}, "InvalidParameter", "SecretSubType"),
    ({"ExtendedConfig": {"SecretSubType": "Password", "RegionId": "cn-beijing", "InstanceId": "i-x"}}, "InvalidParameter", "RegionId"),
    ({"ExtendedConfig": {"SecretSubType": "Password", "RegionId": R, "InstanceId": "i-missing"}}, "InvalidParameter", "i-missing"),
    ({"ExtendedConfig": "x" * 1025}, "InvalidParameter", "1024"),
    ({"SecretData": json.dumps({"UserName": "root"})}, "InvalidParameter", "SecretData"),
    ({"SecretData": json.dumps({"UserName": "root", "Password": "p", "PublicKey": "k"})}, "InvalidParameter", "SecretData"),
    ({"SecretDataType": "binary"}, "InvalidParameter", "SecretDataType"),
    ({"EnableAutomaticRotation": "true"}, "InvalidParameter", "RotationInterval"),
    ({"EnableAutomaticRotation": "yes", "RotationInterval": "7d"}, "InvalidParameter", "EnableAutomaticRotation"),
    ({"EnableAutomaticRotation": "TRUE", "RotationInterval": "5h"}, "InvalidParameter", "RotationInterval"),
    ({"EnableAutomaticRotation": "true", "RotationInterval": "8761h"}, "InvalidParameter", "RotationInterval"),
    ({"RotationInterval": "7w"}, "InvalidParameter", "RotationInterval"),
    ({"SecretType": "Mystery"}, "InvalidParameter", "SecretType"),
    ({"Tags": [{"TagKey": "acs:x", "TagValue": "v"}]}, "InvalidParameter", "Tags"),
])
def test_create_ecs_secret_validation(h, over, code, mentions):
    err = h.error("kms", "CreateSecret", R, **_ecs_params(h, **over))
    assert err.code == code and mentions in err.message and err.status == 400
    assert "hunter2" not in err.message


def test_custom_data_limit(h):
    params = _ecs_params(h)
    params["ExtendedConfig"]["CustomData"] = {f"k{i}": "v" for i in range(11)}
    assert h.error("kms", "CreateSecret", R, **params).code == "InvalidParameter"
    params["ExtendedConfig"]["CustomData"] = {f"k{i}": "v" for i in range(10)}
    h.call("kms", "CreateSecret", R, **params)


@pytest.mark.parametrize("interval, seconds", [("6h", 21600), ("21600s", 21600), ("360m", 21600),
                                               ("365d", 31536000), ("8760h", 31536000)])
def test_rotation_interval_bounds(h, interval, seconds):
    body = h.call("kms", "CreateSecret", R, **_ecs_params(h, EnableAutomaticRotation="true", RotationInterval=interval))
    assert body["RotationInterval"] == f"{seconds}s" and "NextRotationDate" in body


def test_ssh_key_secret(h):
    body = h.ecs_secret(R, sub_type="SSHKey")
    assert json.loads(body["ExtendedConfig"])["SecretSubType"] == "SSHKey"


def test_name_unique_per_region(h):
    h.ecs_secret(R)
    err = h.error("kms", "CreateSecret", R, **_ecs_params(h, SecretName="acs/ecs/web-1"))
    assert (err.code, err.status) == ("Rejected.ResourceExist", 409)
    h.ecs_secret("cn-beijing")  # same name, other region


def test_describe_secret(h, clock):
    h.ecs_secret(R, EnableAutomaticRotation="true", RotationInterval="1d", Description="web",
                 Tags=[{"TagKey": "team", "TagValue": "ops"}])
    d = h.call("kms", "DescribeSecret", R, SecretName="acs/ecs/web-1", FetchTags="true")
    assert d["RotationInterval"] == "86400s" and d["AutomaticRotation"] == "Enabled"
    assert json.loads(d["ExtendedConfig"])["RegionId"] == R
    assert d["Tags"] == {"Tag": [{"TagKey": "team", "TagValue": "ops"}]}
    assert d["Description"] == "web" and "PlannedDeleteTime" not in d and "LastRotationDate" not in d
    assert "Tags" not in h.call("kms", "DescribeSecret", R, SecretName="acs/ecs/web-1")
    err = h.error("kms", "DescribeSecret", R, SecretName="acs/ecs/none")
    assert (err.code, err.status) == ("Forbidden.ResourceNotFound", 404)


def test_get_secret_value_stages(h):
    h.ecs_secret(R)
    body = h.call("kms", "GetSecretValue", R, SecretName="acs/ecs/web-1", FetchExtendedConfig="true")
    assert json.loads(body["SecretData"])["UserName"] == "root"
    assert body["VersionStages"] == {"VersionStage": ["ACSCurrent"]} and "ExtendedConfig" in body
    assert h.error("kms", "GetSecretValue", R, SecretName="acs/ecs/web-1", VersionStage="ACSPending").code == "InvalidParameter"
    assert h.error("kms", "GetSecretValue", R, SecretName="acs/ecs/web-1", VersionStage="ACSPrevious").code == "Forbidden.ResourceNotFound"


def test_delete_restore_and_force(h, clock):
    h.ecs_secret(R)
    body = h.call("kms", "DeleteSecret", R, SecretName="acs/ecs/web-1")
    listed = h.call("kms", "ListSecrets", R)["SecretList"]["Secret"][0]
    assert listed["PlannedDeleteTime"] == body["PlannedDeleteTime"]
    assert h.error("kms", "DeleteSecret", R, SecretName="acs/ecs/web-1").code == "Forbidden.SecretPendingDeletion"
    assert h.error("kms", "GetSecretValue", R, SecretName="acs/ecs/web-1").code == "Forbidden.SecretPendingDeletion"
    h.call("kms", "RestoreSecret", R, SecretName="acs/ecs/web-1")
    assert "PlannedDeleteTime" not in h.call("kms", "DescribeSecret", R, SecretName="acs/ecs/web-1")
    for days in (6, 31, "x"):
        assert h.error("kms", "DeleteSecret", R, SecretName="acs/ecs/web-1", RecoveryWindowInDays=days).code == "InvalidParameter"
    h.call("kms", "DeleteSecret", R, SecretName="acs/ecs/web-1", ForceDeleteWithoutRecovery="True")
    assert h.error("kms", "DescribeSecret", R, SecretName="acs/ecs/web-1").code == "Forbidden.ResourceNotFound"


def test_recovery_window_default_30_days_then_gone(h, clock):
    h.ecs_secret(R)
    h.call("kms", "DeleteSecret", R, SecretName="acs/ecs/web-1")
    clock.advance(30 * 86400 - 10)
    assert h.call("kms", "ListSecrets", R)["TotalCount"] == 1
    clock.advance(20)
    assert h.call("kms", "ListSecrets", R)["TotalCount"] == 0


def test_rotate_ecs_secret(h, clock):
    h.ecs_secret(R)
    before = json.loads(h.call("kms", "GetSecretValue", R, SecretName="acs/ecs/web-1")["SecretData"])
    clock.advance(60)
    body = h.call("kms", "RotateSecret", R, SecretName="acs/ecs/web-1", VersionId="v2")
    assert body["VersionId"] == "v2"
    now = json.loads(h.call("kms", "GetSecretValue", R, SecretName="acs/ecs/web-1")["SecretData"])
    prev = json.loads(h.call("kms", "GetSecretValue", R, SecretName="acs/ecs/web-1", VersionStage="ACSPrevious")["SecretData"])
    assert prev == before and now["Password"] != before["Password"] and now["UserName"] == "root"
    assert "LastRotationDate" in h.call("kms", "DescribeSecret", R, SecretName="acs/ecs/web-1")
    h.call("kms", "RotateSecret", R, SecretName="acs/ecs/web-1", VersionId="v3")
    versions = h.call("kms", "ListSecretVersionIds", R, SecretName="acs/ecs/web-1", IncludeDeprecated="true")
    stages = {v["VersionId"]: v["VersionStages"]["VersionStage"] for v in versions["VersionIds"]["VersionId"]}
    assert stages == {"v1": [], "v2": ["ACSPrevious"], "v3": ["ACSCurrent"]}
    assert h.call("kms", "ListSecretVersionIds", R, SecretName="acs/ecs/web-1")["TotalCount"] == 2
    assert h.error("kms", "RotateSecret", R, SecretName="acs/ecs/web-1", VersionId="v3").code == "Rejected.ResourceExist"


def test_rotate_needs_the_role_and_a_managed_secret(h, clock):
    h.ecs_secret(R)
    h.call("ram", "DeleteServiceLinkedRole", RoleName=ECS_ROLE)
    # The deletion fails (the secret exists), so the role is still there: remove it by hand.
    with h.state.write() as data:
        data["accounts"][ACCOUNT]["ram"]["roles"].clear()
    err = h.error("kms", "RotateSecret", R, SecretName="acs/ecs/web-1", VersionId="v2")
    assert (err.code, err.status) == ("Forbidden.ServiceLinkedRoleNotExist", 403) and ECS_ROLE in err.message
    h.generic_secret(R, "plain")
    assert h.error("kms", "RotateSecret", R, SecretName="plain", VersionId="v2").code == "Forbidden.UnsupportedOperation"


def test_update_rotation_policy(h):
    h.ecs_secret(R)
    assert h.error("kms", "UpdateSecretRotationPolicy", R, SecretName="acs/ecs/web-1",
                   EnableAutomaticRotation="true").code == "InvalidParameter"
    h.call("kms", "UpdateSecretRotationPolicy", R, SecretName="acs/ecs/web-1", EnableAutomaticRotation="true",
           RotationInterval="30d")
    d = h.call("kms", "DescribeSecret", R, SecretName="acs/ecs/web-1")
    assert (d["AutomaticRotation"], d["RotationInterval"]) == ("Enabled", "2592000s") and "NextRotationDate" in d
    h.call("kms", "UpdateSecretRotationPolicy", R, SecretName="acs/ecs/web-1", EnableAutomaticRotation="false")
    d = h.call("kms", "DescribeSecret", R, SecretName="acs/ecs/web-1")
    assert d["AutomaticRotation"] == "Disabled" and "NextRotationDate" not in d


def test_put_secret_value_and_generic_versions(h):
    h.generic_secret(R, "db")
    body = h.call("kms", "PutSecretValue", R, SecretName="db", VersionId="v2", SecretData="new")
    assert body["VersionStages"] == {"VersionStage": ["ACSCurrent"]}
    assert h.call("kms", "GetSecretValue", R, SecretName="db")["SecretData"] == "new"
    assert h.call("kms", "GetSecretValue", R, SecretName="db", VersionId="v1")["SecretData"] == "value"
    h.ecs_secret(R)
    err = h.error("kms", "PutSecretValue", R, SecretName="acs/ecs/web-1", VersionId="v2", SecretData="plain")
    assert err.code == "InvalidParameter"


def test_update_secret_and_version_stage(h):
    h.ecs_secret(R)
    h.call("kms", "UpdateSecret", R, SecretName="acs/ecs/web-1", Description="new",
           **{"ExtendedConfig.CustomData.owner": "ops"})
    d = h.call("kms", "DescribeSecret", R, SecretName="acs/ecs/web-1")
    assert d["Description"] == "new" and json.loads(d["ExtendedConfig"])["CustomData"] == {"owner": "ops"}
    h.generic_secret(R, "g")
    h.call("kms", "PutSecretValue", R, SecretName="g", VersionId="v2", SecretData="x", VersionStages='["ACSPending"]')
    h.call("kms", "UpdateSecretVersionStage", R, SecretName="g", VersionStage="ACSPending", RemoveFromVersion="v2",
           MoveToVersion="v1")
    assert h.call("kms", "GetSecretValue", R, SecretName="g", VersionStage="ACSPending")["VersionId"] == "v1"


def test_tag_and_untag(h):
    h.ecs_secret(R)
    h.call("kms", "TagResource", R, SecretName="acs/ecs/web-1",
           Tags='[{"TagKey":"a","TagValue":"1"},{"TagKey":"b","TagValue":"2"}]')
    h.call("kms", "TagResource", R, SecretName="acs/ecs/web-1", Tags='[{"TagKey":"a","TagValue":"9"}]')
    h.call("kms", "UntagResource", R, SecretName="acs/ecs/web-1", TagKeys='["b"]')
    d = h.call("kms", "DescribeSecret", R, SecretName="acs/ecs/web-1", FetchTags="true")
    assert d["Tags"]["Tag"] == [{"TagKey": "a", "TagValue": "9"}]
    many = json.dumps([{"TagKey": f"k{i}", "TagValue": "v"} for i in range(20)])
    assert h.error("kms", "TagResource", R, SecretName="acs/ecs/web-1", Tags=many).code == "InvalidParameter"
    assert h.error("kms", "TagResource", R, KeyId="key-1", Tags=many).code == "InvalidParameter"


def test_generic_rules(h):
    assert h.error("kms", "CreateSecret", R, SecretName="g", SecretData="v").code == "MissingParameter"
    err = h.error("kms", "CreateSecret", R, SecretName="g", SecretData="v", VersionId="v1",
                  EnableAutomaticRotation="true", RotationInterval="7d")
    assert err.code == "InvalidParameter"
    assert h.error("kms", "CreateSecret", R, SecretName="acs/ecs/g", SecretData="v", VersionId="v1").code == "InvalidParameter"


def test_unknown_region_is_refused(h):
    assert h.error("kms", "ListSecrets", "xx-nowhere-1").code == "InvalidRegionId"


def test_seed_is_fast_and_complete(h):
    import time
    started = time.perf_counter()
    names = kms.seed_ecs_secrets(h.state, ACCOUNT, R, 10000, sub_type="SSHKey")
    assert time.perf_counter() - started < 3.0
    assert len(names) == len(set(names)) == 10000 and all(n.startswith("acs/ecs/seed-") for n in names)
    more = kms.seed_ecs_secrets(h.state, ACCOUNT, R, 5)
    assert not set(more) & set(names)
    d = h.call("kms", "DescribeSecret", R, SecretName=names[0])
    config = json.loads(d["ExtendedConfig"])
    assert config["SecretSubType"] == "SSHKey"
    assert h.call("ecs", "DescribeInstances", R, RegionId=R, InstanceIds=[config["InstanceId"]])["TotalCount"] == 1
    assert h.call("ram", "GetRole", RoleName=ECS_ROLE)["Role"]["IsServiceLinkedRole"]
    value = json.loads(h.call("kms", "GetSecretValue", R, SecretName=names[1])["SecretData"])
    assert set(value) == {"UserName", "PublicKey", "PrivateKey"}
