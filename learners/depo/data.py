"""DEPO's data: label trajectories desirable / undesirable / dropped, and render them into training rows.

**Labels** (DEPO, per env; :data:`LABEL_RULES`): *desirable* = a success (WebShop reward 1, BabyAI reward at least
0.9) within the step threshold; *undesirable* = the middle band: reward in ``[0.7, success)``, or a success that
took too many steps; the rest (failures, low rewards) is *dropped*. As in the paper, the thoughts of desirable
trajectories are shortened (there a model rewrote them; here the verbose thought becomes the short one).

**Rows** are per step and rendered exactly as :class:`~cauarena.agents.llm.ChatAgent` prompts: the history is
trimmed by :func:`~cauarena.agents.llm.prompts.fit_history` with the trained tokenizer's counts and the agent's
budget, the messages come from :func:`~cauarena.agents.llm.prompts.render_messages`, the completion is the
step's reply. SFT rows are ``{"prompt", "completion"}``; KTO/DEPO rows add ``label`` (the trajectory's) and
``bonus`` (DEPO's efficiency bonus of the trajectory on desirable rows, 0 on the others).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from cauarena.agents.llm.backends.base import Message
from cauarena.agents.llm.prompts import PromptTemplate, Turn, fit_history, render_messages
from cauarena.learners.depo.loss import BonusScale, efficiency_bonus
from cauarena.learners.depo.rollouts import Trajectory

Label = Literal["desirable", "undesirable", "dropped"]


@dataclass(frozen=True)
class LabelRule:
    """How one env's trajectories are labelled.

    Attributes:
        success_reward: the least reward of a success (BabyAI 0.9, WebShop 1.0).
        max_desirable_steps: a desirable trajectory takes at most this many steps.
        band_low: the least reward of an undesirable trajectory (lower ones are dropped).
    """

    success_reward: float
    max_desirable_steps: int
    band_low: float = 0.7


LABEL_RULES: dict[str, LabelRule] = {
    "babyai": LabelRule(success_reward=0.9, max_desirable_steps=6),
    "webshop": LabelRule(success_reward=1.0, max_desirable_steps=6),
}
"""DEPO's thresholds: reward >= 0.9 (BabyAI) or = 1.0 (WebShop); BabyAI: fewer than 7 steps, as the source
states (so at most 6; reward 0.9 alone would allow 7 of GoToLocal's 64); the middle band ``[0.7, success)``."""


def label(trajectory: Trajectory, rule: LabelRule) -> Label:
    """The DEPO label of ``trajectory`` under ``rule``.

    >>> from cauarena.learners.depo.rollouts import Style
    >>> def traj(reward, steps):
    ...     return Trajectory("webshop", 0, Style(), (None,) * steps, reward, reward == 1.0)
    >>> rule = LABEL_RULES["webshop"]
    >>> label(traj(1.0, 5), rule), label(traj(1.0, 9), rule), label(traj(0.75, 5), rule), label(traj(0.5, 5), rule)
    ('desirable', 'undesirable', 'undesirable', 'dropped')
    """
    steps = len(trajectory.steps)
    if trajectory.reward >= rule.success_reward - 1e-9 and steps <= rule.max_desirable_steps:
        return "desirable"
    if trajectory.reward >= rule.band_low - 1e-9:
        return "undesirable"
    return "dropped"


def shorten(trajectory: Trajectory) -> Trajectory:
    """A desirable trajectory as DEPO trains on it: verbose thoughts rewritten as short ones."""
    return trajectory.with_thought("short") if trajectory.style.thought == "verbose" else trajectory


def tokens_per_step(trajectory: Trajectory, count_tokens: Callable[[str], int]) -> float:
    """Mean generated tokens per step: each reply's tokens plus the end-of-reply token."""
    replies = trajectory.replies
    return sum(count_tokens(r) + 1 for r in replies) / max(len(replies), 1)


def step_rows(
    template: PromptTemplate,
    trajectory: Trajectory,
    count_prompt: Callable[[Sequence[Message]], int],
    max_prompt_tokens: int,
) -> Iterator[dict[str, Any]]:
    """One ``{"prompt", "completion"}`` row per step, as the ChatAgent would have prompted it."""
    history: list[Turn] = []
    for step, reply in zip(trajectory.steps, trajectory.replies, strict=True):
        history = fit_history(template, history, step.observation, step.info, count_prompt, max_prompt_tokens)
        messages = render_messages(template, history, step.observation, step.info)
        yield {"prompt": messages, "completion": [{"role": "assistant", "content": reply}]}
        history.append(Turn(step.observation, reply))


@dataclass(frozen=True)
class Labelled:
    """A trajectory with its DEPO label and bonus (0 unless desirable)."""

    trajectory: Trajectory
    label: Label
    bonus: float


def label_all(
    trajectories: Sequence[Trajectory],
    rule: LabelRule,
    count_tokens: Callable[[str], int],
    *,
    alpha_tokens: float,
    alpha_steps: float,
    scale: BonusScale = "raw",
    shorten_desirable: bool = True,
) -> list[Labelled]:
    """Label every trajectory (dropped ones are left out); desirable ones are shortened and get a bonus."""
    labelled = []
    for trajectory in trajectories:
        kind = label(trajectory, rule)
        if kind == "dropped":
            continue
        bonus = 0.0
        if kind == "desirable":
            trajectory = shorten(trajectory) if shorten_desirable else trajectory
            bonus = efficiency_bonus(tokens_per_step(trajectory, count_tokens), len(trajectory.steps),
                                     alpha_tokens, alpha_steps, scale)
        labelled.append(Labelled(trajectory, kind, bonus))
    return labelled


def sft_rows(trajectories: Sequence[Trajectory], template: PromptTemplate,
             count_prompt: Callable[[Sequence[Message]], int], max_prompt_tokens: int) -> list[dict[str, Any]]:
    """Behaviour-cloning rows of every step of ``trajectories``."""
    return [row for t in trajectories for row in step_rows(template, t, count_prompt, max_prompt_tokens)]


def preference_rows(labelled: Sequence[Labelled], template: PromptTemplate,
                    count_prompt: Callable[[Sequence[Message]], int], max_prompt_tokens: int) -> list[dict[str, Any]]:
    """KTO/DEPO rows: every step with its trajectory's ``label`` (True: desirable) and ``bonus``."""
    return [
        {**row, "label": item.label == "desirable", "bonus": float(item.bonus)}
        for item in labelled
        for row in step_rows(template, item.trajectory, count_prompt, max_prompt_tokens)
    ]


def tokenizer_corpus(trajectories: Sequence[Trajectory], template: PromptTemplate) -> Iterator[str]:
    """Text to train the tokenizer on: prompts and replies in every thought style."""
    for trajectory in trajectories:
        yield template.system
        for step in trajectory.steps:
            yield from (m["content"] for m in render_messages(template, [], step.observation, step.info)[1:])
            yield from (step.reply(style) for style in ("none", "short", "verbose"))


def summarize(labelled: Sequence[Labelled], trajectories: Sequence[Trajectory]) -> dict[str, Any]:
    """Counts and means of a labelled data set (for ``metrics.json``)."""
    desirable = [x for x in labelled if x.label == "desirable"]
    undesirable = [x for x in labelled if x.label == "undesirable"]

    def mean(values: list[float]) -> float:
        return round(sum(values) / len(values), 3) if values else 0.0

    return {
        "trajectories": len(trajectories),
        "success": mean([float(t.success) for t in trajectories]),
        "desirable": len(desirable),
        "undesirable": len(undesirable),
        "dropped": len(trajectories) - len(labelled),
        "desirable_steps": mean([len(x.trajectory.steps) for x in desirable]),
        "undesirable_steps": mean([len(x.trajectory.steps) for x in undesirable]),
        "mean_bonus": mean([x.bonus for x in desirable]),
    }
