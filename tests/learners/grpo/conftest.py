"""GRPO test support: "say the word shown", a tiny multi-turn text env whose chance level is known, and a tiny LM.

The env is ``arenakit/Count-v0`` with injected ``reset``/``step`` (tests/_support/arenakit.py): turn ``i`` of
the ``WORD_TURNS`` turns shows ``say <SCHEDULE[i]>`` (no list of valid actions) and earns ``1 / WORD_TURNS``
when the reply is that word, so the return is the fraction of turns answered right; success is every turn
right. The :func:`chance_model` replies one of the four :data:`WORDS` uniformly whatever it is shown (it was
fitted on random targets), so its sampled return is 0.25 on average, and greedy it repeats one word.
"""

from __future__ import annotations

import random

import pytest

WORDS = ("red", "green", "blue", "gold")
"""The words the env shows; every one is a valid action."""

SCHEDULE = ("gold", "green")
"""The word shown at each turn: the right reply depends on the turn, so a reply trained with another turn's
prompt or another episode's advantage learns the wrong thing."""

WORD_TURNS = len(SCHEDULE)
"""Turns per episode."""


def word_reset(env, *, seed=None, options=None):
    """Start an episode: the first word of :data:`SCHEDULE` shown."""
    env.hits = 0
    env.word = SCHEDULE[0]
    return f"say {env.word}", {}


def word_step(env, action):
    """Score the reply against the word shown, then show the next word; the episode ends after WORD_TURNS."""
    env.t += 1
    right = action == env.word
    env.hits += right
    done = env.t >= WORD_TURNS
    info = {"invalid_action": action not in WORDS}
    if done:
        info["success"] = env.hits == WORD_TURNS
    env.word = SCHEDULE[env.t % WORD_TURNS]
    return f"say {env.word}", float(right) / WORD_TURNS, done, False, info


WORD_ENV_KWARGS = (("reset_func", word_reset), ("step_func", word_step))
"""``env_kwargs`` of the word env on ``arenakit/Count-v0``."""


def _prompts(tokenizer_texts_only: bool = False):
    """Rendered ``testing``-family prompts of random word-env turns (with up to one past turn)."""
    from cauarena.agents.llm import get_prompt
    from cauarena.agents.llm.prompts import Turn, render_messages

    template, rng, out = get_prompt("testing"), random.Random(0), []
    for _ in range(64):
        history = [Turn(f"say {rng.choice(WORDS)}", rng.choice(WORDS))] if rng.random() < 0.5 else []
        out.append(render_messages(template, history, f"say {rng.choice(WORDS)}", {}))
    return out


@pytest.fixture(scope="session")
def chance_model(tmp_path_factory):
    """A 2-layer Llama that replies one of :data:`WORDS` uniformly at random (fitted on random targets)."""
    pytest.importorskip("trl")
    return build_chance_model(tmp_path_factory.mktemp("word_lm"))


def build_chance_model(path):
    """Build, fit to random word replies and save the chance-level model in ``path``; returns ``path``."""
    import torch

    from cauarena.agents.llm.backends.hf import HFBackend
    from cauarena.learners.tinylm import TinyLMConfig
    from cauarena.learners.tinylm.model import build_model
    from cauarena.learners.tinylm.tokenizer import save_tokenizer, train_tokenizer

    torch.manual_seed(0)
    config = TinyLMConfig(vocab_size=600, hidden_size=64, intermediate_size=128, num_layers=2, num_heads=4,
                          context_length=512, validation_episodes=0)
    prompts = _prompts()
    texts = [m["content"] for messages in prompts for m in messages] + [f"{w}\nsay {w}" for w in WORDS] * 200
    tokenizer = train_tokenizer(texts, config.vocab_size, r" ?\b(?:red|green|blue|gold)\b")
    model = build_model(config, tokenizer)
    model.save_pretrained(path)
    save_tokenizer(tokenizer, path)
    hf = HFBackend(str(path))
    rows = [tokenizer(hf.render_prompt(messages), add_special_tokens=False)["input_ids"] for messages in prompts]
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a tiny model: one thread is faster on a shared machine
    try:
        fit_random_replies(model, tokenizer, rows)
    finally:
        torch.set_num_threads(threads)
    model.save_pretrained(path)
    return path


def fit_random_replies(model, tokenizer, prompt_rows, steps: int = 60) -> None:
    """Train ``model`` to answer every prompt with a uniformly random word then EOS (loss on the reply only)."""
    import torch

    rng = random.Random(1)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    model.train()
    for _ in range(steps):
        rows = []
        for prompt in rng.sample(prompt_rows, 16):
            reply = tokenizer(rng.choice(WORDS), add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
            rows.append((prompt + reply, [-100] * len(prompt) + reply))
        width = max(len(ids) for ids, _ in rows)
        pad = tokenizer.pad_token_id
        ids = torch.tensor([i + [pad] * (width - len(i)) for i, _ in rows])
        labels = torch.tensor([t + [-100] * (width - len(t)) for _, t in rows])
        mask = torch.tensor([[1] * len(i) + [0] * (width - len(i)) for i, _ in rows])
        loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()


@pytest.fixture(scope="session")
def word_env_kwargs():
    """``env_kwargs`` of the word env on ``arenakit/Count-v0`` (registers arenakit)."""
    import arenakit  # noqa: F401  (registers arenakit/Count-v0)

    return WORD_ENV_KWARGS
