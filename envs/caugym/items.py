"""CauGym items: the published fields, our generator's items, and a loader for CauGym-format JSON files.

An item has the published fields ``problem`` (the text), ``answer`` (a JSON string such as
``{"ANSWER": "Yes", "PROB": "0.1234"}``, ``{"PROB": "0.1234"}`` for PN/PS, or ``LACK_CONDITION``), ``Reason``
(``{"Step 1": ..., ...}``), ``Type`` (the task) and, in the published insufficient set, ``idx``. Our items add
``variant`` and ``meta`` (seed, node count, name mode, ...); unknown fields of other files are kept. Our files
and the published test sets load through :func:`load_items` and are scored alike.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cauarena.envs.caugym import scm as S
from cauarena.envs.caugym import text as X
from cauarena.envs.caugym.generate import LACK, Problem, generate_problem
from cauarena.envs.caugym.reason import reason_steps
from cauarena.envs.caugym.tasks import TASKS, YES_NO_TASKS, yes_no
from cauarena.errors import ConfigError


class CauGymItem(BaseModel):
    """One CauGym problem with its answer (published fields first, ours after)."""

    model_config = ConfigDict(extra="allow")

    problem: str
    """The problem text shown to the model."""
    answer: str
    """The gold answer as a JSON string (``{"ANSWER": ..., "PROB": ...}``) or ``LACK_CONDITION``."""
    Reason: dict[str, str] = Field(default_factory=dict)
    """Symbolic solution steps, ``{"Step 1": ..., "Step k": ...}``."""
    Type: str
    """The task: ATE, CDE, ETT, NDE, NIE, PN or PS."""
    idx: int | None = None
    """The published insufficient set's item index (absent elsewhere)."""
    variant: str | None = None
    """Ours: which of the six variants the item belongs to (None in published files: the file says it)."""
    meta: dict[str, Any] = Field(default_factory=dict)
    """Ours: seed, node count, name mode, treatment/outcome, adjustment set, zero effect."""

    @field_validator("answer", mode="before")
    @classmethod
    def _answer_as_text(cls, value: Any) -> Any:
        return json.dumps(value) if isinstance(value, dict) else value


@dataclass(frozen=True)
class Gold:
    """What a reply must give for an item.

    Attributes:
        prob: the probability at 4 decimals (None when information lacks).
        yesno: ``Yes``/``No`` for the tasks that have one, else None.
        lack: True for an insufficient item (the right reply declares missing information, no number).
        relabelled: True when ``yesno`` was taken from the Reason steps because the published label
            contradicted them.
    """

    prob: Fraction | None
    yesno: str | None
    lack: bool
    relabelled: bool = False


_REASON_ANSWER = re.compile(r"answer is\s+\**\s*(yes|no)\b", re.IGNORECASE)


def gold_of(item: CauGymItem, relabel: bool = True) -> Gold:
    """The gold answer of ``item``.

    With ``relabel``, a Yes/No that contradicts the item's own last Reason step ("... so the answer is No")
    is replaced by the Reason's (published ETT labels are noisy; see the Fidelity notes).

    Raises:
        ConfigError: an ``answer`` that is neither ``LACK_CONDITION`` nor JSON with a ``PROB``.
    """
    if LACK in item.answer:
        return Gold(None, None, True)
    try:
        data = json.loads(item.answer)
        prob = Fraction(str(data.get("PROB", data.get("prob"))).strip())
    except (ValueError, TypeError, AttributeError) as exc:
        raise ConfigError(
            f"Item of type {item.Type!r}: answer {item.answer!r} is not LACK_CONDITION or JSON with a PROB. "
            'Fix: answer like {"ANSWER": "Yes", "PROB": "0.1234"}.'
        ) from exc
    yesno = data.get("ANSWER", data.get("answer"))
    yesno = str(yesno).strip().capitalize() if yesno is not None and item.Type in YES_NO_TASKS else None
    relabelled = False
    if relabel and yesno and item.Reason:
        last = list(item.Reason.values())[-1]
        found = _REASON_ANSWER.findall(last)
        if found and found[-1].capitalize() != yesno:
            yesno, relabelled = found[-1].capitalize(), True
    return Gold(prob, yesno, False, relabelled)


def check_item(item: CauGymItem) -> str | None:
    """Why the env cannot pose ``item`` (unknown Type, empty problem, unreadable answer), or None when it can.

    >>> check_item(CauGymItem(problem="Question: ...", answer='{"PROB": "0.5"}', Type="ATT"))
    "Type 'ATT' is not one of ATE, CDE, ETT, NDE, NIE, PN, PS"
    """
    if item.Type not in TASKS:
        return f"Type {item.Type!r} is not one of {', '.join(TASKS)}"
    if not item.problem.strip():
        return "the problem text is empty"
    try:
        gold = gold_of(item)
    except ConfigError as exc:
        return str(exc).split(" Fix:")[0]
    if not gold.lack and item.Type in YES_NO_TASKS and gold.yesno not in ("Yes", "No"):
        return f"a {item.Type} answer needs ANSWER Yes or No; got {gold.yesno!r}"
    return None


# --- our generator's items -------------------------------------------------------------------------------


