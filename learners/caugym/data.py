"""CauGym post-training data in the formats TRL's trainers read (Hugging Face ``datasets``).

Every row's prompt is what a ``ChatAgent`` sends on a ``caugym`` env (the ``caugym`` template rendered by
:func:`~cauarena.agents.llm.prompts.render_messages`), so a trained model sees the same text at evaluation.
Rows are TRL's *conversational* formats:

- SFT: ``prompt`` (messages), ``completion`` ([assistant message]) -- the Reason steps, then the JSON answer;
- DPO: ``prompt``, ``chosen``, ``rejected`` -- chosen as SFT, rejected a wrong answer (below);
- KTO: ``prompt``, ``completion``, ``label`` -- the chosen and rejected completions unpaired, 1:1;
- GRPO: ``prompt`` plus ``answer`` and ``Type`` columns, which TRL passes to the reward functions
  (:mod:`cauarena.learners.caugym.rewards`).

Published CauGym builds negatives by asking a model to answer without guidance; with no model to ask, ours
are the typical mistakes, written in the same step format: the opposite direction (a sign error that also
flips Yes/No by the published rule, ETT's reversed one included), the other bound for PN/PS, a number on an
insufficient item, and ``LACK_CONDITION`` on an answerable one (one negative in six). Items follow the
published conventions and item types of :mod:`cauarena.envs.caugym.generate` (zero-effect questions, NDE
without a mediator, the LACK_CONDITION instruction only on insufficient items).

Training items use seeds from :data:`TRAIN_SEED_START`; the benchmark and the ``caugym`` suite use seeds
1000-99,999, so no test item is trained on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from cauarena.agents.caugym_chat import CAUGYM_PROMPT
from cauarena.agents.llm.prompts import render_messages
from cauarena.envs.caugym import TASKS, VARIANTS, CauGymItem, generate_item, gold_of
from cauarena.envs.caugym.tasks import yes_no
from cauarena.envs.caugym.text import fmt4

TRAIN_SEED_START = 1_000_000
"""First seed of training items (test items use seeds below 100,000)."""

Message = dict[str, str]


def training_items(
    per_cell: int, tasks: Sequence[str] = TASKS, variants: Sequence[str] = VARIANTS,
    difficulty: int | str | None = "basic", names: str | None = None, seed_start: int = TRAIN_SEED_START,
) -> list[CauGymItem]:
    """``per_cell`` generated items per (task, variant), interleaved so any prefix is balanced."""
    return [
        generate_item(seed_start + k, task, variant, difficulty, names)
        for k in range(per_cell) for task in tasks for variant in variants
    ]


def prompt_messages(item: CauGymItem) -> list[Message]:
    """The chat a ``ChatAgent`` sends for this item (system, then the problem and the instruction)."""
    return render_messages(CAUGYM_PROMPT, [], item.problem, {})


def completion_text(steps: Iterable[str], answer: str) -> str:
    """The reply format taught here: one ``Step k:`` line per step, then the answer JSON on the last line.

    >>> print(completion_text(["P = 0.5", "so Yes"], '{"ANSWER": "Yes", "PROB": "0.5000"}'))
    Step 1: P = 0.5
    Step 2: so Yes
    {"ANSWER": "Yes", "PROB": "0.5000"}
    """
    lines = [f"Step {i}: {step}" for i, step in enumerate(steps, 1)]
    return "\n".join([*lines, answer])


def chosen_text(item: CauGymItem) -> str:
    """The right reply: the item's Reason steps and its answer."""
    return completion_text(item.Reason.values(), item.answer)


