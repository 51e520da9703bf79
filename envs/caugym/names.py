"""Variable names for the generated worlds, in three modes, each with the words for its two values.

- ``real``: plausible real-world variables (``smoking``: ``no``/``yes``), like CaLM's REAL mode;
- ``invented``: pronounceable made-up words (``velorin``: ``low``/``high``), like CaLM's FAKE mode;
- ``symbols``: random four-letter strings (``xqzt``: ``low``/``high``), like CaLM's RANDOM mode.

Every name is lower case, has no comma and never contains the words the text and the oracle split on
(`` and ``, `` being ``, `` has ``...), so a problem can always be parsed back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cauarena.errors import NameNotFound

NAME_MODES = ("real", "invented", "symbols")
"""The three naming modes."""


@dataclass(frozen=True)
class Variable:
    """A named binary variable: ``values[0]`` is its value 0, ``values[1]`` its value 1.

    Attributes:
        name: the variable's name in the text.
        values: the words for value 0 and value 1.
    """

    name: str
    values: tuple[str, str]


_REAL: tuple[tuple[str, str, str], ...] = (
    ("smoking", "no", "yes"), ("lung cancer", "absent", "present"), ("air pollution", "low", "high"),
    ("exercise", "rare", "regular"), ("blood pressure", "normal", "high"), ("diet quality", "poor", "good"),
    ("income", "low", "high"), ("education level", "low", "high"), ("job satisfaction", "low", "high"),
    ("stress level", "low", "high"), ("sleep quality", "poor", "good"), ("rainfall", "low", "high"),
    ("crop yield", "low", "high"), ("soil moisture", "dry", "wet"), ("temperature", "low", "high"),
    ("humidity", "low", "high"), ("traffic congestion", "light", "heavy"), ("commute time", "short", "long"),
    ("fuel price", "low", "high"), ("ticket sales", "low", "high"), ("advertising spend", "low", "high"),
    ("customer satisfaction", "low", "high"), ("market share", "small", "large"), ("product quality", "poor", "good"),
    ("employee turnover", "low", "high"), ("team morale", "low", "high"), ("project delay", "no", "yes"),
    ("server load", "low", "high"), ("response latency", "low", "high"), ("cache hit rate", "low", "high"),
    ("vaccination", "no", "yes"), ("infection", "no", "yes"), ("fever", "absent", "present"),
    ("hospital admission", "no", "yes"), ("medication adherence", "low", "high"), ("recovery", "slow", "fast"),
    ("cholesterol level", "normal", "high"), ("heart disease", "absent", "present"), ("body weight", "normal", "high"),
    ("screen time", "low", "high"), ("reading habit", "weak", "strong"), ("exam score", "low", "high"),
    ("class size", "small", "large"), ("teacher experience", "little", "much"), ("tutoring", "no", "yes"),
    ("interest rate", "low", "high"), ("inflation", "low", "high"), ("unemployment", "low", "high"),
    ("consumer spending", "low", "high"), ("housing price", "low", "high"), ("mortgage default", "no", "yes"),
    ("river level", "low", "high"), ("flooding", "no", "yes"), ("wildfire risk", "low", "high"),
    ("wind speed", "low", "high"), ("power outage", "no", "yes"), ("solar output", "low", "high"),
    ("fertilizer use", "low", "high"), ("pest damage", "low", "high"), ("irrigation", "no", "yes"),
    ("alcohol intake", "low", "high"), ("liver damage", "absent", "present"), ("coffee intake", "low", "high"),
    ("alertness", "low", "high"), ("social media use", "low", "high"), ("loneliness", "low", "high"),
    ("community events", "rare", "frequent"), ("crime rate", "low", "high"), ("street lighting", "poor", "good"),
    ("police patrols", "rare", "frequent"), ("tourism", "low", "high"), ("local revenue", "low", "high"),
    ("road quality", "poor", "good"), ("accident rate", "low", "high"), ("seat belt use", "low", "high"),
    ("injury severity", "mild", "severe"), ("ocean temperature", "low", "high"), ("coral bleaching", "no", "yes"),
    ("fish stock", "low", "high"), ("fishing effort", "low", "high"), ("vitamin intake", "low", "high"),
    ("immune response", "weak", "strong"), ("work hours", "few", "many"), ("burnout", "no", "yes"),
)

_SYLLABLES = tuple(c + v for c in "bdfgklmnprstvz" for v in "aeiou")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_RESERVED = ("and", "being", "has", "was", "had", "is", "of", "on", "the", "if", "for", "with", "given", "what")


def _invented(rng: np.random.Generator) -> str:
    return "".join(_SYLLABLES[int(i)] for i in rng.integers(len(_SYLLABLES), size=int(rng.integers(2, 4))))


def _symbol(rng: np.random.Generator) -> str:
    return "".join(_LETTERS[int(i)] for i in rng.integers(len(_LETTERS), size=4))


def sample_variables(mode: str, count: int, rng: np.random.Generator) -> list[Variable]:
    """``count`` distinct variables in naming ``mode``.

    Args:
        mode: ``real``, ``invented`` or ``symbols``.
        count: how many (at most the number of real variables in ``real`` mode).
        rng: the generator (the only source of randomness).

    Raises:
        NameNotFound: an unknown mode.

    >>> [v.name for v in sample_variables("symbols", 2, np.random.default_rng(0))]
    ['wqnh', 'ibba']
    """
    if mode == "real":
        pool = _REAL
        picks = rng.permutation(len(pool))[:count]
        return [Variable(pool[int(i)][0], (pool[int(i)][1], pool[int(i)][2])) for i in picks]
    if mode not in NAME_MODES:
        raise NameNotFound("name mode", str(mode), NAME_MODES, hint="Pass names='real', 'invented' or 'symbols'.")
    make = _invented if mode == "invented" else _symbol
    names: list[str] = []
    while len(names) < count:
        name = make(rng)
        if name not in names and name not in _RESERVED:
            names.append(name)
    return [Variable(name, ("low", "high")) for name in names]


def check_unambiguous(variables: Sequence[Variable]) -> bool:
    """True when no name is a word-prefix of another and no value word equals a name (parsing stays exact)."""
    names = [v.name for v in variables]
    for a in names:
        for b in names:
            if a != b and (b.startswith(a + " ") or b.endswith(" " + a)):
                return False
    return True
