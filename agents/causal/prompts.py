"""The ``causcientist`` prompt template and the edit parser for LLM proposers on the causal envs.

Registered on import (``import cauarena.agents`` imports this module) under the names ``causcientist``
and ``causal`` (the env family), so ``cauarena run --env cauarena/CauScientist-v0 --agent openai/<model>``
uses them too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from cauarena.agents.llm.parsing import extract_action, register_parser
from cauarena.agents.llm.prompts import PromptTemplate, register_prompt

CAUSCIENTIST_PROMPT = PromptTemplate(
    name="causcientist",
    system=(
        "You are a causal scientist. You are given variables with their descriptions and a current causal "
        "graph over them, a directed acyclic graph in which a -> b means that a is a direct cause of b. Use "
        "your knowledge of what the variables mean to improve the graph one edit at a time. A verifier scores "
        "every edit on data (BIC, lower is better) and keeps it only if the score improves; edits it rejected "
        "since the last accepted one are listed in the error memory: do not repeat them."
    ),
    instruction=(
        "Think briefly, then end with one line 'Action: <edit>', where <edit> is ADD a -> b, REMOVE a -> b, "
        "REVERSE a -> b or STOP (or, as your first action only, PRIOR a -> b, c -> d for a whole graph)."
    ),
    max_prompt_tokens=6144,
    max_tokens=384,
)
"""System message and instruction of the LLM proposer; the observation text carries the rest."""

_EDIT_LINE = re.compile(
    r"((?:ADD|REMOVE|REVERSE)\s+\S.*?(?:->|\u2192)\s*\S.*|PRIOR\b.*|STOP)\s*$", re.IGNORECASE
)
_BULLET = re.compile(r"^\s*(?:[-*>]|\d+[.)])?\s*`*")


def parse_edit_reply(text: str, info: Mapping[str, Any] | None = None) -> Any:
    r"""The edit a model's reply names: a JSON edit dict, the last ``Action:`` line, else the last edit line.

    Returns the stripped reply when no edit is found (the env then answers an invalid action).

    >>> parse_edit_reply("Smoking causes cancer.\nAction: ADD smoke -> lung")
    'ADD smoke -> lung'
    >>> parse_edit_reply('{"op": "STOP"}')
    {'op': 'STOP'}
    >>> parse_edit_reply("I would add an edge.\n- REVERSE a -> b")
    'REVERSE a -> b'
    """
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            obj = json.loads(stripped)
        except ValueError:
            obj = None
        if isinstance(obj, dict) and "op" in obj:
            return obj
    found = extract_action(text)
    if found is not None:
        return found.strip().strip("`")
    for line in reversed(text.splitlines()):
        match = _EDIT_LINE.search(_BULLET.sub("", line).strip().strip("`*"))
        if match and match.start() == 0:
            return match.group(1).strip().strip("`")
    return stripped


register_prompt(CAUSCIENTIST_PROMPT)
register_prompt(CAUSCIENTIST_PROMPT, name="causal")
register_parser("causcientist", parse_edit_reply)
register_parser("causal", parse_edit_reply)
