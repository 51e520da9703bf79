"""Hostile-action defences every env family shares: one bounded, non-recursive gate and safe renderings.

An agent is untrusted code: its action may be a megabyte string, a list nested 10^5 deep, ``1e999``, an
array of the wrong shape or dtype, or an object whose ``__str__``, ``__repr__``, ``__len__`` or ``__iter__``
raises. Every function here answers such an action in bounded time and never raises, so an env can turn it
into an invalid action with feedback:

- :func:`safe_repr` / :func:`type_name`: a short printable rendering for feedback, calling no user method on
  objects it does not know (plain ``str``/``bytes``/numbers are read through the base-type methods, so a
  subclass's overrides never run);
- :func:`text_action`: the action as a plain ``str`` within a length limit, or the reason it is not;
- :func:`finite_number` / :func:`finite_decimal`: a number in a sane range, or None for ``nan``, ``inf``,
  ``1e999``, huge ints, long digit strings and bools;
- :func:`structure_problem`: a breadth-first walk (no recursion) of a list/tuple/dict action with caps on
  depth, item count and string length, so nothing deeper or bigger reaches ``json``/``numpy``;
- :func:`nesting_depth` / :func:`loads_bounded`: JSON text parsed only when its bracket nesting is shallow
  (``json.loads`` recurses and raises ``RecursionError`` on deep input).
"""

from __future__ import annotations

import json
import math
from collections import deque
from decimal import Decimal, InvalidOperation
from numbers import Integral, Real
from typing import Any

import numpy as np

MAX_DEPTH = 32
"""Deepest nesting of lists/dicts (structured actions) or of brackets (JSON inside text) that is parsed."""

MAX_ITEMS = 100_000
"""Most containers and leaves a structured action may hold in all."""

MAX_NUMBER_CHARS = 64
"""Longest text read as a number (``"0." + "1" * 5000`` is absurd, and slow for ``Decimal``/``Fraction``)."""

MAX_ABS = 1e15
"""Largest magnitude :func:`finite_number` accepts by default."""

_SHOWN = 60
_PLAIN = (str, bytes, bytearray, bool, int, float, complex, type(None))


def type_name(value: Any) -> str:
    """The name of ``value``'s type, without calling anything on ``value``.

    >>> type_name(3), type_name(None)
    ('int', 'NoneType')
    """
    name = type.__dict__["__name__"].__get__(type(value))
    return name if isinstance(name, str) else "object"


def _printable(text: str, limit: int) -> str:
    clean = "".join(c if 32 <= ord(c) < 127 else "?" for c in text[: limit + 1])
    return clean if len(clean) <= limit else clean[: limit - 3] + "..."


def _shape_text(value: np.ndarray) -> str:
    return f"array of shape {tuple(int(d) for d in value.shape)} and dtype {value.dtype.str}"


def safe_repr(value: Any, limit: int = _SHOWN) -> str:
    r"""A printable-ASCII rendering of any action, at most ``limit`` characters, that never raises.

    Strings are shown quoted; containers as their type and size; numbers in full unless huge; other
    objects by type name only (their ``__repr__`` is user code and may raise, hang or return megabytes).

    >>> safe_repr("go\x00"), safe_repr(10**400), safe_repr([1, 2]), safe_repr(float("nan"))
    ('"go?"', 'int of 1329 bits', 'list of 2 items', 'nan')
    """
    try:
        return _printable(_render(value), limit)
    except Exception:  # noqa: BLE001  (a rendering for feedback must never fail)
        return _printable(f"<{type_name(value)}>", limit)


def _render(value: Any) -> str:
    if isinstance(value, str):
        return '"' + str.__getitem__(value, slice(0, _SHOWN * 4)) + '"'
    if isinstance(value, (bytes, bytearray)):
        return bytes.__repr__(bytes(value[: _SHOWN * 4]))
    if isinstance(value, bool):
        return "True" if bool.__bool__(value) else "False"
    if isinstance(value, int):
        bits = int.bit_length(value)
        return int.__repr__(value) if bits <= 200 else f"int of {bits} bits"
    if isinstance(value, float):
        return float.__repr__(value)
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return _shape_text(value)
    if isinstance(value, np.generic) and type(value).__module__ == "numpy":
        return f"{type_name(value)}({value.item()!r:.40})"
    if isinstance(value, (list, tuple, dict, set, frozenset)):
        size = {list: list.__len__, tuple: tuple.__len__, dict: dict.__len__}.get(type(value), len)(value)
        return f"{type_name(value)} of {size} items"
    return f"<{type_name(value)} object>"


