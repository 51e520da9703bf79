"""GRPO roll-outs: the reward TRL gets is the runner's episode return, played through the leaderboard's ChatAgent."""

import re

import pytest

from cauarena.agents.llm import ChatResponse, make_chat_agent
from cauarena.agents.llm.backends.mock import MockBackend
from cauarena.errors import ConfigError, EnvNotFound
from cauarena.leaderboards.episode import run_episode
from cauarena.leaderboards.suites import EpisodeSpec
from cauarena.learners.grpo import rollout
from cauarena.learners.grpo.grpo_config import EnvGRPOConfig
from cauarena.learners.grpo.policy import TurnSample
from cauarena.learners.grpo.rewards import REWARD_FUNCS, env_return_reward, format_reward
from cauarena.learners.grpo.rollout import EpisodeKey, RolloutPlayer, episode_dataset_rows

GOTO_LOCAL = "cauarena/BabyAI-GoToLocal-Text-v0"
SEEDS = (3, 5, 8, 11, 17, 21)


def walk_to_mission(messages):
    """A scripted BabyAI policy that reads only the prompt: walk level with the mission's object, then turn to it.

    Its first reply in an episode (no history yet) is 'jump', an invalid action, so invalid counts show up.
    """
    if len(messages) == 2:
        return "jump"
    text = messages[-1]["content"]
    target = re.search(r"Mission: go to (?:the|a) (\w+ \w+)", text)
    line = re.search(rf"You see a {target.group(1)} ([^\n]*)", text) if target else None
    if line is None:
        return "turn left"
    where = line.group(1)
    if "forward" in where:
        return "go forward"
    return "turn left" if "left" in where else "turn right"


class ScriptedPolicy(MockBackend):
    """A scripted chat backend that records TurnSamples the way PolicyBackend does (fake token ids)."""

    def __init__(self, replies=walk_to_mission):
        super().__init__("scripted", replies)
        self.samples = []

    def _generate(self, messages, **kwargs):
        response = super()._generate(messages, **kwargs)
        n = self.count_message_tokens(messages)
        self.samples.append(TurnSample(tuple(range(n)), (len(self.samples),), (-0.5,)))
        return response

    def take_samples(self):
        samples, self.samples = self.samples, []
        return samples


def leaderboard_return(seed, env_id=GOTO_LOCAL, replies=walk_to_mission, max_steps=12):
    """The runner's row for a ChatAgent on the same scripted replies (greedy, as the leaderboard plays)."""
    import cauarena
    from cauarena.registration import env_entry

    family = env_entry(env_id).family
    agent = make_chat_agent("mock/scripted", family=family, replies=replies)
    spec = EpisodeSpec("grpo-test", env_id, (), family, "mock/scripted", "", seed, 0, max_steps=max_steps, timeout_s=60)
    result, _ = run_episode(cauarena.make(env_id), agent, spec, "run", keep_trajectory=False)
    return result


def test_reward_passed_to_trl_is_the_runners_episode_return():
    config = EnvGRPOConfig(model="hf/unused", max_turns=12, num_generations=2)
    backend = ScriptedPolicy()
    player = RolloutPlayer(config, lambda trainer: backend)
    prompts = [EpisodeKey(GOTO_LOCAL, seed).prompt() for seed in SEEDS]
    fields = player(prompts, trainer=None)
    episodes = player.take_episodes()
    # TRL calls each reward function with prompts, completions and every extra field of the roll-out
    extra = {k: v for k, v in fields.items() if k not in ("prompt_ids", "completion_ids", "logprobs")}
    got = env_return_reward(prompts, ["c"] * len(prompts), **extra)
    rows = [leaderboard_return(seed) for seed in SEEDS]
    assert got == pytest.approx([row.episode_return for row in rows], abs=1e-9)
    assert [e.steps for e in episodes] == [row.steps for row in rows]
    assert [e.invalid_actions for e in episodes] == [row.invalid_actions for row in rows] == [1] * len(SEEDS)
    assert [bool(s) for s in fields["success"]] == [row.success for row in rows]
    assert any(row.success for row in rows) and any(not row.success for row in rows)
    assert format_reward(prompts, [], **extra) == [-1 / row.steps for row in rows]
    assert all(len(fn(prompts, [], **extra)) == len(prompts) for fn in REWARD_FUNCS)
    assert fields["prompt_ids"] == [list(e.turns[0].prompt_ids) for e in episodes]
    assert [len(e.turns) for e in episodes] == [e.steps for e in episodes]
    player.close()


