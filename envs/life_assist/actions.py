"""Parse an action into a tool call: a dict ``{"name", "arguments"}`` or the same as a JSON string.

Every action is hostile until proven otherwise, so parsing is bounded: a string action longer than
:data:`ACTION_MAX_LENGTH` characters is refused before it is read; JSON is looked for in at most
:data:`MAX_CANDIDATES` places, each checked for nesting deeper than :data:`MAX_NESTING` by a linear scan
before the decoder sees it (no recursion, no quadratic time; an object nested too deep ends the search); the
decoded call is copied into plain JSON values (:func:`plain_json`) that refuses non-finite numbers, integers
beyond :data:`MAX_INT`, and any object that is not a JSON value (so nothing calls an agent's ``__str__`` or
``__eq__``).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

ACTION_MAX_LENGTH = 2048
"""The longest string action (characters), and the largest dict action (characters of text plus values)."""
MAX_NESTING = 8
"""The deepest nesting of objects and arrays in a call (a call itself is 2 deep: the call and its arguments)."""
MAX_CANDIDATES = 16
"""How many ``{`` a string action is tried from before it is refused."""
MAX_INT = 2**53
"""The largest integer argument (in absolute value): what a JSON number can hold exactly."""
FIND_MAX_LENGTH = 16384
"""How much of a text :func:`find_calls` reads (an observation is at most 8,192 characters)."""

_FENCE = re.compile(r"```[a-zA-Z]*\n?|```")
_LABEL = re.compile(r"\baction\s*:", re.IGNORECASE)
_NAME = re.compile(r'\{\s*"name"')
_ALLOWED_KEYS = {"name", "arguments", "thought"}
_SCALARS = (str, int, float, bool, type(None))
EXPECTED = 'expected a JSON tool call {"name": ..., "arguments": {...}}'


def parse_call(action: Any) -> tuple[tuple[str, dict[str, Any]] | None, str]:
    """``((name, arguments), "")`` for a well-formed call, else ``(None, reason)``; never raises.

    Accepted: a dict, or a string holding one JSON object (code fences and a leading ``Action:`` label are
    ignored; the object may follow other text). ``arguments`` defaults to ``{}``; ``thought`` is allowed and
    ignored; other keys are an error.

    Args:
        action: anything an agent returned.

    Returns:
        The call (plain JSON values only) and ``""``, or ``None`` and why the action is not a call.

    >>> parse_call('{"name": "list_inbox"}')
    (('list_inbox', {}), '')
    >>> parse_call('Action: {"name": "read_message", "arguments": {"message_id": "m1"}}')[0]
    ('read_message', {'message_id': 'm1'})
    >>> parse_call("read my mail")[1]
    'expected a JSON tool call {"name": ..., "arguments": {...}}'
    >>> parse_call('{"name": "pay_bill", "arguments": {"amount": 1e999}}')[1]
    'arguments.amount: a number must be finite, got inf'
    """
    if isinstance(action, str):
        text = str.__str__(action)  # a plain str, whatever the subclass overrides
        if len(text) > ACTION_MAX_LENGTH:
            return None, f"the action is {len(text)} characters; the limit is {ACTION_MAX_LENGTH}"
        obj, reason = _json_object(text)
        if obj is None:
            return None, reason
    elif isinstance(action, dict):
        obj = action
    else:
        return None, f"actions are JSON strings or dicts, got {type(action).__name__}"
    obj, reason = plain_json(obj, ACTION_MAX_LENGTH)
    if reason:
        return None, reason
    return _call(obj)


def _call(obj: dict[str, Any]) -> tuple[tuple[str, dict[str, Any]] | None, str]:
    extra = set(obj) - _ALLOWED_KEYS
    if extra:
        return None, f"unexpected key(s) {sorted(extra)}; a call has only name and arguments"
    name, arguments = obj.get("name"), obj.get("arguments", {})
    if not isinstance(name, str) or not name.strip():
        return None, 'a call needs "name": the tool to call'
    if arguments is None:
        arguments = {}
    if not isinstance(arguments, dict):
        return None, f'"arguments" must be an object, got {type(arguments).__name__}'
    return (name.strip(), arguments), ""


def plain_json(value: Any, budget: int) -> tuple[Any, str]:
    """A copy of ``value`` made of plain JSON values, or ``(None, reason)``; iterative, never raises.

    Only exact ``dict`` (string keys), ``list``/``tuple``, ``str``, ``int``, ``float``, ``bool`` and ``None``
    pass (subclasses are refused: their methods are the agent's code). Floats must be finite, integers at most
    :data:`MAX_INT` in absolute value, nesting at most :data:`MAX_NESTING` deep, and the copy at most ``budget``
    characters (one per value, or the length of a string, plus the length of each key).

    Args:
        value: the object to copy.
        budget: the size limit, in characters.

    Returns:
        ``(copy, "")`` or ``(None, reason)``.

    >>> plain_json({"a": [1, 2.5, None]}, 100)
    ({'a': [1, 2.5, None]}, '')
    >>> plain_json({"a": float("nan")}, 100)[1]
    'a: a number must be finite, got nan'
    """
    holder: list[Any] = [None]
    stack: list[tuple[Any, Any, Any, str, int]] = [(value, holder, 0, "", 0)]
    too_large = f"the call is too large (over {budget} characters of content)"
    while stack:
        item, parent, key, path, depth = stack.pop()
        kind = type(item)
        budget -= max(1, len(item)) if kind is str else 1
        if budget < 0 or (kind in (dict, list, tuple) and len(item) > budget):  # each child costs at least 1
            return None, too_large
        copy, reason = _scalar_or_container(item, path, depth)
        if reason:
            return None, reason
        parent[key] = copy
        if kind is dict:
            budget -= sum(len(k) for k in dict.keys(item))
            if budget < 0:
                return None, too_large
            for child_key, child in reversed(dict.items(item)):  # popped, hence inserted, in order
                stack.append((child, copy, child_key, _join(path, child_key), depth + 1))
        elif kind in (list, tuple):
            copy.extend([None] * len(item))
            for index, child in reversed(list(enumerate(item))):
                stack.append((child, copy, index, _join(path, str(index)), depth + 1))
    return holder[0], ""


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _scalar_or_container(item: Any, path: str, depth: int) -> tuple[Any, str]:
    """The copy of one value (an empty container for a dict or list) or the reason it is refused."""
    where = f"{path}: " if path else ""
    kind = type(item)
    if kind in (dict, list, tuple):
        if depth >= MAX_NESTING:
            return None, f"{where}nested deeper than {MAX_NESTING} levels"
        if kind is dict and any(type(k) is not str for k in dict.keys(item)):
            return None, f"{where}object keys must be strings"
        return ({} if kind is dict else []), ""
    if kind not in _SCALARS:
        return None, f"{where}expected a JSON value (text, number, bool, null, list or object), got {kind.__name__}"
    if kind is float and not math.isfinite(item):
        return None, f"{where}a number must be finite, got {item}"
    if kind is int and not -MAX_INT <= item <= MAX_INT:
        return None, f"{where}an integer must be at most 2**53 in absolute value"
    return item, ""


def _json_object(text: str) -> tuple[dict[str, Any] | None, str]:
    labels = list(_LABEL.finditer(text))
    body = _FENCE.sub("", text[labels[-1].end() :] if labels else text).strip()
    decoder = json.JSONDecoder()
    start, tried = body.find("{"), 0
    while start != -1 and tried < MAX_CANDIDATES:
        tried += 1
        if nesting_exceeds(body, start, MAX_NESTING):  # and so would any object inside it: stop here
            return None, f"the JSON is nested deeper than {MAX_NESTING} levels"
        try:
            obj, _ = decoder.raw_decode(body, start)
        except ValueError:
            obj = None
        if isinstance(obj, dict):
            return obj, ""
        start = body.find("{", start + 1)
    return None, EXPECTED


def nesting_exceeds(text: str, start: int, limit: int) -> bool:
    """Whether the JSON value at ``text[start]`` nests objects and arrays deeper than ``limit``; linear, no recursion.

    The scan follows strings (and their escapes) as JSON does and stops where the value closes, so a value the
    decoder would accept is measured exactly; for anything else, the decoder fails no deeper than measured.

    >>> nesting_exceeds('{"a": [[1]], "b": "[[[["}', 0, 3)
    False
    >>> nesting_exceeds('{"a": [[1]]}', 0, 2)
    True
    """
    depth, in_string, escaped = 0, False, False
    for index in range(start, len(text)):
        char = text[index]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            depth += 1
            if depth > limit:
                return True
        elif char in "}]":
            depth -= 1
            if depth <= 0:
                return False
    return False


def find_calls(text: str) -> list[dict[str, Any]]:
    """Every JSON object with a string ``name`` embedded in ``text`` (what a naive agent would obey).

    Reads the first :data:`FIND_MAX_LENGTH` characters, tries at most 4 x :data:`MAX_CANDIDATES` places,
    skips objects nested deeper than :data:`MAX_NESTING` and resumes after each object found, so hostile text
    costs linear time. Non-strings give ``[]``.

    Args:
        text: an observation or a model's reply.

    Returns:
        The calls found, as plain JSON values, in order.

    >>> find_calls('Please run {"name": "list_inbox", "arguments": {}} now.')
    [{'name': 'list_inbox', 'arguments': {}}]
    """
    if not isinstance(text, str):
        return []
    text = str.__str__(text)[:FIND_MAX_LENGTH]
    found, decoder, position = [], json.JSONDecoder(), 0
    for _ in range(4 * MAX_CANDIDATES):
        match = _NAME.search(text, position)
        if match is None:
            break
        position = match.start() + 1
        if nesting_exceeds(text, match.start(), MAX_NESTING):
            continue
        try:
            obj, end = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        obj, reason = plain_json(obj, FIND_MAX_LENGTH)
        if not reason and isinstance(obj.get("name"), str):
            found.append(obj)
            position = end
    return found
