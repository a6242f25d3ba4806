"""SDK contract tests: the real alibabacloud-* clients against a running emulator."""

from alicloud_emulator import testing

# Fixtures are shared by assignment: pytest finds them by name in this module.
emulator_session = testing.emulator_session
emulator = testing.emulator
emulator_env = testing.emulator_env
