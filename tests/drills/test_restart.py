"""The emulator restarted on its ``--state`` file between two runs of a play.

Must hold: every change the first run had acknowledged is still there after
the restart (the same state, the same key pairs), and the play's second run,
against the new process, changes nothing and writes nothing.
"""

from alicloud_emulator.testing import running_emulator

KEYS = ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "EMULATOR_ACCOUNT_ID",
        "EMULATOR_READONLY_ACCESS_KEY_ID", "EMULATOR_READONLY_ACCESS_KEY_SECRET")


def test_restart_loses_nothing_and_the_second_run_changes_nothing(ansible, tmp_path):
    state_file = tmp_path / "emulator-state.json"
    with running_emulator(state=state_file) as emu:
        first = ansible.playbook(emu.env, "persist.yml")
        first_env = dict(emu.env)
        acknowledged = emu.state()
    assert first.returncode == 0, first.stdout[-6000:]
    # An instance, a secret and the role were created.
    assert ansible.recap(first.stdout)["changed"] == 3, first.stdout[-6000:]
    assert list(ansible.secrets(acknowledged)) == [("cn-hangzhou", "acs/ecs/persist/root")]
    assert "AliyunServiceRoleForKMSSecretsManagerForECS" in ansible.roles(acknowledged)

    with running_emulator(state=state_file) as emu:
        # The identities are part of the state: the key pairs the first run used still hold.
        assert {k: emu.env[k] for k in KEYS} == {k: first_env[k] for k in KEYS}
        restored = emu.state()
        second = ansible.playbook(emu.env, "persist.yml")
        calls = emu.calls()
        final = emu.state()
    assert restored == acknowledged
    assert second.returncode == 0, second.stdout[-6000:]
    assert ansible.recap(second.stdout)["changed"] == 0, second.stdout[-6000:]
    assert calls and all(c["access_key_id"] == first_env["ALIBABA_CLOUD_ACCESS_KEY_ID"] for c in calls)
    assert [c for c in calls if c["write"]] == []
    assert ansible.secrets(final) == ansible.secrets(acknowledged)
    assert ansible.roles(final) == ansible.roles(acknowledged)