@pytest.mark.parametrize("env_id", ["cauarena/CauGym-v0", "cauarena/WebShop-v0"])
def test_single_step_and_web_envs_are_played_the_same_way(env_id):
    from cauarena.agents.llm.backends.mock import first_valid

    pytest.importorskip("bm25s") if "WebShop" in env_id else None
    config = EnvGRPOConfig(env_ids=(env_id,), model="hf/unused", max_turns=6)
    player = RolloutPlayer(config, lambda trainer: ScriptedPolicy(first_valid))
    fields = player([EpisodeKey(env_id, seed).prompt() for seed in (1, 2)], trainer=None)
    rows = [leaderboard_return(seed, env_id, first_valid, max_steps=6) for seed in (1, 2)]
    assert fields["env_return"] == pytest.approx([row.episode_return for row in rows], abs=1e-9)
    assert fields["steps"] == [row.steps for row in rows]
    player.close()


def test_an_observation_too_long_for_the_context_ends_the_episode_as_cut():
    from cauarena.agents.llm import ContextOverflow

    class Overflowing(ScriptedPolicy):
        def _generate(self, messages, **kwargs):
            if len(self.samples) == 2:
                raise ContextOverflow("the prompt overflows the model's context")
            return super()._generate(messages, **kwargs)

    config = EnvGRPOConfig(model="hf/unused", max_turns=12)
    player = RolloutPlayer(config, lambda trainer: Overflowing())
    fields = player([EpisodeKey(GOTO_LOCAL, 4).prompt()], trainer=None)
    (episode,) = player.take_episodes()
    assert episode.cut and episode.steps == 2 == len(episode.turns) and fields["steps"] == [2]
    player.close()

    class NeverFits(ScriptedPolicy):
        def _generate(self, messages, **kwargs):
            raise ContextOverflow("the first observation overflows")

    player = RolloutPlayer(config, lambda trainer: NeverFits())
    with pytest.raises(ContextOverflow, match="first observation"):
        player([EpisodeKey(GOTO_LOCAL, 4).prompt()], trainer=None)
    player.close()


def test_the_group_shares_its_env_seed_but_not_its_sampling_seed():
    seen = []

    class Recording(ScriptedPolicy):
        def _generate(self, messages, *, seed, **kwargs):
            seen.append((messages[-1]["content"], seed))
            return super()._generate(messages, seed=seed, **kwargs)

    config = EnvGRPOConfig(model="hf/unused", max_turns=1, num_generations=3)
    player = RolloutPlayer(config, lambda trainer: Recording())
    player([EpisodeKey(GOTO_LOCAL, 4).prompt()] * 3, trainer=None)
    assert len({obs for obs, _ in seen}) == 1 and len({seed for _, seed in seen}) == 3


def test_dataset_rows_are_training_seeds_of_every_env():
    config = EnvGRPOConfig(env_ids=(GOTO_LOCAL, "cauarena/BabyAI-PickupLoc-Text-v0"), model="hf/x", num_seeds=3)
    keys = [EpisodeKey.from_prompt(row["prompt"]) for row in episode_dataset_rows(config)]
    assert len(keys) == 6 and {k.seed for k in keys} == {0, 1, 2}
    with pytest.raises(ConfigError, match="EpisodeKey JSON"):
        EpisodeKey.from_prompt("go to the red ball")


@pytest.mark.parametrize(
    "changes, error, match",
    [
        ({"env_ids": ()}, ConfigError, "at least one env id"),
        ({"env_ids": ("cauarena/BabyAI-GoToLocl-Text-v0",)}, EnvNotFound, "GoToLocal"),
        ({"model": "openai/gpt-4o"}, ConfigError, "trains local weights"),
        ({"num_seeds": 1001}, ConfigError, "held out for evaluation"),
        ({"num_generations": 1}, ConfigError, "a group to compare"),
        ({"max_turns": 0}, ConfigError, "max_turns must be an int >= 1"),
        ({"temperature": 0.0}, ConfigError, "samples its roll-outs"),
        ({"reward_weights": (0, 0, 0)}, ConfigError, "not all zero"),
        ({"loss_type": "ppo"}, ConfigError, "loss_type"),
        ({"bf16": True}, ConfigError, "bf16 needs a GPU"),
        ({"device": "tpu"}, ConfigError, "device"),
    ],
)
def test_config_errors_explain_the_fix(changes, error, match):
    with pytest.raises(error, match=match):
        EnvGRPOConfig(**changes)


def test_config_round_trips_through_json():
    import json

    config = EnvGRPOConfig(env_kwargs={"max_steps": 32}.items(), reward_weights=[1, 0.2, 0.1], lora_r=4)
    again = EnvGRPOConfig.from_dict(json.loads(json.dumps(config.to_dict())))
    assert again == config and again.batch_episodes == 16
    with pytest.raises(ConfigError, match="Unknown EnvGRPOConfig keys \\['step'\\]"):
        EnvGRPOConfig.from_dict({"step": 3})


def test_chat_response_is_what_the_agent_parses():
    backend = ScriptedPolicy()
    agent = rollout.chat_agent(backend, GOTO_LOCAL, EnvGRPOConfig(model="hf/x", temperature=0.7))
    assert agent.temperature == 0.7 and agent.template.name == "babyai"
    assert isinstance(backend.generate([{"role": "user", "content": "x"}]), ChatResponse)
