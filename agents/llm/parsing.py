"""Turn a model's reply into an env action, tolerating the formats chat models actually use.

Recognised, in order: a JSON object ``{"action": ...}`` (code fences allowed); the last ``Action: ...``
line (so ReAct ``Thought: ... Action: ...`` works, and ``**Action:**``); only for a reply in neither
format, the first then the last non-empty line. With ``info["valid_actions"]`` each candidate is matched to
a valid action (case, spacing, ``_``/``-``, wrapping quotes, markdown and punctuation ignored; aliases such
as ``forward``); the first match wins. When nothing matches, the raw reply is returned, stripped, so the env
answers it as an invalid action with feedback. Like the envs' own parsers it never guesses: a sentence that
merely mentions an action is not that action.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cauarena.errors import NameNotFound
from cauarena.registry import Entry, Registry, RegistryView

_ACTION_LINE = re.compile(r"\baction\b\s*\**\s*[:=]\s*\**\s*([^\n]*)", re.IGNORECASE)
_JSON_OBJECT = re.compile(r"\{[^{}]*\}", re.DOTALL)
_FENCE = re.compile(r"```[a-zA-Z]*\n?|```")
_WRAPPERS = "\"'`*_ \t"
_EDGE_JUNK = " \t\r\n.,;:!?\"'`*()[]{}<>"


def normalize(text: str) -> str:
    """Lower-case, ``_``/``-`` to spaces, collapse whitespace, strip quotes/markdown/punctuation at the ends.

    >>> normalize('  "Go   Forward." '), normalize("**PICK_UP**")
    ('go forward', 'pick up')
    """
    text = text.strip(_EDGE_JUNK).lower().replace("_", " ").replace("-", " ")
    return " ".join(text.split())


def _json_action(text: str) -> str | None:
    bare = _FENCE.sub("", text).strip()
    for chunk in [bare, *_JSON_OBJECT.findall(bare)]:
        try:
            obj = json.loads(chunk)
        except ValueError:
            continue
        if isinstance(obj, dict):
            for key, value in obj.items():
                if key.lower() == "action" and isinstance(value, (str, int)):
                    return str(value)
    return None


def extract_action(text: str) -> str | None:
    r"""The action a formatted reply names (JSON ``action`` or the last ``Action:`` line); None if plain.

    >>> extract_action("Thought: the ball is ahead.\nAction: go forward")
    'go forward'
    >>> extract_action('{"action": "turn left"}')
    'turn left'
    """
    found = _json_action(text)
    if found is not None:
        return found.strip()
    lines = [m.group(1).strip() for m in _ACTION_LINE.finditer(text)]
    lines = [line for line in lines if line.strip(_WRAPPERS)]
    return lines[-1].strip(_WRAPPERS) if lines else None


def _candidates(text: str) -> list[str]:
    found = extract_action(text)
    if found is not None:  # the model named its action: look nowhere else (a Thought may mention others)
        return [found]
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[:1] + lines[-1:] if len(lines) > 1 else lines


def match_action(
    candidate: str, valid_actions: Sequence[str], aliases: Mapping[str, str] | None = None
) -> str | None:
    """The valid action ``candidate`` names (compared through :func:`normalize`, or via an alias), or None.

    >>> match_action("Turn Left.", ["turn left", "turn right"])
    'turn left'
    >>> match_action("forward", ["turn left", "go forward"], {"forward": "go forward"})
    'go forward'
    >>> match_action("I will turn left", ["turn left", "turn right"]) is None
    True
    """
    by_norm = {normalize(str(a)): str(a) for a in valid_actions}
    norm = normalize(candidate)
    if norm in by_norm:
        return by_norm[norm]
    for alias, action in (aliases or {}).items():
        if normalize(alias) == norm and normalize(action) in by_norm:
            return by_norm[normalize(action)]
    return None


def parse_action(
    text: str, valid_actions: Sequence[str] | None = None, aliases: Mapping[str, str] | None = None
) -> str:
    """Parse a reply into an action; without a match, return the stripped raw reply (see module docs).

    Args:
        text: the model's reply.
        valid_actions: the env's valid actions; None for free-form actions.
        aliases: extra spellings (``{"forward": "go forward"}``).

    >>> parse_action("Action: **pick up**", ["pick up", "drop"])
    'pick up'
    >>> parse_action("fly away", ["pick up", "drop"])
    'fly away'
    """
    if not valid_actions:
        found = extract_action(text)
        return found if found is not None else text.strip()
    for candidate in _candidates(text):
        action = match_action(candidate, valid_actions, aliases)
        if action is not None:
            return action
    return text.strip()


@dataclass(frozen=True)
class ActionParser:
    """A parser for one env family: ``parser(reply, info) -> action`` over ``info["valid_actions"]``.

    Attributes:
        aliases: extra spellings mapped to canonical actions, as ``(alias, action)`` pairs.
    """

    aliases: tuple[tuple[str, str], ...] = ()

    def __call__(self, text: str, info: Mapping[str, Any] | None) -> str:
        """The action in the reply ``text`` (the parser protocol: ``parser(reply, info) -> action``)."""
        valid = (info or {}).get("valid_actions")
        return parse_action(text, valid, dict(self.aliases))


Parser = Callable[[str, Mapping[str, Any]], Any]
"""What a ChatAgent calls on each reply: ``parser(reply_text, info) -> action``."""


def whole_reply(text: str, info: Mapping[str, Any] | None = None) -> str:
    r"""A parser for envs that score the reply itself (CauGym reads its last JSON, KGQA its last ``Answer:``).

    >>> whole_reply('  Step 1: ...\n{"ANSWER": "No", "PROB": "-0.1"}  ')
    'Step 1: ...\n{"ANSWER": "No", "PROB": "-0.1"}'
    >>> whole_reply("  The author is X. Answer: C ")
    'The author is X. Answer: C'
    """
    return text.strip()


PARSER_REGISTRY: Registry[Entry] = Registry("action parser")
"""Action parsers by env family (an :class:`~cauarena.registry.Entry` whose target is the parser)."""

PARSERS: RegistryView[Entry] = PARSER_REGISTRY.view(value=lambda entry: entry.target, wrap=Entry)
PARSERS.update({
    "default": ActionParser(),
    "babyai": ActionParser(
        aliases=(
            ("forward", "go forward"),
            ("move forward", "go forward"),
            ("left", "turn left"),
            ("right", "turn right"),
            ("pickup", "pick up"),
            ("open", "toggle"),
        )
    ),
})
"""Action parsers by env family, read as a dict; :func:`get_parser` falls back to ``default``."""


def register_parser(name: str, parser: Parser) -> None:
    """Register ``parser`` for an env family; registering another one there warns."""
    PARSER_REGISTRY.add(Entry(name, parser))


def get_parser(family: str, *, strict: bool = False) -> Parser:
    """The parser of an env family, or ``default``; ``strict`` raises :class:`NameNotFound` instead."""
    if family in PARSERS:
        return PARSERS[family]
    if strict:
        raise NameNotFound("action parser", family, PARSERS)
    return PARSERS["default"]
