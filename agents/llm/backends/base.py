"""The chat backend ABC every model provider implements, its reply type, its errors and token estimates."""

from __future__ import annotations

import importlib
import importlib.util
import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType

from cauarena.errors import CauArenaError, ConfigError, DependencyNotInstalled

Message = dict[str, str]
"""One chat message: ``{"role": "system" | "user" | "assistant", "content": "..."}``."""

CHARS_PER_TOKEN = 4
"""The estimate used where a backend has no tokenizer: one token per ~4 characters (English text, BPE)."""

MESSAGE_OVERHEAD_TOKENS = 4
"""Tokens added per message by the estimate, for the role and separators a chat template adds."""

ROLES = ("system", "user", "assistant")


class BackendError(CauArenaError, RuntimeError):
    """A model backend failed to answer (down, refused the request, replied garbage); the message says why."""


class BackendTimeout(BackendError, TimeoutError):
    """A model backend did not answer within its time limit."""


class ContextOverflow(BackendError):
    """The prompt, even with no history left, plus the reply budget does not fit the model's context."""


@dataclass(frozen=True)
class ChatResponse:
    """One reply of a chat backend, with its cost.

    Attributes:
        text: the generated text (stop sequences removed).
        prompt_tokens: tokens of the prompt as the model saw it.
        completion_tokens: tokens the model generated.
        latency_s: wall seconds of the model call (of the cache lookup when ``cached``).
        cached: True when the reply came from the response cache.
    """

    text: str
    prompt_tokens: int
    completion_tokens: int
    latency_s: float
    cached: bool = False


def estimate_tokens(text: str) -> int:
    """Estimate the tokens of ``text`` at :data:`CHARS_PER_TOKEN` characters per token (rounded up).

    >>> estimate_tokens(""), estimate_tokens("go forward")
    (0, 3)
    """
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def whitespace_tokens(text: str) -> int:
    """Count whitespace-separated words: the mock backend's tokenizer.

    >>> whitespace_tokens("Action: go forward")
    3
    """
    return len(text.split())


def require(module: str, extra: str, what: str) -> ModuleType:
    """Import an optional dependency, or raise :class:`DependencyNotInstalled` naming the extra to install.

    Args:
        module: the module to import (``transformers``).
        extra: the cauarena extra that installs it (``llm``).
        what: what needs it, for the message (``the hf/ backend``).
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise DependencyNotInstalled(module, extra, what) from exc


def require_installed(module: str, extra: str, what: str) -> None:
    """Like :func:`require`, but only looks the package up (no import): the cheap check of a preflight.

    >>> require_installed("json", "none", "a test")
    """
    if importlib.util.find_spec(module.partition(".")[0]) is None:
        raise DependencyNotInstalled(module, extra, what)


def truncate_at_stop(text: str, stop: Sequence[str] | None) -> str:
    r"""Cut ``text`` at the earliest stop sequence.

    >>> truncate_at_stop("go forward\nThought: x", ["\n"])
    'go forward'
    """
    cut = len(text)
    for s in stop or ():
        if s and (i := text.find(s)) != -1:
            cut = min(cut, i)
    return text[:cut]


def check_messages(messages: Sequence[Message]) -> None:
    """Raise :class:`ConfigError` unless ``messages`` is a non-empty list of role/content dicts."""
    if not messages:
        raise ConfigError("A chat request needs at least one message; got none.")
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ROLES or not isinstance(m.get("content"), str):
            raise ConfigError(
                f"Message {i} must be {{'role': one of {ROLES}, 'content': str}}; got {m!r}."
            )


class ChatBackend(ABC):
    """A chat model addressed as ``"prefix/model"``; subclasses implement :meth:`_generate`.

    Subclasses import their heavy dependencies inside methods (never at module level) and raise
    :class:`DependencyNotInstalled` through :func:`require` when the extra is missing. Errors while
    generating are :class:`BackendError` (or :class:`BackendTimeout`) with a readable message.

    Attributes:
        prefix: the registry prefix (``hf``, ``openai``...).
        model: the part of the spec after the prefix.
    """

    prefix: str = ""

    def __init__(self, model: str) -> None:
        self.model = model

    @property
    def spec(self) -> str:
        """The ``prefix/model`` string that rebuilds this backend with :func:`make_backend`."""
        return f"{self.prefix}/{self.model}"

    @property
    def context_length(self) -> int | None:
        """The model's context window in tokens, when known; prompts are trimmed to fit it."""
        return None

    def generate(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int = 256,
        temperature: float = 0.0,
        seed: int | None = None,
        stop: Sequence[str] | None = None,
    ) -> ChatResponse:
        """Generate one reply to ``messages``.

        Args:
            messages: the chat so far, oldest first.
            max_tokens: the most tokens to generate.
            temperature: 0 for greedy decoding, > 0 to sample.
            seed: the sampling seed (ignored by greedy decoding).
            stop: strings that end the reply; they are not part of the returned text.

        Raises:
            ConfigError: malformed messages or decoding parameters.
            BackendError: the model could not answer.
        """
        check_messages(messages)
        if max_tokens < 1:
            raise ConfigError(f"max_tokens must be >= 1; got {max_tokens}.")
        if temperature < 0:
            raise ConfigError(f"temperature must be >= 0 (0 is greedy); got {temperature}.")
        stop = [stop] if isinstance(stop, str) else list(stop or [])
        return self._generate(
            list(messages), max_tokens=max_tokens, temperature=temperature, seed=seed, stop=stop
        )

    @abstractmethod
    def _generate(
        self, messages: list[Message], *, max_tokens: int, temperature: float, seed: int | None, stop: list[str]
    ) -> ChatResponse:
        """Generate one reply; arguments are already validated (see :meth:`generate`)."""

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text``: the tokenizer's count where the backend has one, else :func:`estimate_tokens`."""
        return estimate_tokens(text)

    def count_message_tokens(self, messages: Sequence[Message]) -> int:
        """Tokens of a whole prompt; the default adds :data:`MESSAGE_OVERHEAD_TOKENS` per message."""
        return sum(self.count_tokens(m["content"]) + MESSAGE_OVERHEAD_TOKENS for m in messages)

    def cache_identity(self) -> str:
        """What distinguishes this model's replies in the response cache (the spec, plus what else matters)."""
        return self.spec

    def close(self) -> None:  # noqa: B027 (optional hook, a no-op by default)
        """Release the model (memory, connections); the default does nothing."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.spec!r})"
