"""``openai/<model>``: any OpenAI-compatible ``/v1/chat/completions`` endpoint, over httpx.

The base URL and key come from the arguments or ``OPENAI_BASE_URL`` / ``OPENAI_API_KEY`` (the URL
defaults to ``https://api.openai.com/v1``; a local server needs no key). Each request has a timeout.
Rate limits (429), server errors (5xx) and connection failures are retried ``max_retries`` times with
exponential backoff (doubling from ``backoff_s``, capped at ``max_backoff_s``; a 429's ``Retry-After``
is honoured up to that cap). A request that times out is not retried: it raises :class:`BackendTimeout`.
Other 4xx answers raise at once with the status and the server's message. Token counts come from the
reply's ``usage``, else the ~4-characters-per-token estimate.
"""

from __future__ import annotations

import os
import socket
import time
from typing import Any
from urllib.parse import urlsplit

from cauarena.agents.llm.backends.base import (
    BackendError,
    BackendTimeout,
    ChatBackend,
    ChatResponse,
    Message,
    estimate_tokens,
    require,
    require_installed,
)
from cauarena.errors import ConfigError

DEFAULT_BASE_URL = "https://api.openai.com/v1"
CONNECT_CHECK_S = 2.0
"""Seconds the preflight waits for a TCP connect to the server (:func:`check_openai`)."""
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


def _server_message(response: Any, limit: int = 300) -> str:
    """The server's error message (``error.message`` of a JSON body, else the body text), shortened."""
    try:
        body = response.json()
        error = body.get("error", body) if isinstance(body, dict) else body
        text = error.get("message", str(error)) if isinstance(error, dict) else str(error)
    except ValueError:
        text = response.text
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "..."


def _retry_after(response: Any) -> float | None:
    try:
        return max(0.0, float(response.headers.get("retry-after", "")))
    except ValueError:
        return None


def base_url_of(base_url: str | None = None) -> str:
    """The API root a backend talks to: ``base_url``, else ``OPENAI_BASE_URL``, else OpenAI's (no trailing /)."""
    return (base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")


def check_openai(model: str, *, base_url: str | None = None, connect_timeout_s: float = CONNECT_CHECK_S,
                 **_: Any) -> None:
    """The preflight of ``openai/<model>``: httpx is installed and the server accepts a TCP connection.

    One connect, no request (no key is sent, no tokens are spent). Takes the :class:`OpenAIBackend`
    arguments; those a check does not need are ignored.

    Raises:
        DependencyNotInstalled: httpx is missing (``pip install 'cauarena[openai]'``).
        ConfigError: the base URL has no host.
        BackendError: nothing answers at the URL's host and port within ``connect_timeout_s``.
    """
    require_installed("httpx", "openai", "the openai/ backend")
    url = base_url_of(base_url)
    parts = urlsplit(url)
    if not parts.hostname:
        raise ConfigError(f"openai/{model}: the base URL {url!r} has no host. Fix: a URL such as "
                          "'http://localhost:8000/v1' in OPENAI_BASE_URL (or base_url).")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        socket.create_connection((parts.hostname, port), timeout=connect_timeout_s).close()
    except (OSError, ValueError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise BackendError(
            f"openai/{model}: cannot connect to {url} ({reason}). Is the server running? Fix: start it, or "
            "point OPENAI_BASE_URL (or base_url) at the server that serves the model."
        ) from None


class OpenAIBackend(ChatBackend):
    """An OpenAI-compatible chat completions endpoint.

    Args:
        model: the model name the server knows.
        base_url: the API root, ending in ``/v1`` (default: ``OPENAI_BASE_URL``, else OpenAI's).
        api_key: bearer token (default: ``OPENAI_API_KEY``; none is sent when both are empty).
        timeout_s: seconds per request (connect and read).
        max_retries: retries after a 429, a 5xx or a connection error.
        backoff_s: first wait between tries; doubles each retry.
        max_backoff_s: cap on one wait (and on ``Retry-After``).
        extra_body: more JSON fields for every request (``{"top_p": 0.9}``).

    Raises:
        DependencyNotInstalled: httpx is missing (``pip install 'cauarena[openai]'``).
    """

    prefix = "openai"

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout_s: float = 60.0,
        max_retries: int = 3,
        backoff_s: float = 0.5,
        max_backoff_s: float = 8.0,
        extra_body: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(model)
        httpx = require("httpx", "openai", "the openai/ backend")
        if max_retries < 0 or timeout_s <= 0:
            raise ConfigError(f"Need max_retries >= 0 and timeout_s > 0; got {max_retries}, {timeout_s}.")
        self.base_url = base_url_of(base_url)
        api_key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY", "")
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.extra_body = dict(extra_body or {})
        self._httpx = httpx
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout_s)

    def _generate(
        self, messages: list[Message], *, max_tokens: int, temperature: float, seed: int | None, stop: list[str]
    ) -> ChatResponse:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": temperature,
            **self.extra_body,
        }
        if seed is not None:
            body["seed"] = seed
        if stop:
            body["stop"] = stop
        start = time.perf_counter()
        data = self._post(body)
        text, usage = self._read_reply(data)
        return ChatResponse(
            text=text,
            prompt_tokens=int(usage.get("prompt_tokens") or self.count_message_tokens(messages)),
            completion_tokens=int(usage.get("completion_tokens") or estimate_tokens(text)),
            latency_s=time.perf_counter() - start,
        )

    def _post(self, body: dict[str, Any]) -> Any:
        """POST with retries; returns the decoded JSON of a 2xx reply."""
        httpx = self._httpx
        url = f"{self.base_url}/chat/completions"
        for attempt in range(self.max_retries + 1):
            wait = min(self.max_backoff_s, self.backoff_s * 2**attempt)
            try:
                response = self._client.post("/chat/completions", json=body)
            except httpx.TimeoutException as exc:
                raise BackendTimeout(
                    f"{self.spec}: no answer from {url} within {self._client.timeout.read}s ({exc!r})."
                ) from exc
            except httpx.TransportError as exc:
                problem = f"cannot reach {url}: {exc!r}. Is the server running?"
            else:
                if response.is_success:
                    return self._json(response)
                problem = f"HTTP {response.status_code} from {url}: {_server_message(response)}"
                if response.status_code not in RETRY_STATUS:
                    raise BackendError(f"{self.spec}: {problem}")
                if response.status_code == 429:
                    problem = f"rate limited; {problem}"
                    wait = min(self.max_backoff_s, _retry_after(response) or wait)
            if attempt < self.max_retries:
                time.sleep(wait)
        raise BackendError(f"{self.spec}: gave up after {self.max_retries + 1} tries; last: {problem}")

    def _json(self, response: Any) -> Any:
        try:
            return response.json()
        except ValueError:
            raise BackendError(
                f"{self.spec}: malformed reply from {self.base_url} (not JSON): {response.text[:200]!r}"
            ) from None

    def _read_reply(self, data: Any) -> tuple[str, dict[str, Any]]:
        try:
            text = data["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise BackendError(
                f"{self.spec}: malformed reply from {self.base_url} (no choices[0].message.content): "
                f"{str(data)[:200]!r}"
            ) from None
        if not isinstance(text, str):
            raise BackendError(f"{self.spec}: reply content is {type(text).__name__}, not text: {text!r}")
        usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
        return text, usage

    def cache_identity(self) -> str:
        """What identifies this model in the reply cache: the same identity gives the same replies."""
        return f"{self.spec}@{self.base_url}#{sorted(self.extra_body.items())}"

    def close(self) -> None:
        """Release the model or the connection."""
        self._client.close()
