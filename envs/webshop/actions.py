"""Parse WebShop action strings: ``search[keywords]`` and ``click[value]``, tolerant of chat-model wrapping."""

from __future__ import annotations

import re
import string
from typing import Any

from cauarena.envs._actions import safe_repr, text_action, type_name

REPLY_MAX_LENGTH = 16384
"""Longest action text read; a longer one is an invalid action (a ReAct reply fits in far less)."""

_ACTION = re.compile(r"(search|click)\s*\[(.*)\]", re.IGNORECASE | re.DOTALL)
_LABEL = re.compile(r"\baction\s*:", re.IGNORECASE)
_SHOWN = 60
_PRINTABLE = set(string.printable) - set("\t\n\r\x0b\x0c")


def parse_action(action: Any) -> tuple[str, str] | None:
    r"""``(verb, argument)`` of an action string, or None when it is not one.

    WebShop parses ``(.+)\\[(.+)\\]``; here the verb must be ``search`` or ``click`` (any case), the argument is
    stripped and lower-cased (WebShop lower-cases it too), and a ReAct reply is read after its last ``Action:``
    label. Surrounding whitespace, backticks and a final full stop are ignored.

    >>> parse_action("click[Buy Now]"), parse_action("Thought: go.\nAction: search[ red shampoo ]")
    (('click', 'buy now'), ('search', 'red shampoo'))
    >>> parse_action("buy it"), parse_action(42), parse_action("click[]")
    (None, None, None)
    """
    if not isinstance(action, str):
        return None
    labels = list(_LABEL.finditer(action))
    text = action[labels[-1].end() :] if labels else action
    text = text.strip().strip("`").strip().rstrip(".").strip()
    match = _ACTION.fullmatch(text)
    if match is None:
        return None
    verb, argument = match.group(1).lower(), " ".join(match.group(2).split()).lower()
    return (verb, argument) if argument else None


def read_action(action: Any) -> tuple[tuple[str, str] | None, str]:
    """``(verb, argument)`` of any agent output, or None and why (``""`` when it is text that parses to nothing).

    Bounded: non-strings and text over :data:`REPLY_MAX_LENGTH` characters are refused before parsing.

    >>> read_action("search[tea]"), read_action(None)
    ((('search', 'tea'), ''), (None, 'actions are strings, got NoneType'))
    >>> read_action("x" * 20000)[1]
    'the action is 20,000 characters long; the limit is 16,384'
    """
    text, reason = text_action(action, REPLY_MAX_LENGTH)
    if text is None:
        if not isinstance(action, str):
            return None, f"actions are strings, got {type_name(action)}"
        return None, reason.replace("it is", "the action is", 1)
    return parse_action(text), ""


def shown(action: Any) -> str:
    r"""A short printable rendering of any action, for feedback lines (never raises, never calls its methods).

    >>> shown("click[x]"), shown(None), shown("a\x00b")
    ('click[x]', 'None', 'a b')
    """
    if isinstance(action, str):
        text = str.__getitem__(action, slice(0, _SHOWN + 1))
    else:
        text = safe_repr(action, _SHOWN + 1)
    text = "".join(c if c in _PRINTABLE else " " for c in text)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."
