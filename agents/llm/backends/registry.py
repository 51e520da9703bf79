"""The backend registry: ``"prefix/model"`` specs resolved through ``module:factory`` strings.

Registering imports nothing: the factory is imported when a backend of that prefix is made. A factory is
called as ``factory(model, **kwargs)`` with the part of the spec after the first ``/`` and returns a
:class:`~cauarena.agents.llm.backends.base.ChatBackend`.
"""

from __future__ import annotations

from typing import Any

from cauarena.agents.llm.backends.base import ChatBackend
from cauarena.agents.registry import load_attr
from cauarena.errors import ConfigError, NameNotFound

BACKENDS: dict[str, str] = {
    "mock": "cauarena.agents.llm.backends.mock:make_mock_backend",
    "hf": "cauarena.agents.llm.backends.hf:HFBackend",
    "openai": "cauarena.agents.llm.backends.openai:OpenAIBackend",
    "vllm": "cauarena.agents.llm.backends.vllm:VLLMBackend",
    "langchain": "cauarena.agents.llm.backends.langchain:LangChainBackend",
    # Shipped by the tiny-LM learner; agents/ never imports learners/, so it joins by this string.
    "tiny": "cauarena.learners.tinylm.backend:make_tiny_backend",
}
"""Backend prefix -> ``module:factory``."""

_BACKENDS_MODULE = "cauarena.agents.llm.backends"
BACKEND_CHECKS: dict[str, str] = {
    "mock": f"{_BACKENDS_MODULE}.mock:check_mock",
    "hf": f"{_BACKENDS_MODULE}.hf:check_hf",
    "openai": f"{_BACKENDS_MODULE}.openai:check_openai",
    "vllm": f"{_BACKENDS_MODULE}.vllm:check_vllm",
    "langchain": f"{_BACKENDS_MODULE}.langchain:check_langchain",
    "tiny": "cauarena.learners.tinylm.backend:check_tiny_backend",
}
"""Backend prefix -> ``module:check``: ``check(model, **kwargs)`` raises one-line errors and loads no model
(the extra is installed, a local checkpoint exists, a server answers a connect). A prefix without one is only
checked for its factory importing."""


def register_backend(prefix: str, entry_point: str, check: str | None = None) -> None:
    """Bind ``prefix`` to a ``module:factory`` string; a later registration of the same prefix wins.

    Args:
        prefix: the part of a spec before the first ``/`` (letters, digits, ``-``, ``_``).
        entry_point: ``module.path:factory``; ``factory(model, **kwargs)`` returns a ChatBackend.
        check: ``module.path:check``, the cheap preflight of a spec (see :data:`BACKEND_CHECKS`).

    Raises:
        ConfigError: a prefix with ``/`` or ``:`` in it, or an entry point without ``:``.
    """
    if not prefix or "/" in prefix or ":" in prefix:
        raise ConfigError(f"A backend prefix is a plain name such as 'hf'; got {prefix!r}.")
    for what, form, value in (("entry point", "factory", entry_point), ("check", "check", check)):
        if value is not None and ":" not in value:
            raise ConfigError(f"A backend {what} is 'module.path:{form}'; got {value!r}.")
    BACKENDS[prefix] = entry_point
    if check is None:
        BACKEND_CHECKS.pop(prefix, None)
    else:
        BACKEND_CHECKS[prefix] = check


def backend_names() -> list[str]:
    """Every registered backend prefix, sorted."""
    return sorted(BACKENDS)


def split_spec(spec: str) -> tuple[str, str]:
    """Split ``"prefix/model"`` at the first ``/`` (a model may contain more: ``hf//abs/path``).

    >>> split_spec("hf/runs/tiny/checkpoint")
    ('hf', 'runs/tiny/checkpoint')
    """
    prefix, sep, model = spec.partition("/")
    if not sep or not prefix or not model:
        raise ConfigError(
            f"A model spec is 'backend/model' (e.g. 'mock/first-valid', 'hf/path/to/dir'); got {spec!r}."
        )
    return prefix, model


def _factory(spec: str) -> Any:
    """The factory of ``spec``'s prefix, imported; raises :class:`NameNotFound` for an unknown prefix."""
    prefix, _ = split_spec(spec)
    if prefix not in BACKENDS:
        raise NameNotFound(
            "backend", prefix, BACKENDS, hint=f"Specs look like 'backend/model' (got {spec!r}); "
            "register_backend adds one."
        )
    try:
        return load_attr(BACKENDS[prefix])
    except ConfigError as exc:
        raise ConfigError(f"Backend {prefix!r} of {spec!r} cannot be loaded. {exc}") from exc


def check_backend(spec: str, **kwargs: Any) -> None:
    """Check ``spec`` without building the backend or loading a model (the runner's preflight).

    Args:
        spec: ``"prefix/model"``.
        **kwargs: what the factory would get (``base_url``...); the check reads those it needs.

    Raises:
        NameNotFound: an unknown prefix, or a model name the backend does not have (``tiny/``, ``mock/``).
        ConfigError: a malformed spec, a factory that does not import, a missing checkpoint folder.
        DependencyNotInstalled: the backend's extra is missing; the message names the pip install.
        BackendError: the backend's server does not answer (``openai/``).
    """
    _factory(spec)
    prefix, model = split_spec(spec)
    if prefix in BACKEND_CHECKS:
        load_attr(BACKEND_CHECKS[prefix])(model, **kwargs)


def make_backend(spec: str, **kwargs: Any) -> ChatBackend:
    """Build the backend named by ``spec``.

    Args:
        spec: ``"prefix/model"``; the prefix picks the factory in :data:`BACKENDS`.
        **kwargs: passed to the factory (``base_url``, ``device``, ``replies``...).

    Raises:
        NameNotFound: an unknown prefix; the message suggests close ones.
        ConfigError: a malformed spec, or a factory module that cannot be imported.
        DependencyNotInstalled: the backend's extra is missing; the message names the pip install.
    """
    factory = _factory(spec)
    prefix, model = split_spec(spec)
    backend = factory(model, **kwargs)
    if not isinstance(backend, ChatBackend):
        raise ConfigError(
            f"The factory {BACKENDS[prefix]!r} for {spec!r} returned {type(backend).__name__}, "
            "not a ChatBackend."
        )
    return backend
