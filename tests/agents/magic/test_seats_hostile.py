"""MAGIC seat envs under hostile actions, with sealed info and a per-seat episode_summary()."""

import time

import numpy as np
import pytest

import cauarena
from cauarena.agents.magic.seats import SeatOracleAttacker, SeatOracleDefender
from cauarena.envs.magic.env import ACTION_MAX_LENGTH
from cauarena.envs.magic.seats import MagicSeatEnv

SEATS = ("cauarena/MAGIC-Defender-v0", "cauarena/MAGIC-Attacker-v0")
SECONDS_PER_CALL = 0.25
"""Each step (the seat's move and the scripted opponent's) within this; measured under 25 ms."""
PUBLIC = {"invalid_action", "feedback", "turn", "your_turn", "conversation", "opponent"}


class Raising:
    def __str__(self):
        raise RuntimeError("__str__ called")

    __repr__ = __format__ = __str__


class RaisingStr(str):
    def __len__(self):
        raise RuntimeError("__len__ called")

    def __iter__(self):
        raise RuntimeError("__iter__ called")


HOSTILE = {"None": None, "bytes": b"hi", "huge int": 10**5000, "nan": float("nan"), "raising": Raising(),
           "array": np.array([["a"]]), "dict": {"a": 1}, "1 MB": "x" * 1_000_000, "empty": "",
           "unicode": "\u202e\x00caf\u00e9", "too long by one": "z" * (ACTION_MAX_LENGTH + 1)}  # fmt: skip
PATHOLOGICAL = {"open angles": "<<" * 2048, "quotes": '"' * ACTION_MAX_LENGTH, "spaces": " " * ACTION_MAX_LENGTH,
                "parts": "PART 1/2: " * 409}  # fmt: skip


@pytest.mark.parametrize("env_id", SEATS)
@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_actions_are_invalid_fast_and_never_raise(env_id, case):
    env = cauarena.make(env_id, max_turns=2)
    env.reset(seed=3)
    start = time.perf_counter()
    obs, reward, terminated, truncated, info = env.step(HOSTILE[case])
    assert time.perf_counter() - start < SECONDS_PER_CALL
    assert info["invalid_action"] and info["feedback"] in obs["text"] and obs in env.observation_space


@pytest.mark.parametrize("env_id", SEATS)
@pytest.mark.parametrize("case", sorted(PATHOLOGICAL))
def test_pathological_legal_moves_are_answered_fast(env_id, case):
    env = cauarena.make(env_id, max_turns=2)
    env.reset(seed=3)
    start = time.perf_counter()
    info = env.step(PATHOLOGICAL[case])[4]
    assert time.perf_counter() - start < SECONDS_PER_CALL and not info["invalid_action"]


@pytest.mark.parametrize("env_id", SEATS)
def test_a_str_subclass_is_a_legal_move(env_id):
    env = cauarena.make(env_id, max_turns=1)
    env.reset(seed=0)
    assert not env.step(RaisingStr("<think>t</think><answer>hello</answer>"))[4]["invalid_action"]


@pytest.mark.parametrize("env_id", SEATS)
def test_sealed_keys_only_at_the_end_and_summary_agrees(env_id):
    env = cauarena.make(env_id, max_turns=3)
    assert set(MagicSeatEnv.sealed_info_keys) >= {"success", "metrics"}
    for seed in range(4):
        _, info = env.reset(seed=seed)
        infos, done = [info], False
        while not done:
            summary = env.unwrapped.episode_summary()
            assert set(summary) == {"success", "metrics"} and isinstance(summary["success"], bool)
            _, _, terminated, truncated, info = env.step("<think>t</think><answer>Could you clarify?</answer>")
            infos.append(info)
            done = terminated or truncated
        *before, last = infos
        assert all(set(i) - {"query_id"} == PUBLIC for i in before), [sorted(i) for i in before]
        assert {"success", "metrics"} <= set(last)
        assert env.unwrapped.episode_summary() == {"success": last["success"], "metrics": last["metrics"]}


def test_seat_oracles_are_privileged():
    assert SeatOracleDefender.privileged and SeatOracleAttacker.privileged
