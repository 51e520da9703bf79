r"""``mock/<name>``: scripted chat backends for tests and smoke runs; no model, no dependency.

Built-in names (``cauarena run --agent mock/first-valid``):

- ``first-valid`` (alias ``echo-first-action``): replies the first valid action listed in the last user
  message (the lines under :data:`~cauarena.agents.llm.prompts.ACTIONS_HEADER`);
- ``react`` / ``json``: the same action as ``Thought: ...\nAction: ...`` / ``{"action": ...}``;
- ``garbage``: unparseable text, so the env answers an invalid action;
- ``raise``: every call raises :class:`BackendError`;
- ``slow``: sleeps ``delay_s`` (default 1 s), then answers as ``first-valid``;
- any name with ``replies=``: a list of replies used in turn (cycled), or a callable ``messages -> str``.

Tokens are counted as whitespace-separated words (:func:`whitespace_tokens`).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from typing import Any

from cauarena.agents.llm.backends.base import (
    BackendError,
    ChatBackend,
    ChatResponse,
    Message,
    truncate_at_stop,
    whitespace_tokens,
)
from cauarena.agents.llm.prompts import ACTIONS_HEADER
from cauarena.errors import ConfigError, NameNotFound

Replies = Sequence[str] | Callable[[list[Message]], str]

GARBAGE = ("%%% <<<>>> ###", "lorem ipsum dolor sit amet", "{not json", "Action:")
"""What ``mock/garbage`` replies, in turn: text no env accepts as an action."""


def listed_actions(messages: Sequence[Message]) -> list[str]:
    """The valid actions listed in the last user message (empty when it lists none)."""
    user = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
    lines = user.splitlines()
    if ACTIONS_HEADER not in lines:
        return []
    start = len(lines) - lines[::-1].index(ACTIONS_HEADER)  # after the last header line
    actions = []
    for line in lines[start:]:
        if not line.startswith("- "):
            break
        actions.append(line[2:])
    return actions


def first_valid(messages: list[Message]) -> str:
    """Reply the first listed valid action (``noop`` when none is listed)."""
    actions = listed_actions(messages)
    return actions[0] if actions else "noop"


def react_first_valid(messages: list[Message]) -> str:
    """:func:`first_valid` in ReAct form."""
    return f"Thought: I take the first valid action.\nAction: {first_valid(messages)}"


def json_first_valid(messages: list[Message]) -> str:
    """:func:`first_valid` as a JSON object."""
    return json.dumps({"action": first_valid(messages)})


BUILTINS: dict[str, Callable[[list[Message]], str]] = {
    "first-valid": first_valid,
    "echo-first-action": first_valid,
    "react": react_first_valid,
    "json": json_first_valid,
    "slow": first_valid,
}
"""Built-in mock names with their reply functions (``garbage`` and ``raise`` are handled apart)."""


def mock_names() -> list[str]:
    """Every built-in ``mock/<name>``."""
    return sorted([*BUILTINS, "garbage", "raise"])


class MockBackend(ChatBackend):
    """A scripted chat backend.

    Args:
        model: the name after ``mock/``.
        replies: replies used in turn and cycled, or a callable ``messages -> str``.
        delay_s: seconds to sleep per call (``mock/slow``).
        error: when set, every call raises :class:`BackendError` with this message.
    """

    prefix = "mock"

    def __init__(
        self, model: str, replies: Replies, *, delay_s: float = 0.0, error: str | None = None
    ) -> None:
        super().__init__(model)
        if not callable(replies) and (isinstance(replies, str) or not replies):
            raise ConfigError(f"mock/{model}: replies must be a non-empty list of strings or a callable.")
        self.replies = replies if callable(replies) else list(replies)
        self.delay_s = delay_s
        self.error = error
        self.calls = 0

    def _generate(
        self, messages: list[Message], *, max_tokens: int, temperature: float, seed: int | None, stop: list[str]
    ) -> ChatResponse:
        start = time.perf_counter()
        if self.delay_s:
            time.sleep(self.delay_s)
        self.calls += 1
        if self.error is not None:
            raise BackendError(f"{self.spec}: {self.error}")
        if callable(self.replies):
            text = self.replies(messages)
        else:
            text = self.replies[(self.calls - 1) % len(self.replies)]
        text = truncate_at_stop(text, stop)
        words = text.split()
        if len(words) > max_tokens:
            text = " ".join(words[:max_tokens])
        return ChatResponse(
            text=text,
            prompt_tokens=self.count_message_tokens(messages),
            completion_tokens=whitespace_tokens(text),
            latency_s=time.perf_counter() - start,
        )

    def count_tokens(self, text: str) -> int:
        """How many tokens ``text`` is for this model."""
        return whitespace_tokens(text)

    def count_message_tokens(self, messages: Sequence[Message]) -> int:
        """How many tokens ``messages`` are once rendered as this model's prompt."""
        return sum(whitespace_tokens(m["content"]) for m in messages)

    def cache_identity(self) -> str:
        """What identifies this model in the reply cache: the same identity gives the same replies."""
        if callable(self.replies):
            script = f"{self.replies.__module__}.{getattr(self.replies, '__qualname__', repr(self.replies))}"
        else:
            script = repr(self.replies)
        return f"{self.spec}#{hashlib.sha1(script.encode()).hexdigest()[:12]}"


def check_mock(model: str, replies: Replies | None = None, **_: Any) -> None:
    """The preflight of ``mock/<model>``: a built-in name, or any name with ``replies``.

    Raises:
        NameNotFound: an unknown name without ``replies``.
    """
    if replies is None and model not in mock_names():
        raise NameNotFound("mock backend", model, mock_names(), hint="Or pass replies=[...] for a scripted mock.")


def make_mock_backend(
    model: str, replies: Replies | None = None, delay_s: float | None = None, **kwargs: Any
) -> MockBackend:
    """Build ``mock/<model>``: a built-in name, or any name with ``replies``.

    Args:
        model: a built-in name (see the module docs) or any name when ``replies`` is given.
        replies: scripted replies (list, cycled) or a callable ``messages -> str``.
        delay_s: seconds to sleep per call (default 1.0 for ``slow``, else 0).
        **kwargs: passed to :class:`MockBackend` (``error``).

    Raises:
        NameNotFound: an unknown name without ``replies``.
    """
    if replies is None:
        if model == "garbage":
            replies = GARBAGE
        elif model == "raise":
            replies, kwargs["error"] = ["unused"], kwargs.get("error", "scripted failure (mock/raise)")
        elif model in BUILTINS:
            replies = BUILTINS[model]
        else:
            raise NameNotFound(
                "mock backend", model, mock_names(), hint="Or pass replies=[...] for a scripted mock."
            )
    if delay_s is None:
        delay_s = 1.0 if model == "slow" else 0.0
    return MockBackend(model, replies, delay_s=delay_s, **kwargs)
