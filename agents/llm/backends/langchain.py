"""``langchain/<module:object>``: any LangChain chat model or Runnable as a chat backend.

The object is imported from ``module:object``; a class or a factory (anything callable that is not a
Runnable) is called with the backend's kwargs first. It is invoked with LangChain messages
(``SystemMessage``, ``HumanMessage``, ``AIMessage``) and may return a message or a string. Chat models get
the stop sequences; ``max_tokens`` and ``temperature`` are the model's own settings (configure them on the
object), so ``generate`` does not pass them. Token counts come from ``usage_metadata`` when the reply has
it, else the ~4-characters-per-token estimate.
"""

from __future__ import annotations

import time
from typing import Any

from cauarena.agents.llm.backends.base import (
    BackendError,
    ChatBackend,
    ChatResponse,
    Message,
    estimate_tokens,
    require,
    require_installed,
    truncate_at_stop,
)
from cauarena.agents.registry import load_attr
from cauarena.errors import ConfigError


def reply_text(reply: Any) -> str:
    """The text of a Runnable's output: a string, or a message whose content is text or text blocks."""
    content = getattr(reply, "content", reply)
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [b if isinstance(b, str) else b.get("text", "") for b in content if isinstance(b, (str, dict))]
        return "".join(parts)
    raise BackendError(f"Expected a message or a string from the Runnable; got {type(reply).__name__}.")


def check_langchain(model: str, *, target: Any = None, **_: Any) -> None:
    """The preflight of ``langchain/<module:object>``: langchain-core is installed and the object imports.

    The object is imported, not called (a factory may open a client).

    Raises:
        DependencyNotInstalled: langchain-core is missing (``pip install 'cauarena[langchain]'``).
        ConfigError: ``model`` is not ``module:object`` or does not import.
    """
    require_installed("langchain_core", "langchain", "the langchain/ backend")
    if target is None:
        load_attr(model)


class LangChainBackend(ChatBackend):
    """A LangChain ``BaseChatModel`` or any ``Runnable`` that takes a list of messages.

    Args:
        model: ``module.path:object`` of the model, Runnable, class or factory.
        target: the object itself, instead of importing ``model`` (tests, notebooks).
        **kwargs: passed to the class or factory.

    Raises:
        DependencyNotInstalled: langchain-core is missing (``pip install 'cauarena[langchain]'``).
        ConfigError: the object cannot be imported or is not a Runnable.
    """

    prefix = "langchain"

    def __init__(self, model: str, *, target: Any = None, **kwargs: Any) -> None:
        super().__init__(model)
        self._lc = require("langchain_core.messages", "langchain", "the langchain/ backend")
        runnables = require("langchain_core.runnables", "langchain", "the langchain/ backend")
        chat_models = require("langchain_core.language_models", "langchain", "the langchain/ backend")
        obj = load_attr(model) if target is None else target
        if callable(obj) and not isinstance(obj, runnables.Runnable):
            obj = obj(**kwargs)
        if not isinstance(obj, runnables.Runnable):
            raise ConfigError(
                f"{self.spec}: expected a LangChain chat model or Runnable (or a factory of one); got "
                f"{type(obj).__name__}."
            )
        self.runnable = obj
        self._takes_stop = isinstance(obj, chat_models.BaseChatModel)

    def _to_langchain(self, messages: list[Message]) -> list[Any]:
        kinds = {"system": self._lc.SystemMessage, "user": self._lc.HumanMessage, "assistant": self._lc.AIMessage}
        return [kinds[m["role"]](content=m["content"]) for m in messages]

    def _generate(
        self, messages: list[Message], *, max_tokens: int, temperature: float, seed: int | None, stop: list[str]
    ) -> ChatResponse:
        start = time.perf_counter()
        kwargs = {"stop": stop} if self._takes_stop and stop else {}
        reply = self.runnable.invoke(self._to_langchain(messages), **kwargs)
        text = truncate_at_stop(reply_text(reply), stop)
        usage = getattr(reply, "usage_metadata", None) or {}
        return ChatResponse(
            text=text,
            prompt_tokens=int(usage.get("input_tokens") or self.count_message_tokens(messages)),
            completion_tokens=int(usage.get("output_tokens") or estimate_tokens(text)),
            latency_s=time.perf_counter() - start,
        )