def text_action(action: Any, max_length: int) -> tuple[str | None, str]:
    """The action as a plain ``str`` (subclass overrides stripped) within ``max_length`` characters.

    Returns:
        ``(text, "")``, or ``(None, reason)`` where the reason is a clause for the feedback line.

    >>> text_action("go", 10), text_action("x" * 11, 10)[1], text_action(b"go", 10)[1]
    (('go', ''), 'it is 11 characters long; the limit is 10', 'it is bytes, not text (a str)')
    """
    if not isinstance(action, str):
        return None, f"it is {type_name(action)}, not text (a str)"
    size = str.__len__(action)
    if size > max_length:
        return None, f"it is {size:,} characters long; the limit is {max_length:,}"
    return str.__str__(action), ""


def finite_number(value: Any, *, low: float = -MAX_ABS, high: float = MAX_ABS) -> float | None:
    """``value`` as a float when it is a real number (or numeric text) within ``[low, high]``, else None.

    Bools, ``nan``, ``inf``, ``1e999``, ints beyond the range and text over :data:`MAX_NUMBER_CHARS` give None.

    >>> finite_number("0.25"), finite_number("1e999"), finite_number(10**400), finite_number(True)
    (0.25, None, None, None)
    """
    try:
        number = _as_float(value, low, high)
    except (ValueError, TypeError, OverflowError, ArithmeticError):
        return None
    if number is None or not math.isfinite(number) or not low <= number <= high:
        return None
    return number


def _as_float(value: Any, low: float, high: float) -> float | None:
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, str):
        return _text_float(str.__str__(value))
    if isinstance(value, int):
        plain = int.__index__(value)
        return float(plain) if low <= plain <= high else None
    if isinstance(value, float):
        return float.__float__(value)
    if isinstance(value, (np.integer, np.floating)) and type(value).__module__ == "numpy":
        return float(value)
    if isinstance(value, Decimal):
        return _text_float(Decimal.__str__(value))
    return None


def _text_float(text: str) -> float | None:
    text = text.strip()
    if not text or len(text) > MAX_NUMBER_CHARS:
        return None
    return float(text)


def finite_decimal(value: Any, *, max_abs: int = 10**6, min_exponent: int = -30) -> Decimal | None:
    """``value`` as an exact ``Decimal`` when it is a sane number, else None (for exact scoring).

    Rejects bools, non-finite values, magnitudes over ``max_abs``, non-zero values smaller than
    ``10 ** min_exponent`` (``Fraction(Decimal("1e-999999"))`` would build a million-digit int) and
    text over :data:`MAX_NUMBER_CHARS`.

    >>> finite_decimal("0.1234"), finite_decimal("1e999"), finite_decimal("nan"), finite_decimal("1e-999")
    (Decimal('0.1234'), None, None, None)
    """
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        return None
    if isinstance(value, int) and int.bit_length(value) > 64:
        return None
    text = _plain_text(value).strip()
    if not text or len(text) > MAX_NUMBER_CHARS:
        return None
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or abs(number) > max_abs:
        return None
    if number and number.adjusted() < min_exponent:
        return None
    return number


def _plain_text(value: str | int | float | Decimal) -> str:
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return float.__repr__(value)
    return Decimal.__str__(value)


