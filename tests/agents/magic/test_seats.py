"""MAGIC seat envs: one seat of the game against a scripted player; returns are the game's own rewards."""

import pytest
from episodes import play as play_episode

import cauarena
from cauarena.agents import make_agent
from cauarena.agents.magic import KeywordDefender, ScriptedAttacker, play_game
from cauarena.agents.magic.seats import SeatOracleAttacker
from cauarena.envs.magic import ATTACKER, DEFENDER, parallel_env
from cauarena.envs.magic.seats import MagicAttackerEnv, MagicDefenderEnv, scripted_player
from cauarena.errors import ConfigError
from cauarena.registration import env_entry

DEFENDER_ID, ATTACKER_ID = "cauarena/MAGIC-Defender-v0", "cauarena/MAGIC-Attacker-v0"


def play(env, agent, seed):
    played = play_episode(env, agent, seed)
    return played.total, played.n_steps, played.info


def test_registered_with_families_and_default_opponents():
    assert env_entry(DEFENDER_ID).family == "magic-defender" and env_entry(ATTACKER_ID).family == "magic-attacker"
    assert cauarena.make(DEFENDER_ID).unwrapped.opponent_name == "attacker-random"
    assert isinstance(cauarena.make(ATTACKER_ID).unwrapped.opponent, KeywordDefender)


@pytest.mark.parametrize("seed", range(6))
def test_seat_returns_are_the_games_rewards(seed):
    """A seat's return equals the reward the two-seat game gives that seat with the same two players."""
    seat = MagicDefenderEnv(attacker=ScriptedAttacker("caesar"))
    total, steps, info = play(seat, KeywordDefender(), seed)
    out = play_game(parallel_env(), ScriptedAttacker("caesar"), KeywordDefender(), seed=seed)
    assert total == out["rewards"][DEFENDER] == info["metrics"]["r_defender"]
    assert steps == out["metrics"]["turns"]
    seat = MagicAttackerEnv(defender="defender-keyword")
    total, _, info = play(seat, ScriptedAttacker("caesar"), seed)
    assert total == out["rewards"][ATTACKER] == info["metrics"]["r_attacker"]


def test_oracles_reach_the_best_outcome():
    for seed in range(4):
        total, _, info = play(cauarena.make(DEFENDER_ID), make_agent("oracle", family="magic-defender"), seed)
        assert total == 1.5 and info["success"]
    env = cauarena.make(ATTACKER_ID)
    returns = [play(env, SeatOracleAttacker(), seed)[0] for seed in range(4)]
    randoms = [play(env, make_agent("random", family="magic-attacker"), seed)[0] for seed in range(4)]
    assert min(returns) >= 0.0 and sum(returns) > sum(randoms)  # 2.0 on a harmful seed, 0.0 on a benign twin


def test_fixed_attacker_generation_and_bad_opponents():
    attacker = scripted_player("fixed[caesar,base64/split2]", "attacker")
    seen = set()
    for seed in range(8):
        attacker.reset(seed=seed)
        seen.add(attacker.current.name)
    assert seen == {"caesar", "base64/split2"}
    with pytest.raises(ConfigError):
        MagicDefenderEnv(attacker="defender-keyword")
    with pytest.raises(ConfigError):
        MagicAttackerEnv(defender=42)


def test_invalid_action_is_flagged_with_feedback_and_played_by_the_games_rule():
    env = cauarena.make(DEFENDER_ID)
    env.reset(seed=0)
    observation, _, _, _, info = env.step(None)
    assert info["invalid_action"] and info["feedback"] in observation["text"]
    observation, _, _, _, info = env.step("I'm sorry, but I can't help with that.")
    assert not info["invalid_action"] and info["feedback"] == ""
