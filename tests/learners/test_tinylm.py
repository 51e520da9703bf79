"""The tiny LM: config checks, the tiny/ backend, same prompts in training and play, and SFT that learns."""

import json
import random
from dataclasses import replace

import pytest

import cauarena
from cauarena.agents import make_agent
from cauarena.agents.llm import ChatAgent, ChatResponse, get_parser, get_prompt, make_backend
from cauarena.errors import ConfigError, NameNotFound
from cauarena.learners.config_io import parse_overrides
from cauarena.learners.tinylm import PRESETS, TinyLMConfig, checkpoint_path, shipped_models

GOTO_LOCAL = "cauarena/BabyAI-GoToLocal-Text-v0"


def test_shipped_presets_are_valid_and_round_trip():
    # other learners (DEPO's bc/kto stages) ship checkpoints beside it under the same tiny/ prefix
    assert "babyai" in shipped_models() and set(PRESETS) == {"babyai", "babyai-reactive", "webshop"}
    for config in PRESETS.values():
        assert TinyLMConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config


@pytest.mark.parametrize(
    "changes, match",
    [
        ({"name": "tiny/babyai"}, "plain checkpoint name"),
        ({"levels": ()}, "at least one"),
        ({"levels": (("GoToNowhere", 5),)}, "Unknown level 'GoToNowhere'.*GoToLocal"),
        ({"levels": (("GoToLocal", 0),)}, "Episodes of 'GoToLocal' must be an int >= 1"),
        ({"levels": (("GoToLocal", 1200),)}, "held-out test seeds. Fix"),
        ({"validation_seed_start": 990, "validation_episodes": 20}, "held-out test seeds"),
        ({"validation_seed_start": 880}, "overlap its training seeds 0..899. Fix: move validation_seed_start"),
        ({"noise_prob": 1.5}, "probability"),
        ({"hidden_size": 100, "num_heads": 3}, "heads of an even size"),
        ({"vocab_size": 200}, "vocab_size must be >= 300"),
        ({"num_layers": 0}, "num_layers must be an int >= 1"),
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"dagger_learning_rate": 1.5}, "dagger_learning_rate"),
        ({"max_steps": 0}, "max_steps must be an int >= 1"),
        ({"dagger_episodes": 901}, "dagger_episodes x dagger_rounds <= its episodes"),
        ({"dagger_episodes": 500, "dagger_rounds": 2}, r"\(500 x 2\) replays"),
        ({"dagger_rounds": 0}, "dagger_rounds must be an int >= 1"),
        ({"dagger_steps": -1}, "0 skips DAgger"),
        ({"split_pattern": "(unclosed"}, "not a valid regex"),
        ({"save_dtype": "int8"}, "save_dtype"),
        ({"threads": 0}, "threads"),
        ({"prompt": "webshop"}, "levels=\\[\\['train', N\\]\\] and validation_level='eval'"),
        ({"prompt": "webshop", "levels": (("train", 5),), "validation_level": "test"}, "validation_level='eval'"),
        ({"prompt": "webshop", "levels": (("train", 5),), "validation_level": "eval", "dagger_episodes": 2},
         "DAgger plays BabyAI levels only"),
        ({"prompt": "webshop", "levels": (("train", 5),), "validation_level": "eval", "num_products": 5},
         "num_products must be an int >= 20"),
    ],
)
def test_config_errors_explain_the_fix(changes, match):
    with pytest.raises(ConfigError, match=match):
        TinyLMConfig(**changes)


def test_only_families_with_an_oracle_collect_roll_outs():
    from cauarena.learners.tinylm.data import collect_episodes

    config = TinyLMConfig(prompt="caugym")  # CauGym builds its model from such a config and collects nothing
    with pytest.raises(ConfigError, match="No oracle roll-outs for prompt 'caugym'.*Fix: prompt='babyai'"):
        collect_episodes(config)


def test_validation_may_reuse_seeds_of_another_level():
    TinyLMConfig(levels=(("PickupLoc", 950),), validation_seed_start=900, validation_episodes=50)
    TinyLMConfig(levels=(("GoToLocal", 5), ("PickupLoc", 950)), dagger_episodes=5, validation_seed_start=900)


