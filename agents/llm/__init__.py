"""LLM chat agents: ``ChatAgent(backend, prompt_template, parser)`` on backends named ``"backend/model"``.

Backends: ``mock/``, ``hf/``, ``openai/``, ``vllm/``, ``langchain/``, ``tiny/`` (see :data:`BACKENDS`);
each imports its dependency only when made. Importing this package imports no model library.
"""

from cauarena.agents.llm.agent import ChatAgent, make_chat_agent
from cauarena.agents.llm.backends import (
    BACKEND_REGISTRY,
    BACKENDS,
    BackendError,
    BackendTimeout,
    ChatBackend,
    ChatResponse,
    ContextOverflow,
    Message,
    backend_names,
    check_backend,
    estimate_tokens,
    make_backend,
    register_backend,
)
from cauarena.agents.llm.cache import CachedBackend, ResponseCache
from cauarena.agents.llm.parsing import (
    PARSER_REGISTRY,
    PARSERS,
    ActionParser,
    extract_action,
    get_parser,
    match_action,
    parse_action,
    register_parser,
)
from cauarena.agents.llm.prompts import (
    ACTIONS_HEADER,
    PROMPT_REGISTRY,
    PROMPTS,
    PromptTemplate,
    Turn,
    fit_history,
    get_prompt,
    observation_text,
    register_prompt,
    render_messages,
    render_reply,
)

__all__ = [
    "ACTIONS_HEADER",
    "BACKENDS",
    "BACKEND_REGISTRY",
    "PARSERS",
    "PARSER_REGISTRY",
    "PROMPTS",
    "PROMPT_REGISTRY",
    "ActionParser",
    "BackendError",
    "ContextOverflow",
    "BackendTimeout",
    "CachedBackend",
    "ChatAgent",
    "ChatBackend",
    "ChatResponse",
    "Message",
    "PromptTemplate",
    "ResponseCache",
    "Turn",
    "backend_names",
    "check_backend",
    "estimate_tokens",
    "extract_action",
    "fit_history",
    "get_parser",
    "get_prompt",
    "make_backend",
    "make_chat_agent",
    "match_action",
    "observation_text",
    "parse_action",
    "register_backend",
    "register_parser",
    "register_prompt",
    "render_messages",
    "render_reply",
]
