r"""Scoring a reply to a CauGym item: exact, and ungameable by printing many answers.

Rules (ours; the published scorer differs, see the Fidelity notes):

1. An *answer* is a JSON object with an ``ANSWER`` or ``PROB`` key (keys in any case; nested objects and
   code fences are fine), or the bare token ``LACK_CONDITION``. **Only the last answer of the reply counts**
   (searched from the end, within the reply's last 64 KiB).
2. ``PROB`` is right when, rounded half-up to 4 decimals, it equals the gold value exactly (``tolerance`` 0).
3. ``ANSWER`` (Yes/No) is scored separately and must agree with the sign the question asks about.
4. An insufficient item is right only when the last answer declares ``LACK_CONDITION`` and gives no number;
   declaring it on an answerable item is a false alarm (wrong).

>>> gold = Gold(Fraction("0.1234"), "Yes", False)
>>> score_reply('{"ANSWER": "Yes", "PROB": "0.1234"}', gold).success
True
>>> score_reply('{"ANSWER": "Yes", "PROB": "0.1234"} or maybe {"ANSWER": "No", "PROB": "0.5"}', gold).success
False
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from cauarena.envs._actions import MAX_DEPTH, finite_decimal, loads_bounded
from cauarena.envs.caugym.items import Gold

LACK = "LACK_CONDITION"
_LACK_TOKEN = re.compile(r"LACK_CONDITION", re.IGNORECASE)
MAX_SCAN = 65536
"""Only the last this-many characters of a reply are searched for its answer."""
MAX_TRIES = 64
"""At most this many ``{`` that open no answer are tried, from the end, before giving up."""
MAX_OBJECT = 8192
"""Longest answer object read: a ``{`` with no matching ``}`` within this many characters opens no answer."""
_NUMERIC = re.compile(r"\s*[-+]?(?:(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:e[-+]?\d+)?|nan|s?nan|inf(?:inity)?)\s*",
                      re.IGNORECASE)
_SIGNIFICANT = re.compile(r'[{}"\\]')
_LENIENT_PAIR = re.compile(r"""["']?(answer|prob)["']?\s*[:=]\s*(?:"([^"]*)"|'([^']*)'|([-+\w.%]+))""", re.IGNORECASE)


@dataclass(frozen=True)
class Answer:
    """One answer found in a reply.

    Attributes:
        start: where it starts in the reply.
        yesno: the ``ANSWER`` value as written (stripped), or None.
        prob: the ``PROB`` value as a decimal, or None when absent or not a number.
        prob_text: the ``PROB`` value as written, or None.
        lack: the answer declares missing information (``LACK_CONDITION``).
        prob_absurd: ``PROB`` is written as a number but is not a sane one (``nan``, ``inf``, ``1e999``,
            beyond 10^6 in magnitude, or non-zero below 10^-30); the env treats the reply as invalid.
    """

    start: int
    yesno: str | None
    prob: Decimal | None
    prob_text: str | None
    lack: bool
    prob_absurd: bool = False


def _matching_brace(text: str, start: int) -> int:
    """Index of the ``}`` closing the ``{`` at ``start`` (strings respected), or -1.

    Looks at most :data:`MAX_OBJECT` characters ahead, and only at braces, quotes and backslashes.
    """
    depth, in_string, skip_to = 0, False, -1
    for match in _SIGNIFICANT.finditer(text, start, start + MAX_OBJECT):
        i, ch = match.start(), match.group()
        if i < skip_to:  # the character a backslash escapes
            continue
        if in_string:
            if ch == "\\":
                skip_to = i + 2
            elif ch == '"':
                in_string = False
            continue
        if ch == '"':
            in_string = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
    return -1


def _answer_dict(obj: Any) -> dict[str, Any] | None:
    """The first dict (depth first) with an answer/prob key, keys lower-cased."""
    if isinstance(obj, dict):
        lowered = {str(k).strip().lower(): v for k, v in obj.items()}
        if "answer" in lowered or "prob" in lowered:
            return lowered
        for value in obj.values():
            found = _answer_dict(value)
            if found is not None:
                return found
    if isinstance(obj, list):
        for value in obj:
            found = _answer_dict(value)
            if found is not None:
                return found
    return None


def _parse_object(chunk: str) -> dict[str, Any] | None:
    try:
        return _answer_dict(loads_bounded(chunk, max_depth=MAX_DEPTH, max_length=MAX_OBJECT))
    except ValueError:
        pairs = {
            m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None) for m in _LENIENT_PAIR.finditer(chunk)
        }
        return pairs or None


def _to_decimal(value: Any) -> tuple[Decimal | None, bool]:
    """The PROB as a decimal (None when absent or not a number), and whether it is an absurd number."""
    if value is None or isinstance(value, bool):
        return None, False
    number = finite_decimal(value)
    if number is not None:
        return number, False
    absurd = isinstance(value, (int, float)) or (isinstance(value, str) and _NUMERIC.fullmatch(value) is not None)
    return None, absurd


def _answer(start: int, data: dict[str, Any]) -> Answer:
    raw_answer = data.get("answer")
    yesno = None if raw_answer is None else str(raw_answer).strip()
    raw_prob = data.get("prob")
    lack = any(isinstance(v, str) and _LACK_TOKEN.search(v) for v in data.values())
    prob_text = None if raw_prob is None else str(raw_prob).strip()
    prob, absurd = _to_decimal(raw_prob)
    return Answer(start, yesno, prob, prob_text, bool(lack), absurd)


def find_answers(reply: str) -> list[Answer]:
    """Every answer in ``reply``, in order (JSON objects, and bare ``LACK_CONDITION`` outside them).

    >>> [a.prob for a in find_answers('first {"PROB": "0.1"} then {"prob": 0.25}')]
    [Decimal('0.1'), Decimal('0.25')]
    >>> find_answers("I cannot tell: LACK_CONDITION")[-1].lack
    True
    """
    found: list[Answer] = []
    spans: list[tuple[int, int]] = []
    i = reply.find("{")
    while i != -1:
        end = _matching_brace(reply, i)
        data = _parse_object(reply[i : end + 1]) if end != -1 else None
        if data is not None:
            found.append(_answer(i, data))
            spans.append((i, end))
            i = reply.find("{", end + 1)
        else:
            i = reply.find("{", i + 1)
    for m in _LACK_TOKEN.finditer(reply):
        if not any(a <= m.start() <= b for a, b in spans):
            found.append(Answer(m.start(), None, None, None, True))
    return sorted(found, key=lambda a: a.start)


def last_answer(reply: str) -> Answer | None:
    """The answer that counts: the last one in the reply (None when there is none).

    Scans backwards from the end, so the cost does not grow with the number of answers printed before it;
    at most the last :data:`MAX_SCAN` characters and :data:`MAX_TRIES` unparseable ``{`` are examined.

    >>> last_answer('{"ANSWER": "Yes", "PROB": "0.3"} ... final: {"ANSWER": "No", "PROB": "-0.3"}').yesno
    'No'
    """
    text = reply[-MAX_SCAN:]
    offset = len(reply) - len(text)
    found, after = None, 0
    pos, tries = text.rfind("{"), 0
    while pos != -1 and tries < MAX_TRIES:
        end = _matching_brace(text, pos)
        data = _parse_object(text[pos : end + 1]) if end != -1 else None
        if data is not None:
            found, after = _answer(offset + pos, data), end + 1
            break
        tries += 1
        pos = text.rfind("{", 0, pos)
    bare = list(_LACK_TOKEN.finditer(text, after))[-1:]
    if bare:
        return Answer(offset + bare[0].start(), None, None, None, True)
    return found


def round4(value: Decimal) -> Decimal:
    """Half-up rounding to 4 decimals.

    >>> round4(Decimal("0.12345")), round4(Decimal("-0.00004"))
    (Decimal('0.1235'), Decimal('-0.0000'))
    """
    return value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Score:
    """How a reply did on one item.

    Attributes:
        answered: the reply holds an answer.
        success: fully correct (PROB, and Yes/No where the task has it; LACK_CONDITION on insufficient items).
        prob_correct: PROB right (None on insufficient items).
        yesno_correct: Yes/No right (None where the task has none or the item is insufficient).
        lack_declared: the last answer declares LACK_CONDITION.
        abs_error: ``|PROB - gold|`` when both are numbers, else None.
    """

    answered: bool
    success: bool
    prob_correct: bool | None
    yesno_correct: bool | None
    lack_declared: bool
    abs_error: float | None = None


def score_answer(answer: Answer | None, gold: Gold, tolerance: Fraction = Fraction(0)) -> Score:
    """Score the answer that counts against ``gold`` (``tolerance`` widens the PROB match, default exact)."""
    if answer is None:
        return Score(False, False, None if gold.lack else False, None if gold.lack or not gold.yesno else False,
                     False)
    if gold.lack:
        return Score(True, answer.lack and answer.prob is None, None, None, answer.lack)
    error = None
    prob_ok = False
    if answer.prob is not None and gold.prob is not None:
        diff = abs(Fraction(round4(answer.prob)) - gold.prob)
        error = float(abs(Fraction(answer.prob) - gold.prob))
        prob_ok = not answer.lack and diff <= tolerance
    yesno_ok = None
    if gold.yesno:
        yesno_ok = not answer.lack and (answer.yesno or "").strip().lower() == gold.yesno.lower()
    success = prob_ok and yesno_ok is not False
    return Score(True, success, prob_ok, yesno_ok, answer.lack, error)


def score_reply(reply: str, gold: Gold, tolerance: Fraction = Fraction(0)) -> Score:
    """Score a whole reply: :func:`last_answer`, then :func:`score_answer`.

    >>> gold = Gold(Fraction("0.1234"), "Yes", False)
    >>> score_reply('{"ANSWER": "No", "PROB": "0.1234"}', gold).prob_correct
    True
    >>> score_reply("LACK_CONDITION", Gold(None, None, True)).success
    True
    >>> score_reply('{"ANSWER": "LACK_CONDITION", "PROB": "0.2"}', Gold(None, None, True)).success
    False
    """
    return score_answer(last_answer(reply), gold, tolerance)
