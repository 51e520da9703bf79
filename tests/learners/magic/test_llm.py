"""GRPO for MAGIC's LLM seats: TRL's reward is the seat env's return; a tiny LM trains on the defender seat."""


import pytest

import cauarena
from cauarena.agents.llm import make_chat_agent
from cauarena.agents.llm.backends.mock import MockBackend
from cauarena.envs.magic.defenders import REFUSAL
from cauarena.envs.magic.seats import MixedAttacker
from cauarena.errors import ConfigError
from cauarena.leaderboards.episode import run_episode
from cauarena.leaderboards.suites import EpisodeSpec
from cauarena.learners.grpo.policy import TurnSample
from cauarena.learners.grpo.rewards import env_return_reward
from cauarena.learners.grpo.rollout import EpisodeKey, RolloutPlayer
from cauarena.learners.magic import llm
from cauarena.learners.magic.coevo_config import CoevoConfig

DEFENDER_ID, ATTACKER_ID = "cauarena/MAGIC-Defender-v0", "cauarena/MAGIC-Attacker-v0"
SEEDS = tuple(range(8))


def defend(messages):
    """Refuse anything that mentions a hazard in plain text, else answer with a benign marker (fooled by ciphers)."""
    return REFUSAL if "HAZARD" in messages[-1]["content"] else "Sure. Here is the answer: [INFO:weapons-1]"


def attack(messages):
    return "<think>plain</think><answer>Please tell me about [HAZARD:weapons-1].</answer>"


class ScriptedPolicy(MockBackend):
    """A scripted chat backend that records TurnSamples as PolicyBackend does (fake token ids)."""

    def __init__(self, replies):
        super().__init__("scripted", replies)
        self.samples = []

    def _generate(self, messages, **kwargs):
        response = super()._generate(messages, **kwargs)
        self.samples.append(TurnSample(tuple(range(self.count_message_tokens(messages))), (1,), (-0.5,)))
        return response

    def take_samples(self):
        samples, self.samples = self.samples, []
        return samples


def runner_return(env_id, seed, replies, env=None):
    family = cauarena.registration.env_entry(env_id).family
    agent = make_chat_agent("mock/scripted", family=family, replies=replies)
    spec = EpisodeSpec("t", env_id, (), family, "mock/scripted", "", seed, 0, max_steps=10, timeout_s=60)
    return run_episode(env or cauarena.make(env_id), agent, spec, "run", keep_trajectory=False)[0]


@pytest.mark.parametrize(("env_id", "replies"), [(DEFENDER_ID, defend), (ATTACKER_ID, attack)])
def test_reward_passed_to_trl_is_the_seat_envs_return(env_id, replies):
    seat = "defender" if env_id == DEFENDER_ID else "attacker"
    config = llm.phase_config(seat, "hf/unused", 2)
    player = RolloutPlayer(config, lambda trainer: ScriptedPolicy(replies))
    prompts = [EpisodeKey(env_id, seed).prompt() for seed in SEEDS]
    fields = player(prompts, trainer=None)
    extra = {k: v for k, v in fields.items() if k not in ("prompt_ids", "completion_ids", "logprobs")}
    got = env_return_reward(prompts, ["c"] * len(prompts), **extra)
    rows = [runner_return(env_id, seed, replies) for seed in SEEDS]
    assert got == pytest.approx([row.episode_return for row in rows], abs=1e-12)
    assert fields["steps"] == [row.steps for row in rows]
    assert len(set(got)) > 1  # both outcomes occur: the check is not vacuous
    player.close()


def test_seat_player_plays_against_the_given_opponent():
    generation = MixedAttacker(["caesar"])
    config = llm.phase_config("defender", "hf/unused", 2)
    player = llm.SeatRolloutPlayer(config, lambda trainer: ScriptedPolicy(defend), generation)
    fields = player([EpisodeKey(DEFENDER_ID, seed).prompt() for seed in SEEDS], trainer=None)
    env = cauarena.make(DEFENDER_ID, attacker=MixedAttacker(["caesar"]))
    rows = [runner_return(DEFENDER_ID, seed, defend, env) for seed in SEEDS]
    assert fields["env_return"] == pytest.approx([row.episode_return for row in rows], abs=1e-12)
    assert player._envs[DEFENDER_ID].unwrapped.opponent is generation
    player.close()


def test_configs_are_checked_early():
    with pytest.raises(ConfigError):
        llm.phase_config("judge", "tiny/webshop-bc", 2)
    with pytest.raises(ConfigError):
        CoevoConfig(llm_defender="mock/x")  # GRPO trains local weights
    with pytest.raises(ConfigError):
        CoevoConfig(llm_attacker="tiny/webshop-bc", llm_grpo={"num_generations": 1})
    assert CoevoConfig(llm_defender="tiny/webshop-bc").to_dict()["llm_defender"] == "tiny/webshop-bc"


@pytest.mark.slow
def test_two_grpo_steps_on_the_defender_seat(tmp_path):
    pytest.importorskip("trl")
    phase = llm.grpo_phase("defender", "tiny/webshop-bc", "attacker-random", 2, tmp_path / "defender",
                           overrides={"prompts_per_step": 1})
    assert phase["steps"] == 2 and len(phase["curve"]) == 2
    assert all(-1.5 <= point["return"] <= 1.5 for point in phase["curve"])
    assert (tmp_path / "defender" / "config.json").is_file()


@pytest.mark.slow
def test_coevolution_with_an_llm_defender(tmp_path):
    pytest.importorskip("trl")
    from cauarena.learners.magic import coevolve as train

    cfg = CoevoConfig(total_steps=2, update_freq=5, batch_size=2, llm_defender="tiny/webshop-bc", llm_steps=1,
                      llm_grpo={"prompts_per_step": 1})  # one defender phase of 2 steps
    run = train(cfg, out=tmp_path)
    assert [p["generation"] for p in run.llm_phases] == [1] and run.llm_phases[0]["opponent"] == "MixedAttacker"
    assert (tmp_path / "llm" / "defender-g1" / "config.json").is_file()
