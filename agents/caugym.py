"""The CauGym ``oracle``: reads only the problem text, rebuilds the graph and the stated numbers, and solves.

Not privileged: it never looks at the env's item or answer. It parses the text back through the very
templates the generator writes with (:mod:`cauarena.envs.caugym.text`), so it solves every generated
problem, in every wording; then it evaluates the first valid identification whose inputs the text gives
(stated, or derivable by the sum-to-one rule) and answers ``LACK_CONDITION`` when there is none.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from cauarena.envs.caugym import tasks as T
from cauarena.envs.caugym import text as X
from cauarena.envs.caugym.store import Store

LACK_REPLY = json.dumps({"ANSWER": "LACK_CONDITION"})


class ParseError(ValueError):
    """The problem text is not in a wording the oracle knows."""


def _regexes(templates: dict[str, Any]) -> list[tuple[str, re.Pattern[str]]]:
    return [(style, X.template_regex(t)) for style, ts in templates.items() for t in ts]


_EDGES = _regexes(X.EDGE_TEMPLATES)
# conditional forms first: an unconditional form would also match their text
_STATEMENTS = sorted(_regexes(X.STATEMENT_TEMPLATES), key=lambda sr: "given" not in sr[1].groupindex)
_QUESTIONS = [(key, X.template_regex(t)) for qs in X.QUESTION_TEMPLATES.values() for key, t in qs.items()]
_INSTRUCTIONS = [X.template_regex(t) for t in X.INSTRUCTION_TEMPLATES.values()]
_ASSIGN_SPLIT = {"base": " being ", "rephrased": " is "}
_FIXED_SPLIT = (" being ", " at ")


@dataclass
class ParsedProblem:
    """A problem read back from its text.

    Attributes:
        names: variable names, in a topological order of the parsed graph.
        parents: parent lists over those indices.
        values: per variable, its value words (index = the bit the oracle uses).
        stated: the stated probabilities.
        query: the question.
    """

    names: list[str] = field(default_factory=list)
    parents: list[list[int]] = field(default_factory=list)
    values: dict[str, list[str]] = field(default_factory=dict)
    stated: dict[T.Term, Fraction] = field(default_factory=dict)
    query: T.Query | None = None


class _Reader:
    """Collects names, edges, value words and statements, then orders the graph topologically."""

    def __init__(self) -> None:
        self.edges: list[tuple[str, str]] = []
        self.values: dict[str, list[str]] = {}
        self.raw: list[tuple[list[tuple[str, str]], list[tuple[str, str]], Fraction]] = []

    def bit(self, name: str, word: str) -> int:
        words = self.values.setdefault(name, [])
        if word not in words:
            if len(words) == 2:
                raise ParseError(f"variable {name!r} has a third value {word!r} (binary variables only)")
            words.append(word)
        return words.index(word)

    def sentence(self, text: str) -> None:
        for _, regex in _EDGES:
            m = regex.fullmatch(text)
            if m:
                self.edges.append((m.group("A").lower(), m.group("B").lower()))
                return
        for style, regex in _STATEMENTS:
            m = regex.fullmatch(text)
            if m:
                event = _assignments(m.group("event"), _ASSIGN_SPLIT[style])
                given = _assignments(m.group("given"), _ASSIGN_SPLIT[style]) if "given" in regex.groupindex else []
                self.raw.append((event, given, Fraction(m.group("p"))))
                return
        raise ParseError(f"unknown sentence: {text!r}")

    def graph(self) -> tuple[list[str], list[list[int]]]:
        names = sorted({n for e in self.edges for n in e} | {n for ev, gv, _ in self.raw for n, _ in ev + gv})
        preds = {n: sorted({a for a, b in self.edges if b == n}) for n in names}
        order: list[str] = []
        while len(order) < len(names):
            ready = [n for n in names if n not in order and all(p in order for p in preds[n])]
            if not ready:
                raise ParseError("the stated causal graph has a cycle")
            order.append(ready[0])
        index = {n: i for i, n in enumerate(order)}
        return order, [[index[p] for p in preds[n]] for n in order]


def _assignments(text: str, splitter: str) -> list[tuple[str, str]]:
    out = []
    for part in text.split(" and "):
        name, sep, value = part.strip().rpartition(splitter)
        if not sep:
            raise ParseError(f"cannot read the assignment {part!r}")
        out.append((name.strip().lower(), value.strip().lower()))
    return out


def _sentences(info: str) -> list[str]:
    body = info.split(":", 1)[1] if ":" in info else info
    return [s.strip() for s in re.split(r"(?<=\.)\s+", body.strip()) if s.strip()]


def _lines(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        head, sep, rest = line.partition(":")
        key = head.strip().lower()
        if sep and key in ("input info", "instruction", "question"):
            out[key] = rest.strip()
    if "input info" not in out or "question" not in out:
        raise ParseError("the problem has no 'Input Info:' or no 'Question:' line")
    return out


def _question(reader: _Reader, question: str, instruction: str | None, index: dict[str, int]) -> T.Query:
    found = next(((k, r.fullmatch(question)) for k, r in _QUESTIONS if r.fullmatch(question)), None)
    if found is None or found[1] is None:
        raise ParseError(f"unknown question: {question!r}")
    key, m = found
    task = key if key != "PNPS" else "PN"
    if instruction:
        for regex in _INSTRUCTIONS:
            im = regex.fullmatch(instruction)
            if im:
                task = im.group("task").upper()
    g = {k: v.lower() for k, v in m.groupdict().items() if v is not None}
    x_name, y_name = g["X"], g["Y"]
    if x_name not in index or y_name not in index:
        raise ParseError(f"the question names unknown variables {x_name!r}/{y_name!r}")
    x, y = index[x_name], index[y_name]
    if key == "PNPS":
        xb, yb = reader.bit(x_name, g["xf"]), reader.bit(y_name, g["yf"])
        reader.bit(x_name, g["x"])
        reader.bit(y_name, g["y"])
        return T.Query(task, x, y, xb, yb, bound=g["bound"])
    if key == "ETT":
        reader.bit(x_name, g["xf"])
    xv, yv = reader.bit(x_name, g["x"]), reader.bit(y_name, g["y"])
    fixed: tuple[tuple[int, int], ...] = ()
    if key == "CDE":
        pairs = [_fixed_pair(part) for part in g["fixed"].split(" and ")]
        fixed = tuple(sorted((index[n], reader.bit(n, v)) for n, v in pairs))
    return T.Query(task, x, y, xv, yv, fixed=fixed)


def _fixed_pair(part: str) -> tuple[str, str]:
    for splitter in _FIXED_SPLIT:
        name, sep, value = part.strip().rpartition(splitter)
        if sep:
            return name.strip(), value.strip()
    raise ParseError(f"cannot read the held mediator {part!r}")


def parse_problem(text: str) -> ParsedProblem:
    """Read a generated CauGym problem back into a graph, the stated numbers and the query.

    Raises:
        ParseError: a sentence or question in a wording the generator never writes.
    """
    lines = _lines(text)
    reader = _Reader()
    for sentence in _sentences(lines["input info"]):
        reader.sentence(sentence)
    names, parents = reader.graph()
    index = {n: i for i, n in enumerate(names)}
    query = _question(reader, lines["question"], lines.get("instruction"), index)
    stated = {}
    for event, given, p in reader.raw:
        ev = {index[n]: reader.bit(n, v) for n, v in event}
        gv = {index[n]: reader.bit(n, v) for n, v in given}
        stated[T.term(ev, gv)] = p
    return ParsedProblem(names, parents, dict(reader.values), stated, query)


def solve_text(text: str) -> tuple[T.Query, Fraction | None]:
    """The query of a problem text and its answer (None when the information is not enough)."""
    parsed = parse_problem(text)
    assert parsed.query is not None
    solved = T.solve(parsed.parents, parsed.names, parsed.query, Store(parsed.stated).get)
    return parsed.query, (None if solved is None else Fraction(solved[1]))


def answer_json(query: T.Query, value: Fraction | None) -> str:
    """The reply: ``{"ANSWER": ..., "PROB": ...}``, ``{"PROB": ...}`` (PN/PS) or LACK_CONDITION."""
    from cauarena.envs.caugym.generate import round4

    if value is None:
        return LACK_REPLY
    prob = X.fmt4(round4(value))
    if query.task in T.YES_NO_TASKS:
        return json.dumps({"ANSWER": "Yes" if round4(value) > 0 else "No", "PROB": prob})
    return json.dumps({"PROB": prob})


class CauGymOracle:
    """The scripted solver for CauGym problems (text only; 100% on every generated task and variant).

    Example:
        >>> import cauarena
        >>> env = cauarena.make("cauarena/CauGym-v0", task="ATE")
        >>> observation, info = env.reset(seed=0)
        >>> agent = CauGymOracle()
        >>> agent.reset(seed=0, info=info)
        >>> env.step(agent.act(observation, info))[1]
        1.0
    """

    def reset(self, *, seed: int | None = None, info: dict[str, Any] | None = None) -> None:
        """Nothing to reset: each problem is solved from its text."""

    def act(self, observation: Any, info: dict[str, Any]) -> str:
        """The JSON answer to the problem in ``observation`` (``LACK_CONDITION`` if it cannot be parsed)."""
        text = observation if isinstance(observation, str) else str(observation)
        try:
            query, value = solve_text(text)
        except ParseError:
            return LACK_REPLY
        return answer_json(query, value)


class CauGymGuesser:
    """A chance baseline (the ``random`` agent on CauGym): a well-formed answer with random content.

    Yes/No by a coin flip, PROB uniform at 4 decimals (in [-1, 1] when the problem asks Yes/No, else
    [0, 1]), and ``LACK_CONDITION`` one time in six (one variant in six is insufficient). Seeded by ``reset``.
    """

    def __init__(self) -> None:
        import numpy as np

        self._np = np
        self.rng = np.random.default_rng()

    def reset(self, *, seed: int | None = None, info: dict[str, Any] | None = None) -> None:
        """Reseed the guesses."""
        self.rng = self._np.random.default_rng(seed)

    def act(self, observation: Any, info: dict[str, Any]) -> str:
        """A random answer in the format the problem asks for."""
        if self.rng.random() < 1 / 6:
            return LACK_REPLY
        yes_no = '"ANSWER": "Yes", "PROB"' in str(observation)
        low = -1.0 if yes_no else 0.0
        prob = X.fmt4(Fraction(int(self.rng.integers(int(low * 10000), 10001)), 10000))
        if yes_no:
            return json.dumps({"ANSWER": "Yes" if self.rng.random() < 0.5 else "No", "PROB": prob})
        return json.dumps({"PROB": prob})
