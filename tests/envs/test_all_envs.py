"""Checks every registered env inherits: check_env, determinism, malformed and hostile actions, sealed truth.

Parametrised over ``cauarena.ENV_SPECS`` so a new family is covered as soon as it registers its ids; the
hostile-action and sealing checks cover the multi-agent games too (each agent gets the hostile action).
"""

import math
import warnings

import pytest
from gymnasium.utils.env_checker import data_equivalence
from gymnasium.utils.env_match import check_environments_match
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import cauarena
from cauarena.agents.random import RandomAgent
from cauarena.envs import (
    MALFORMED_ACTIONS,
    RaisingObject,
    check_action_answer,
    check_hostile_actions,
    check_info,
    check_malformed_actions,
    check_sealed_episode,
    check_text_env,
    hostile_actions,
    timed_step,
)

# the suite's own envs only: test modules register throwaway envs (arenakit/...) that are not held to the contract
SINGLE_AGENT_IDS = sorted(env_id for env_id, entry in cauarena.ENV_SPECS.items()
                          if not entry.multi_agent and env_id.startswith("cauarena/"))
ALL_IDS = sorted(env_id for env_id in cauarena.ENV_SPECS if env_id.startswith("cauarena/"))
CPU_SECONDS_PER_STEP = 1.0
"""The time bound of every hostile step (CPU time of this process, so a busy machine does not fail it)."""


@pytest.mark.parametrize("env_id", SINGLE_AGENT_IDS)
def test_check_env_passes_without_warnings(env_id):
    env = cauarena.make(env_id)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_text_env(env)
    env.close()
    assert not caught, [f"{w.category.__name__}: {w.message}" for w in caught]


@pytest.mark.parametrize("env_id", SINGLE_AGENT_IDS)
def test_malformed_actions_get_feedback(env_id):
    env = cauarena.make(env_id)
    check_malformed_actions(env, MALFORMED_ACTIONS)
    env.close()


def _rollout(env, agent, seed, steps):
    observation, info = env.reset(seed=seed)
    agent.reset(seed=seed, info=info)
    yield observation, info
    episode = 0
    for _ in range(steps):
        action = agent.act(observation, info)
        observation, reward, terminated, truncated, info = env.step(action)
        yield action, observation, reward, terminated, truncated, info
        if terminated or truncated:
            episode += 1
            observation, info = env.reset(seed=seed + episode)
            agent.reset(seed=seed + episode, info=info)
            yield observation, info


@pytest.mark.parametrize("env_id", SINGLE_AGENT_IDS)
def test_same_seed_same_trajectory(env_id):
    env_a, env_b = cauarena.make(env_id), cauarena.make(env_id)
    agent_a, agent_b = RandomAgent(), RandomAgent()
    agent_a.bind(env_a)
    agent_b.bind(env_b)
    pairs = zip(_rollout(env_a, agent_a, 7, 150), _rollout(env_b, agent_b, 7, 150), strict=True)
    for step, (a, b) in enumerate(pairs):
        assert data_equivalence(a, b, exact=True), f"{env_id} diverges at record {step}:\n{a}\n{b}"
        check_info(a[-1], f"{env_id} record {step}")
    # Gymnasium's own matcher, with actions sampled from the (text) action space.
    check_environments_match(env_a, env_b, num_steps=30, seed=11)


@pytest.mark.parametrize("env_id", SINGLE_AGENT_IDS)
def test_reset_seed_reproduces_the_first_observation(env_id):
    env = cauarena.make(env_id)
    first = env.reset(seed=123)
    env.reset(seed=124)
    assert data_equivalence(env.reset(seed=123), first, exact=True)


_ENVS: dict = {}


def _shared_env(env_id):
    if env_id not in _ENVS:
        _ENVS[env_id] = cauarena.make(env_id)
        _ENVS[env_id].reset(seed=0)
    return _ENVS[env_id]


ANY_ACTION = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["Action: ", "action:\n", "turn", "go", "pick", "\n\n", " \t "]),
    st.integers(),
    st.none(),
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.binary(max_size=24),
    st.lists(st.one_of(st.text(max_size=8), st.integers()), max_size=4),
    st.dictionaries(st.text(max_size=8), st.one_of(st.text(max_size=8), st.integers()), max_size=3),
    st.tuples(st.integers(), st.text(max_size=4)),
)


@pytest.mark.parametrize("env_id", SINGLE_AGENT_IDS)
# Box.contains warns when this test asks it about a list; the envs themselves never call it on raw input
@pytest.mark.filterwarnings("ignore:.*Casting input x to numpy array")
@settings(max_examples=60, deadline=None, database=None)
@given(action=ANY_ACTION)
def test_random_actions_never_crash(env_id, action):
    env = _shared_env(env_id)
    result = check_action_answer(env, action)  # feedback for invalid ones, or InvalidAction
    if result is None:
        return
    _, _, terminated, truncated, info = result
    if not isinstance(action, str) and action not in env.action_space:
        assert info["invalid_action"] is True, f"{env_id} accepted {action!r} as a valid action"
    if terminated or truncated:
        env.reset(seed=0)


