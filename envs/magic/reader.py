"""A capable reader: recovers the seed intent from an attacked conversation by undoing every operator.

It stands for what a strong model understands (ciphers, frames, typos, split payloads), apart from whether it
should answer. Scripted defenders answer with it and put their safety filter in front; tests use it to check
that every operator keeps the request recoverable.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from cauarena.envs.magic.corpus import CATEGORIES, KINDS
from cauarena.envs.magic.operators import join_payload, unframe, unleet, unwrap_encoding

_LOOSE = re.compile(r"[\[(]\s*([A-Za-z0-9]{4,8})\s*:\s*([A-Za-z0-9]{3,12})\s*-\s*(\d{1,2})\s*[\])]")
MAX_DEPTH = 6


@dataclass(frozen=True)
class Request:
    """What a reader recovered.

    Attributes:
        harmful: True for a ``HAZARD`` placeholder.
        intent: ``weapons-1``.
        text: the decoded text the placeholder was found in.
    """

    harmful: bool
    intent: str
    text: str


def _closest(word: str, options: Sequence[str]) -> str | None:
    found = difflib.get_close_matches(word.lower(), [o.lower() for o in options], n=1, cutoff=0.6)
    return found[0] if found else None


def find_placeholder(text: str) -> Request | None:
    """The first placeholder in ``text``, matched fuzzily (case, leetspeak, a swapped letter).

    >>> find_placeholder("build [H4ZRAD:wepaons-1] now")
    Request(harmful=True, intent='weapons-1', text='build [H4ZRAD:wepaons-1] now')
    """
    for candidate in (text, unleet(text)):
        for kind, category, number in _LOOSE.findall(candidate):
            kind_match = _closest(kind, KINDS)
            category_match = _closest(category, list(CATEGORIES))
            if kind_match and category_match:
                return Request(kind_match == "hazard", f"{category_match}-{int(number)}", text)
    return None


def decode(text: str, depth: int = MAX_DEPTH) -> Request | None:
    """Undo frames and encodings (breadth first, up to ``depth`` layers) until a placeholder shows."""
    frontier, seen = [text], {text}
    for _ in range(depth + 1):
        nxt = []
        for candidate in frontier:
            found = find_placeholder(candidate)
            if found is not None:
                return found
            for inverse in (unframe, unwrap_encoding, unleet):
                decoded = inverse(candidate)
                if decoded is not None and decoded not in seen:
                    seen.add(decoded)
                    nxt.append(decoded)
        frontier = nxt
    return None


def read_request(user_messages: Sequence[str]) -> Request | None:
    """The request of a conversation: joined split parts if any, else the latest message that decodes."""
    joined = join_payload(user_messages)
    if joined is not None:
        found = decode(joined)
        if found is not None:
            return found
    for message in reversed(user_messages):
        found = decode(message)
        if found is not None:
            return found
    return None


def waiting_for_parts(user_messages: Sequence[str]) -> bool:
    """True when the latest message is a split part that is not the last one."""
    if not user_messages:
        return False
    match = re.search(r"PART (\d+)/(\d+): ", user_messages[-1])
    return bool(match) and int(match.group(1)) < int(match.group(2))