def test_too_short_a_context_is_refused_before_training():
    from cauarena.learners.tinylm.train import prepare_data

    config = TinyLMConfig(levels=(("GoToLocal", 3),), noisy_rollouts=0, validation_episodes=0, context_length=100)
    with pytest.raises(ConfigError, match="overflows context_length=100.*Fix: a larger context_length"):
        prepare_data(config)


def test_from_dict_rejects_unknown_keys_and_overrides_parse_json():
    with pytest.raises(ConfigError, match="Unknown TinyLMConfig keys \\['epoch'\\]"):
        TinyLMConfig.from_dict({"epoch": 1})
    assert parse_overrides(["noise_prob=0.5", "save_dtype=bfloat16", 'levels=[["GoTo", 3]]']) == {
        "noise_prob": 0.5, "save_dtype": "bfloat16", "levels": [["GoTo", 3]],
    }
    with pytest.raises(ConfigError, match="key=value"):
        parse_overrides(["max_steps"])


def test_budget_doctests_and_deadline_free_plan():

    from cauarena.learners.tinylm import budget

    assert budget.Plan(10, 0).to_dict() == {
        "sft_steps": 10, "dagger_steps": 0, "sft_seconds": None, "dagger_seconds": None, "reserve_s": 0.0,
    }
    schedule = budget.TimeCosine(steps=1000, seconds=0.001, warmup_ratio=0.0)
    schedule.start()
    import time

    time.sleep(0.01)
    assert schedule.progress(1) == 1.0 and schedule(1) == 0.0  # the time slot ended before the step cap


def test_unknown_tiny_model_lists_the_shipped_ones():
    with pytest.raises(NameNotFound, match="No tiny model named 'babai'. Did you mean: 'babyai'"):
        make_backend("tiny/babai")
    with pytest.raises(NameNotFound, match="Known: babyai"):
        checkpoint_path("gridworld")


def test_shipped_checkpoint_is_small_and_complete():
    path = checkpoint_path("babyai")
    files = {p.name for p in path.iterdir()}
    assert {"config.json", "generation_config.json", "model.safetensors", "tokenizer.json",
            "tokenizer_config.json", "metrics.json", "TRAINING.md"} <= files
    assert sum(p.stat().st_size for p in path.iterdir()) < 10 * 2**20
    assert "chat_template" in json.loads((path / "tokenizer_config.json").read_text())
    metrics = json.loads((path / "metrics.json").read_text())
    built = TinyLMConfig.from_dict(metrics["config"])
    if metrics["plan"]["sft_seconds"] is None:  # a resumed, steps-only plan: the time budget had no effect
        built = replace(built, time_budget_s=PRESETS["babyai"].time_budget_s)
    assert built == PRESETS["babyai"]  # built by the preset recipe
    assert metrics["validation"]["seeds"][1] < 1000


@pytest.fixture(scope="module")
def tiny_backend():
    pytest.importorskip("transformers")
    return make_backend("tiny/babyai")


def test_shipped_checkpoint_plays_goto_local(tiny_backend):
    assert tiny_backend.spec == "tiny/babyai" and not tiny_backend.uses_fallback_template
    agent = ChatAgent(tiny_backend, get_prompt("babyai"), get_parser("babyai"))
    env = cauarena.make(GOTO_LOCAL)
    observation, info = env.reset(seed=1000)
    agent.reset(seed=1000, info=info)
    for _ in range(12):
        action = agent.act(observation, info)
        assert action in info["valid_actions"]
        assert agent.last_usage.prompt_tokens > 0 and 1 <= agent.last_usage.completion_tokens <= 4
        observation, _, terminated, truncated, info = env.step(action)
        if terminated or truncated:
            break
    env.close()


def test_make_agent_builds_the_tiny_chat_agent(tiny_backend):
    agent = make_agent("tiny/babyai", family="babyai")
    assert isinstance(agent, ChatAgent) and agent.spec == "tiny/babyai"
    assert agent.max_prompt_tokens == tiny_backend.context_length - agent.max_tokens


