"""Identities and signatures on the product APIs, through the real SDKs."""

import json

import pytest
from alibabacloud_kms20160120 import models as kms_models
from alibabacloud_tea_openapi.exceptions import ClientException

import sdk_clients as c


def test_readonly_lists_but_cannot_create(emulator_env):
    emu = emulator_env
    [name] = emu.control("POST", "/_emulator/kms/secrets", {"RegionId": "cn-hangzhou", "Count": 1})["SecretNames"]
    client = c.kms(emu, readonly=True)
    body = client.list_secrets(kms_models.ListSecretsRequest()).body
    assert [s.secret_name for s in body.secret_list.secret] == [name]
    assert client.describe_secret(kms_models.DescribeSecretRequest(secret_name=name)).body.secret_name == name
    with pytest.raises(ClientException) as info:
        client.create_secret(kms_models.CreateSecretRequest(secret_name="app/x", secret_data="v", version_id="v1"))
    assert (info.value.code, info.value.status_code) == ("Forbidden.RAM", 403)
    assert c.kms(emu).list_secrets(kms_models.ListSecretsRequest()).body.total_count == 1  # nothing created


def test_wrong_secret_key_is_refused(emulator_env):
    emu = emulator_env
    with pytest.raises(ClientException) as info:
        c.kms(emu, secret="W" * 30).list_secrets(kms_models.ListSecretsRequest())
    assert info.value.code == "SignatureDoesNotMatch"


def test_secret_values_stay_out_of_the_call_log(emulator_env):
    emu = emulator_env
    c.kms(emu).create_secret(kms_models.CreateSecretRequest(
        secret_name="app/x", secret_data="very-secret-value-123", version_id="v1"))
    c.kms(emu).get_secret_value(kms_models.GetSecretValueRequest(secret_name="app/x"))
    assert "very-secret-value-123" not in json.dumps(emu.calls())
    assert "very-secret-value-123" not in emu.stderr()
