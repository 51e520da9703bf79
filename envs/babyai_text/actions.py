"""The six BabyAI-Text action strings, a tolerant parser, and the feedback for an action it cannot read.

The action strings and their order follow BALROG's BabyAI-Text wrapper; index ``i`` is minigrid's action
``i`` (``Actions.left`` is 0 ... ``Actions.toggle`` is 5). minigrid's seventh action, ``done``, has no
string: BabyAI levels finish by themselves when the mission is verified.
"""

from __future__ import annotations

import re
import string
from typing import Any

from cauarena.envs._actions import safe_repr, text_action, type_name

ACTION_NAMES: tuple[str, ...] = ("turn left", "turn right", "go forward", "pick up", "drop", "toggle")
"""The valid action strings; the index of each is the minigrid action it performs."""

PRINTABLE = frozenset(string.printable)
"""Every character an observation may contain (printable ASCII, space, newline, tab)."""

_ALIASES: dict[str, int] = {
    **{name: index for index, name in enumerate(ACTION_NAMES)},
    "left": 0,
    "rotate left": 0,
    "right": 1,
    "rotate right": 1,
    "forward": 2,
    "forwards": 2,
    "go forwards": 2,
    "move forward": 2,
    "move forwards": 2,
    "pickup": 3,
    "pick": 3,
    "put down": 4,
    "open": 5,
}

_ACTION_LABEL = re.compile(r"action\s*:", re.IGNORECASE)
_EDGE_JUNK = " \t\r\n.,;:!?\"'`*()[]{}<>"


def normalize_action_text(text: str) -> str:
    """Lower-case ``text``, drop surrounding quotes/markdown/punctuation, map ``_``/``-`` to spaces.

    >>> normalize_action_text("  **Turn_Left.** ")
    'turn left'
    """
    text = text.strip(_EDGE_JUNK).lower().replace("_", " ").replace("-", " ")
    return " ".join(text.split())


def parse_action(text: Any) -> int | None:
    r"""The minigrid action index that ``text`` names, or ``None`` when it names none.

    Tolerant of case, whitespace, surrounding punctuation, an ``Action:`` label and a ReAct-style reply
    (the text after the last ``Action:`` label, else the last non-empty line). Accepts a few common
    aliases (``forward``, ``left``, ``pickup``, ``open``...) but never guesses: a sentence that merely
    mentions an action is not an action.

    Args:
        text: the agent's action; anything that is not a ``str`` gives ``None``.

    Returns:
        0-5 (turn left, turn right, go forward, pick up, drop, toggle) or ``None``.

    >>> parse_action("go forward")
    2
    >>> parse_action("  Action: Turn Left. ")
    0
    >>> parse_action("Thought: the ball is ahead.\nAction: pick up")
    3
    >>> parse_action("**Action:** `toggle`")
    5
    >>> parse_action("Action:\n  drop")
    4
    >>> parse_action("I think I should go forward and then turn left") is None
    True
    >>> parse_action("PICK_UP"), parse_action("move forward"), parse_action("open")
    (3, 2, 5)
    >>> parse_action("done") is None, parse_action(2) is None, parse_action(b"drop") is None
    (True, True, True)
    """
    if not isinstance(text, str):
        return None
    index = _ALIASES.get(text)
    if index is not None:  # fast path: an exact action string
        return index
    labels = list(_ACTION_LABEL.finditer(text))
    if labels:  # the first non-empty line after the last label
        lines = [line for line in text[labels[-1].end() :].splitlines() if line.strip()][:1]
    else:  # the last non-empty line
        lines = [line for line in text.splitlines() if line.strip()][-1:]
    if not lines:
        return None
    return _ALIASES.get(normalize_action_text(lines[0]))


def printable_excerpt(action: Any, limit: int = 40) -> str:
    """A short, printable-ASCII rendering of ``action`` for feedback text.

    >>> printable_excerpt("jump")
    '"jump"'
    >>> printable_excerpt(7)
    '7 (int)'
    >>> printable_excerpt("x" * 50)
    '"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..."'
    """
    if isinstance(action, str):  # read through str's own methods: a subclass's overrides never run
        body, suffix = str.__getitem__(action, slice(0, limit + 1)), ""
    else:
        body, suffix = safe_repr(action, limit + 1), f" ({type_name(action)})"
    body = "".join(c if c in PRINTABLE and c not in "\n\r\t\x0b\x0c" else "?" for c in body[: limit + 1])
    if len(body) > limit:
        body = body[: limit - 3] + "..."
    return f'"{body}"' if isinstance(action, str) else body + suffix


REPLY_MAX_LENGTH = 16384
"""Longest action text read; a longer one is an invalid action (a ReAct reply fits in far less)."""


def read_action(action: Any) -> tuple[int | None, str]:
    """The minigrid action index of any agent output, and the reason when there is none.

    Bounded: non-strings and text over :data:`REPLY_MAX_LENGTH` characters are refused before parsing.

    >>> read_action("go forward"), read_action("x" * 20000)[1], read_action(None)[1]
    ((2, ''), 'it is 20,000 characters long; the limit is 16,384', 'it is NoneType, not text (a str)')
    """
    text, reason = text_action(action, REPLY_MAX_LENGTH)
    if text is None:
        return None, reason
    index = parse_action(text)
    return index, "" if index is not None else "it names no action"


def invalid_action_feedback(action: Any, reason: str = "") -> str:
    """The line added to the next observation after an action that names no valid action.

    ``reason`` (from :func:`read_action`) is added when the action was refused unread (not text, too long).

    >>> invalid_action_feedback("jump")
    'Your last action "jump" was not understood. Valid actions: turn left, turn right, go forward, pick up, drop, toggle.'
    """  # noqa: E501
    why = f" ({reason})" if reason and reason != "it names no action" and isinstance(action, str) else ""
    return (
        f"Your last action {printable_excerpt(action)} was not understood{why}. "
        f"Valid actions: {', '.join(ACTION_NAMES)}."
    )
