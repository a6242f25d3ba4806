"""Fixtures for tests that need a running emulator (see alicloud_emulator.testing)."""

import products_harness
from alicloud_emulator import testing

# Fixtures are shared by assignment: pytest finds them by name in this module.
emulator_session = testing.emulator_session
emulator = testing.emulator
emulator_env = testing.emulator_env

# The product tests' fixtures (a fake clock, a harness), likewise.
clock = products_harness.clock
h = products_harness.h
