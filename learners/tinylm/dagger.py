"""DAgger roll-outs: the model plays (batched greedy decoding), the bot labels every state it reaches.

A model trained only on the expert's states fails in states the expert never visits, typically a turn-left,
turn-right loop. Letting the model act and labelling what it meets with the bot's action (the bot replans
from any state) teaches it the way out. The prompts are rendered exactly as ``ChatAgent`` renders them (the
same :func:`~cauarena.agents.llm.prompts.fit_history` and :func:`~cauarena.agents.llm.prompts.render_messages`
calls), so the recorded :class:`~cauarena.learners.tinylm.data.Episode` objects become rows with
:func:`~cauarena.learners.tinylm.data.build_rows` like the oracle's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cauarena.agents.llm.prompts import PromptTemplate, Turn, fit_history, get_prompt, render_messages
from cauarena.learners.tinylm.data import BotAdvisor, Episode, Step, prompt_info
from cauarena.learners.tinylm.tinylm_config import TinyLMConfig

BATCH_SIZE = 64
"""Games played at once (one batched generation per step)."""


@dataclass
class _Game:
    """One env being played: its level advisor, history (as the ChatAgent keeps it) and recorded steps."""

    env: Any
    seed: int
    advisor: BotAdvisor
    observation: str = ""
    info: dict = field(default_factory=dict)
    history: list[Turn] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    last: int | None = None
    done: bool = False
    success: bool = False


def _start(env: Any, seed: int) -> _Game:
    game = _Game(env, seed, BotAdvisor(env.unwrapped.minigrid_env))
    game.observation, game.info = env.reset(seed=seed)
    return game


def greedy_replies(model: Any, tokenizer: Any, prompts: Sequence[list[dict]], max_new_tokens: int = 4) -> list[str]:
    """Greedy replies to a batch of chats (left-padded; decoded as the ``hf/`` backend decodes, stripped)."""
    import torch

    texts = [tokenizer.apply_chat_template(p, add_generation_prompt=True, tokenize=False) for p in prompts]
    side = tokenizer.padding_side
    tokenizer.padding_side = "left"
    try:
        batch = tokenizer(texts, add_special_tokens=False, return_tensors="pt", padding=True)
    finally:
        tokenizer.padding_side = side
    with torch.inference_mode():
        output = model.generate(
            **batch, max_new_tokens=max_new_tokens, do_sample=False,
            eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
        )
    new = output[:, batch["input_ids"].shape[1]:]
    return [tokenizer.decode(row, skip_special_tokens=True).strip() for row in new]


def dagger_episodes(
    model: Any,
    tokenizer: Any,
    template: PromptTemplate,
    env_id: str,
    seeds: Sequence[int],
    max_prompt_tokens: int,
    max_steps: int = 40,
    batch_size: int = BATCH_SIZE,
) -> list[Episode]:
    """Play ``model`` on ``env_id`` for each seed (``batch_size`` games at a time); the bot labels every step.

    Replies are parsed as the ``babyai`` ChatAgent parses them; a reply that names no valid action is sent
    to the env as is (a no-op there) and the bot replans from scratch. Each game stops at the end of its
    episode or after ``max_steps`` steps.
    """
    import cauarena
    from cauarena.agents.llm.parsing import get_parser
    from cauarena.envs.babyai_text.actions import ACTION_NAMES
    from cauarena.learners.tinylm.data import message_token_counter

    parse = get_parser("babyai")
    count = message_token_counter(tokenizer)
    episodes: list[Episode] = []
    envs = [cauarena.make(env_id) for _ in range(min(batch_size, len(seeds)))]
    model.eval()
    for start in range(0, len(seeds), len(envs)):
        games = [_start(env, seed) for env, seed in zip(envs, seeds[start:start + len(envs)], strict=False)]
        for _ in range(max_steps):
            live = [g for g in games if not g.done]
            if not live:
                break
            prompts = []
            for g in live:
                g.history = fit_history(template, g.history, g.observation, g.info, count, max_prompt_tokens)
                prompts.append(render_messages(template, g.history, g.observation, g.info))
            for g, reply in zip(live, greedy_replies(model, tokenizer, prompts), strict=True):
                _advance(g, reply, parse(reply, g.info), ACTION_NAMES)
        for g in games:
            level = g.env.unwrapped.level
            episodes.append(Episode(level, g.seed, tuple(g.steps), g.success))
    for env in envs:
        env.close()
    return episodes


def _advance(game: _Game, reply: str, action: str, action_names: Sequence[str]) -> None:
    """Label the state with the bot, take the model's action, keep the history as ChatAgent does."""
    try:
        expert_index = game.advisor.advise(game.last)
    except Exception:  # the bot cannot plan from here: stop this game, keep its steps
        game.done = True
        return
    expert = None if expert_index is None else action_names[expert_index]
    game.steps.append(Step(game.observation, prompt_info(game.info), action, expert, reply))
    game.history.append(Turn(game.observation, reply))
    game.observation, _, terminated, truncated, game.info = game.env.step(action)
    if action in action_names:
        game.last = action_names.index(action)
    else:
        game.last = None
        game.advisor.reset()
    if terminated or truncated:
        game.done, game.success = True, bool(game.info.get("success"))


def collect_dagger_rows(
    config: TinyLMConfig, model: Any, tokenizer: Any, round_index: int = 0
) -> tuple[list[dict], dict[str, Any]]:
    """DAgger rows of round ``round_index`` (from 0), labelled by the bot.

    The model plays the ``round_index``-th block of ``dagger_episodes`` seeds of the first level.
    """
    import time

    from cauarena.learners.tinylm.data import build_rows, message_token_counter, prompt_budget

    start = time.perf_counter()
    template = get_prompt(config.prompt, strict=True)
    budget = prompt_budget(template, config.context_length)
    level = config.levels[0][0]
    first = config.seed_start + round_index * config.dagger_episodes
    seeds = list(range(first, first + config.dagger_episodes))
    episodes = dagger_episodes(
        model, tokenizer, template, f"cauarena/BabyAI-{level}-Text-v0", seeds, budget, config.dagger_max_steps
    )
    rows = build_rows(episodes, template, message_token_counter(tokenizer), budget)
    steps = [s for e in episodes for s in e.steps]
    stats = {
        "level": level,
        "seeds": [first, first + config.dagger_episodes - 1],
        "episodes": len(episodes),
        "model_success": round(sum(e.success for e in episodes) / max(len(episodes), 1), 4),
        "steps": len(steps),
        "agreement_with_bot": round(sum(s.taken == s.expert for s in steps) / max(len(steps), 1), 4),
        "rows": len(rows),
        "collect_s": round(time.perf_counter() - start, 1),
    }
    return rows, stats
