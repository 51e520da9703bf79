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
    BACKEND_CHECKS,
    BACKEND_REGISTRY,
    BACKENDS,
    backend_names,
    check_backend,
    make_backend,
    register_backend,
    split_spec,
)

__all__ = [
    "BACKEND_CHECKS",
    "BACKEND_REGISTRY",
    "BACKENDS",
    "BackendError",
    "BackendTimeout",
    "ChatBackend",
    "ChatResponse",
    "ContextOverflow",
    "Message",
    "backend_names",
    "check_backend",
    "estimate_tokens",
    "make_backend",
    "register_backend",
    "split_spec",
    "whitespace_tokens",
]
