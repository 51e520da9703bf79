"""``ChatAgent``: an Agent that asks a chat backend for each action, and ``make_chat_agent`` for specs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cauarena.agents.base import StepUsage
from cauarena.agents.llm.backends import (
    BackendError,
    BackendTimeout,
    ChatBackend,
    ChatResponse,
    ContextOverflow,
    make_backend,
)
from cauarena.agents.llm.cache import CachedBackend, ResponseCache
from cauarena.agents.llm.parsing import Parser, get_parser
from cauarena.agents.llm.prompts import (
    PromptTemplate,
    Turn,
    fit_history,
    get_prompt,
    observation_text,
    render_messages,
)
from cauarena.errors import CauArenaError, ConfigError


class ChatAgent:
    """An Agent that renders each step as a chat, asks ``backend`` and parses the reply into an action.

    After each :meth:`act`, :attr:`last_usage` holds the step's tokens, latency and cache flag. A backend
    that is down, slow or broken makes :meth:`act` raise :class:`BackendError` (:class:`BackendTimeout`
    for time limits) with the backend and step in the message; a reply that names no valid action is passed
    to the env as it is (the env answers it as invalid).

    Args:
        backend: the chat model.
        prompt_template: how the env family is shown to the model.
        parser: ``parser(reply, info) -> action``.
        max_tokens: most tokens per reply (default: the template's).
        temperature: 0 for greedy decoding.
        stop: stop sequences (default: the template's).
        max_prompt_tokens: prompt budget (default: the template's, capped by the model's context).
        seed: sampling seed used when ``reset`` gets none; step ``t`` samples with seed ``seed + t``.

    Attributes:
        history: the past turns of this episode still inside the budget, oldest first.
        last_usage: accounting of the latest ``act``.
    """

    def __init__(
        self,
        backend: ChatBackend,
        prompt_template: PromptTemplate,
        parser: Parser,
        *,
        max_tokens: int | None = None,
        temperature: float = 0.0,
        stop: Sequence[str] | None = None,
        max_prompt_tokens: int | None = None,
        seed: int | None = None,
    ) -> None:
        if temperature < 0:
            raise ConfigError(f"temperature must be >= 0 (0 is greedy); got {temperature}.")
        self.backend = backend
        self.template = prompt_template
        self.parser = parser
        self.max_tokens = prompt_template.max_tokens if max_tokens is None else max_tokens
        self.temperature = temperature
        self.stop = list(prompt_template.stop if stop is None else stop)
        self.max_prompt_tokens = (
            prompt_template.max_prompt_tokens if max_prompt_tokens is None else max_prompt_tokens
        )
        if backend.context_length is not None:
            self.max_prompt_tokens = min(self.max_prompt_tokens, backend.context_length - self.max_tokens)
        if self.max_tokens < 1 or self.max_prompt_tokens < 1:
            raise ConfigError(
                f"{backend.spec}: max_tokens={self.max_tokens} and max_prompt_tokens={self.max_prompt_tokens} "
                f"(context {backend.context_length}) must both be >= 1. Fix: lower max_tokens."
            )
        self.seed = seed
        self.history: list[Turn] = []
        self.last_usage = StepUsage()
        self._episode_seed = seed
        self._step = 0

    @property
    def spec(self) -> str:
        """The backend's ``prefix/model``."""
        return self.backend.spec

    def reset(self, *, seed: int | None = None, info: dict[str, Any] | None = None) -> None:
        """Start an episode: forget the history; ``seed`` (else the constructor's) seeds sampling."""
        self.history = []
        self.last_usage = StepUsage()
        self._episode_seed = self.seed if seed is None else seed
        self._step = 0

    def act(self, observation: Any, info: Mapping[str, Any]) -> Any:
        """Ask the model for the action on ``observation``; sets :attr:`last_usage`.

        Raises:
            BackendError: the backend failed (BackendTimeout when it ran out of time).
        """
        text = observation_text(observation)
        self.history = fit_history(
            self.template, self.history, text, info, self.backend.count_message_tokens, self.max_prompt_tokens
        )
        messages = render_messages(self.template, self.history, text, info)
        if not self.history:
            self._check_fits(messages)
        response = self._generate(messages)
        self.last_usage = StepUsage(
            prompt_tokens=response.prompt_tokens,
            completion_tokens=response.completion_tokens,
            latency_s=response.latency_s,
            cached=response.cached,
        )
        self.history.append(Turn(text, response.text))
        self._step += 1
        return self.parser(response.text, info)

    def _check_fits(self, messages: list[dict[str, str]]) -> None:
        """Raise when a prompt without history overflows the model's context (a soft budget may overflow)."""
        context = self.backend.context_length
        if context is None:
            return
        tokens = self.backend.count_message_tokens(messages)
        if tokens + self.max_tokens > context:
            raise ContextOverflow(
                f"{self.spec} (step {self._step}): the prompt has {tokens} tokens even without history, and "
                f"with max_tokens={self.max_tokens} it overflows the model's context of {context}. Fix: a "
                "shorter prompt template or observation, a lower max_tokens, or a model with a longer context."
            )

    def _generate(self, messages: list[dict[str, str]]) -> ChatResponse:
        seed = None if self._episode_seed is None else self._episode_seed + self._step
        where = f"{self.spec} (step {self._step})"
        try:
            response = self.backend.generate(
                messages, max_tokens=self.max_tokens, temperature=self.temperature, seed=seed, stop=self.stop
            )
        except CauArenaError:
            raise
        except TimeoutError as exc:
            raise BackendTimeout(f"{where} timed out: {exc}") from exc
        except Exception as exc:
            raise BackendError(f"{where} failed: {type(exc).__name__}: {exc}") from exc
        if not isinstance(response.text, str):
            raise BackendError(f"{where} replied {type(response.text).__name__}, not text: {response.text!r}")
        return response

    def close(self) -> None:
        """Release the backend."""
        self.backend.close()

    def __repr__(self) -> str:
        return f"ChatAgent({self.spec!r}, template={self.template.name!r}, temperature={self.temperature})"


_AGENT_KWARGS = ("max_tokens", "temperature", "stop", "max_prompt_tokens", "seed")


def make_chat_agent(spec: str, family: str = "", **kwargs: Any) -> ChatAgent:
    """Build a :class:`ChatAgent` on the backend ``spec`` for an env of ``family``.

    Args:
        spec: ``"backend/model"`` (``mock/first-valid``, ``hf/path``, ``openai/gpt-4o-mini``...).
        family: the env family; picks the prompt template and parser (fallback ``default``).
        **kwargs: ``prompt`` (a template name or :class:`PromptTemplate`), ``parser`` (a family name or a
            callable), ``cache_dir`` (a folder for the :class:`ResponseCache`; None, the default, disables
            it), the :class:`ChatAgent` options (``max_tokens``, ``temperature``, ``stop``,
            ``max_prompt_tokens``, ``seed``); everything else goes to the backend's factory.

    Raises:
        NameNotFound: an unknown backend prefix, prompt or parser name.
        DependencyNotInstalled: the backend's extra is missing.
    """
    prompt = kwargs.pop("prompt", None)
    template = prompt if isinstance(prompt, PromptTemplate) else get_prompt(prompt or family, strict=bool(prompt))
    parser = kwargs.pop("parser", None)
    if not callable(parser):
        parser = get_parser(parser or family, strict=bool(parser))
    cache_dir = kwargs.pop("cache_dir", None)
    options = {k: kwargs.pop(k) for k in _AGENT_KWARGS if k in kwargs}
    backend = make_backend(spec, **kwargs)
    if cache_dir is not None:
        backend = CachedBackend(backend, ResponseCache(cache_dir))
    return ChatAgent(backend, template, parser, **options)
