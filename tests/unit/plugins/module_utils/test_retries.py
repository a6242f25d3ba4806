import pytest
from hypothesis import given, strategies as st

from ansible_collections.alicloud.kms.plugins.module_utils.errors import AlicloudError
from ansible_collections.alicloud.kms.plugins.module_utils.retries import RetryPolicy


def failing(errors, result="ok"):
    """A callable that raises each of ``errors`` in turn, then returns ``result``."""
    calls = []

    def fn():
        calls.append(1)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return result

    fn.calls = calls
    return fn


def test_throttling_is_retried_until_success():
    sleeps = []
    policy = RetryPolicy(max_retries=5, sleep=sleeps.append, rand=lambda: 1.0)
    fn = failing([AlicloudError("Throttling.User", "slow", status=400)] * 3)
    assert policy.call(fn, action="ListSecrets") == "ok"
    assert len(fn.calls) == 4
    assert sleeps == [0.2, 0.4, 0.8]


def test_gives_up_after_the_budget_with_the_last_error():
    policy = RetryPolicy(max_retries=2, sleep=lambda _s: None)
    fn = failing([AlicloudError("ServiceUnavailable", "down", status=503)] * 10)
    with pytest.raises(AlicloudError) as info:
        policy.call(fn, action="ListSecrets", region="eu-west-1")
    assert info.value.code == "ServiceUnavailable"
    assert len(fn.calls) == 3


def test_errors_that_cannot_improve_are_not_retried():
    policy = RetryPolicy(max_retries=5, sleep=lambda _s: pytest.fail("must not sleep"))
    fn = failing([AlicloudError("Forbidden.RAM", "no", status=403)])
    with pytest.raises(AlicloudError):
        policy.call(fn)
    assert len(fn.calls) == 1


def test_foreign_exceptions_leave_translated_with_the_action():
    policy = RetryPolicy(max_retries=0)
    with pytest.raises(AlicloudError) as info:
        policy.call(failing([ValueError("bad json")]), action="GetRole", product="ram")
    assert info.value.action == "GetRole" and info.value.product == "ram"


def test_on_retry_is_told_of_each_retry():
    seen = []
    policy = RetryPolicy(max_retries=3, sleep=lambda _s: None)
    policy.call(failing([AlicloudError("Throttling", "x")] * 2),
                on_retry=lambda error, attempt, delay: seen.append((error.code, attempt)))
    assert seen == [("Throttling", 1), ("Throttling", 2)]


@given(attempt=st.integers(min_value=1, max_value=60), jitter=st.floats(min_value=0, max_value=1))
def test_delay_is_jittered_and_capped(attempt, jitter):
    policy = RetryPolicy(base_delay=0.2, max_delay=10.0, rand=lambda: jitter)
    delay = policy.delay(attempt)
    assert 0 <= delay <= 10.0
    assert delay == pytest.approx(min(10.0, 0.2 * 2 ** (attempt - 1)) * jitter)


def test_negative_budget_is_refused():
    with pytest.raises(ValueError):
        RetryPolicy(max_retries=-1)
