"""Chat backends addressed as ``"prefix/model"`` strings, and their registry."""

from cauarena.agents.llm.backends.base import (
    BackendError,
    BackendTimeout,
    ChatBackend,
    ChatResponse,
    ContextOverflow,
    Message,
    estimate_tokens,
    whitespace_tokens,
)
from cauarena.agents.llm.backends.registry import (
    BACKENDS,
    backend_names,
    make_backend,
    register_backend,
    split_spec,
)

__all__ = [
    "BACKENDS",
    "BackendError",
    "BackendTimeout",
    "ChatBackend",
    "ChatResponse",
    "ContextOverflow",
    "Message",
    "backend_names",
    "estimate_tokens",
    "make_backend",
    "register_backend",
    "split_spec",
    "whitespace_tokens",
]
