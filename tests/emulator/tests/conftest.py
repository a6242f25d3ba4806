"""Fixtures for tests that need a running emulator (see alicloud_emulator.testing)."""

from alicloud_emulator.testing import emulator, emulator_env, emulator_session  # noqa: F401
