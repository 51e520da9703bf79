"""GRPO on a tiny random Llama: every parameter moves, TRL's reward is the return, rows are the exact prompts."""

import json

import pytest

import cauarena
from cauarena.learners.grpo.grpo_config import EnvGRPOConfig

pytestmark = pytest.mark.slow

GOTO_LOCAL = "cauarena/BabyAI-GoToLocal-Text-v0"


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    """A randomly initialised 2-layer Llama with a BabyAI BPE tokenizer, saved the way tiny/ checkpoints are."""
    pytest.importorskip("trl")
    from cauarena.agents.llm import get_prompt
    from cauarena.learners.tinylm import TinyLMConfig
    from cauarena.learners.tinylm.model import build_model
    from cauarena.learners.tinylm.tokenizer import save_tokenizer, train_tokenizer

    config = TinyLMConfig(vocab_size=400, hidden_size=32, intermediate_size=64, num_layers=2, num_heads=2,
                          context_length=1024, validation_episodes=0)
    env = cauarena.make(GOTO_LOCAL)
    texts = [get_prompt("babyai").system, "count 0 of 3 go", *["turn left", "turn right", "go forward"] * 5]
    texts += [env.reset(seed=seed)[0] for seed in range(20)]
    tokenizer = train_tokenizer(texts, config.vocab_size, config.split_pattern)
    path = tmp_path_factory.mktemp("tiny")
    build_model(config, tokenizer).save_pretrained(path)
    save_tokenizer(tokenizer, path)
    return path


def parity_step(env, action):
    """arenakit's counting env, but the reward is 1 when the reply has an even number of characters."""
    env.t += 1
    done = env.t >= env.length
    info = {"valid_actions": ["go"], "invalid_action": action != "go", "success": done}
    return f"count {env.t} of {env.length}", float(len(str(action)) % 2 == 0), done, False, info


def test_a_few_steps_change_every_parameter_and_trl_rewards_the_returns(tiny_model, tmp_path):
    import arenakit  # noqa: F401  (registers arenakit/Count-v0)
    import torch

    from cauarena.agents.llm.backends.hf import HFBackend
    from cauarena.learners.grpo.policy import PolicyBackend
    from cauarena.learners.grpo.rollout import RolloutPlayer
    from cauarena.learners.grpo.train import build_trainer, load_policy

    config = EnvGRPOConfig(
        env_ids=("arenakit/Count-v0",), env_kwargs=(("length", 3), ("step_func", parity_step)), model=str(tiny_model),
        max_steps=3, prompts_per_step=2, num_generations=4, max_turns=3, max_reply_tokens=3, learning_rate=1e-2,
        warmup_steps=0, num_seeds=10,
    )
    sent = []

    class Recording(PolicyBackend):
        def _generate(self, messages, **kwargs):
            sent.append(messages)
            return super()._generate(messages, **kwargs)

    player = RolloutPlayer(config, lambda t: Recording(t.accelerator.unwrap_model(t.model), tokenizer, tiny_model))
    model, tokenizer = load_policy(tiny_model)
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    trainer = build_trainer(config, model, tokenizer, tiny_model, tmp_path, player=player)
    seen = {}
    calculate, expand = trainer._calculate_rewards, trainer._turn_batch

    def spy_rewards(*args):
        seen["rewards"] = calculate(*args)
        return seen["rewards"]

    def spy_turns(batch, episodes):
        seen["episodes"], seen["advantages"] = episodes, batch["advantages"].clone()
        seen["batch"] = expand(batch, episodes)
        return seen["batch"]

    trainer._calculate_rewards, trainer._turn_batch = spy_rewards, spy_turns
    trainer.train()
    assert trainer.state.global_step == 3
    for name, param in trainer.model.named_parameters():
        assert not torch.equal(param, before[name]), f"{name} did not change"

    episodes, batch = seen["episodes"], seen["batch"]  # the last step's
    returns = [e.env_return for e in episodes]
    assert seen["rewards"][:, 0].tolist() == pytest.approx(returns)  # env_return_reward, as TRL computed it
    assert len(set(returns)) > 1 and {e.steps for e in episodes} == {3}
    turns = [t for e in episodes for t in e.turns]
    assert len(turns) == batch["completion_ids"].size(0) == 8 * 3
    hf = HFBackend(str(tiny_model))  # what `hf/<dir>` renders for the same messages
    for row, turn, messages in zip(range(len(turns)), turns, sent[-len(turns):], strict=True):
        exact = tokenizer(hf.render_prompt(messages), add_special_tokens=False)["input_ids"]
        assert list(turn.prompt_ids) == exact
        mask = batch["prompt_mask"][row].bool()
        assert batch["prompt_ids"][row][mask].tolist() == exact
        reply = batch["completion_ids"][row][batch["completion_mask"][row].bool()].tolist()
        assert reply == list(turn.completion_ids)
    owners = [i for i, e in enumerate(episodes) for _ in e.turns]
    assert batch["advantages"].tolist() == pytest.approx(seen["advantages"][owners].tolist())  # the episode's
    trainer.train_turns = 5  # a uniform draw of replies, each with its episode's advantage
    owners, picked = trainer._pick_turns(episodes)
    assert len(picked) == 5 and [turns.index(t) for t in picked] == sorted(turns.index(t) for t in picked)
    assert owners == [next(i for i, e in enumerate(episodes) if t in e.turns) for t in picked]
    log = trainer.state.log_history[0]
    assert {"episode/return", "episode/success", "episode/invalid_rate", "rewards/format_reward/mean"} <= set(log)


