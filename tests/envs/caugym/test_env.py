"""CauGymEnv: one step, the info contract, invalid replies, and the per-variant ids."""

import pytest

import cauarena
from cauarena.agents.caugym import CauGymOracle
from cauarena.envs import check_info
from cauarena.envs.caugym import TASKS, VARIANTS
from cauarena.errors import ConfigError


def test_one_step_with_the_oracle_and_the_info_contract():
    env = cauarena.make("cauarena/CauGym-v0")
    agent = CauGymOracle()
    for seed in range(14):
        observation, info = env.reset(seed=seed)
        check_info(info, "reset")
        assert "task" not in info and info["seed"] == seed
        observation, reward, terminated, truncated, info = env.step(agent.act(observation, info))
        check_info(info, "step")
        assert (reward, terminated, truncated, info["success"]) == (1.0, True, False, True)
        assert info["task"] == TASKS[seed % 7] and info["metrics"][f"correct_{info['task']}"] == 1.0


def test_wrong_and_invalid_replies():
    env = cauarena.make("cauarena/CauGym-v0", task="ATE")
    env.reset(seed=1)
    _, reward, terminated, _, info = env.step('{"ANSWER": "Yes", "PROB": "0.9999"}')
    assert reward == 0.0 and terminated and not info["invalid_action"] and info["metrics"]["prob_correct"] == 0.0
    env.reset(seed=1)
    observation, reward, terminated, _, info = env.step("I think the effect is positive.")
    assert info["invalid_action"] and reward == 0.0 and terminated and info["feedback"] in observation
    env.reset(seed=1)
    observation, _, _, _, info = env.step(42)
    assert info["invalid_action"] and "must be text" in info["feedback"] and info["feedback"] in observation


def test_step_before_reset_raises():
    import gymnasium as gym

    with pytest.raises(gym.error.ResetNeeded):
        cauarena.make("cauarena/CauGym-v0").unwrapped.step("x")


@pytest.mark.parametrize("variant", VARIANTS)
def test_variant_ids(variant):
    env = cauarena.make(f"cauarena/CauGym-{variant.capitalize()}-v0")
    observation, info = env.reset(seed=3)
    assert info["variant"] == variant
    assert ("Instruction:" in observation) == (variant != "omitted")


def test_kwargs_are_checked():
    with pytest.raises(ConfigError, match="Unknown task"):
        cauarena.make("cauarena/CauGym-v0", task="XYZ")
    with pytest.raises(ConfigError, match="Unknown variant"):
        cauarena.make("cauarena/CauGym-v0", variant="noisy")
    with pytest.raises(ConfigError, match="at least 4 nodes"):
        cauarena.make("cauarena/CauGym-v0", task="NIE", variant="deconfounding", difficulty=3)
    with pytest.raises(ConfigError, match="prob_tolerance"):
        cauarena.make("cauarena/CauGym-v0", prob_tolerance=2)


def test_render_and_observation_fits_the_space():
    env = cauarena.make("cauarena/CauGym-v0", difficulty=9, variant="deconfounding", render_mode="ansi")
    for seed in range(7):
        observation, _ = env.reset(seed=seed)
        assert observation in env.observation_space and env.render() == observation


@pytest.mark.parametrize("prob", ["1e999", "nan", "-inf", "Infinity", "1e-999999", "9" * 5000, "1e7"])
def test_absurd_prob_is_an_invalid_reply_not_a_crash(prob):
    env = cauarena.make("cauarena/CauGym-v0", task="ATE")
    env.reset(seed=1)
    observation, reward, terminated, _, info = env.step(f'{{"ANSWER": "Yes", "PROB": "{prob}"}}')
    assert (reward, terminated, info["invalid_action"], info["success"]) == (0.0, True, True, False)
    assert "not a sane number" in info["feedback"] and info["feedback"] in observation
    env.reset(seed=1)  # a bare JSON number too: json itself reads 1e999 as inf
    _, _, _, _, info = env.step('{"ANSWER": "Yes", "PROB": 1e999}')
    assert info["invalid_action"]


def test_oversized_and_deep_replies_are_invalid_with_feedback():
    env = cauarena.make("cauarena/CauGym-v0", task="ATE")
    env.reset(seed=1)
    _, _, _, _, info = env.step("x" * 65537)
    assert info["invalid_action"] and "65,537 characters" in info["feedback"]
    env.reset(seed=1)
    _, _, _, _, info = env.step('{"a":' * 2000 + '{"ANSWER": "Yes", "PROB": "0.5"}' + "}" * 2000)
    assert info["feedback"] == "" or info["invalid_action"]  # read or refused, never RecursionError


def test_truth_and_score_are_sealed_until_the_step_and_summary_reports_so_far():
    env = cauarena.make("cauarena/CauGym-v0")
    sealed = env.unwrapped.sealed_info_keys
    assert {"success", "metrics", "gold", "task"} <= set(sealed)
    _, info = env.reset(seed=4)
    assert not set(sealed) & set(info)
    summary = env.unwrapped.episode_summary()
    assert summary["success"] is False and summary["metrics"]["answered"] == 0.0
    _, _, _, _, info = env.step(CauGymOracle().act(env.unwrapped.item.problem, info))
    assert info["success"] is True and "gold" in info
    assert env.unwrapped.episode_summary() == {"success": True, "metrics": info["metrics"]}
