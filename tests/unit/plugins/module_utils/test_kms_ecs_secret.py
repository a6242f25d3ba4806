import json

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ansible_collections.alicloud.kms.plugins.module_utils import kms_ecs_secret as ecs
from ansible_collections.alicloud.kms.plugins.module_utils.errors import AlicloudError
from kms_ecs_fake import FakeCloud

UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
PASSWORD = "Pa55-never-shown"
REGION = "cn-hangzhou"
NAME = "acs/ecs/web-01/root"


def params(**overrides):
    base = {"name": NAME, "region": REGION, "state": "present", "instance_id": "i-1", "secret_sub_type": "Password",
            "username": "root", "password": PASSWORD, "public_key": None, "private_key": None, "custom_data": None,
            "description": None, "tags": None, "encryption_key_id": None, "dkms_instance_id": None,
            "enable_automatic_rotation": None, "rotation_interval": None, "recovery_window_in_days": None,
            "force_delete": False, "restore": True}
    base.update(overrides)
    return base


# --- rotation intervals ----------------------------------------------------

@given(st.integers(min_value=0, max_value=10 ** 7), st.sampled_from("dhms"))
def test_interval_parses_to_seconds_and_is_accepted_exactly_in_range(number, unit):
    text = "%d%s" % (number, unit)
    seconds = number * UNITS[unit]
    if 6 * 3600 <= seconds <= 8760 * 3600:
        assert ecs.parse_interval(text) == seconds
    else:
        with pytest.raises(ValueError, match=r"^rotation_interval: .* between 6h and 8760h"):
            ecs.parse_interval(text)