def test_cli_trains_resumes_and_saves_an_hf_checkpoint_the_runner_plays(tiny_model, tmp_path):
    from cauarena.cli import main
    from cauarena.leaderboards.runner import Runner
    from cauarena.leaderboards.store import ResultsStore
    from cauarena.leaderboards.suites import EnvSpec, Suite, plan

    out, work = tmp_path / "grpo", tmp_path / "work"
    common = ["train", "grpo", "--env-ids", GOTO_LOCAL, "--model", f"hf/{tiny_model}", "--out", str(out),
              "--work-dir", str(work), "--no-progress", "--set", "prompts_per_step=1", "--set", "num_generations=2",
              "--set", "max_turns=2", "--set", "max_reply_tokens=2", "--set", "save_steps=1",
              "--set", "lora_r=2", "--set", "save_dtype=\"bfloat16\""]
    assert main([*common, "--max-steps", "1"]) == 0
    assert main([*common, "--max-steps", "2", "--resume"]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["training"]["resumed"] and metrics["training"]["optimizer_steps"] == 2
    assert [p["step"] for p in metrics["curve"]] == [1, 2] and "success" in metrics["curve"][-1]
    assert (out / "learning_curve.svg").read_text().startswith("<svg")
    assert "GRPO from hf/" in (out / "TRAINING.md").read_text()
    assert "chat_template" in json.loads((out / "tokenizer_config.json").read_text())
    assert not any("lora" in k for k in json.loads((out / "config.json").read_text()))

    suite = Suite(name="grpo", envs=(EnvSpec(GOTO_LOCAL),), agents=(f"hf/{out}",), seeds=2, seed_start=1000,
                  max_steps=3)
    store = ResultsStore(tmp_path / "runs")
    summary = Runner(store, workers=0).run(plan(suite))
    assert summary.finished == 2 and not summary.errors


def test_policy_backend_reuses_the_shared_prefix_without_changing_the_samples(tiny_model):
    from cauarena.learners.grpo.grpo_config import EnvGRPOConfig as Config
    from cauarena.learners.grpo.policy import PolicyBackend
    from cauarena.learners.grpo.rollout import EpisodeKey, chat_agent, play_episode
    from cauarena.learners.grpo.train import load_policy

    model, tokenizer = load_policy(tiny_model)
    config = Config(model=str(tiny_model), max_reply_tokens=3)
    env = cauarena.make(GOTO_LOCAL)
    played = {}
    for reuse in (True, False):
        backend = PolicyBackend(model, tokenizer, tiny_model, reuse_prefix=reuse)
        agent = chat_agent(backend, GOTO_LOCAL, config)
        played[reuse] = [play_episode(env, agent, backend, EpisodeKey(GOTO_LOCAL, s), 100 + s, 6) for s in (1, 2)]
    for cached, fresh in zip(played[True], played[False], strict=True):
        assert [t.completion_ids for t in cached.turns] == [t.completion_ids for t in fresh.turns]
        assert [t.prompt_ids for t in cached.turns] == [t.prompt_ids for t in fresh.turns]
        for a, b in zip(cached.turns, fresh.turns, strict=True):
            assert a.logprobs == pytest.approx(b.logprobs, abs=1e-4)
    assert model.training  # generation puts the policy back in train mode


def test_turn_weights_give_every_episode_the_same_total_weight():
    """A 60-turn failure and a 6-turn success of one group push equally hard, and the group's push sums to 0."""
    from cauarena.learners.grpo.trainer import turn_weights

    replies, advantages = [60, 6, 6, 60], [-1.0, 1.0, 1.0, -1.0]
    weights = turn_weights(replies)
    totals = [n * w * a for n, w, a in zip(replies, weights, advantages, strict=True)]
    assert totals == pytest.approx([-33.0, 33.0, 33.0, -33.0]) and sum(totals) == pytest.approx(0.0)
    unweighted = sum(n * a for n, a in zip(replies, advantages, strict=True))
    assert unweighted == -108.0  # per-turn credit without the weights: the long failures dominate
