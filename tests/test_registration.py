"""The env registry: CauArena's entries and Gymnasium's always agree; errors name the env."""

import gymnasium as gym
import pytest

import cauarena
from cauarena.errors import ConfigError
from cauarena.registration import ENV_SPECS, register_env


@pytest.fixture
def scratch_id():
    return "scratch/Swap-v0"  # registered inside the test; tests/conftest.py restores both registries


def test_re_registering_an_id_warns_and_both_registries_follow(scratch_id):
    register_env(scratch_id, "gymnasium.envs.classic_control.cartpole:CartPoleEnv")
    register_env(scratch_id, "gymnasium.envs.classic_control.cartpole:CartPoleEnv")  # the same: silent
    with pytest.warns(UserWarning, match="Overriding environment 'scratch/Swap-v0'"):
        register_env(scratch_id, "gymnasium.envs.classic_control.acrobot:AcrobotEnv")
    assert ENV_SPECS[scratch_id].entry_point.endswith("AcrobotEnv")
    assert gym.registry[scratch_id].entry_point.endswith("AcrobotEnv")
    assert type(cauarena.make(scratch_id).unwrapped).__name__ == "AcrobotEnv"


def test_every_single_agent_entry_is_in_gymnasiums_registry():
    for env_id, entry in ENV_SPECS.items():
        if not entry.multi_agent:
            assert gym.registry[env_id].entry_point == entry.entry_point, env_id


def test_a_bad_kwarg_on_a_multi_agent_env_names_it():
    with pytest.raises(ConfigError, match="cauarena/MAGIC-v0"):
        cauarena.make("cauarena/MAGIC-v0", no_such_kwarg=1)


def test_the_registries_are_restored_after_each_test(scratch_id):
    assert scratch_id not in ENV_SPECS and scratch_id not in gym.registry
