"""Reading a CauGym problem text back into its graph, its stated probabilities and its question.

The reader knows the published layout (``Input Info: <intro>: <edges> <statements>``, ``Instruction:``,
``Question:``) in the base wording the published sets share with ours, and our rephrased wording; every
sentence form comes from :mod:`cauarena.envs.caugym.text`, so generator and reader cannot drift. It takes
any variable names (real, invented, misspelt, with spaces, apostrophes, brackets or ``and``): the names are
learned from the edge sentences first, then assignments (``a being low, b being on time and c being high``)
are split at the known names, so neither a name nor a value has to be one word. Sentences may run together
without a space (``...on rainfall.Rainfall has ...``) and statements may carry the published ``(A=0)`` tags.
A name spelt differently from the edge sentences (published: ``wind, humidity`` there, ``wind and humidity``
here) resolves to the closest known name (:data:`NAME_CUTOFF`).

A sentence it cannot read is skipped and recorded (``ParsedProblem.skipped``): a number it cannot place is a
number it does not use, so a needed one missing makes the answer ``LACK_CONDITION``, never a guess. A question
it cannot read (a free paraphrase) raises :class:`ParseError`; so does a structure our formulas do not cover
(NDE/NIE with several mediators), so a solver answers that it cannot tell.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from fractions import Fraction

from cauarena.envs.caugym import tasks as T
from cauarena.envs.caugym import text as X
from cauarena.envs.caugym.store import Store


class ParseError(ValueError):
    """The problem text is not in a layout or wording the reader knows."""


@dataclass
class ParsedProblem:
    """A problem read back from its text.

    Attributes:
        names: variable names (lower case), in a topological order of the parsed graph.
        parents: parent lists over those indices.
        values: per variable, its value words (index = the bit the reader uses).
        stated: the stated probabilities.
        query: the question.
        skipped: sentences of the input info that could not be read (and were not used).
    """

    names: list[str] = field(default_factory=list)
    parents: list[list[int]] = field(default_factory=list)
    values: dict[str, list[str]] = field(default_factory=dict)
    stated: dict[T.Term, Fraction] = field(default_factory=dict)
    query: T.Query | None = None
    skipped: list[str] = field(default_factory=list)


NAME_CUTOFF = 0.8
"""Least ``difflib`` similarity for a misspelt name to resolve to a known one."""


def _regexes(templates: dict[str, tuple[str, ...]]) -> list[tuple[str, re.Pattern[str]]]:
    return [(style, X.template_regex(t)) for style, ts in templates.items() for t in ts]


_EDGES = _regexes(X.EDGE_TEMPLATES)
# conditional forms first: an unconditional form would also match their text
_STATEMENTS = sorted(_regexes(X.STATEMENT_TEMPLATES), key=lambda sr: "given" not in sr[1].groupindex)
_QUESTIONS = [(style, key, X.template_regex(t)) for style, qs in X.QUESTION_TEMPLATES.items() for key, t in qs.items()]
_INSTRUCTIONS = [X.template_regex(t) for t in X.INSTRUCTION_TEMPLATES.values()]
_JOINER = {"base": " being ", "rephrased": " is "}
_FIXED_JOINER = {"base": " being ", "rephrased": " at "}
_TAG = re.compile(r"\s*\([A-Z]{1,2}\s*=\s*[01]\)")
_SENTENCE_END = re.compile(r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<=\.)(?:\s+|(?=[A-Z]))|\n+")
_SEPARATOR = re.compile(r",? and |, ")
_MARKERS = re.compile(r"^\s*(Instruction|Question)\s*:", re.MULTILINE)


def split_problem(text: str) -> tuple[str, str | None, str]:
    """``(input info body, instruction or None, question)`` of a problem text.

    Raises:
        ParseError: no ``Question:`` line.
    """
    text = _TAG.sub("", text)
    marks = list(_MARKERS.finditer(text))
    question = next((m for m in marks if m.group(1) == "Question"), None)
    if question is None:
        raise ParseError("the problem has no 'Question:' line")
    info = text[: marks[0].start()]
    head, sep, body = info.partition("Input Info:")
    body = body if sep else head
    intro, colon, rest = body.partition(":")
    body = rest if colon else intro
    instruction = next((m for m in marks if m.group(1) == "Instruction"), None)
    instruction_text = _line_after(text, instruction.end()) if instruction else None
    return body.strip(), instruction_text, _line_after(text, question.end())


def _line_after(text: str, start: int) -> str:
    end = text.find("\n", start)
    return text[start : end if end != -1 else len(text)].strip()


def sentences(body: str) -> list[str]:
    """The sentences of the input info, each ending with a full stop."""
    out = []
    for part in _SENTENCE_END.split(body):
        part = part.strip()
        if part:
            out.append(part if part.endswith(".") else part + ".")
    return out


class _Reader:
    """Collects edges, then statements and value words against the known names."""

    def __init__(self) -> None:
        self.edges: list[tuple[str, str]] = []
        self.values: dict[str, list[str]] = {}
        self.raw: list[tuple[str, str, str, Fraction]] = []  # style, event text, given text, value
        self.names: list[str] = []
        self._assign: dict[str, re.Pattern[str]] = {}

    def bit(self, name: str, word: str) -> int:
        word = word.strip().lower()
        words = self.values.setdefault(name, [])
        if word not in words:
            if len(words) == 2:
                raise ParseError(f"variable {name!r} has a third value {word!r} besides {words} (binary only)")
            words.append(word)
        return words.index(word)

    def sentence(self, text: str) -> None:
        for _, regex in _EDGES:
            m = regex.fullmatch(text)
            if m:
                self.edges.append((m.group("A").strip().lower(), m.group("B").strip().lower()))
                return
        for style, regex in _STATEMENTS:
            m = regex.fullmatch(text)
            if m:
                given = m.group("given") if "given" in regex.groupindex else ""
                self.raw.append((style, m.group("event"), given, Fraction(m.group("p"))))
                return
        raise ParseError(f"unknown sentence: {text!r}")

    def learn_names(self) -> None:
        self.names = sorted({n for e in self.edges for n in e}, key=lambda n: (-len(n), n))
        if not self.names:
            raise ParseError("the problem states no causal edge")

    def name(self, text: str) -> str:
        """A known name for ``text`` (lower case; a leading ``the`` dropped; else the closest known name)."""
        key = text.strip().lower()
        if key in self.names:
            return key
        if key.startswith("the ") and key[4:] in self.names:
            return key[4:]
        close = difflib.get_close_matches(key, self.names, n=1, cutoff=NAME_CUTOFF)
        if not close:
            raise ParseError(f"{text!r} names no variable of the graph ({', '.join(sorted(self.names))})")
        return close[0]

    def assignments(self, text: str, joiner: str) -> list[tuple[str, str]]:
        """``[(name, value word), ...]`` of ``a being x, b being y and c being z`` split at known names."""
        if joiner not in self._assign:
            alt = "|".join(re.escape(n) for n in self.names)
            self._assign[joiner] = re.compile(
                rf"(?:the )?(?P<n>{alt}){re.escape(joiner)}(?P<v>.+?)"
                rf"(?=(?:,? and |, )(?:the )?(?:{alt}){re.escape(joiner)}|$)",
                re.IGNORECASE,
            )
        regex, out, pos, text = self._assign[joiner], [], 0, text.strip()
        while pos < len(text):
            m = regex.match(text, pos)
            if m is None or joiner in m.group("v"):  # a misspelt name: the value ran over it
                return self._loose_assignments(text, joiner)
            out.append((m.group("n").lower(), m.group("v")))
            sep = _SEPARATOR.match(text, m.end())
            pos = sep.end() if sep else m.end()
        return out

    def _loose_assignments(self, text: str, joiner: str) -> list[tuple[str, str]]:
        """Split at the joiner word when a name is misspelt: ``n1 | v1, n2 | v2 and n3 | v3`` (names resolved)."""
        chunks = text.split(joiner)
        if len(chunks) < 2:
            raise ParseError(f"cannot read the assignment {text!r}")
        names, values = [chunks[0]], []
        for chunk in chunks[1:-1]:
            sep = _SEPARATOR.search(chunk)
            if sep is None:
                raise ParseError(f"cannot read the assignment {text!r}")
            values.append(chunk[: sep.start()])
            names.append(chunk[sep.end() :])
        values.append(chunks[-1])
        return [(self.name(n), v) for n, v in zip(names, values, strict=True)]

    def graph(self) -> tuple[list[str], list[list[int]]]:
        names = sorted(self.names)
        preds = {n: sorted({a for a, b in self.edges if b == n}) for n in names}
        order: list[str] = []
        while len(order) < len(names):
            ready = [n for n in names if n not in order and all(p in order for p in preds[n])]
            if not ready:
                raise ParseError("the stated causal graph has a cycle")
            order.append(ready[0])
        index = {n: i for i, n in enumerate(order)}
        return order, [[index[p] for p in preds[n]] for n in order]


def _question(reader: _Reader, question: str, instruction: str | None, index: dict[str, int]) -> T.Query:
    found = next(((style, key, m) for style, key, r in _QUESTIONS if (m := r.fullmatch(question))), None)
    if found is None:
        raise ParseError(f"unknown question: {question!r}")
    style, task, m = found
    if instruction:
        for regex in _INSTRUCTIONS:
            im = regex.fullmatch(instruction)
            if im and im.group("task").upper() in T.TASKS:
                task = im.group("task").upper()
    g = m.groupdict()
    x_name, y_name = reader.name(g["X"]), reader.name(g["Y"])
    x, y = index[x_name], index[y_name]
    if task in ("PN", "PS"):
        xb, yb = reader.bit(x_name, g["xf"]), reader.bit(y_name, g["yf"])
        reader.bit(x_name, g["x"])
        reader.bit(y_name, g["y"])
        return T.Query(task, x, y, xb, yb, bound=g["bound"].strip().lower())
    if "xf" in g:
        reader.bit(x_name, g["xf"])
    xv, yv = reader.bit(x_name, g["x"]), reader.bit(y_name, g["y"])
    fixed: tuple[tuple[int, int], ...] = ()
    if task == "CDE" and "fixed" in g:
        pairs = reader.assignments(g["fixed"], _FIXED_JOINER[style])
        fixed = tuple(sorted((index[reader.name(n)], reader.bit(reader.name(n), v)) for n, v in pairs))
    return T.Query(task, x, y, xv, yv, fixed=fixed)


def parse_problem(text: str) -> ParsedProblem:
    """Read a CauGym problem (published layout, base or our rephrased wording) into graph, numbers and query.

    Raises:
        ParseError: a sentence or question in a wording the reader does not know.
    """
    body, instruction, question = split_problem(text)
    reader = _Reader()
    skipped = []
    for sentence in sentences(body):
        try:
            reader.sentence(sentence)
        except ParseError:
            skipped.append(sentence)
    reader.learn_names()
    names, parents = reader.graph()
    index = {n: i for i, n in enumerate(names)}
    query = _question(reader, question, instruction, index)
    stated: dict[T.Term, Fraction] = {}
    for style, event, given, p in reader.raw:
        try:
            stated[_statement_term(reader, index, style, event, given)] = p
        except ParseError:
            skipped.append(f"{given}: {event} = {p}")
    return ParsedProblem(names, parents, dict(reader.values), stated, query, skipped)


def _statement_term(reader: _Reader, index: dict[str, int], style: str, event: str, given: str) -> T.Term:
    joiner = _JOINER[style]
    ev = {index[reader.name(n)]: reader.bit(reader.name(n), v) for n, v in reader.assignments(event, joiner)}
    gv = {index[reader.name(n)]: reader.bit(reader.name(n), v) for n, v in reader.assignments(given, joiner)}
    if set(ev) & set(gv):
        raise ParseError(f"a variable is both in the event and the condition: {event!r} given {given!r}")
    return T.term(ev, gv)


def solve_text(text: str) -> tuple[T.Query, Fraction | None]:
    """The query of a problem text and its answer (None when the information is not enough).

    Raises:
        ParseError: the text cannot be read, or poses a structure our formulas do not cover.
    """
    parsed = parse_problem(text)
    q = parsed.query
    if q is None:
        raise ParseError("no question")
    if not T.posable(parsed.parents, q.task, q.x, q.y):
        raise ParseError(f"{q.task} with several mediators between treatment and outcome is not covered")
    solved = T.solve(parsed.parents, parsed.names, q, Store(parsed.stated).get)
    return q, (None if solved is None else Fraction(solved[1]))
