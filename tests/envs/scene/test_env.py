"""CausalScene-v0: check_env, malformed actions get the penalty, truth sealed until the end, determinism."""

import doctest

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import cauarena
from cauarena.envs.scene import env as env_module
from cauarena.envs.scene.env import MAX_INVALID, CausalSceneEnv
from cauarena.envs.scene.render import render
from cauarena.errors import ConfigError


def test_doctests():
    assert doctest.testmod(env_module).failed == 0


def test_gymnasium_check_env_passes():
    check_env(CausalSceneEnv(), skip_render_check=True)


@pytest.mark.parametrize("action", [np.zeros((32, 32, 3)), np.zeros((32, 32), np.uint8), "a red ball", None,
                                    np.zeros((32, 32, 3), np.uint8).tolist()], ids=range(5))
def test_malformed_actions_get_the_penalty_and_feedback(action):
    env = cauarena.make("cauarena/CausalScene-v0")
    prompt, _ = env.reset(seed=0)
    for attempt in range(1, MAX_INVALID + 1):
        observation, reward, terminated, _, info = env.step(action)
        assert info["invalid_action"] is True and reward == 0.0
        assert observation.startswith(prompt) and info["feedback"] in observation
        assert "uint8 numpy array of shape (32, 32, 3)" in info["feedback"]
        assert terminated == (attempt == MAX_INVALID)
    assert info["success"] is False and info["metrics"]["physical_alignment"] == 0.0


def test_truth_is_sealed_until_the_image_and_scored_after():
    env = cauarena.make("cauarena/CausalScene-v0", split="ood")
    prompt, info = env.reset(seed=4)
    assert not set(env.unwrapped.sealed_info_keys) & set(info) and info["prompt"] == prompt
    scene = env.unwrapped.scene
    _, reward, terminated, _, info = env.step(render(scene))
    assert terminated and reward == 1.0 and info["success"] is True
    assert info["metrics"]["ood"] == 1.0 and info["elements"] == {"object": 1.0, scene.cause: 1.0, scene.effect: 1.0}
    assert [n["name"] for n in info["graph"]["nodes"]] == ["object", scene.cause, scene.effect]


def test_same_seed_same_prompt_and_bad_split_is_refused():
    a, b = cauarena.make("cauarena/CausalScene-v0"), cauarena.make("cauarena/CausalScene-v0")
    assert a.reset(seed=9) == b.reset(seed=9)
    with pytest.raises(ConfigError, match="split must be one of"):
        CausalSceneEnv(split="test")
