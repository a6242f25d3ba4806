"""KMS secrets and ECS instances through the real SDKs: paging, filters, shapes."""

import json

import pytest
from alibabacloud_ecs20140526 import models as ecs_models
from alibabacloud_kms20160120 import models as kms_models
from alibabacloud_tea_openapi.exceptions import ClientException

import sdk_clients as c

REGION = "cn-shanghai"


def seed(emu, count, region=REGION, **extra):
    return emu.control("POST", "/_emulator/kms/secrets", {"RegionId": region, "Count": count, **extra})["SecretNames"]


def list_page(client, number, size=100, **kw):
    return client.list_secrets(kms_models.ListSecretsRequest(page_number=number, page_size=size, **kw)).body


def test_pagination_over_250_secrets(emulator_env):
    emu = emulator_env
    names = seed(emu, 250)
    client = c.kms(emu, REGION)
    pages = [list_page(client, n) for n in (1, 2, 3)]
    assert [len(p.secret_list.secret) for p in pages] == [100, 100, 50]
    assert {p.total_count for p in pages} == {250} and [p.page_number for p in pages] == [1, 2, 3]
    listed = [s.secret_name for p in pages for s in p.secret_list.secret]
    assert listed == sorted(names) and len(set(listed)) == 250
    assert list_page(client, 4).secret_list.secret == []
    # Absent facts stay absent: not scheduled, no service owner, tags not asked for.
    assert c.unfilled(pages[0].secret_list.secret[0], {"planned_delete_time", "owing_service", "tags"}) == []
    assert list_page(c.kms(emu, "cn-beijing"), 1).total_count == 0  # per region


def test_filters_and_tags(emulator_env):
    emu = emulator_env
    seed(emu, 3, Prefix="acs/ecs/web-")
    client = c.kms(emu, REGION)
    client.create_secret(kms_models.CreateSecretRequest(
        secret_name="app/db", secret_data="s3cr3t", version_id="v1", description="database",
        tags=json.dumps([{"TagKey": "team", "TagValue": "db"}])))

    def names(filters, **kw):
        body = list_page(client, 1, filters=json.dumps(filters), **kw)
        return body, sorted(s.secret_name for s in body.secret_list.secret)

    body, ecs_names = names([{"Key": "SecretType", "Values": ["ECS"]}])
    assert ecs_names == ["acs/ecs/web-00000", "acs/ecs/web-00001", "acs/ecs/web-00002"] and body.total_count == 3
    assert names([{"Key": "SecretType", "Values": ["Generic"]}])[1] == ["app/db"]
    assert names([{"Key": "SecretName", "Values": ["acs/ecs/web-00001", "app/"]}])[1] == ["acs/ecs/web-00001", "app/db"]
    assert names([{"Key": "SecretType", "Values": ["ECS"]}, {"Key": "TagKey", "Values": ["team"]}])[1] == []
    body, tagged = names([{"Key": "TagValue", "Values": ["db"]}], fetch_tags="true")
    assert tagged == ["app/db"]
    [secret] = body.secret_list.secret
    assert [(t.tag_key, t.tag_value) for t in secret.tags.tag] == [("team", "db")]
    with pytest.raises(ClientException) as info:
        names([{"Key": "Colour", "Values": ["red"]}])
    assert (info.value.code, info.value.status_code) == ("InvalidParameter", 400)


def test_describe_get_value_rotate_and_versions(emulator_env):
    emu = emulator_env
    [name] = seed(emu, 1)
    client = c.kms(emu, REGION)
    client.update_secret_rotation_policy(kms_models.UpdateSecretRotationPolicyRequest(
        secret_name=name, enable_automatic_rotation=True, rotation_interval="30d"))
    client.rotate_secret(kms_models.RotateSecretRequest(secret_name=name, version_id="v2"))
    client.tag_resource(kms_models.TagResourceRequest(secret_name=name, tags='[{"TagKey":"k","TagValue":"v"}]'))
    d = client.describe_secret(kms_models.DescribeSecretRequest(secret_name=name, fetch_tags="true")).body
    assert c.unfilled(d, {"dkmsinstance_id", "encryption_key_id", "owing_service", "planned_delete_time"}) == []
    assert (d.rotation_interval, d.automatic_rotation) == ("2592000s", "Enabled")
    config = json.loads(d.extended_config)
    assert config["RegionId"] == REGION and config["InstanceId"].startswith("i-")
    value = client.get_secret_value(kms_models.GetSecretValueRequest(
        secret_name=name, fetch_extended_config=True)).body
    assert c.unfilled(value, {"ciphertext_for_recipient"}) == []
    assert value.version_id == "v2" and value.version_stages.version_stage == ["ACSCurrent"]
    assert set(json.loads(value.secret_data)) == {"UserName", "Password"}
    previous = client.get_secret_value(kms_models.GetSecretValueRequest(secret_name=name, version_stage="ACSPrevious")).body
    assert previous.version_id == "v1" and previous.secret_data != value.secret_data
    versions = client.list_secret_version_ids(kms_models.ListSecretVersionIdsRequest(secret_name=name)).body
    assert c.unfilled(versions) == [] and versions.total_count == 2
    with pytest.raises(ClientException) as info:
        client.get_secret_value(kms_models.GetSecretValueRequest(secret_name=name, version_stage="ACSPending"))
    assert info.value.code == "InvalidParameter"
    with pytest.raises(ClientException) as info:
        client.describe_secret(kms_models.DescribeSecretRequest(secret_name="acs/ecs/none"))
    assert (info.value.code, info.value.status_code) == ("Forbidden.ResourceNotFound", 404)


def test_describe_regions_and_instances(emulator_env):
    emu = emulator_env
    regions = c.kms(emu, "me-central-1").describe_regions().body.regions.region
    assert len(regions) == 28 and {"me-central-1", "cn-hangzhou"} <= {r.region_id for r in regions}
    ids = emu.control("POST", "/_emulator/ecs/instances", {"RegionId": REGION, "Count": 12})["InstanceIds"]
    client = c.ecs(emu, REGION)
    body = client.describe_instances(ecs_models.DescribeInstancesRequest(
        region_id=REGION, instance_ids=json.dumps(ids[:3]))).body
    assert sorted(i.instance_id for i in body.instances.instance) == sorted(ids[:3])
    seen, token = [], None
    while True:
        page = client.describe_instances(ecs_models.DescribeInstancesRequest(
            region_id=REGION, max_results=5, next_token=token)).body
        seen += [i.instance_id for i in page.instances.instance]
        token = page.next_token
        if not token:
            break
    assert sorted(seen) == sorted(ids)


def test_create_secret_validation_through_the_sdk(emulator_env):
    emu = emulator_env
    client = c.kms(emu, REGION)
    with pytest.raises(ClientException) as info:
        client.create_secret(kms_models.CreateSecretRequest(
            secret_name="acs/ecs/x", secret_type="ECS", version_id="v1",
            secret_data=json.dumps({"UserName": "root", "Password": "p"}),
            extended_config={"SecretSubType": "Password", "RegionId": "cn-beijing", "InstanceId": "i-x"}))
    assert info.value.code == "InvalidParameter" and "RegionId" in info.value.message
