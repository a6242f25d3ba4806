"""Every validator, fed anything the argument spec lets through.

Property: the options either validate (None) or the answer is a message that
starts with the name of an option it is about; a validator never raises.
"""

import re
import string

from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.alicloud.kms.plugins.module_utils import kms, kms_ecs_secret, ram
from ansible_collections.alicloud.kms.plugins.module_utils.alicloud import CONNECTION_ARGUMENT_SPEC, validate_connection_params

FUZZ = settings(max_examples=300, deadline=None)

# Text that is often close to valid: names, region IDs, intervals (also huge ones), JSON.
NEAR = st.sampled_from([
    "", " ", "cn-hangzhou", "me-central-1", "Mars", "cn_hangzhou", "all", "acs/ecs/", "acs/ecs/web/root",
    "acs/ecs/bad name", "secretsmanager-ecs.kms.aliyuncs.com", "7d", "6h", "5h", "8761h", "0s", " 30d ", "1x",
    "9" * 5000 + "d", "{}", "{not json", "[1]", "null", '{"Version": "1"}', "acs:ram::1:role/ops", "aliyun:x",
])
TEXT = st.one_of(NEAR, st.text(max_size=40), st.text(alphabet=string.digits + "dhms ", max_size=12),
                 st.builds(lambda n, u: "%d%s" % (n, u), st.integers(min_value=0, max_value=10 ** 12), st.sampled_from("dhms")))
OPT_TEXT = st.none() | TEXT
OPT_INT = st.none() | st.integers(min_value=-(10 ** 6), max_value=10 ** 6)
OPT_BOOL = st.none() | st.booleans()
SCALAR = st.none() | TEXT | st.integers() | st.booleans()
TEXT_DICT = st.none() | st.dictionaries(TEXT, SCALAR, max_size=25)
TEXT_LIST = st.none() | st.lists(TEXT, max_size=4)

OPTION_PREFIX = re.compile(r"^[a-z_]+(, [a-z_]+)*: ")


def check(problem, options):
    """None, or a message whose first words name options of the module."""
    if problem is None:
        return
    assert isinstance(problem, str) and problem, problem
    assert OPTION_PREFIX.match(problem), problem
    named = OPTION_PREFIX.match(problem).group(0)[:-2].split(", ")
    assert set(named) <= set(options), problem


@FUZZ
@given(st.fixed_dictionaries({
    "region": OPT_TEXT, "max_retries": OPT_INT, "connect_timeout": OPT_INT, "read_timeout": OPT_INT,
    "assume_role_session_expiration": OPT_INT, "access_key": OPT_TEXT, "secret_key": OPT_TEXT,
    "security_token": OPT_TEXT, "profile": OPT_TEXT, "ecs_role_name": OPT_TEXT, "assume_role_arn": OPT_TEXT,
    "assume_role_policy": OPT_TEXT,
}))
def test_connection_options(params):
    check(validate_connection_params(params), CONNECTION_ARGUMENT_SPEC)


@FUZZ
@given(st.fixed_dictionaries({
    "service_name": st.one_of(TEXT, st.just("secretsmanager-ecs.kms.aliyuncs.com")), "custom_suffix": OPT_TEXT,
    "description": st.none() | TEXT | st.text(min_size=1000, max_size=1100), "wait_timeout": OPT_INT,
    "state": st.sampled_from(["present", "absent"]), "wait": st.booleans(),
}))
def test_ram_service_linked_role_options(params):
    check(ram.validate_params(params), params)


@FUZZ
@given(st.fixed_dictionaries({
    "regions": TEXT_LIST, "names": TEXT_LIST, "name_prefix": OPT_TEXT, "instance_ids": TEXT_LIST,
    "secret_sub_type": st.none() | st.sampled_from(["Password", "SSHKey"]), "tags": TEXT_DICT,
    "max_concurrency": OPT_INT, "include_planned_deletion": st.booleans(), "details": st.booleans(),
}))
def test_kms_ecs_secret_info_options(params):
    check(kms.validate_query_params(params), params)


SECRET_OPTIONS = {
    "name": st.one_of(TEXT, st.builds(lambda s: "acs/ecs/" + s, st.text(max_size=200))),
    "region": st.one_of(st.just("cn-hangzhou"), TEXT), "state": st.sampled_from(["present", "absent"]),
    "instance_id": OPT_TEXT, "secret_sub_type": st.none() | st.sampled_from(["Password", "SSHKey"]),
    "username": OPT_TEXT, "password": OPT_TEXT, "public_key": OPT_TEXT, "private_key": OPT_TEXT,
    "custom_data": TEXT_DICT, "description": OPT_TEXT, "tags": TEXT_DICT, "encryption_key_id": OPT_TEXT,
    "dkms_instance_id": OPT_TEXT, "enable_automatic_rotation": OPT_BOOL, "rotation_interval": OPT_TEXT,
    "recovery_window_in_days": OPT_INT, "force_delete": st.booleans(), "restore": st.booleans(),
}


@FUZZ
@given(st.fixed_dictionaries(SECRET_OPTIONS))
def test_kms_ecs_secret_options(params):
    check(kms_ecs_secret.validate_params(params), params)
    if kms_ecs_secret.validate_params(params) is None and params["state"] == "present" and params["name"]:
        check(kms_ecs_secret.validate_for_create(params), params)


@FUZZ
@given(OPT_TEXT, st.sampled_from(["rotation_interval"]))
def test_rotation_interval_parses_or_names_the_option(text, option):
    try:
        seconds = kms_ecs_secret.parse_interval(text, option)
    except ValueError as error:
        check(str(error), [option])
    else:
        assert kms_ecs_secret.MIN_ROTATION <= seconds <= kms_ecs_secret.MAX_ROTATION