@given(st.integers(min_value=6, max_value=8760))
def test_the_same_interval_in_every_unit_is_one_value(hours):
    seconds = hours * 3600
    forms = ["%dh" % hours, "%dm" % (hours * 60), "%ds" % seconds]
    if hours % 24 == 0:
        forms.append("%dd" % (hours // 24))
    assert {ecs.parse_interval(f) for f in forms} == {seconds}
    # The service's own form reads back as the same value.
    assert ecs.interval_to_seconds(ecs.format_interval(seconds)) == seconds


@given(st.text(max_size=12))
def test_text_that_is_not_number_and_unit_is_refused_with_the_option_named(text):
    assume(not ecs._INTERVAL_RE.match(text))
    with pytest.raises(ValueError, match=r"^rotation_interval: .* is not a number followed by d, h, m or s"):
        ecs.parse_interval(text)


@pytest.mark.parametrize("text,ok", [
    ("6h", True), ("21599s", False), ("21600s", True), ("360m", True), ("359m", False),
    ("8760h", True), ("8761h", False), ("365d", True), ("366d", False), ("0d", False),
    ("7d", True), (" 7d ", True), ("7D", False), ("7", False), ("d", False), ("-7d", False), ("7.5d", False),
])
def test_interval_boundaries(text, ok):
    if ok:
        assert ecs.parse_interval(text) > 0
    else:
        with pytest.raises(ValueError):
            ecs.parse_interval(text)


def test_seven_days_equals_604800_seconds():
    assert ecs.parse_interval("7d") == ecs.parse_interval("604800s") == ecs.parse_interval("168h") == 604800


@pytest.mark.parametrize("value,expected", [(None, None), ("bogus", None), (True, None), (3600, 3600), ("2h", 7200)])
def test_service_values_are_read_leniently(value, expected):
    assert ecs.interval_to_seconds(value) == expected


@pytest.mark.parametrize("enabled,interval,expected", [
    (None, None, (None, None)),
    (None, "7d", (True, 604800)),
    (True, "168h", (True, 604800)),
    (False, "7d", (False, None)),
    (False, None, (False, None)),
])
def test_desired_rotation(enabled, interval, expected):
    assert ecs.desired_rotation(params(enable_automatic_rotation=enabled, rotation_interval=interval)) == expected


# --- validation ------------------------------------------------------------

@pytest.mark.parametrize("overrides,fragment", [
    ({"name": "web-01/root"}, "name: 'web-01/root' must start with acs/ecs/"),
    ({"name": "acs/ecs/"}, "name: 'acs/ecs/' must start with acs/ecs/"),
    ({"name": "acs/ecs/" + "x" * 185}, "name: is 193 characters; at most 192"),
    ({"name": "acs/ecs/has space"}, "name: 'acs/ecs/has space' may only hold"),
    ({"instance_id": ""}, "instance_id: must not be empty"),
    ({"state": "absent", "recovery_window_in_days": 6}, "recovery_window_in_days: must be between 7 and 30, got 6"),
    ({"state": "absent", "recovery_window_in_days": 31}, "recovery_window_in_days: must be between 7 and 30, got 31"),
    ({"state": "absent", "recovery_window_in_days": 7, "force_delete": True}, "recovery_window_in_days: cannot be combined"),
    ({"recovery_window_in_days": 7}, "only apply to state=absent"),
    ({"public_key": "ssh-ed25519 AAAA", "private_key": "k"}, "password: cannot be given together with public_key and private_key"),
    ({"password": None, "secret_sub_type": "SSHKey", "public_key": "ssh-ed25519 AAAA"}, "public_key: must be given together with private_key"),
    ({"password": None, "secret_sub_type": "SSHKey", "private_key": "k"}, "private_key: must be given together with public_key"),
    ({"password": None, "public_key": "p", "private_key": "k"}, "secret_sub_type Password takes a password, not a key pair"),
    ({"secret_sub_type": "SSHKey"}, "password: secret_sub_type SSHKey takes public_key and private_key"),
    ({"password": ""}, "password: must not be empty"),
    ({"enable_automatic_rotation": True}, "enable_automatic_rotation: true needs rotation_interval"),
    ({"rotation_interval": "5h"}, "rotation_interval: 5h is 18000 seconds"),
    ({"rotation_interval": "weekly"}, "rotation_interval: 'weekly' is not a number"),
    ({"custom_data": {str(i): i for i in range(11)}}, "custom_data: has 11 pairs; at most 10"),
    ({"custom_data": {"k": "v" * 1000}}, "custom_data: the extended configuration"),
    ({"tags": {str(i): "v" for i in range(21)}}, "tags: has 21 tags; a secret can have at most 20"),
    ({"tags": {"aliyun:x": "v"}}, "tags: the key 'aliyun:x' may not start with aliyun or acs:"),
    ({"tags": {"k": "v" * 129}}, "tags: the value of 'k' is longer than 128"),
])
def test_bad_options_are_named(overrides, fragment):
    problem = ecs.validate_params(params(**overrides))
    assert problem is not None and fragment in problem
    assert PASSWORD not in problem


@pytest.mark.parametrize("overrides", [
    {},
    {"name": "acs/ecs/" + "x" * 184},
    {"enable_automatic_rotation": True, "rotation_interval": "30d"},
    {"enable_automatic_rotation": False, "rotation_interval": "30d"},
    {"custom_data": {str(i): i for i in range(10)}, "tags": {"team": "web"}},
    {"password": None, "secret_sub_type": "SSHKey", "public_key": "ssh-ed25519 AAAA", "private_key": "k"},
    {"state": "absent", "recovery_window_in_days": 7},
    {"state": "absent", "force_delete": True},
])
def test_good_options_pass(overrides):
    assert ecs.validate_params(params(**overrides)) is None


@pytest.mark.parametrize("overrides,fragment", [
    ({"instance_id": None, "username": None}, "instance_id, username: required to create acs/ecs/web-01/root"),
    ({"password": None}, "password: required to create"),
    ({"secret_sub_type": "SSHKey", "password": None}, "public_key, private_key: required to create"),
    ({"secret_sub_type": None}, "secret_sub_type: required to create"),
])
def test_creation_needs_instance_sub_type_user_and_value(overrides, fragment):
    assert fragment in ecs.validate_for_create(params(**overrides))


def test_extended_config_length_is_measured_like_the_sdk():
    config = ecs.extended_config(REGION, "i-1", "Password", {"k": "é"})
    # Compact and not ASCII-escaped: "é" is one character, not six.
    assert ecs.extended_config_length(config) == len('{"SecretSubType":"Password","RegionId":"cn-hangzhou","InstanceId":"i-1","CustomData":{"k":"é"}}')


def current(**overrides):
    base = {"secret_name": NAME, "secret_type": "ECS", "instance_id": "i-1", "secret_sub_type": "Password",
            "description": "d", "automatic_rotation": "Enabled", "rotation_interval": "604800s",
            "tags": {"team": "web"}, "custom_data": {}, "planned_delete_time": None,
            "encryption_key_id": "key-1", "dkms_instance_id": None}
    base.update(overrides)
    return base


@pytest.mark.parametrize("overrides,fragment", [
    ({"instance_id": "i-2"}, "instance_id: acs/ecs/web-01/root has instance_id i-1 and it cannot change"),
    ({"secret_sub_type": "SSHKey"}, "secret_sub_type: acs/ecs/web-01/root has secret_sub_type Password"),
    ({"encryption_key_id": "key-2"}, "encryption_key_id: "),
])
def test_immutable_attributes_fail_clearly(overrides, fragment):
    assert fragment in ecs.check_immutable(current(), params(**overrides))


def test_immutable_check_passes_on_same_or_unknown_values():
    assert ecs.check_immutable(current(), params(encryption_key_id="key-1")) is None
    assert ecs.check_immutable(current(), params(dkms_instance_id="kst-1")) is None  # service reports none
    assert "not an ECS secret" in ecs.check_immutable(current(secret_type="Generic"), params())


# --- planning --------------------------------------------------------------

def test_left_out_options_change_nothing():
    assert ecs.plan_update(current(), params(password=None, username=None)) == {}


def test_equal_values_in_other_forms_change_nothing():
    task = params(rotation_interval="7d", description="d", tags={"team": "web"}, custom_data={})
    assert ecs.plan_update(current(), task) == {}
    assert ecs.plan_update(current(rotation_interval="7d"), params(rotation_interval="604800s")) == {}


def test_differences_are_planned_as_values():
    plan = ecs.plan_update(current(tags={"team": "web", "old": "x"}),
                           params(rotation_interval="30d", description="new", tags={"team": "ops", "env": "prod"}))
    assert plan == {"description": "new", "rotation": (True, 30 * 86400),
                    "tags_add": {"team": "ops", "env": "prod"}, "tags_remove": ["old"]}
    assert ecs.changes_of(plan) == ["description", "rotation_policy", "tags"]


def test_disabling_rotation_ignores_the_interval_and_is_idempotent():
    assert ecs.plan_update(current(), params(enable_automatic_rotation=False)) == {"rotation": (False, None)}
    disabled = current(automatic_rotation="Disabled")
    assert ecs.plan_update(disabled, params(enable_automatic_rotation=False, rotation_interval="30d")) == {}


def test_tag_values_compare_as_strings():
    assert ecs.plan_update(current(tags={"n": "1"}), params(tags={"n": 1})) == {}


def test_a_pending_secret_is_planned_for_restore():
    assert ecs.plan_update(current(planned_delete_time="2026-02-01T00:00:00Z"), params()) == {"restore": True}


def test_predict_applies_the_plan_without_touching_the_input():
    before = current(planned_delete_time="x", tags={"a": "1", "b": "2"})
    plan = {"restore": True, "rotation": (True, 86400), "tags_add": {"c": "3"}, "tags_remove": ["a"],
            "description": "n", "custom_data": {"k": "v"}}
    after = ecs.predict(before, plan)
    assert after["planned_delete_time"] is None and after["rotation_interval"] == "86400s"
    assert after["tags"] == {"b": "2", "c": "3"} and after["description"] == "n" and after["custom_data"] == {"k": "v"}
    assert before["tags"] == {"a": "1", "b": "2"} and before["planned_delete_time"] == "x"


# --- ensure_present / ensure_absent against the fake -------------------------

def writes(cloud):
    return cloud.actions(writes_only=True)


def test_create_sends_the_config_and_value_and_reports_the_role():
    cloud = FakeCloud(role_exists=False)
    task = params(rotation_interval="7d", tags={"team": "web"}, custom_data={"owner": "ops"}, description="root")
    result = ecs.ensure_present(cloud, task, check_mode=False)
    assert result["changed"] and result["changes"] == ["created"]
    assert result["service_linked_role_created"] is True
    create = [c for c in cloud.calls if c[1] == "CreateSecret"][0][3]
    assert create["SecretType"] == "ECS" and create["VersionId"] and create["SecretDataType"] == "text"
    assert create["ExtendedConfig"] == {"SecretSubType": "Password", "RegionId": REGION, "InstanceId": "i-1",
                                        "CustomData": {"owner": "ops"}}
    assert json.loads(create["SecretData"]) == {"UserName": "root", "Password": PASSWORD}
    assert create["EnableAutomaticRotation"] is True and create["RotationInterval"] == "604800s"
    assert json.loads(create["Tags"]) == [{"TagKey": "team", "TagValue": "web"}]
    assert result["secret"]["instance_id"] == "i-1" and result["secret"]["rotation_interval"] == "604800s"
    assert PASSWORD not in json.dumps(result)


def test_create_answered_already_exists_makes_the_existing_secret_what_the_task_asks():
    # A parallel run, or our own retried CreateSecret whose first answer was lost, created it first.
    cloud = FakeCloud(role_exists=True)
    original = cloud.call

    def call(product, action, request, region=None, on_retry=None):
        if action == "CreateSecret" and (region, NAME) not in cloud.secrets:
            cloud.add(NAME, description="by the other run")
            cloud.calls.append((product, action, region, request.to_map()))
            raise AlicloudError("Rejected.ResourceExist", "The resource already exists.", "CreateSecret", "r", region, 409)
        return original(product, action, request, region, on_retry)

    cloud.call = call
    result = ecs.ensure_present(cloud, params(description="root"), check_mode=False)
    assert result["changed"] and result["changes"] == ["description"]
    assert result["secret"]["description"] == "root"
    assert cloud.actions(writes_only=True) == ["CreateSecret", "UpdateSecret"]


def test_create_failing_otherwise_still_fails():
    cloud = FakeCloud(role_exists=True)
    cloud.fail["CreateSecret"] = AlicloudError("Rejected.ResourceExist", "exists", "CreateSecret", "r", REGION, 409)
    with pytest.raises(AlicloudError):
        ecs.ensure_present(cloud, params(), check_mode=False)


def test_create_of_an_ssh_key_secret_sends_the_key_pair():
    cloud = FakeCloud()
    ecs.ensure_present(cloud, params(secret_sub_type="SSHKey", password=None, public_key="pub", private_key="priv"), False)
    create = [c for c in cloud.calls if c[1] == "CreateSecret"][0][3]
    assert json.loads(create["SecretData"]) == {"UserName": "root", "PublicKey": "pub", "PrivateKey": "priv"}
    assert create["EnableAutomaticRotation"] is False and "RotationInterval" not in create


def test_second_run_makes_no_write():
    cloud = FakeCloud()
    task = params(rotation_interval="7d", tags={"team": "web"}, description="root", custom_data={"o": "p"})
    ecs.ensure_present(cloud, task, False)
    cloud.calls.clear()
    again = ecs.ensure_present(cloud, dict(task, rotation_interval="604800s"), False)
    assert not again["changed"] and again["changes"] == [] and writes(cloud) == []
    assert again["service_linked_role_created"] is False


def test_check_mode_create_writes_nothing_and_predicts():
    cloud = FakeCloud(role_exists=False)
    result = ecs.ensure_present(cloud, params(rotation_interval="30d"), check_mode=True)
    assert result["changed"] and writes(cloud) == [] and not cloud.secrets
    assert result["secret"]["automatic_rotation"] == "Enabled" and result["secret"]["rotation_interval"] == "2592000s"
    assert result["service_linked_role_created"] is True
    assert result["diff"]["before"] == {} and result["diff"]["after"]["instance_id"] == "i-1"
    assert PASSWORD not in json.dumps(result)


def test_existing_role_is_not_reported_as_created():
    cloud = FakeCloud(role_exists=True)
    assert ecs.ensure_present(cloud, params(), False)["service_linked_role_created"] is False


def test_unreadable_role_is_unknown_not_a_failure():
    cloud = FakeCloud(ram_denied=True)
    result = ecs.ensure_present(cloud, params(), False)
    assert result["changed"] and result["service_linked_role_created"] is None


def test_update_writes_only_what_differs_in_a_safe_order():
    cloud = FakeCloud()
    cloud.add(NAME, rotation="604800s", tags={"old": "x", "team": "web"}, planned="2026-02-01T00:00:00Z")
    task = params(rotation_interval="30d", tags={"team": "ops"}, description="new")
    result = ecs.ensure_present(cloud, task, False)
    assert writes(cloud) == ["RestoreSecret", "UpdateSecret", "UpdateSecretRotationPolicy", "UntagResource", "TagResource"]
    assert result["changes"] == ["restored", "description", "rotation_policy", "tags"]
    secret = result["secret"]
    assert secret["planned_delete_time"] is None and secret["tags"] == {"team": "ops"}
    assert secret["rotation_interval"] == "2592000s" and secret["description"] == "new"
    assert result["diff"]["before"]["tags"] == {"old": "x", "team": "web"}
    # An update never sends a value: a password in the task is for creation only.
    assert all("SecretData" not in c[3] for c in cloud.calls)


def test_update_in_check_mode_predicts_without_writing():
    cloud = FakeCloud()
    cloud.add(NAME, rotation="604800s")
    result = ecs.ensure_present(cloud, params(enable_automatic_rotation=False), True)
    assert result["changed"] and writes(cloud) == []
    assert result["secret"]["automatic_rotation"] == "Disabled"
    assert cloud.secrets[(REGION, NAME)]["AutomaticRotation"] == "Enabled"


def test_custom_data_is_updated_as_a_value():
    cloud = FakeCloud()
    cloud.add(NAME, custom={"a": "1"})
    result = ecs.ensure_present(cloud, params(custom_data={"a": "2"}), False)
    update = [c for c in cloud.calls if c[1] == "UpdateSecret"][0][3]
    assert update["ExtendedConfig"] == {"CustomData": {"a": "2"}} and "Description" not in update
    assert result["secret"]["custom_data"] == {"a": "2"}


def test_emptying_custom_data_fails_before_any_write():
    cloud = FakeCloud()
    cloud.add(NAME, custom={"a": "1"})
    with pytest.raises(ecs.InvalidTask, match="^custom_data: the KMS API cannot remove every"):
        ecs.ensure_present(cloud, params(custom_data={}), False)
    assert writes(cloud) == []


def test_pending_secret_with_restore_false_fails_before_any_write():
    cloud = FakeCloud()
    cloud.add(NAME, planned="2026-02-01T00:00:00Z")
    with pytest.raises(ecs.InvalidTask, match="^restore: .* scheduled for deletion on 2026-02-01T00:00:00Z"):
        ecs.ensure_present(cloud, params(restore=False), False)
    assert writes(cloud) == []


def test_immutable_difference_fails_before_any_write():
    cloud = FakeCloud()
    cloud.add(NAME, instance="i-1")
    with pytest.raises(ecs.InvalidTask, match="^instance_id: "):
        ecs.ensure_present(cloud, params(instance_id="i-2", description="changed"), False)
    assert writes(cloud) == []


def test_missing_creation_options_fail_before_any_write():
    cloud = FakeCloud()
    with pytest.raises(ecs.InvalidTask, match="^instance_id: required to create"):
        ecs.ensure_present(cloud, params(instance_id=None), False)
    assert writes(cloud) == [] and "GetRole" not in cloud.actions()


def test_service_errors_propagate_as_alicloud_errors():
    cloud = FakeCloud()
    cloud.fail["CreateSecret"] = AlicloudError("InvalidParameter", "The instance i-9 does not exist.", "CreateSecret",
                                               "req", REGION, 400, "kms")
    with pytest.raises(AlicloudError) as raised:
        ecs.ensure_present(cloud, params(instance_id="i-9"), False)
    assert raised.value.code == "InvalidParameter"
    assert PASSWORD not in raised.value.describe()


def test_absent_schedules_deletion_with_the_window():
    cloud = FakeCloud()
    cloud.add(NAME)
    result = ecs.ensure_absent(cloud, params(state="absent", recovery_window_in_days=7), False)
    delete = [c for c in cloud.calls if c[1] == "DeleteSecret"][0][3]
    assert delete == {"SecretName": NAME, "RecoveryWindowInDays": "7"}
    assert result["changed"] and result["changes"] == ["scheduled_for_deletion"]
    assert result["secret"]["planned_delete_time"] == "2026-02-01T00:00:00Z"
    cloud.calls.clear()
    again = ecs.ensure_absent(cloud, params(state="absent", recovery_window_in_days=7), False)
    assert not again["changed"] and writes(cloud) == []


def test_absent_in_check_mode_estimates_the_deletion_time():
    cloud = FakeCloud()
    cloud.add(NAME)
    result = ecs.ensure_absent(cloud, params(state="absent", recovery_window_in_days=7), True, now=lambda: 0)
    assert result["changed"] and writes(cloud) == []
    assert result["secret"]["planned_delete_time"] == "1970-01-08T00:00:00Z"


def test_force_delete_removes_even_a_pending_secret():
    cloud = FakeCloud()
    cloud.add(NAME, planned="2026-02-01T00:00:00Z")
    check = ecs.ensure_absent(cloud, params(state="absent", force_delete=True), True)
    assert check["changed"] and check["secret"] is None and writes(cloud) == []
    result = ecs.ensure_absent(cloud, params(state="absent", force_delete=True), False)
    delete = [c for c in cloud.calls if c[1] == "DeleteSecret"][0][3]
    assert delete == {"SecretName": NAME, "ForceDeleteWithoutRecovery": "true"}
    assert result["changes"] == ["deleted"] and result["secret"] is None and not cloud.secrets
    assert result["diff"]["after"] == {}


def test_absent_on_a_missing_secret_changes_nothing():
    cloud = FakeCloud()
    result = ecs.ensure_absent(cloud, params(state="absent", force_delete=True), False)
    assert not result["changed"] and result["secret"] is None and writes(cloud) == []


_tag_maps = st.dictionaries(st.sampled_from(["team", "env", "owner", "cost"]), st.sampled_from(["a", "b", "1"]), max_size=4)
_intervals = st.builds(lambda n, u: "%d%s" % (n, u), st.integers(min_value=1, max_value=400), st.sampled_from("dh"))


@given(have_tags=_tag_maps, want_tags=st.none() | _tag_maps, have_rotation=st.none() | _intervals,
       want_interval=st.none() | _intervals, want_enabled=st.none() | st.booleans(),
       want_description=st.none() | st.sampled_from(["", "d", "x"]))
def test_applying_a_plan_leaves_nothing_to_do(have_tags, want_tags, have_rotation, want_interval, want_enabled,
                                              want_description):
    """Idempotence as a property: whatever the secret and the task, after the plan the task is satisfied."""
    task = params(tags=want_tags, rotation_interval=want_interval, enable_automatic_rotation=want_enabled,
                  description=want_description)
    assume(ecs.validate_params(task) is None)
    have = current(tags=have_tags, automatic_rotation="Enabled" if have_rotation else "Disabled",
                   rotation_interval=have_rotation)
    after = ecs.predict(have, ecs.plan_update(have, task))
    assert ecs.plan_update(after, task) == {}
    if want_tags is not None:
        assert after["tags"] == want_tags


@pytest.mark.parametrize("before,after,expected", [
    (False, True, True), (True, True, False), (None, True, None), (False, None, None),
    # Still missing right after the create: RAM may lag, so "unknown", never a false "no".
    (False, False, None),
])
def test_role_created_is_only_true_when_seen_appearing(before, after, expected):
    assert ecs.role_created(before, after) is expected


@pytest.mark.parametrize("role_exists,expected", [
    (False, ["GetServiceLinkedRoleTemplate", "GetRole", "GetRole"]),
    (True, ["GetServiceLinkedRoleTemplate", "GetRole"]),
])
def test_the_role_costs_few_ram_reads_and_only_on_creation(role_exists, expected):
    cloud = FakeCloud(role_exists=role_exists)
    ecs.ensure_present(cloud, params(), False)
    assert [c[1] for c in cloud.calls if c[0] == "ram"] == expected
    cloud.calls.clear()
    ecs.ensure_present(cloud, params(description="changed"), False)
    assert [c for c in cloud.calls if c[0] == "ram"] == []
