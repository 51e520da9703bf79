"""Reading a reply to a KGQA question: an option letter, an option's name, or (short answer) an entity's name.

The reply may reason first; only what follows its last ``Answer:`` counts (the whole reply when it has none).
Anything that names no option (multiple choice) or no entity of the world (short answer) is invalid, with a
feedback line that says what is expected.
"""

from __future__ import annotations

import re

from cauarena.envs.kgqa.questions import LETTERS
from cauarena.envs.kgqa.world import KnowledgeWorld, fold

REPLY_MAX_LENGTH = 4096
"""Longest reply read; a longer one is an invalid action."""

_ANSWER = re.compile(r"answer\s*[:=]", re.IGNORECASE)
_LETTER = re.compile(r"^\(?\s*([A-Da-d])\s*\)?\s*[.:)]?$")


def final_part(text: str) -> str:
    """What follows the last ``Answer:`` (or the whole reply), stripped of spaces, quotes and a final period.

    >>> final_part("The author is X, born in Y. Answer: (B)")
    '(B)'
    """
    matches = list(_ANSWER.finditer(text[-REPLY_MAX_LENGTH:]))
    tail = text[-REPLY_MAX_LENGTH:][matches[-1].end():] if matches else text
    return tail.strip().strip("\"'*` ").strip()


def read_choice(text: str, options: tuple[str, ...], world: KnowledgeWorld) -> tuple[str | None, str]:
    """The option a reply picks: its letter (``B``, ``(b)``, ``B.``) or its exact name.

    Returns:
        ``(entity, "")``, or ``(None, feedback)``.
    """
    part = final_part(text)
    letter = _LETTER.match(part)
    if letter:
        return options[LETTERS.index(letter.group(1).upper())], ""
    for option in options:
        if fold(part) == fold(option):
            return option, ""
    shown = ", ".join(f"{letter} {option}" for letter, option in zip(LETTERS, options, strict=True))
    return None, (f"Your reply picks none of the options ({shown}). Answer with one letter, e.g. 'Answer: B'.")


def read_entity(text: str, world: KnowledgeWorld) -> tuple[str | None, str]:
    """The entity a short answer names (case and spacing ignored).

    Returns:
        ``(entity, "")``, or ``(None, feedback)``.
    """
    entity = world.lookup(final_part(text))
    if entity is not None:
        return entity, ""
    return None, ("Your reply names no entity of this world. Answer with the entity's exact name, e.g. "
                  "'Answer: <name>'.")


__all__ = ["REPLY_MAX_LENGTH", "final_part", "read_choice", "read_entity"]