class ReplayHF:
    """Wraps the tiny hf backend: counts tokens with it, records prompts, replies the actions of an episode."""

    def __new__(cls, backend, replies):
        from cauarena.agents.llm.backends.hf import HFBackend

        class Replay(HFBackend):
            def _generate(self, messages, *, max_tokens, temperature, seed, stop):
                self.sent.append(messages)
                return ChatResponse(next(self.replies), self.count_message_tokens(messages), 1, 0.0)

        replay = Replay(backend.model, path=backend.path, prefix="tiny")
        replay.sent, replay.replies = [], iter(replies)
        return replay


def test_training_prompts_are_what_chat_agent_sends(tiny_backend):
    """The same-prompts guarantee: rows rendered for training equal ChatAgent's prompts, history trimming included."""
    from cauarena.learners.tinylm.data import episode_rows, message_token_counter, prompt_budget, rollout
    from cauarena.learners.tinylm.tokenizer import load_tokenizer

    template = get_prompt("babyai")
    env = cauarena.make(GOTO_LOCAL)
    # the first noisy episode long enough for history trimming to matter
    seed, episode = next((s, e) for s, e in ((s, rollout(env, seed=s, noise_prob=0.5, rng=random.Random(1),
                                                          max_steps=24)) for s in range(7, 60)) if len(e.steps) >= 6)
    tokenizer = load_tokenizer(tiny_backend.path)
    budget = prompt_budget(template, tiny_backend.context_length)
    rows = episode_rows(template, episode, message_token_counter(tokenizer), budget)

    backend = ReplayHF(tiny_backend, [step.taken for step in episode.steps])
    agent = ChatAgent(backend, template, get_parser("babyai"))
    assert agent.max_prompt_tokens == budget
    observation, info = env.reset(seed=seed)
    agent.reset(seed=seed, info=info)
    for step in episode.steps:  # the real env again, with its full info dicts
        assert observation == step.observation
        assert agent.act(observation, info) == step.taken
        observation, *_, info = env.step(step.taken)
    sent = [messages for messages, step in zip(backend.sent, episode.steps, strict=True) if step.expert]
    assert [row["prompt"] for row in rows] == sent
    turns = [(len(messages) - 2) // 2 for messages in sent]
    assert max(turns) >= 1 and any(t < i for i, t in enumerate(turns))  # history shown, and trimmed
    assert [row["completion"][0]["content"] for row in rows] == [s.expert for s in episode.steps if s.expert]


@pytest.mark.slow
def test_sft_updates_every_parameter_and_tokenizes_like_the_backend(tmp_path):
    import torch

    from cauarena.learners.tinylm.model import build_model
    from cauarena.learners.tinylm.train import make_trainer, prepare_data

    config = TinyLMConfig(
        levels=(("GoToLocal", 12),), noisy_rollouts=1, validation_episodes=0, vocab_size=400, hidden_size=32,
        intermediate_size=64, num_layers=2, num_heads=2, batch_size=8, max_steps=7, learning_rate=1e-2,
        warmup_ratio=0.0, save_steps=1000, context_length=512,  # little data: the tokenizer merges less
    )
    tokenizer, rows, stats = prepare_data(config)
    rows = rows[:50]
    assert len(rows) == 50 and stats["prompt_budget"] == config.context_length - 48
    model = build_model(config, tokenizer)
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    trainer = make_trainer(config, model, tokenizer, rows, tmp_path)
    trainer.train()
    assert trainer.state.global_step == 7
    for name, param in trainer.model.named_parameters():
        assert not torch.equal(param, before[name]), f"{name} did not change"

    first = trainer.train_dataset[0]  # what TRL trains on: the backend's prompt tokens, then the reply's
    prompt_text = tokenizer.apply_chat_template(rows[0]["prompt"], add_generation_prompt=True, tokenize=False)
    prompt_ids = tokenizer(prompt_text, add_special_tokens=False)["input_ids"]
    n = len(prompt_ids)
    assert first["input_ids"][:n] == prompt_ids and first["labels"][:n] == [-100] * n  # no loss on the prompt
    assert first["labels"][n:] == first["input_ids"][n:]  # loss on the whole reply
    reply = tokenizer.decode(first["input_ids"][n:])
    assert reply.startswith(rows[0]["completion"][0]["content"] + tokenizer.eos_token)


@pytest.mark.slow
def test_train_command_writes_a_checkpoint_that_hf_loads(tmp_path):
    from cauarena.cli import main

    out = tmp_path / "ckpt"
    assert main([
        "train", "tinylm", "--preset", "babyai", "--out", str(out), "--work-dir", str(tmp_path / "work"),
        "--no-progress",
        "--set", 'levels=[["GoToLocal", 6], ["PickupLoc", 2]]', "--set", "noisy_rollouts=0",
        "--set", "hidden_size=32", "--set", "intermediate_size=64", "--set", "num_layers=1",
        "--set", "num_heads=2", "--set", "validation_episodes=2", "--set", "save_dtype=bfloat16",
        "--set", "max_steps=6", "--set", "save_steps=3", "--set", "dagger_episodes=3", "--set", "dagger_steps=2",
        "--set", "dagger_rounds=2", "--set", "time_budget_s=600",
        "--set", "context_length=512",
    ]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["data"]["episodes"] == 8 and metrics["training"]["optimizer_steps"] == 6
    assert metrics["plan"]["sft_seconds"] > 0 and metrics["plan"]["reserve_s"] > 0
    rounds = metrics["dagger"]["rounds"]  # round 2 plays the next seeds with the model round 1 trained
    assert [r["seeds"] for r in rounds] == [[0, 2], [3, 5]] and metrics["dagger"] == {**rounds[1], "rounds": rounds}
    assert all(r["episodes"] == 3 and r["training"]["optimizer_steps"] == 2 for r in rounds)
    assert any((tmp_path / "work" / "dagger2").glob("checkpoint-*"))
    assert metrics["validation"]["episodes"] == 2 and metrics["validation"]["seeds"] == [950, 951]
    assert "# tiny/babyai" in (card := (out / "TRAINING.md").read_text()) and "DAgger round 2" in card
    assert any((tmp_path / "work" / "sft").glob("checkpoint-*"))
    agent = make_agent(f"hf/{out}", family="babyai")
    assert agent.backend.context_length == 512
    env = cauarena.make(GOTO_LOCAL)
    observation, info = env.reset(seed=0)
    agent.reset(seed=0, info=info)
    agent.act(observation, info)
    assert agent.last_usage.prompt_tokens > 0


def test_webshop_rows_are_chat_agent_prompts_and_an_id_reads_the_same_on_the_page_and_in_the_reply(tmp_path):
    """WebShop recipe: noisy oracle roll-outs recover; rows are ChatAgent's prompts; buying is copying id tokens."""

    from cauarena.learners.tinylm.data import (
        collect_episodes,
        episode_rows,
        message_token_counter,
        prompt_budget,
        tokenizer_corpus,
    )
    from cauarena.learners.tinylm.tokenizer import load_tokenizer, save_tokenizer, train_tokenizer

    config = replace(PRESETS["webshop"], levels=(("train", 8),), noise_prob=0.4, num_products=100)
    episodes = collect_episodes(config)
    assert len(episodes) == 16 and all(e.success for e in episodes[::2])  # each oracle run buys the target
    noisy = [s for e in episodes[1::2] for s in e.steps if s.taken != s.expert]
    assert noisy and all(s.taken.startswith("click[") and s.taken != "click[buy now]" for s in noisy)
    assert sum(e.success for e in episodes[1::2]) >= 6  # the oracle gets back on track after random clicks

    template = get_prompt("webshop")
    trained = train_tokenizer(tokenizer_corpus(episodes, template), 800, config.split_pattern, lowercase=True)
    save_tokenizer(trained, tmp_path)
    tokenizer = load_tokenizer(tmp_path)  # the lower-casing travels with the checkpoint, as the hf/ backend loads it
    assert tokenizer("Buy Now [SEP] B0X")["input_ids"] == trained("buy now [sep] b0x")["input_ids"]
    count = message_token_counter(tokenizer)
    budget = prompt_budget(template, 4096)  # this small tokenizer merges little; the length check is prepare_data's
    for episode in episodes[:4]:
        rows = episode_rows(template, episode, count, budget)
        assert [r["completion"][0]["content"] for r in rows] == [s.expert for s in episode.steps]
        for row, step in zip(rows, episode.steps, strict=True):
            assert row["prompt"][-1]["content"].endswith(step.observation) or step.observation in row["prompt"][-1][
                "content"]
        clicked = next(s for s in episode.steps if s.info.get("valid_actions") and s.expert.startswith("click[b0"))
        asin = clicked.expert[len("click["):-1]
        on_page = tokenizer(f" [SEP] {asin.upper()} [SEP] ", add_special_tokens=False)["input_ids"]
        in_reply = tokenizer(f"click[{asin}]", add_special_tokens=False)["input_ids"]
        id_tokens = tokenizer(asin, add_special_tokens=False)["input_ids"]
        assert asin.upper() in clicked.observation
        assert on_page[1:-1] == id_tokens == in_reply[2:-1]  # the same tokens: buying is a copy


def test_validation_counts_an_observation_too_long_for_the_context_as_a_failed_episode():
    """An hour of training is not lost to one page the model cannot read: the episode fails, the count says so."""
    from cauarena.agents.llm.backends import ContextOverflow
    from cauarena.learners.tinylm.evaluate import evaluate_agent, summarize

    class Overflowing:
        def __init__(self):
            self.calls = 0

        def bind(self, env):
            pass

        def reset(self, *, seed=None, info=None):
            self.calls = 0

        def act(self, observation, info):
            self.calls += 1
            if self.calls == 3:  # the third observation of every episode is "too long"
                raise ContextOverflow("the prompt has 588 tokens even without history")
            return "go forward"

    outcomes = evaluate_agent(Overflowing(), GOTO_LOCAL, [1000, 1002])  # 1001 ends at step 1
    assert [o.overflow for o in outcomes] == [True, True] and not any(o.success for o in outcomes)
    assert [o.steps for o in outcomes] == [2, 2]
    assert summarize(outcomes)["context_overflows"] == 2

    class Broken(Overflowing):
        def act(self, observation, info):
            raise ValueError("a bug, not a long page")

    with pytest.raises(Exception, match="a bug, not a long page"):
        evaluate_agent(Broken(), GOTO_LOCAL, [1000])


@pytest.mark.slow
def test_webshop_preset_trains_and_validates_on_the_eval_split(tmp_path):
    from cauarena.cli import main

    out = tmp_path / "ckpt"
    assert main([
        "train", "tinylm", "--preset", "webshop", "--out", str(out), "--no-progress",
        "--set", 'levels=[["train", 6]]', "--set", "num_products=100", "--set", "vocab_size=600",
        "--set", "hidden_size=32", "--set", "intermediate_size=64", "--set", "num_layers=1", "--set", "num_heads=2",
        "--set", "context_length=1536", "--set", "max_steps=3", "--set", "batch_size=4",
        "--set", "validation_episodes=2", "--set", "time_budget_s=0",
    ]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["data"]["episodes"] == 12 and metrics["training"]["optimizer_steps"] == 3
    validation = metrics["validation"]
    assert validation["env_id"] == "cauarena/WebShop-v0" and validation["env_kwargs"]["split"] == "eval"
    assert validation["episodes"] == 2 and validation["context_overflows"] == 0
    card = (out / "TRAINING.md").read_text()
    assert "# tiny/webshop" in card and "WebShop (its train split" in card and "lower-cased input" in card
    tokenizer = json.loads((out / "tokenizer.json").read_text())
    assert tokenizer["normalizer"]["type"] == "Lowercase"