def _is_multi(env_id):
    return cauarena.ENV_SPECS[env_id].multi_agent


@pytest.mark.parametrize("env_id", ALL_IDS)
@pytest.mark.filterwarnings("ignore:.*Casting input x to numpy array")
def test_hostile_actions_are_answered_in_bounded_time(env_id):
    """Megabyte strings, 10^5-deep lists, nan/inf/1e999, huge ints, wrong arrays, raising objects: no crash."""
    env = cauarena.make(env_id)
    slowest = check_hostile_actions(env, cpu_limit=CPU_SECONDS_PER_STEP)
    assert slowest <= CPU_SECONDS_PER_STEP
    # the env still plays normally afterwards
    check_sealed_episode(env, seed=1, max_steps=5000)


@pytest.mark.parametrize("env_id", ALL_IDS)
@pytest.mark.parametrize("seed", [0, 1])
def test_truth_and_score_are_sealed_until_the_ending_step(env_id, seed):
    """A random agent's episode: no sealed key before the end, success at the end, a summary at every step."""
    env = cauarena.make(env_id)
    steps = check_sealed_episode(env, seed=seed, max_steps=5000)
    assert steps >= 1


def _deep(depth):
    value = 0.5
    for _ in range(depth):
        value = [value]
    return value


HOSTILE_ACTION = st.one_of(
    st.text(max_size=200),
    st.text(alphabet="{}[]\"\\:,-> ", min_size=1000, max_size=20_000),
    st.builds(lambda n, c: c * n, st.integers(10_000, 2_000_000), st.sampled_from(["{", "[", "x", "\n", "->", "<<"])),
    st.sampled_from([f'{{"ANSWER": "Yes", "PROB": "{v}"}}' for v in ("1e999", "nan", "-inf", "1e-999999", "9" * 999)]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**500), max_value=10**500),
    st.builds(_deep, st.sampled_from([1, 2, 3, 33, 1000, 100_000])),
    hnp.arrays(hnp.scalar_dtypes(), hnp.array_shapes(min_dims=0, max_dims=3, max_side=12)),
    st.sampled_from([None, b"\xff" * 100, bytearray(100), complex("nan+1j")]),  # raising objects: the fixed list
    st.recursive(st.none() | st.booleans() | st.floats() | st.text(max_size=8),
                 lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
                 max_leaves=20),
)


_HOSTILE_ENVS: dict = {}


def _hostile_env(env_id):
    if env_id not in _HOSTILE_ENVS:
        _HOSTILE_ENVS[env_id] = cauarena.make(env_id)
        _HOSTILE_ENVS[env_id].reset(seed=0)
    return _HOSTILE_ENVS[env_id]


@pytest.mark.parametrize("env_id", ALL_IDS)
@pytest.mark.filterwarnings("ignore:.*Casting input x to numpy array")
@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow,
                                                                                HealthCheck.data_too_large])
@given(action=HOSTILE_ACTION)
def test_generated_hostile_actions_never_crash(env_id, action):
    env = _hostile_env(env_id)
    if _is_multi(env_id) and not env.agents:
        env.reset(seed=0)
    sent = {agent: action for agent in env.agents} if _is_multi(env_id) else action
    result, _ = timed_step(env, sent, cpu_limit=CPU_SECONDS_PER_STEP)
    if result is None:
        return
    _, _, terminated, truncated, info = result
    if _is_multi(env_id):
        for agent_info in info.values():
            check_info(agent_info, f"{env_id}: step({{agent: ...}})")
        if not env.agents:
            env.reset(seed=0)
        return
    check_info(info, f"{env_id}: step(...)")
    if terminated or truncated:
        env.reset(seed=0)


def test_the_hostile_list_holds_each_kind_the_issue_names():
    actions = hostile_actions()
    assert any(isinstance(a, str) and len(a) >= 1_000_000 for a in actions)
    assert any(isinstance(a, float) and math.isnan(a) for a in actions)
    assert any(isinstance(a, int) and not isinstance(a, bool) and a.bit_length() > 1000 for a in actions)
    assert '{"ANSWER": "Yes", "PROB": "1e999"}' in actions and '{"a":' * 2000 in actions
    assert any(type(a).__name__ == "ndarray" and a.dtype == object for a in actions)
    assert any(isinstance(a, RaisingObject) for a in actions) and None in actions and b"go forward" in actions
    deep = next(a for a in actions if isinstance(a, list) and len(a) == 1 and isinstance(a[0], list))
    depth = 0
    while isinstance(deep, list):
        deep, depth = deep[0], depth + 1
    assert depth == 100_000
