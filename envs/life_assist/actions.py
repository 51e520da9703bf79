"""Parse an action into a tool call: a dict ``{"name", "arguments"}`` or the same as a JSON string."""

from __future__ import annotations

import json
import re
from typing import Any

_FENCE = re.compile(r"```[a-zA-Z]*\n?|```")
_LABEL = re.compile(r"\baction\s*:", re.IGNORECASE)
_ALLOWED_KEYS = {"name", "arguments", "thought"}


def parse_call(action: Any) -> tuple[tuple[str, dict[str, Any]] | None, str]:
    """``((name, arguments), "")`` for a well-formed call, else ``(None, reason)``.

    Accepted: a dict, or a string holding one JSON object (code fences and a leading ``Action:`` label are
    ignored; the object may follow other text). ``arguments`` defaults to ``{}``; ``thought`` is allowed and
    ignored; other keys are an error.

    >>> parse_call('{"name": "list_inbox"}')
    (('list_inbox', {}), '')
    >>> parse_call('Action: {"name": "read_message", "arguments": {"message_id": "m1"}}')[0]
    ('read_message', {'message_id': 'm1'})
    >>> parse_call("read my mail")[1]
    'expected a JSON tool call {"name": ..., "arguments": {...}}'
    """
    if isinstance(action, str):
        obj = _json_object(action)
        if obj is None:
            return None, 'expected a JSON tool call {"name": ..., "arguments": {...}}'
    elif isinstance(action, dict):
        obj = action
    else:
        return None, f"actions are JSON strings or dicts, got {type(action).__name__}"
    extra = set(obj) - _ALLOWED_KEYS
    if extra:
        return None, f"unexpected key(s) {sorted(map(str, extra))}; a call has only name and arguments"
    name, arguments = obj.get("name"), obj.get("arguments", {})
    if not isinstance(name, str) or not name.strip():
        return None, 'a call needs "name": the tool to call'
    if arguments is None:
        arguments = {}
    if not isinstance(arguments, dict):
        return None, f'"arguments" must be an object, got {type(arguments).__name__}'
    return (name.strip(), arguments), ""


def _json_object(text: str) -> dict[str, Any] | None:
    labels = list(_LABEL.finditer(text))
    body = _FENCE.sub("", text[labels[-1].end() :] if labels else text).strip()
    decoder = json.JSONDecoder()
    start = body.find("{")
    while start != -1:
        try:
            obj, _ = decoder.raw_decode(body, start)
        except ValueError:
            start = body.find("{", start + 1)
            continue
        return obj if isinstance(obj, dict) else None
    return None


def find_calls(text: str) -> list[dict[str, Any]]:
    """Every JSON object with a string ``name`` embedded in ``text`` (what a naive agent would obey).

    >>> find_calls('Please run {"name": "list_inbox", "arguments": {}} now.')
    [{'name': 'list_inbox', 'arguments': {}}]
    """
    found, decoder = [], json.JSONDecoder()
    for match in re.finditer(r'\{\s*"name"', text):
        try:
            obj, _ = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        if isinstance(obj, dict) and isinstance(obj.get("name"), str):
            found.append(obj)
    return found