def render_problem(problem: Problem) -> str:
    """The problem text of a generated :class:`Problem` (see :mod:`cauarena.envs.caugym.text`)."""
    style = "rephrased" if problem.variant in ("rephrased", "omitted") else "base"
    rng = np.random.default_rng([problem.seed, 11])
    variables, q = problem.variables, problem.query
    edges = X.render_edges(variables, problem.model.edges, style, rng)
    statements = [X.render_statement(variables, t, v, style, rng) for t, v in problem.statements]
    lines = [f"Input Info: {X.INTROS[style]} " + " ".join(edges), " ".join(statements)]
    if problem.variant != "omitted":
        lines.append(X.render_instruction(variables, q, style))
    lines.append(X.render_question(variables, q, style))
    lines.append(X.answer_format(q.task, lack=problem.variant == "insufficient"))
    return "\n".join(lines)


def answer_text(problem: Problem) -> str:
    """The published ``answer`` field: JSON with ``ANSWER`` (Yes/No tasks) and ``PROB``, or LACK_CONDITION."""
    if problem.gold is None:
        return json.dumps({"ANSWER": LACK})
    if problem.query.task in YES_NO_TASKS:
        return json.dumps({"ANSWER": yes_no(problem.query.task, problem.gold), "PROB": X.fmt4(problem.gold)})
    return json.dumps({"PROB": X.fmt4(problem.gold)})


def to_item(problem: Problem) -> CauGymItem:
    """The :class:`CauGymItem` of a generated problem."""
    q, names = problem.query, problem.names
    reason = reason_steps(problem.variables, problem.model.parents, problem.formula, problem.store(), problem.gold)
    meta = {
        "seed": problem.seed, "nodes": problem.model.n, "names": problem.names_mode, "treatment": names[q.x],
        "outcome": names[q.y], "adjustment": [names[z] for z in problem.formula.zs], "truth": problem.truth,
        "zero_effect": problem.formula.zero,
        "mediators": len(S.mediators(problem.model.parents, q.x, q.y)),
    }
    return CauGymItem(problem=render_problem(problem), answer=answer_text(problem), Reason=reason, Type=q.task,
                      variant=problem.variant, meta=meta)


def generate_item(
    seed: int, task: str, variant: str = "base", nodes: int | str | None = None, names: str | None = None
) -> CauGymItem:
    """One generated item (see :func:`~cauarena.envs.caugym.generate.generate_problem` for the arguments)."""
    return to_item(generate_problem(seed, task, variant, nodes, names))


def _generate_chunk(requests: list[tuple]) -> list[CauGymItem]:
    return [generate_item(*request) for request in requests]


def generate_items(requests: Iterable[tuple], workers: int = 0, chunk_size: int = 64) -> list[CauGymItem]:
    """Many items, in order: each request is ``generate_item``'s positional arguments ``(seed, task, ...)``.

    Items are pure functions of their requests, so the worker processes (``workers`` > 1; 0 or 1 generate
    here) return exactly what one process would; chunks of ``chunk_size`` requests amortise the hand-off.

    >>> [item.Type for item in generate_items([(1, "ATE"), (2, "PN", "omitted")])]
    ['ATE', 'PN']
    """
    requests = [tuple(r) for r in requests]
    if workers <= 1 or len(requests) <= chunk_size:
        return _generate_chunk(requests)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    chunks = [requests[i:i + chunk_size] for i in range(0, len(requests), chunk_size)]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        return [item for chunk in pool.map(_generate_chunk, chunks) for item in chunk]


# --- files -----------------------------------------------------------------------------------------------


def load_items(path: str | Path) -> list[CauGymItem]:
    """Load CauGym-format items from a ``.json`` file (a list, or ``{"data": [...]}``) or a ``.jsonl`` file.

    Raises:
        ConfigError: the file is missing or unreadable, or an item lacks a published field (the message
            names the item and the field).
    """
    path = Path(path).expanduser()
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"Cannot read CauGym items from {path}: {exc}. Fix: pass the path of a .json file.") from exc
    try:
        if path.suffix == ".jsonl":
            records = [json.loads(line) for line in raw.splitlines() if line.strip()]
        else:
            data = json.loads(raw)
            records = data.get("data") if isinstance(data, dict) else data
    except ValueError as exc:
        raise ConfigError(f"{path} is not valid JSON/JSONL: {exc}") from exc
    if not isinstance(records, list) or not records:
        raise ConfigError(f"{path} holds no items. Fix: a JSON list of objects with problem, answer and Type.")
    items = []
    for k, record in enumerate(records):
        try:
            items.append(CauGymItem.model_validate(record))
        except ValidationError as exc:
            fields = ", ".join(".".join(map(str, e["loc"])) for e in exc.errors())
            raise ConfigError(
                f"{path}: item {k} is not a CauGym item (bad or missing: {fields}). Fix: every item needs "
                "'problem' (text), 'answer' (JSON string) and 'Type' (ATE, CDE, ETT, NDE, NIE, PN or PS)."
            ) from None
    return items


def save_items(items: list[CauGymItem], path: str | Path) -> Path:
    """Write ``items`` as a JSON list (the published layout); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([i.model_dump(exclude_none=True) for i in items], indent=1, ensure_ascii=False))
    return path
