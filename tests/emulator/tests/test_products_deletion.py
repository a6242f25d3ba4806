"""Service-linked role deletion tasks: asynchronous, blocked by ECS secrets anywhere."""

from products_harness import ACCOUNT, ECS_ROLE, ECS_SERVICE, OTHER_ACCOUNT, Harness

from alicloud_emulator.products import kms

DECIDE = 0.3 + 0.001  # deletion_task_ms 300, plus a hair


def start(h, product="resourcemanager"):
    return h.call(product, "DeleteServiceLinkedRole", RoleName=ECS_ROLE)["DeletionTaskId"]


def test_no_secret_succeeds_after_the_delay(h):
    h.call("ram", "CreateServiceLinkedRole", ServiceName=ECS_SERVICE)
    task = start(h, "ram")
    assert task.startswith(f"task/acs-service-role/{ECS_SERVICE}/{ECS_ROLE}/")
    assert h.deletion_status(task) == {"Status": "IN_PROGRESS"}
    role = h.call("ram", "GetRole", RoleName=ECS_ROLE)["Role"]
    assert role["LatestDeletionTask"]["DeletionTaskId"] == task
    h.clock.advance(DECIDE)
    assert h.deletion_status(task) == {"Status": "SUCCEEDED"}
    assert h.error("ram", "GetRole", RoleName=ECS_ROLE).code == "EntityNotExist.Role"


def test_ecs_secret_in_another_region_fails_the_task(h):
    created = h.ecs_secret("me-central-1")
    task = start(h)
    assert h.deletion_status(task)["Status"] == "IN_PROGRESS"
    h.clock.advance(DECIDE)
    body = h.deletion_status(task)
    assert body["Status"] == "FAILED"
    assert body["Reason"]["Message"] == (
        f"Service-Linked Role acs:ram::{ACCOUNT}:role/{ECS_ROLE.lower()} cannot be deleted "
        f"as it is in use by {ECS_SERVICE}.")
    assert body["Reason"]["RoleUsages"]["RoleUsage"] == [
        {"Region": "me-central-1", "Resources": {"Resource": [created["Arn"]]}}]
    assert h.call("ram", "GetRole", RoleName=ECS_ROLE)["Role"]["RoleName"] == ECS_ROLE


def test_every_region_is_named(h):
    h.ecs_secret("cn-hangzhou", "acs/ecs/a")
    h.ecs_secret("me-central-1", "acs/ecs/b")
    h.ecs_secret("me-central-1", "acs/ecs/c")
    task = start(h)
    h.clock.advance(DECIDE)
    usages = h.deletion_status(task)["Reason"]["RoleUsages"]["RoleUsage"]
    assert [(u["Region"], len(u["Resources"]["Resource"])) for u in usages] == [("cn-hangzhou", 1), ("me-central-1", 2)]


def test_secret_scheduled_for_deletion_still_blocks(h):
    h.ecs_secret("eu-central-1")
    h.call("kms", "DeleteSecret", "eu-central-1", SecretName="acs/ecs/web-1", RecoveryWindowInDays=7)
    task = start(h)
    h.clock.advance(DECIDE)
    assert h.deletion_status(task)["Status"] == "FAILED"


def test_expired_recovery_window_no_longer_blocks(h):
    h.ecs_secret("eu-central-1")
    h.call("kms", "DeleteSecret", "eu-central-1", SecretName="acs/ecs/web-1", RecoveryWindowInDays=7)
    h.clock.advance(7 * 86400 + 1)
    task = start(h)
    h.clock.advance(DECIDE)
    assert h.deletion_status(task)["Status"] == "SUCCEEDED"


def test_generic_secrets_do_not_block(h):
    h.call("ram", "CreateServiceLinkedRole", ServiceName=ECS_SERVICE)
    h.generic_secret("cn-hangzhou", "db-password")
    task = start(h)
    h.clock.advance(DECIDE)
    assert h.deletion_status(task)["Status"] == "SUCCEEDED"


def test_ecs_secrets_block_only_the_ecs_role(h):
    h.ecs_secret("cn-hangzhou")
    h.call("ram", "CreateServiceLinkedRole", ServiceName="secretsmanager-rds.kms.aliyuncs.com")
    task = h.call("ram", "DeleteServiceLinkedRole", RoleName="AliyunServiceRoleForKMSSecretsManagerForRDS")
    h.clock.advance(DECIDE)
    assert h.deletion_status(task["DeletionTaskId"])["Status"] == "SUCCEEDED"


