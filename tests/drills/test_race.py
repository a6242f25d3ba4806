"""Two ansible-playbook processes ensure the role at the same moment.

Must hold: both succeed, exactly one reports the change, and the emulator
acknowledged exactly one CreateServiceLinkedRole.
"""

from alicloud_emulator.testing import running_emulator

WAIT = 300


def test_two_plays_ensure_the_role_at_once(ansible, tmp_path):
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    with running_emulator() as emu:
        # Slow answers widen the window in which both runs see no role.
        emu.set_faults(latency_ms=150)
        handles = [open(path, "w") for path in logs]
        runs = [ansible.start_playbook(emu.env, "ensure_role.yml", log=handle) for handle in handles]
        try:
            codes = [run.wait(timeout=WAIT) for run in runs]
        finally:
            for run in runs:
                if run.poll() is None:
                    run.kill()
                    run.wait(timeout=10)
            for handle in handles:
                handle.close()
        calls = emu.calls()
        state = emu.state()
    outputs = [path.read_text() for path in logs]
    assert codes == [0, 0], "\n".join(o[-4000:] for o in outputs)
    assert sorted(ansible.recap(o)["changed"] for o in outputs) == [0, 1], "\n".join(o[-4000:] for o in outputs)
    assert ansible.successful(calls, "CreateServiceLinkedRole") == 1
    assert "AliyunServiceRoleForKMSSecretsManagerForECS" in ansible.roles(state)
