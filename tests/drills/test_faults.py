"""Throttling, 503s and dropped connections on every API call, for every module and the role.

Must hold: the play (playbooks/lifecycle.yml) ends with the results it has
without faults; every write the emulator acknowledged happened exactly once
(no duplicate secret, no second role); the faults really hit the run; and the
account ends empty. A region down for good is drilled by the role's
integration target (tests/integration/targets/secrets_manager_ecs), which
checks that the scan fails naming the region and nothing is deleted.
"""

import pytest
from alicloud_emulator.testing import running_emulator
HIT = {
    "throttle_rate": lambda call: "Throttling" in (call["code"] or ""),
    "error_rate": lambda call: call["http_status"] == 503,
    "drop_rate": lambda call: call["code"] == "ConnectionDropped",
}


@pytest.mark.parametrize("fault, rate", [("throttle_rate", 0.3), ("error_rate", 0.2), ("drop_rate", 0.2)])
def test_whole_lifecycle_under_fault(ansible, fault, rate):
    with running_emulator() as emu:
        emu.set_faults(**{fault: rate})
        done = ansible.playbook(emu.env, "lifecycle.yml")
        emu.reset_faults()
        calls = emu.calls()
        state = emu.state()
    assert done.returncode == 0, done.stdout[-6000:]
    # Each acknowledged creation and deletion happened once, whatever was retried.
    assert ansible.successful(calls, "CreateServiceLinkedRole") == 1
    assert ansible.successful(calls, "CreateSecret") == 2
    assert ansible.successful(calls, "DeleteSecret") == 2
    assert ansible.successful(calls, "DeleteServiceLinkedRole") == 1
    writes = sorted({c["action"] for c in calls if c["write"]})
    assert writes == ["CreateSecret", "CreateServiceLinkedRole", "DeleteSecret", "DeleteServiceLinkedRole"]
    # The fault did hit the run (on about a hundred calls; which ones is chance).
    assert [c for c in calls if HIT[fault](c)], "no call was faulted"
    # And the account is empty again: no secret left behind, no role.
    assert ansible.secrets(state) == {}
    assert ansible.roles(state) == {}
