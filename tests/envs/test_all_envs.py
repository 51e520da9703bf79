"""Checks every registered single-agent env inherits: check_env, determinism, malformed actions.

Parametrised over ``cauarena.ENV_SPECS`` so a new family is covered as soon as it registers its ids.
"""

import warnings

import pytest
from gymnasium.utils.env_checker import data_equivalence
from gymnasium.utils.env_match import check_environments_match
from hypothesis import given, settings
from hypothesis import strategies as st

import cauarena
from cauarena.agents.random import RandomAgent
from cauarena.envs import MALFORMED_ACTIONS, check_action_answer, check_info, check_malformed_actions, check_text_env

# the suite's own envs only: test modules register throwaway envs (arenakit/...) that are not held to the contract
SINGLE_AGENT_IDS = sorted(env_id for env_id, entry in cauarena.ENV_SPECS.items()
                          if not entry.multi_agent and env_id.startswith("cauarena/"))


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