def structure_problem(
    value: Any,
    *,
    max_depth: int = MAX_DEPTH,
    max_items: int = MAX_ITEMS,
    max_text: int = 65536,
) -> str:
    """Why a structured action (lists, tuples, dicts of plain values) cannot be read, or ``""`` when it can.

    A breadth-first walk with an explicit queue: no recursion, at most ``max_items`` elements visited. Only
    exact ``list``/``tuple``/``dict`` containers and plain leaves (``str``, ``bytes``, ``int``, ``float``,
    ``bool``, ``None``, numpy scalars and numeric numpy arrays) pass; subclasses and other objects do not,
    so no user ``__iter__``/``__len__``/``__eq__`` runs later when the env reads the action.

    >>> structure_problem([[0.1, 0.2], [0.3, 0.4]]), structure_problem({"op": "STOP"})
    ('', '')
    >>> deep = []
    >>> for _ in range(100): deep = [deep]
    >>> structure_problem(deep)
    'it is nested deeper than 32 levels'
    """
    queue: deque[tuple[Any, int]] = deque([(value, 0)])
    seen = 0
    while queue:
        item, depth = queue.popleft()
        seen += 1
        if seen > max_items:
            return f"it holds more than {max_items:,} items"
        problem = _leaf_problem(item, max_text)
        if problem is not None:
            if problem:
                return problem
            continue
        if depth >= max_depth:
            return f"it is nested deeper than {max_depth} levels"
        children = list(dict.keys(item)) + list(dict.values(item)) if type(item) is dict else item
        if len(children) > max_items:
            return f"it holds more than {max_items:,} items"
        queue.extend((child, depth + 1) for child in children)
    return ""


def _leaf_problem(item: Any, max_text: int) -> str | None:
    """``""`` for a plain leaf, a reason for a bad one, None for a container to walk."""
    kind = type(item)
    if kind in (list, tuple, dict):
        return None
    if kind in (str, bytes):
        return "" if len(item) <= max_text else f"it holds a text of {len(item):,} characters (limit {max_text:,})"
    if kind in _PLAIN:
        return ""
    if kind is np.ndarray:
        if item.dtype.kind not in "biuf":
            return f"it holds an {_shape_text(item)} (numbers expected)"
        return "" if item.size <= MAX_ITEMS else f"it holds an {_shape_text(item)} (too large)"
    if isinstance(item, np.generic) and kind.__module__ == "numpy":
        return ""
    return f"it holds a {type_name(item)} object (only lists, dicts, text and numbers are read)"


def nesting_depth(text: str, limit: int = MAX_DEPTH) -> int:
    """The bracket (``[``/``{``) nesting depth of ``text``, counted up to ``limit + 1`` (strings ignored).

    Linear and non-recursive; returns early once the depth passes ``limit``.

    >>> nesting_depth('{"a": [1, {"b": "[[["}]}'), nesting_depth("[" * 1000, limit=32)
    (3, 33)
    """
    if text.count("[") + text.count("{") <= limit:
        return _depth_scan(text, limit) if ("[" in text or "{" in text) else 0
    return _depth_scan(text, limit)


def _depth_scan(text: str, limit: int) -> int:
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        elif ch in "]}":
            depth = max(depth - 1, 0)
    return deepest


def loads_bounded(text: str, *, max_depth: int = MAX_DEPTH, max_length: int = 1 << 20) -> Any:
    """``json.loads`` for untrusted text: too long or too deeply nested text raises ``ValueError`` first.

    Non-finite constants (``NaN``, ``Infinity``) are refused too.

    Raises:
        ValueError: the text is not JSON, is longer than ``max_length``, nests deeper than ``max_depth``,
            or holds ``NaN``/``Infinity``.

    >>> loads_bounded('{"a": [1, 2]}')
    {'a': [1, 2]}
    """
    if len(text) > max_length:
        raise ValueError(f"JSON text of {len(text):,} characters; the limit is {max_length:,}")
    if nesting_depth(text, max_depth) > max_depth:
        raise ValueError(f"JSON nested deeper than {max_depth} levels")
    return json.loads(text, parse_constant=_refuse_constant)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"non-finite JSON number {name}")


def is_real_number(value: Any) -> bool:
    """A real, non-bool number of a plain or numpy type (no user subclass), finite.

    >>> is_real_number(0.5), is_real_number(float("inf")), is_real_number(True), is_real_number("1")
    (True, False, False, False)
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Integral, Real)):
        return False
    return finite_number(value) is not None


__all__ = [
    "MAX_ABS",
    "MAX_DEPTH",
    "MAX_ITEMS",
    "MAX_NUMBER_CHARS",
    "finite_decimal",
    "finite_number",
    "is_real_number",
    "loads_bounded",
    "nesting_depth",
    "safe_repr",
    "structure_problem",
    "text_action",
    "type_name",
]
