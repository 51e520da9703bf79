"""Oracle roll-outs on BabyAI-Text and WebShop, rendered into prompt/completion rows exactly as ``ChatAgent`` prompts.

Two steps, kept apart so that the tokenizer can be trained between them:

1. :func:`collect_episodes` plays each training seed with the family's oracle (minigrid's BabyAIBot, or the
   WebShop ``oracle`` buyer), once as the expert plays, then with DART-style noise, and records, per step,
   the observation, the env info, the action taken and the oracle's action for that state.
2. :func:`episode_rows` replays an episode through the prompt functions ``ChatAgent.act`` uses: the
   history is trimmed by :func:`~cauarena.agents.llm.prompts.fit_history` with the trained tokenizer's
   exact prompt counts and the agent's prompt budget (:func:`prompt_budget`), the messages come from
   :func:`~cauarena.agents.llm.prompts.render_messages`, the past replies and the target from
   :func:`~cauarena.agents.llm.prompts.render_reply`. A row is TRL's conversational prompt-completion
   format: ``{"prompt": messages, "completion": [{"role": "assistant", "content": reply}]}``.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cauarena.agents.llm.backends.base import Message
from cauarena.agents.llm.prompts import PromptTemplate, Turn, fit_history, render_messages, render_reply
from cauarena.errors import ConfigError
from cauarena.learners.tinylm.tinylm_config import FAMILIES, NOISE_ACTIONS, TinyLMConfig

Row = dict[str, list[Message]]
"""One SFT row: ``{"prompt": [...messages], "completion": [assistant message]}``."""


@dataclass(frozen=True)
class Step:
    """One step of a roll-out.

    Attributes:
        observation: the observation text the agent saw.
        info: the env info that came with it (the prompt shows ``mission`` and ``valid_actions``).
        taken: the action actually taken (the expert's, or a noise move).
        expert: the bot's action for this state, the training target; None when the bot had none.
        reply: the model's reply text when a model acted (DAgger); the history shows it as the ChatAgent
            does. None for oracle steps, whose history reply is ``render_reply(template, taken)``.
    """

    observation: str
    info: Mapping[str, Any]
    taken: str
    expert: str | None
    reply: str | None = None


@dataclass(frozen=True)
class Episode:
    """A roll-out: its level, seed and steps (``success``: the mission was completed)."""

    level: str
    seed: int
    steps: tuple[Step, ...]
    success: bool


class BotAdvisor:
    """minigrid's BabyAIBot in advising mode: it replans from the action actually taken, whatever it was.

    When the bot believes the mission done while the episode goes on, it is rebuilt once from the current
    state (as the ``oracle`` agent does); if it still has no action, :meth:`advise` returns None.
    """

    def __init__(self, level_env: Any) -> None:
        self.level_env = level_env
        self._bot: Any = None

    def reset(self) -> None:
        """Forget the plan (call after every env reset)."""
        self._bot = None

    def advise(self, taken: int | None) -> int | None:
        """The bot's action index for the current state, given the action index taken last (None at start)."""
        from minigrid.utils.baby_ai_bot import BabyAIBot

        done = int(self.level_env.actions.done)
        if self._bot is not None:
            action = int(self._bot.replan(taken))
            if action != done:
                return action
        self._bot = BabyAIBot(self.level_env)
        action = int(self._bot.replan())
        return None if action == done else action


def rollout(
    env: Any,
    seed: int,
    noise_prob: float,
    rng: random.Random,
    max_steps: int,
    noise_actions: Sequence[str] = NOISE_ACTIONS,
) -> Episode:
    """Play one episode of a BabyAI-Text ``env`` with the bot, taking a random move with ``noise_prob``.

    A bot failure (an assertion on a state it cannot plan from) ends the roll-out early; the steps so far
    are kept.
    """
    from cauarena.envs.babyai_text.actions import ACTION_NAMES

    unwrapped = env.unwrapped
    advisor = BotAdvisor(unwrapped.minigrid_env)
    observation, info = env.reset(seed=seed)
    steps: list[Step] = []
    taken_index: int | None = None
    success = False
    for _ in range(max_steps):
        try:
            expert_index = advisor.advise(taken_index)
        except Exception:  # the bot is research code: it asserts on odd states; stop this roll-out there
            break
        expert = None if expert_index is None else ACTION_NAMES[expert_index]
        taken = rng.choice(noise_actions) if expert is None or rng.random() < noise_prob else expert
        taken_index = ACTION_NAMES.index(taken)
        steps.append(Step(observation, prompt_info(info), taken, expert))
        observation, _, terminated, truncated, info = env.step(taken)
        if terminated or truncated:
            success = bool(info.get("success"))
            break
    return Episode(unwrapped.level, seed, tuple(steps), success)


def prompt_info(info: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON-safe copy of the info entries a prompt can show (``mission``, ``valid_actions``)."""
    return {k: info[k] for k in ("mission", "valid_actions") if k in info}


def webshop_rollout(env: Any, seed: int, noise_prob: float, rng: random.Random, max_steps: int) -> Episode:
    """Play one WebShop instruction with the ``oracle`` buyer, clicking at random with ``noise_prob``.

    Noise is a random click of the page other than ``buy now`` (never a search, never a purchase), so the
    oracle's next actions show how to get back on track (``< prev`` from a wrong product, another page).
    """
    from cauarena.agents.webshop import WebShopOracle

    oracle = WebShopOracle()
    oracle.bind(env)
    observation, info = env.reset(seed=seed)
    oracle.reset(seed=seed, info=info)
    steps: list[Step] = []
    success = False
    for _ in range(max_steps):
        expert = oracle.act(observation, info)
        clicks = [a for a in info.get("valid_actions", ()) if a.startswith("click[") and a != "click[buy now]"]
        taken = rng.choice(clicks) if clicks and rng.random() < noise_prob else expert
        steps.append(Step(observation, prompt_info(info), taken, expert))
        observation, _, terminated, truncated, info = env.step(taken)
        if terminated or truncated:
            success = bool(info.get("success"))
            break
    return Episode("webshop", seed, tuple(steps), success)


def collect_episodes(config: TinyLMConfig, progress: bool = False) -> list[Episode]:
    """Every training roll-out of ``config``: per level (WebShop: split) and seed, one expert run and the noisy ones."""
    import cauarena

    if config.prompt not in FAMILIES:
        raise ConfigError(f"No oracle roll-outs for prompt {config.prompt!r}: tinylm collects them for "
                          f"{', '.join(FAMILIES)}. Fix: prompt='babyai' or 'webshop'.")
    rng = random.Random(config.seed)
    episodes: list[Episode] = []
    total = sum(n for _, n in config.levels)
    bar = _progress(total, "oracle roll-outs", progress)
    for level, count in config.levels:
        env_id, env_kwargs = env_spec(config, level)
        env = cauarena.make(env_id, **env_kwargs)
        for seed in range(config.seed_start, config.seed_start + count):
            for run in range(1 + config.noisy_rollouts):
                noise = 0.0 if run == 0 else config.noise_prob
                if config.prompt == "webshop":
                    episodes.append(webshop_rollout(env, seed, noise, rng, config.max_episode_steps))
                else:
                    episodes.append(rollout(env, seed, noise, rng, config.max_episode_steps, config.noise_actions))
            bar.update(1)
        env.close()
    bar.close()
    return episodes


def env_spec(config: TinyLMConfig, level: str) -> tuple[str, dict[str, Any]]:
    """``(env id, kwargs)`` of a level (BabyAI) or split (WebShop) of ``config``.

    >>> env_spec(TinyLMConfig(), "GoToLocal")
    ('cauarena/BabyAI-GoToLocal-Text-v0', {})
    """
    if config.prompt == "webshop":
        return "cauarena/WebShop-v0", {"split": level, "num_products": config.num_products}
    return f"cauarena/BabyAI-{level}-Text-v0", {}


def _progress(total: int, desc: str, enabled: bool) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, disable=not enabled, unit="seed")


def prompt_budget(template: PromptTemplate, context_length: int | None) -> int:
    """The prompt budget a default ``ChatAgent`` on this template and model uses (see ``ChatAgent``)."""
    budget = template.max_prompt_tokens
    if context_length is not None:
        budget = min(budget, context_length - template.max_tokens)
    if budget < 1:
        raise ConfigError(
            f"context_length {context_length} leaves no prompt budget after max_tokens={template.max_tokens}. "
            "Fix: a longer context_length."
        )
    return budget


def message_token_counter(tokenizer: Any) -> Callable[[Sequence[Message]], int]:
    """Tokens of a rendered prompt, counted as the ``hf/`` backend counts them (chat template, no BOS added)."""

    def count(messages: Sequence[Message]) -> int:
        text = tokenizer.apply_chat_template(list(messages), add_generation_prompt=True, tokenize=False)
        return len(tokenizer(text, add_special_tokens=False)["input_ids"])

    return count


def episode_rows(
    template: PromptTemplate,
    episode: Episode,
    count_tokens: Callable[[Sequence[Message]], int],
    max_prompt_tokens: int,
) -> list[Row]:
    """The SFT rows of one episode, as ``ChatAgent.act`` would prompt at each step.

    The history evolves as the agent's does: trimmed by ``fit_history`` before each step (from what was kept
    at the previous step), then extended by the step's observation and the reply of the action taken.
    Steps where the bot had no action add to the history but give no row.
    """
    rows: list[Row] = []
    history: list[Turn] = []
    for step in episode.steps:
        history = fit_history(template, history, step.observation, step.info, count_tokens, max_prompt_tokens)
        if step.expert is not None:
            messages = render_messages(template, history, step.observation, step.info)
            reply = render_reply(template, step.expert)
            rows.append({"prompt": messages, "completion": [{"role": "assistant", "content": reply}]})
        history.append(Turn(step.observation, history_reply(template, step)))
    return rows


def history_reply(template: PromptTemplate, step: Step) -> str:
    """The reply a step leaves in the history: the model's text, else the taken action as the model writes it."""
    return render_reply(template, step.taken) if step.reply is None else step.reply


def build_rows(
    episodes: Sequence[Episode],
    template: PromptTemplate,
    count_tokens: Callable[[Sequence[Message]], int],
    max_prompt_tokens: int,
    dedupe: bool = True,
) -> list[Row]:
    """The rows of every episode, in order; ``dedupe`` drops exact repeats (shared starts of noisy runs)."""
    rows: list[Row] = []
    seen: set[str] = set()
    for episode in episodes:
        for row in episode_rows(template, episode, count_tokens, max_prompt_tokens):
            key = json.dumps(row, sort_keys=True)
            if dedupe and key in seen:
                continue
            seen.add(key)
            rows.append(row)
    return rows


def tokenizer_corpus(episodes: Sequence[Episode], template: PromptTemplate) -> Iterator[str]:
    """Text to train the tokenizer on: every message a prompt or a reply of these episodes can contain.

    The system message comes once per episode, as often as in the prompts, so that its words merge too.
    """
    for episode in episodes:
        yield template.system
        history: list[Turn] = []
        for step in episode.steps:
            for message in render_messages(template, history[-1:], step.observation, step.info)[1:]:
                yield message["content"]
            history.append(Turn(step.observation, history_reply(template, step)))