def rejected_text(item: CauGymItem, rng: np.random.Generator) -> str:
    """A wrong reply in the same format (see the module docs for the kinds of mistakes)."""
    gold = gold_of(item)
    steps = list(item.Reason.values())
    if gold.lack or gold.prob is None:  # hallucinate a number from the values that are there
        wrong = Fraction(int(rng.integers(1, 10000)), 10000)
        answer = _answer(item.Type, wrong)
        return completion_text([*steps[:3], f"Result: {item.Type} = {fmt4(wrong)}."], answer)
    if rng.random() < 1 / 6:
        return completion_text([*steps[:3], "A needed probability is missing, so the answer is LACK_CONDITION."],
                               json.dumps({"ANSWER": "LACK_CONDITION"}))
    wrong = 1 - gold.prob if item.Type in ("PN", "PS") else -gold.prob
    if wrong == gold.prob:
        wrong = gold.prob + Fraction(1, 10)
    kept = [s for s in steps if not s.startswith("Result:") and "so the answer is" not in s]
    tail = [f"Result: {item.Type} = {fmt4(wrong)}."]
    if gold.yesno:
        sign = ">" if wrong > 0 else "<"
        tail.append(f"{fmt4(wrong)} {sign} 0, so the answer is {yes_no(item.Type, wrong)}.")
    return completion_text([*kept, *tail], _answer(item.Type, wrong))


def _answer(task: str, value: Fraction) -> str:
    if task in ("PN", "PS"):
        return json.dumps({"PROB": fmt4(value)})
    return json.dumps({"ANSWER": yes_no(task, value), "PROB": fmt4(value)})


def _assistant(text: str) -> list[Message]:
    return [{"role": "assistant", "content": text}]


def sft_rows(items: Sequence[CauGymItem]) -> list[dict[str, Any]]:
    """SFT rows: ``prompt`` and the chosen ``completion``."""
    return [{"prompt": prompt_messages(i), "completion": _assistant(chosen_text(i))} for i in items]


def dpo_rows(items: Sequence[CauGymItem], seed: int = 0) -> list[dict[str, Any]]:
    """DPO rows: ``prompt``, ``chosen``, ``rejected``."""
    rng = np.random.default_rng(seed)
    return [
        {"prompt": prompt_messages(i), "chosen": _assistant(chosen_text(i)),
         "rejected": _assistant(rejected_text(i, rng))}
        for i in items
    ]


def kto_rows(items: Sequence[CauGymItem], seed: int = 0) -> list[dict[str, Any]]:
    """KTO rows, 1:1: a desirable row (``label`` True) and an undesirable one per item, shuffled."""
    rows = []
    for row in dpo_rows(items, seed):
        rows.append({"prompt": row["prompt"], "completion": row["chosen"], "label": True})
        rows.append({"prompt": row["prompt"], "completion": row["rejected"], "label": False})
    order = np.random.default_rng(seed + 1).permutation(len(rows))
    return [rows[int(k)] for k in order]


def grpo_rows(items: Sequence[CauGymItem]) -> list[dict[str, Any]]:
    """GRPO rows: ``prompt`` with the gold ``answer`` and ``Type`` for the reward functions."""
    return [{"prompt": prompt_messages(i), "answer": i.answer, "Type": i.Type} for i in items]


ROWS = {"sft": sft_rows, "dpo": dpo_rows, "kto": kto_rows, "grpo": grpo_rows}
"""Row builders by method."""


def to_dataset(rows: list[dict[str, Any]]) -> Any:
    """A ``datasets.Dataset`` of ``rows`` (imports ``datasets`` here, not at module import)."""
    from datasets import Dataset

    return Dataset.from_list(rows)


def export_dataset(method: str, items: Sequence[CauGymItem], seed: int = 0) -> Any:
    """The ``datasets.Dataset`` of ``method`` (``sft``, ``dpo``, ``kto``, ``grpo``) for ``items``."""
    builder = ROWS[method]
    rows = builder(items, seed) if method in ("dpo", "kto") else builder(items)  # type: ignore[operator]
    return to_dataset(rows)


def tokenizer_corpus(items: Sequence[CauGymItem]) -> Iterable[str]:
    """Every text a prompt or reply can hold, for training the tokenizer."""
    yield CAUGYM_PROMPT.system
    rng = np.random.default_rng(0)
    for item in items:
        for message in prompt_messages(item)[1:]:
            yield message["content"]
        yield chosen_text(item)
        yield rejected_text(item, rng)
