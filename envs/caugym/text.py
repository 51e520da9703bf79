"""Problem text: the published CauGym layout in two wordings (``base`` and ``rephrased``).

A problem reads (base wording)::

    Input Info: Imagine a self-contained, hypothetical world with only the following conditions, and without
    any unmentioned factors or causal relationships: Smoking has a direct effect on lung cancer. ... For those
    with smoking being yes, the probability of lung cancer being present is 0.4120. ...
    Instruction: Consider the average treatment effect (ATE) of smoking on lung cancer.
    Question: If smoking is changed to be yes, will lung cancer be more likely to be present?
    Provide the calculation result to four decimal places and a final "yes" or "no" answer in JSON format, ...

Every sentence form is a template in this module; :func:`template_regex` turns one into the regular
expression a text-only solver (the ``oracle`` agent) parses it back with, so text and parser cannot drift.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from fractions import Fraction

import numpy as np

from cauarena.envs.caugym.names import Variable
from cauarena.envs.caugym.tasks import TASK_NAMES, Query, Term

STYLES = ("base", "rephrased")

INTROS = {
    "base": "Imagine a self-contained, hypothetical world with only the following conditions, and without any "
    "unmentioned factors or causal relationships:",
    "rephrased": "Picture a closed, hypothetical world in which nothing exists beyond the facts below, with no "
    "hidden factors and no other causal links:",
}

EDGE_TEMPLATES = {
    "base": ("{A} has a direct effect on {B}.",),
    "rephrased": ("{A} directly affects {B}.", "{A} is a direct cause of {B}.", "{B} is directly influenced by {A}."),
}

STATEMENT_TEMPLATES = {
    "base": ("For those with {given}, the probability of {event} is {p}.", "The probability of {event} is {p}."),
    "rephrased": (
        "Among cases where {given}, {event} with probability {p}.", "{event} with probability {p}.",
        "When {given}, the chance that {event} is {p}.", "The chance that {event} is {p}.",
    ),
}
"""Probability statements; the first two of a style are conditional/unconditional, then alternates."""

ASSIGN = {"base": "{name} being {value}", "rephrased": "{name} is {value}"}
"""How one ``variable = value`` reads inside a statement, joined by `` and ``."""

INSTRUCTION_TEMPLATES = {
    "base": "Consider the {task_name} ({task}) of {X} on {Y}.",
    "rephrased": "Your task concerns the {task_name} ({task}) of {X} on {Y}.",
}

QUESTION_TEMPLATES = {
    "base": {
        "ATE": "If {X} is changed to be {x}, will {Y} be more likely to be {y}?",
        "CDE": "Conditioned on {fixed}, if the {X} had been {x}, would the {Y} have been more likely to be {y}?",
        "ETT": "For those with {X} being {xf}, if their {X} had been {x}, would the {Y} have been more likely to "
        "be {y}?",
        "NDE": "Suppose the mediator keeps constant when {X} is changed to be {x}, would the {Y} have been more "
        "likely to be {y}?",
        "NIE": "Suppose {X} is held constant and the mediator changes to whatever value it would have attained "
        "under {X} changing to be {x}, would {Y} have been more likely to be {y}?",
        "PN": "Given that {X} was {xf} and {Y} was {yf}, what is the {bound} bound of the probability of the "
        "{Y} would have been {y} if the {X} had been {x}?",
        "PS": "Given that {X} was {xf} and {Y} was {yf}, what is the {bound} bound of the probability that "
        "{Y} would have been {y} if the {X} had been {x}?",
    },
    "rephrased": {
        "ATE": "Suppose {X} were set to {x} by an intervention. Would {Y} then be more likely to be {y}?",
        "CDE": "With {fixed} held fixed by intervention, would setting {X} to {x} make {Y} more likely to be {y}?",
        "ETT": "Consider the units whose {X} is {xf}. Had their {X} been {x} instead, would {Y} have been more "
        "likely to be {y}?",
        "NDE": "If {X} were changed to {x} while the mediator stayed at the level it would have had otherwise, "
        "would {Y} be more likely to be {y}?",
        "NIE": "If {X} stayed as it is but the mediator moved to the value it would take were {X} changed to "
        "{x}, would {Y} be more likely to be {y}?",
        "PN": "{X} was observed to be {xf} and {Y} to be {yf}. What is the {bound} bound on the probability "
        "that {Y} would have been {y} had {X} been {x}?",
        "PS": "{X} was observed to be {xf} and {Y} to be {yf}. What is the {bound} bound on the chance that "
        "{Y} would have been {y} had {X} been {x}?",
    },
}
"""Questions per style and task (base: the published wording). ``{fixed}`` lists the held mediators."""

FIXED = {"base": "{name} being {value}", "rephrased": "{name} at {value}"}

ANSWER_FORMATS = {
    "yesno": 'Provide the calculation result to four decimal places and a final "yes" or "no" answer in JSON '
    'format, like {"ANSWER": "Yes", "PROB": "0.1234"}.',
    "prob": 'Provide the calculation result to four decimal places in JSON format, like {"PROB": "0.1234"}.',
}
LACK_INSTRUCTION = 'If the given information is not enough to compute the answer, reply {"ANSWER": "LACK_CONDITION"}.'
"""Shown only in ``insufficient`` problems, as the published sets do (their generation script appends such a
line to the insufficient set only)."""

TEMPLATE_WORDS = frozenset(
    word
    for text in (
        *INTROS.values(), *(t for ts in EDGE_TEMPLATES.values() for t in ts),
        *(t for ts in STATEMENT_TEMPLATES.values() for t in ts), *ASSIGN.values(), *FIXED.values(),
        *INSTRUCTION_TEMPLATES.values(), *(t for qs in QUESTION_TEMPLATES.values() for t in qs.values()),
        *TASK_NAMES.values(), "lower upper input info instruction question",
    )
    for word in re.findall(r"[a-z]+", re.sub(r"\{[^}]*\}", " ", text.lower()))
)
"""Every word of the templates: no variable name may be one (the parser would be ambiguous)."""


def fmt4(value: Fraction) -> str:
    """A 4-decimal fraction as text.

    >>> fmt4(Fraction(1234, 10000)), fmt4(Fraction(-5, 10000))
    ('0.1234', '-0.0005')
    """
    sign = "-" if value < 0 else ""
    scale, rest = divmod(10000, value.denominator)
    if rest:
        raise ValueError(f"{value} is not a multiple of 0.0001")
    whole, frac = divmod(abs(value.numerator) * scale, 10000)
    return f"{sign}{whole}.{frac:04d}"


def capitalize(sentence: str) -> str:
    """Upper-case the first character only (names keep their case elsewhere)."""
    return sentence[:1].upper() + sentence[1:]


def assignment(variables: Sequence[Variable], items: Sequence[tuple[int, int]], style: str) -> str:
    """``a being x and b being y`` (base) or ``a is x and b is y`` (rephrased)."""
    return " and ".join(
        ASSIGN[style].format(name=variables[node].name, value=variables[node].values[val]) for node, val in items
    )


def render_edges(variables: Sequence[Variable], edges: Sequence[tuple[int, int]], style: str,
                 rng: np.random.Generator) -> list[str]:
    """One sentence per edge; base keeps the edge order, rephrased shuffles it and varies the verb."""
    templates = EDGE_TEMPLATES[style]
    order = list(edges) if style == "base" else [edges[int(i)] for i in rng.permutation(len(edges))]
    out = []
    for a, b in order:
        template = templates[int(rng.integers(len(templates)))] if style != "base" else templates[0]
        out.append(capitalize(template.format(A=variables[a].name, B=variables[b].name)))
    return out


def render_statement(variables: Sequence[Variable], t: Term, value: Fraction, style: str,
                     rng: np.random.Generator) -> str:
    """One probability statement of ``P(event | given) = value``."""
    event, given = t
    templates = STATEMENT_TEMPLATES[style]
    choices = [0, 2] if given else [1, 3]
    index = choices[0] if style == "base" else choices[int(rng.integers(2))]
    text = templates[index].format(
        event=assignment(variables, event, style), given=assignment(variables, given, style), p=fmt4(value)
    )
    return capitalize(text)


def render_instruction(variables: Sequence[Variable], q: Query, style: str) -> str:
    """The ``Instruction:`` line (absent from ``omitted`` problems)."""
    return "Instruction: " + INSTRUCTION_TEMPLATES[style].format(
        task_name=TASK_NAMES[q.task], task=q.task, X=variables[q.x].name, Y=variables[q.y].name
    )


def render_question(variables: Sequence[Variable], q: Query, style: str) -> str:
    """The ``Question:`` line."""
    vx, vy = variables[q.x], variables[q.y]
    key = q.task
    fields = {"X": vx.name, "Y": vy.name, "x": vx.values[q.x_value], "y": vy.values[q.y_value],
              "xf": vx.values[1 - q.x_value]}
    if q.task == "CDE":
        fields["fixed"] = " and ".join(
            FIXED[style].format(name=variables[m].name, value=variables[m].values[v]) for m, v in q.fixed
        )
    if q.task in ("PN", "PS"):  # factual (a, b); asks about (a', b')
        fields.update(xf=vx.values[q.x_value], yf=vy.values[q.y_value], x=vx.values[1 - q.x_value],
                      y=vy.values[1 - q.y_value], bound=str(q.bound))
    return "Question: " + QUESTION_TEMPLATES[style][key].format(**fields)


def answer_format(task: str, lack: bool = False) -> str:
    """The closing instruction: the JSON to answer with; with ``lack``, how to say the information is not enough."""
    kind = "prob" if task in ("PN", "PS") else "yesno"
    return f"{ANSWER_FORMATS[kind]} {LACK_INSTRUCTION}" if lack else ANSWER_FORMATS[kind]


def template_regex(template: str) -> re.Pattern[str]:
    """A case-insensitive regex matching ``template`` with each ``{field}`` a named group.

    A field used twice must repeat the same text (a back-reference); names and values are any text (the caller
    resolves names against the graph's), probabilities numbers.

    >>> m = template_regex("{A} has a direct effect on {B}.").fullmatch("sleep quality has a direct effect on mood.")
    >>> m.group("A"), m.group("B")
    ('sleep quality', 'mood')
    """
    parts, seen = [], set()
    for literal, name in re.findall(r"([^{]*)(?:\{(\w+)\})?", template):
        parts.append(re.escape(literal))
        if not name:
            continue
        if name in seen:
            parts.append(f"(?P={name})")
            continue
        seen.add(name)
        if name == "p":
            parts.append(r"(?P<p>-?\d+(?:\.\d+)?)")
        else:
            parts.append(rf"(?P<{name}>.+?)")
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)
