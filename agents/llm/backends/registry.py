"""The backend registry: ``"prefix/model"`` specs resolved through ``module:factory`` strings.

Registering imports nothing: the factory is imported when a backend of that prefix is made. A factory is
called as ``factory(model, **kwargs)`` with the part of the spec after the first ``/`` and returns a
:class:`~cauarena.agents.llm.backends.base.ChatBackend`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cauarena.agents.llm.backends.base import ChatBackend
from cauarena.errors import ConfigError
from cauarena.registry import Registry, RegistryView, load

__all__ = [
    "BACKENDS", "BACKEND_CHECKS", "BACKEND_REGISTRY", "BackendEntry", "backend_names", "check_backend",
    "make_backend", "register_backend", "split_spec",
]

_BACKENDS_MODULE = "cauarena.agents.llm.backends"


@dataclass(frozen=True)
class BackendEntry:
    """A backend prefix bound to its factory and its cheap check.

    Attributes:
        name: the prefix, the part of a spec before the first ``/``.
        target: ``module.path:factory``; ``factory(model, **kwargs)`` returns a ChatBackend.
        check: ``module.path:check``; ``check(model, **kwargs)`` raises one-line errors and loads no model (the
            extra is installed, a local checkpoint exists, a server answers a connect). ``None``: the prefix is
            only checked for its factory importing.
        families: every family (backends are not chosen by family).
    """

    name: str
    target: str
    check: str | None = None
    families: tuple[str, ...] = ("*",)


BACKEND_REGISTRY: Registry[BackendEntry] = Registry(
    "backend", hint="Specs look like 'backend/model'; register_backend adds one."
)
"""Every backend prefix (see :func:`register_backend`)."""

BACKENDS: RegistryView[BackendEntry] = BACKEND_REGISTRY.view(value=lambda entry: entry.target)
"""Backend prefix -> ``module:factory`` (read-only use; :func:`register_backend` adds one)."""

BACKEND_CHECKS: RegistryView[BackendEntry] = BACKEND_REGISTRY.view(value=lambda entry: entry.check)
"""Backend prefix -> ``module:check`` or ``None`` (see :class:`BackendEntry`)."""


def register_backend(prefix: str, entry_point: str, check: str | None = None) -> None:
    """Bind ``prefix`` to a ``module:factory`` string; registering a prefix again with another target warns.

    Args:
        prefix: the part of a spec before the first ``/`` (letters, digits, ``-``, ``_``).
        entry_point: ``module.path:factory``; ``factory(model, **kwargs)`` returns a ChatBackend.
        check: ``module.path:check``, the cheap preflight of a spec (see :class:`BackendEntry`).

    Raises:
        ConfigError: a prefix with ``/`` or ``:`` in it, or an entry point without ``:``.
    """
    if not prefix or "/" in prefix or ":" in prefix:
        raise ConfigError(f"A backend prefix is a plain name such as 'hf'; got {prefix!r}.")
    for what, form, value in (("entry point", "factory", entry_point), ("check", "check", check)):
        if value is not None and ":" not in value:
            raise ConfigError(f"A backend {what} is 'module.path:{form}'; got {value!r}.")
    BACKEND_REGISTRY.add(BackendEntry(prefix, entry_point, check))


for _prefix, _backend in (("mock", "mock:make_mock_backend"), ("hf", "hf:HFBackend"),
                          ("openai", "openai:OpenAIBackend"), ("vllm", "vllm:VLLMBackend"),
                          ("langchain", "langchain:LangChainBackend")):
    register_backend(_prefix, f"{_BACKENDS_MODULE}.{_backend}", f"{_BACKENDS_MODULE}.{_prefix}:check_{_prefix}")
# Shipped by the tiny-LM learner; agents/ never imports learners/, so it joins by these strings.
register_backend("tiny", "cauarena.learners.tinylm.backend:make_tiny_backend",
                 "cauarena.learners.tinylm.backend:check_tiny_backend")


def backend_names() -> list[str]:
    """Every registered backend prefix, sorted."""
    return BACKEND_REGISTRY.names()


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


def _entry(spec: str) -> tuple[BackendEntry, str]:
    """The entry of ``spec``'s prefix and the model part; :class:`NameNotFound` for an unknown prefix."""
    prefix, model = split_spec(spec)
    return BACKEND_REGISTRY.find(prefix), model


def _factory(entry: BackendEntry, spec: str) -> Any:
    """The factory of ``entry``, imported; a :class:`ConfigError` naming ``spec`` when it does not import."""
    try:
        return BACKEND_REGISTRY.resolve(entry)
    except ConfigError as exc:
        raise ConfigError(f"Backend {entry.name!r} of {spec!r} cannot be loaded. {exc}") from exc


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
    entry, model = _entry(spec)
    _factory(entry, spec)
    if entry.check is not None:
        load(entry.check, what=f"the check of backend {entry.name!r}")(model, **kwargs)


def make_backend(spec: str, **kwargs: Any) -> ChatBackend:
    """Build the backend named by ``spec``.

    Args:
        spec: ``"prefix/model"``; the prefix picks the factory in :data:`BACKEND_REGISTRY`.
        **kwargs: passed to the factory (``base_url``, ``device``, ``replies``...).

    Raises:
        NameNotFound: an unknown prefix; the message suggests close ones.
        ConfigError: a malformed spec, or a factory module that cannot be imported.
        DependencyNotInstalled: the backend's extra is missing; the message names the pip install.
    """
    entry, model = _entry(spec)
    backend = _factory(entry, spec)(model, **kwargs)
    if not isinstance(backend, ChatBackend):
        raise ConfigError(
            f"The factory {entry.target!r} for {spec!r} returned {type(backend).__name__}, "
            "not a ChatBackend."
        )
    return backend
