"""A response cache: the same model, prompt and decoding give the same reply without calling the model.

Replies live in one SQLite file, ``<cache_dir>/responses.sqlite`` (the runner passes ``<out>/cache``;
nothing is written elsewhere). Keys hash the backend's :meth:`~ChatBackend.cache_identity`, the messages
and the decoding parameters. Greedy replies are cached whatever the seed; sampled replies only with a seed
(which is part of the key); unseeded sampling is never cached. Safe across the runner's processes (each
opens its own connection; writes are single upserts) and threads (one connection per process, behind a
lock).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from cauarena.agents.llm.backends.base import ChatBackend, ChatResponse, Message

_SCHEMA = "CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, response TEXT NOT NULL)"


def cache_key(
    identity: str,
    messages: Sequence[Message],
    *,
    max_tokens: int,
    temperature: float,
    seed: int | None,
    stop: Sequence[str],
) -> str | None:
    """The cache key of one request, or None when its reply must not be cached (unseeded sampling)."""
    if temperature > 0 and seed is None:
        return None
    payload = {
        "backend": identity,
        "messages": [[m["role"], m["content"]] for m in messages],
        "max_tokens": max_tokens,
        "temperature": temperature,
        "seed": seed if temperature > 0 else None,  # greedy ignores the seed
        "stop": list(stop),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


class ResponseCache:
    """Replies by request key in ``<cache_dir>/responses.sqlite``, with hit and miss counts.

    Args:
        cache_dir: the folder of the cache file; created when missing.

    Attributes:
        path: the SQLite file.
        hits: lookups that found a reply (this process).
        misses: lookups that found none (this process).
    """

    FILENAME = "responses.sqlite"

    def __init__(self, cache_dir: str | os.PathLike[str]) -> None:
        self.path = Path(cache_dir) / self.FILENAME
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.hits = 0
        self.misses = 0
        self._conn: sqlite3.Connection | None = None
        self._pid = -1
        self._lock = threading.Lock()

    def _execute(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            if self._conn is None or self._pid != os.getpid():  # a forked worker opens its own connection
                self._conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute(_SCHEMA)
                self._pid = os.getpid()
            return self._conn.execute(sql, args).fetchall()

    def get(self, key: str) -> ChatResponse | None:
        """The stored reply of ``key`` (marked ``cached``), counting a hit or a miss."""
        rows = self._execute("SELECT response FROM responses WHERE key = ?", (key,))
        if not rows:
            self.misses += 1
            return None
        self.hits += 1
        return ChatResponse(**{**json.loads(rows[0][0]), "cached": True})

    def put(self, key: str, response: ChatResponse) -> None:
        """Store ``response`` under ``key`` (replacing any older one)."""
        value = json.dumps({**asdict(response), "cached": False})
        self._execute("INSERT OR REPLACE INTO responses VALUES (?, ?)", (key, value))

    def __len__(self) -> int:
        return self._execute("SELECT COUNT(*) FROM responses")[0][0]

    def stats(self) -> dict[str, int]:
        """``{"hits", "misses", "entries"}``."""
        return {"hits": self.hits, "misses": self.misses, "entries": len(self)}

    def close(self) -> None:
        """Close this process's connection (reopened on the next use)."""
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None

    def __repr__(self) -> str:
        return f"ResponseCache({str(self.path.parent)!r}, hits={self.hits}, misses={self.misses})"


class CachedBackend(ChatBackend):
    """A backend that answers from a :class:`ResponseCache` first and stores what its inner backend says.

    A hit keeps the stored token counts (the cost the reply had) and reports the lookup time as latency.

    Args:
        backend: the backend that answers misses.
        cache: the response cache.
    """

    def __init__(self, backend: ChatBackend, cache: ResponseCache) -> None:
        super().__init__(backend.model)
        self.backend = backend
        self.cache = cache

    @property
    def spec(self) -> str:
        """The wrapped backend's ``backend/model`` spec."""
        return self.backend.spec

    @property
    def context_length(self) -> int | None:
        """The model's context window in tokens; ``None`` when unknown."""
        return self.backend.context_length

    def _generate(
        self, messages: list[Message], *, max_tokens: int, temperature: float, seed: int | None, stop: list[str]
    ) -> ChatResponse:
        start = time.perf_counter()
        params = {"max_tokens": max_tokens, "temperature": temperature, "seed": seed, "stop": stop}
        key = cache_key(self.backend.cache_identity(), messages, **params)
        if key is not None and (hit := self.cache.get(key)) is not None:
            return ChatResponse(
                hit.text, hit.prompt_tokens, hit.completion_tokens, time.perf_counter() - start, cached=True
            )
        response = self.backend.generate(messages, **params)
        if key is not None:
            self.cache.put(key, response)
        return response

    def count_tokens(self, text: str) -> int:
        """How many tokens ``text`` is for this model."""
        return self.backend.count_tokens(text)

    def count_message_tokens(self, messages: Sequence[Message]) -> int:
        """How many tokens ``messages`` are once rendered as this model's prompt."""
        return self.backend.count_message_tokens(messages)

    def cache_identity(self) -> str:
        """What identifies this model in the reply cache: the same identity gives the same replies."""
        return self.backend.cache_identity()

    def close(self) -> None:
        """Release the model or the connection."""
        self.backend.close()
        self.cache.close()