def test_force_deleting_the_secret_unblocks(h):
    h.ecs_secret("me-central-1")
    first = start(h)
    h.clock.advance(DECIDE)
    assert h.deletion_status(first)["Status"] == "FAILED"
    h.call("kms", "DeleteSecret", "me-central-1", SecretName="acs/ecs/web-1", ForceDeleteWithoutRecovery="true")
    second = start(h)
    assert second != first
    assert h.deletion_status(first)["Status"] == "FAILED"  # final
    h.clock.advance(DECIDE)
    assert h.deletion_status(second)["Status"] == "SUCCEEDED"


def test_second_delete_while_in_progress_returns_the_same_task(h):
    h.call("ram", "CreateServiceLinkedRole", ServiceName=ECS_SERVICE)
    assert start(h) == start(h, "ram")


def test_verdict_is_taken_when_the_delay_ends(h):
    h.ecs_secret("cn-shanghai")
    task = start(h)
    h.call("kms", "DeleteSecret", "cn-shanghai", SecretName="acs/ecs/web-1", ForceDeleteWithoutRecovery="true")
    h.clock.advance(DECIDE)
    assert h.deletion_status(task)["Status"] == "SUCCEEDED"


def test_get_role_settles_the_task_too(h):
    h.call("ram", "CreateServiceLinkedRole", ServiceName=ECS_SERVICE)
    start(h)
    h.clock.advance(DECIDE)
    assert h.error("ram", "GetRole", RoleName=ECS_ROLE).code == "EntityNotExist.Role"
    assert h.call("ram", "ListRoles")["Roles"]["Role"] == []


def test_delay_comes_from_settings(clock):
    h = Harness(clock, {"deletion_task_ms": 5000})
    h.call("ram", "CreateServiceLinkedRole", ServiceName=ECS_SERVICE)
    task = start(h)
    clock.advance(4.9)
    assert h.deletion_status(task)["Status"] == "IN_PROGRESS"
    clock.advance(0.2)
    assert h.deletion_status(task)["Status"] == "SUCCEEDED"


def test_unknown_task_and_other_account(h):
    err = h.error("resourcemanager", "GetServiceLinkedRoleDeletionStatus", DeletionTaskId="task/nope")
    assert (err.code, err.status) == ("EntityNotExist.DeletionTask", 404)
    h.call("ram", "CreateServiceLinkedRole", ServiceName=ECS_SERVICE)
    task = start(h)
    err = h.error("resourcemanager", "GetServiceLinkedRoleDeletionStatus", DeletionTaskId=task, account=OTHER_ACCOUNT)
    assert err.code == "EntityNotExist.DeletionTask"
    assert h.error("resourcemanager", "GetServiceLinkedRoleDeletionStatus").code == "MissingParameter"


def test_other_accounts_secrets_do_not_block(h):
    h.call("ram", "CreateServiceLinkedRole", ServiceName=ECS_SERVICE)
    h.ecs_secret("cn-hangzhou", account=OTHER_ACCOUNT)
    task = start(h)
    h.clock.advance(DECIDE)
    assert h.deletion_status(task)["Status"] == "SUCCEEDED"


def test_new_ecs_secret_recreates_the_role(h):
    h.call("ram", "CreateServiceLinkedRole", ServiceName=ECS_SERVICE)
    start(h)
    h.clock.advance(DECIDE)
    assert h.error("ram", "GetRole", RoleName=ECS_ROLE).code == "EntityNotExist.Role"
    h.ecs_secret("ap-southeast-1")
    assert h.call("ram", "GetRole", RoleName=ECS_ROLE)["Role"]["IsServiceLinkedRole"] is True


def test_seeded_secrets_block(h):
    kms.seed_ecs_secrets(h.state, ACCOUNT, "us-east-1", 3)
    task = start(h)
    h.clock.advance(DECIDE)
    usage = h.deletion_status(task)["Reason"]["RoleUsages"]["RoleUsage"]
    assert usage[0]["Region"] == "us-east-1" and len(usage[0]["Resources"]["Resource"]) == 3
