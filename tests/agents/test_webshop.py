import pytest
from episodes import play as play_episode

from cauarena.agents import make_agent
from cauarena.agents.llm import get_parser, get_prompt
from cauarena.agents.webshop import WebShopOracle
from cauarena.envs.webshop import WebShopEnv, split_targets
from cauarena.errors import ConfigError


def play(env, agent, seed):
    played = play_episode(env, agent, seed, bind=False, check_valid=True)
    return played.reward, played.info, played.n_steps


@pytest.mark.parametrize("size", [100, 1000])
def test_oracle_buys_with_reward_one_on_every_instruction(size):
    env = WebShopEnv(num_products=size)
    oracle = make_agent("oracle", family="webshop")
    assert isinstance(oracle, WebShopOracle)
    oracle.bind(env)
    for split in ("train", "eval", "test"):
        env.split = split
        for seed in range(len(split_targets(env.catalog, split))):
            reward, info, steps = play(env, oracle, seed)
            assert reward == 1.0 and info["success"] and info["metrics"]["progress"] == 1.0, (split, seed)
            assert steps <= 20


def test_oracle_needs_a_webshop_env():
    with pytest.raises(ConfigError, match="WebShop"):
        WebShopOracle().bind(object())
    with pytest.raises(ConfigError, match="before bind"):
        WebShopOracle().act("", {})


def test_random_agent_runs_on_webshop():
    env = WebShopEnv(num_products=100, max_steps=30)
    played = play_episode(env, make_agent("random", family="webshop"), 0, max_steps=30)
    assert played.n_steps <= 30 and (played.rollout.ended or played.rollout.truncated)


def test_prompt_and_parser_are_registered():
    assert get_prompt("webshop").name == "webshop"
    parse = get_parser("webshop", strict=True)
    info = {"valid_actions": ["click[back to search]", "click[b0abc]", "click[buy now]"]}
    assert parse("Action: click[B0ABC]", info) == "click[b0abc]"
    assert parse("Thought: long.\nAction: search[red dress]", {"valid_actions": ["search[<keywords>]"]}) == (
        "search[red dress]"
    )
    assert parse("I will buy now", info) == "I will buy now"
