"""Bad input to every option of every module.

Must hold for each case: the module fails, its message names the option (or,
for a well-formed region ID that does not exist, that region), there is no
traceback in anything it printed, and the emulator saw no write call at all.
The modules run directly (``python -m ansible_collections...``, args in a
file), the way ansible-playbook runs them but without its start-up cost.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest

SERVICE = "secretsmanager-ecs.kms.aliyuncs.com"
SECRET = {"name": "acs/ecs/drill/root", "instance_id": "i-drill", "secret_sub_type": "Password", "username": "root",
          "password": "Bad-Input-Passw0rd"}
BASE = {
    "ram_service_linked_role": {"service_name": SERVICE},
    "kms_ecs_secret": SECRET,
    "kms_ecs_secret_info": {"regions": ["cn-hangzhou"]},
}

# Options every module takes (plugins/module_utils/alicloud.py); tried on each module.
CONNECTION = [
    ({"region": "Mars"}, "region"),
    ({"region": ""}, "region"),
    ({"region": "cn_hangzhou"}, "region"),
    ({"access_key": "", "secret_key": ""}, "access_key"),
    ({"access_key": "LTAIdrill"}, "secret_key"),
    ({"security_token": ""}, "security_token"),
    ({"profile": ""}, "profile"),
    ({"profile": "default", "access_key": "LTAIdrill", "secret_key": "x"}, "profile"),
    ({"ecs_role_name": ""}, "ecs_role_name"),
    ({"assume_role_arn": "arn:aws:iam::123:role/x"}, "assume_role_arn"),
    ({"assume_role_arn": ""}, "assume_role_arn"),
    ({"assume_role_session_expiration": 60}, "assume_role_session_expiration"),
    ({"assume_role_session_expiration": "an hour"}, "assume_role_session_expiration"),
    ({"assume_role_policy": "{not json"}, "assume_role_policy"),
    ({"assume_role_policy": "[1, 2]"}, "assume_role_policy"),
    ({"protocol": "ftp"}, "protocol"),
    ({"max_retries": -1}, "max_retries"),
    ({"max_retries": "often"}, "max_retries"),
    ({"connect_timeout": 0}, "connect_timeout"),
    ({"read_timeout": "slow"}, "read_timeout"),
    ({"no_such_option": 1}, "no_such_option"),
]

OWN = {
    "ram_service_linked_role": [
        ({"service_name": ""}, "service_name"),
        ({"service_name": "   "}, "service_name"),
        ({"service_name": "Not A Service"}, "service_name"),
        ({"service_name": "secretsmanager-ecs"}, "service_name"),
        ({"service_name": None}, "service_name"),
        ({"custom_suffix": ""}, "custom_suffix"),
        ({"custom_suffix": "bad suffix!"}, "custom_suffix"),
        ({"custom_suffix": "x" * 65}, "custom_suffix"),
        ({"description": "d" * 1025}, "description"),
        ({"state": "gone"}, "state"),
        ({"wait": "maybe"}, "wait"),
        ({"wait_timeout": "soon"}, "wait_timeout"),
        ({"wait_timeout": 0}, "wait_timeout"),
        ({"wait_timeout": -5}, "wait_timeout"),
    ],
    "kms_ecs_secret": [
        ({"name": ""}, "name"),
        ({"name": "plain-name"}, "name"),
        ({"name": "acs/ecs/"}, "name"),
        ({"name": "acs/ecs/bad name!"}, "name"),
        ({"name": "acs/ecs/" + "x" * 200}, "name"),
        ({"state": "maybe"}, "state"),
        ({"instance_id": ""}, "instance_id"),
        ({"secret_sub_type": "Token"}, "secret_sub_type"),
        ({"username": ""}, "username"),
        ({"password": ""}, "password"),
        ({"public_key": "ssh-rsa AAAA"}, "password"),
        ({"password": None, "secret_sub_type": "SSHKey", "public_key": "ssh-rsa AAAA"}, "public_key"),
        ({"password": None, "secret_sub_type": "SSHKey", "private_key": "-----BEGIN-----"}, "private_key"),
        ({"custom_data": "{not json"}, "custom_data"),
        ({"custom_data": {"k": "v" * 1100}}, "custom_data"),
        ({"custom_data": {str(n): n for n in range(11)}}, "custom_data"),
        ({"tags": "not a dict"}, "tags"),
        ({"tags": {"aliyun:owner": "x"}}, "tags"),
        ({"tags": {"": "x"}}, "tags"),
        ({"tags": {"t%d" % n: n for n in range(21)}}, "tags"),
        ({"encryption_key_id": ""}, "encryption_key_id"),
        ({"dkms_instance_id": ""}, "dkms_instance_id"),
        ({"enable_automatic_rotation": "perhaps"}, "enable_automatic_rotation"),
        ({"enable_automatic_rotation": True}, "enable_automatic_rotation"),
        ({"rotation_interval": "soon"}, "rotation_interval"),
        ({"rotation_interval": "1h"}, "rotation_interval"),
        ({"rotation_interval": "9000h"}, "rotation_interval"),
        ({"rotation_interval": ""}, "rotation_interval"),
        ({"rotation_interval": "9" * 5000 + "d"}, "rotation_interval"),
        ({"state": "absent", "recovery_window_in_days": "a week"}, "recovery_window_in_days"),
        ({"state": "absent", "recovery_window_in_days": 3}, "recovery_window_in_days"),
        ({"state": "absent", "recovery_window_in_days": 31}, "recovery_window_in_days"),
        ({"state": "absent", "recovery_window_in_days": 7, "force_delete": True}, "recovery_window_in_days"),
        ({"recovery_window_in_days": 7}, "recovery_window_in_days"),
        ({"force_delete": "sure"}, "force_delete"),
        ({"restore": "never"}, "restore"),
        ({"region": "xx-nowhere-1"}, "xx-nowhere-1"),
    ],
    "kms_ecs_secret_info": [
        ({"regions": []}, "regions"),
        ({"regions": ["all", "cn-hangzhou"]}, "regions"),
        ({"regions": ["Mars"]}, "regions"),
        ({"regions": ["xx-nowhere-1"]}, "regions"),
        ({"regions": None, "region": "xx-nowhere-1"}, "xx-nowhere-1"),
        ({"names": []}, "names"),
        ({"names": ["plain-name"]}, "names"),
        ({"names": ["acs/ecs/bad name!"]}, "names"),
        ({"name_prefix": ""}, "name_prefix"),
        ({"name_prefix": "rds/"}, "name_prefix"),
        ({"instance_ids": [""]}, "instance_ids"),
        ({"secret_sub_type": "Token"}, "secret_sub_type"),
        ({"tags": "not a dict"}, "tags"),
        ({"include_planned_deletion": "nah"}, "include_planned_deletion"),
        ({"details": "nah"}, "details"),
        ({"max_concurrency": 0}, "max_concurrency"),
        ({"max_concurrency": "many"}, "max_concurrency"),
        ({"ignore_unreachable_regions": "x"}, "ignore_unreachable_regions"),
    ],
}

CASES = [(module, dict(BASE[module], **bad), option)
         for module in sorted(BASE) for bad, option in CONNECTION + OWN[module]]


def case_id(case):
    module, args, option = case
    return "%s %s=%r" % (module, option, {k: v for k, v in args.items() if BASE[module].get(k) != v})


def test_every_bad_option_fails_clearly_before_any_write(ansible, emulator, tmp_path):
    emulator.control("POST", "/_emulator/ecs/instances", {"RegionId": "cn-hangzhou", "Count": 1})
    emulator.clear_calls()

    def run(case):
        module, args, option = case
        args = {k: v for k, v in args.items() if v is not None}
        return case, ansible.module(emulator.env, module, args, tmp_path)

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(run, CASES))
    problems = []
    for case, (code, result, output) in outcomes:
        msg = (result or {}).get("msg", "")
        if code == 0 or not (result or {}).get("failed"):
            problems.append("%s: did not fail: %s" % (case_id(case), output[-500:]))
        elif case[2] not in msg:
            problems.append("%s: the message does not name %s: %s" % (case_id(case), case[2], msg))
        if "Traceback" in output:
            problems.append("%s: printed a traceback: %s" % (case_id(case), output[-1500:]))
        if SECRET["password"] in output:
            problems.append("%s: printed the password" % case_id(case))
    assert not problems, "\n".join(problems)
    assert len(outcomes) == len(CASES) > 100
    assert [c for c in emulator.calls() if c["write"]] == []


@pytest.mark.parametrize("module", sorted(BASE))
def test_the_base_arguments_are_valid(ansible, emulator, tmp_path, module):
    """The cases above change one thing each; without it the module must not fail on input."""
    emulator.control("POST", "/_emulator/ecs/instances", {"RegionId": "cn-hangzhou", "Count": 1})
    args = dict(BASE[module], _ansible_check_mode=True)
    if module == "kms_ecs_secret":
        args["instance_id"] = emulator.state()["accounts"][emulator.account_id]["ecs"]["regions"]["cn-hangzhou"]["instances"]
        args["instance_id"] = sorted(args["instance_id"])[0]
        args["region"] = "cn-hangzhou"
    code, result, output = ansible.module(emulator.env, module, args, tmp_path)
    assert code == 0 and result and not result.get("failed"), output[-2000:]
