"""SDK contract tests: the real alibabacloud-* clients against a running emulator."""

from alicloud_emulator.testing import emulator, emulator_env, emulator_session  # noqa: F401
