"""Credentials that do not work, and one that does through STS.

Must hold: a wrong secret, an unknown key, an expired security token and the
read-only identity each fail with a message that names the problem, write
nothing, and print no secret; ``assume_role_arn`` works through STS
AssumeRole. And a failing playbook run with ``-vvvv`` prints none of the
secret keys, the security token or the secret values it was given.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest

SERVICE = "secretsmanager-ecs.kms.aliyuncs.com"
WRONG_SECRET = "Wr0ngSecretDrill7Xq2LmNp9RsTuV"
PASSWORD = "Drill-Pw-9f8e7d6c5b4a"
PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----drill-private-3c2b1a-----END OPENSSH PRIVATE KEY-----"


@pytest.fixture
def world(emulator):
    """An instance, an expired STS token of the administrator and a plain role to assume."""
    instance = emulator.control("POST", "/_emulator/ecs/instances", {"RegionId": "cn-hangzhou", "Count": 1})["InstanceIds"][0]
    token = emulator.control("POST", "/_emulator/sts/tokens", {"AccessKeyId": emulator.access_key_id, "DurationSeconds": 0})
    emulator.control("POST", "/_emulator/ram/roles", {"RoleName": "ops"})
    emulator.clear_calls()
    secrets = [emulator.access_key_secret, emulator.env["EMULATOR_READONLY_ACCESS_KEY_SECRET"], WRONG_SECRET,
               token["AccessKeySecret"], token["SecurityToken"], PASSWORD, PRIVATE_KEY]
    return {"instance": instance, "token": token, "secrets": secrets}


def secret_args(instance, **extra):
    return dict({"name": "acs/ecs/cred/root", "region": "cn-hangzhou", "instance_id": instance, "secret_sub_type": "Password",
                 "username": "root", "password": PASSWORD}, **extra)


def test_bad_credentials_are_named_and_nothing_is_written(ansible, emulator, world, tmp_path):
    admin = emulator.access_key_id
    token = world["token"]
    readonly = {"access_key": emulator.env["EMULATOR_READONLY_ACCESS_KEY_ID"],
                "secret_key": emulator.env["EMULATOR_READONLY_ACCESS_KEY_SECRET"]}
    cases = [
        ("wrong secret", "ram_service_linked_role", {"service_name": SERVICE, "access_key": admin, "secret_key": WRONG_SECRET},
         ["SignatureDoesNotMatch", "secret key does not belong"]),
        ("wrong secret, create", "kms_ecs_secret", secret_args(world["instance"], access_key=admin, secret_key=WRONG_SECRET),
         ["SignatureDoesNotMatch"]),
        ("unknown key", "kms_ecs_secret_info", {"regions": ["cn-hangzhou"], "access_key": "LTAI5tDrillUnknownKey000",
                                                "secret_key": WRONG_SECRET},
         ["InvalidAccessKeyId.NotFound", "access key is unknown"]),
        ("expired token", "kms_ecs_secret", secret_args(world["instance"], access_key=token["AccessKeyId"],
                                                        secret_key=token["AccessKeySecret"], security_token=token["SecurityToken"]),
         ["InvalidSecurityToken.Expired", "expired"]),
        ("read-only, create secret", "kms_ecs_secret", secret_args(world["instance"], **readonly), ["Forbidden", "CreateSecret"]),
        ("read-only, create role", "ram_service_linked_role", dict({"service_name": SERVICE}, **readonly),
         ["Forbidden", "CreateServiceLinkedRole"]),
    ]

    def run(case):
        return case, ansible.module(emulator.env, case[1], case[2], tmp_path)

    with ThreadPoolExecutor(max_workers=3) as pool:
        outcomes = list(pool.map(run, cases))
    for (label, _module, _args, words), (code, result, output) in outcomes:
        assert code != 0 and result and result.get("failed"), "%s: %s" % (label, output[-2000:])
        for word in words:
            assert word in result["msg"], "%s: %r not in %r" % (label, word, result["msg"])
        assert "Traceback" not in output, label
        leaked = [n for n, secret in enumerate(world["secrets"]) if secret in output]
        assert leaked == [], "%s printed secret number %s" % (label, leaked)
    calls = emulator.calls()
    assert [c for c in calls if c["write"] and c["http_status"] == 200] == []
    # The refused writes did reach the service, as the read-only identity, and were refused there.
    refused = [c for c in calls if c["write"]]
    assert {c["action"] for c in refused} == {"CreateSecret", "CreateServiceLinkedRole"}
    assert {c["http_status"] for c in refused} == {403}
    assert emulator.state()["accounts"][emulator.account_id].get("kms", {}).get("regions", {}).get("cn-hangzhou", {}).get("secrets", {}) == {}


def test_assume_role_works_through_sts(ansible, emulator, world, tmp_path):
    arn = "acs:ram::%s:role/ops" % emulator.account_id
    code, result, output = ansible.module(emulator.env, "kms_ecs_secret", secret_args(world["instance"], assume_role_arn=arn), tmp_path)
    assert code == 0 and result.get("changed"), output[-3000:]
    calls = emulator.calls()
    assert ansible.successful(calls, "AssumeRole") >= 1
    assert [c["access_key_id"] for c in calls if c["action"] == "AssumeRole"][0] == emulator.access_key_id
    created = [c for c in calls if c["action"] == "CreateSecret" and c["http_status"] == 200]
    assert len(created) == 1 and created[0]["access_key_id"].startswith("STS.")
    assert ("cn-hangzhou", "acs/ecs/cred/root") in ansible.secrets(emulator.state())
    assert not [secret for secret in world["secrets"] if secret in output]


def test_verbose_output_of_a_failing_run_holds_no_secret(ansible, emulator, world):
    token = world["token"]
    extra = {"DRILL_INSTANCE": world["instance"], "DRILL_WRONG_SECRET": WRONG_SECRET, "DRILL_PASSWORD": PASSWORD,
             "DRILL_PRIVATE_KEY": PRIVATE_KEY, "DRILL_STS_KEY_ID": token["AccessKeyId"],
             "DRILL_STS_SECRET": token["AccessKeySecret"], "DRILL_STS_TOKEN": token["SecurityToken"]}
    done = ansible.playbook(emulator.env, "leak.yml", verbosity=4, extra_env=extra)
    output = done.stdout
    # It failed where it should: the assertions on the messages passed, the read-only write was refused.
    assert done.returncode == 2, output[-6000:]
    assert "All assertions passed" in output, output[-6000:]
    assert "Forbidden.RAM" in output, output[-6000:]
    # The password reached the module (the write was attempted) but not the output.
    refused = [c for c in emulator.calls() if c["action"] == "CreateSecret"]
    assert refused and {c["http_status"] for c in refused} == {403}
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in output
    leaked = [n for n, secret in enumerate(world["secrets"]) if secret in output]
    assert leaked == [], "the -vvvv output holds secret number %s" % leaked
