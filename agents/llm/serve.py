"""Serve any ChatBackend as a small OpenAI-compatible HTTP API on the loopback interface.

``GET /v1/models`` lists the one model; ``POST /v1/chat/completions`` answers
``{"model", "messages", "max_tokens" | "max_completion_tokens", "temperature", "seed", "stop"}`` with a
``chat.completion`` object and its ``usage``. Unlike OpenAI's, the default temperature is 0 (greedy);
streaming and ``n > 1`` are refused with 400. Requests are bounded (body size, socket timeout) and the
backend answers one request at a time. Errors are OpenAI-shaped ``{"error": {"message", "type"}}``: 400 for
a bad request, 504 when the backend times out, 500 when it fails.

From a shell: ``python -m cauarena.agents.llm.serve mock/first-valid --port 8000``.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cauarena.agents.llm.backends import BackendTimeout, ChatBackend, make_backend
from cauarena.errors import CauArenaError, ConfigError

MAX_BODY_BYTES = 1 << 20
"""Largest request body accepted (1 MiB); larger ones get 413."""


class _Reject(Exception):
    def __init__(self, status: int, message: str, kind: str = "invalid_request_error") -> None:
        super().__init__(message)
        self.status, self.message, self.kind = status, message, kind


def _completion_params(body: Any) -> dict[str, Any]:
    """Validate a chat completions body into ``generate`` arguments (raises :class:`_Reject`)."""
    if not isinstance(body, dict):
        raise _Reject(400, "The body must be a JSON object.")
    if body.get("stream"):
        raise _Reject(400, "stream=true is not supported by this server.")
    if body.get("n", 1) != 1:
        raise _Reject(400, "Only n=1 is supported.")
    stop = body.get("stop") or []
    params = {
        "messages": body.get("messages"),
        "max_tokens": body.get("max_completion_tokens") or body.get("max_tokens") or 256,
        "temperature": body.get("temperature") or 0.0,
        "seed": body.get("seed"),
        "stop": [stop] if isinstance(stop, str) else stop,
    }
    if not isinstance(params["max_tokens"], int) or isinstance(params["max_tokens"], bool):
        raise _Reject(400, f"max_tokens must be an integer; got {params['max_tokens']!r}.")
    if not isinstance(params["temperature"], (int, float)):
        raise _Reject(400, f"temperature must be a number; got {params['temperature']!r}.")
    if params["seed"] is not None and not isinstance(params["seed"], int):
        raise _Reject(400, f"seed must be an integer; got {params['seed']!r}.")
    if not isinstance(params["stop"], list) or not all(isinstance(x, str) for x in params["stop"]):
        raise _Reject(400, f"stop must be a string or a list of strings; got {stop!r}.")
    return params


class _Handler(BaseHTTPRequestHandler):
    server: ChatServer
    timeout = 30  # seconds a client may take to send its request
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests and runs own the terminal
        pass

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def _error(self, reject: _Reject) -> None:
        self.close_connection = True  # the body may be unread: never parse it as the next request
        self._send(reject.status, {"error": {"message": reject.message, "type": reject.kind}})

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if self.path.rstrip("/") != "/v1/models":
            return self._error(_Reject(404, f"No route GET {self.path}; try /v1/models.", "not_found"))
        model = {"id": self.server.model_name, "object": "model", "created": 0, "owned_by": "cauarena"}
        self._send(200, {"object": "list", "data": [model]})

    def do_POST(self) -> None:  # noqa: N802
        try:
            if self.path.rstrip("/") != "/v1/chat/completions":
                raise _Reject(404, f"No route POST {self.path}; try /v1/chat/completions.", "not_found")
            self._send(200, self._complete(self._read_json()))
        except _Reject as reject:
            self._error(reject)

    def _read_json(self) -> Any:
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            raise _Reject(411, "A Content-Length header is required.")
        if int(length) > MAX_BODY_BYTES:
            raise _Reject(413, f"The body is {length} bytes; the limit is {MAX_BODY_BYTES}.")
        try:
            return json.loads(self.rfile.read(int(length)))
        except ValueError as exc:
            raise _Reject(400, f"The body is not valid JSON: {exc}.") from None

    def _complete(self, body: Any) -> dict[str, Any]:
        params = _completion_params(body)
        try:
            with self.server.lock:
                reply = self.server.backend.generate(**params)
        except ConfigError as exc:
            raise _Reject(400, str(exc)) from None
        except BackendTimeout as exc:
            raise _Reject(504, str(exc), "timeout") from None
        except Exception as exc:  # any backend failure becomes a readable 500
            message = str(exc) if isinstance(exc, CauArenaError) else f"{type(exc).__name__}: {exc}"
            raise _Reject(500, message, "server_error") from None
        finish = "length" if reply.completion_tokens >= params["max_tokens"] else "stop"
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.server.model_name,
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": reply.text}, "finish_reason": finish}
            ],
            "usage": {
                "prompt_tokens": reply.prompt_tokens,
                "completion_tokens": reply.completion_tokens,
                "total_tokens": reply.prompt_tokens + reply.completion_tokens,
            },
        }


def _check_loopback(host: str) -> None:
    try:
        loopback = ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
    except (OSError, ValueError):
        loopback = False
    if not loopback:
        raise ConfigError(f"The chat server binds loopback addresses only; got {host!r}. Fix: use 127.0.0.1.")


class ChatServer(ThreadingHTTPServer):
    """An HTTP server answering OpenAI chat completions with ``backend``; a context manager.

    Args:
        backend: any chat backend.
        host: a loopback address.
        port: the port (0 picks a free one; read :attr:`port`).
        model_name: the model id it reports (default: the backend's spec).
    """

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, backend: ChatBackend, host: str = "127.0.0.1", port: int = 0, model_name: str = "") -> None:
        _check_loopback(host)
        super().__init__((host, port), _Handler)
        self.backend = backend
        self.model_name = model_name or backend.spec
        self.lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The bound port."""
        return self.server_address[1]

    @property
    def url(self) -> str:
        """The API root, ``http://host:port/v1`` (an OpenAI client's base URL)."""
        return f"http://{self.server_address[0]}:{self.port}/v1"

    def start(self) -> ChatServer:
        """Serve from a daemon thread and return at once."""
        self._thread = threading.Thread(
            target=self.serve_forever, args=(0.05,), name="cauarena-chat-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
            self._thread = None
        self.server_close()

    def __enter__(self) -> ChatServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_backend(
    backend: ChatBackend,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    background: bool = False,
    model_name: str = "",
) -> ChatServer:
    """Serve ``backend`` on ``http://host:port/v1``.

    Args:
        backend: any chat backend (a mock, the tiny LM, an hf checkpoint...).
        host: a loopback address (others raise :class:`ConfigError`).
        port: the port; 0 picks a free one.
        background: serve from a daemon thread and return the running server; otherwise block until
            interrupted, then close.
        model_name: the model id the server reports (default: the backend's spec).

    Returns:
        The server (running when ``background``; already stopped otherwise).
    """
    server = ChatServer(backend, host, port, model_name)
    if background:
        return server.start()
    _serve_until_interrupted(server)
    return server


def _serve_until_interrupted(server: ChatServer) -> None:
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main(argv: list[str] | None = None) -> None:
    """``python -m cauarena.agents.llm.serve SPEC [--host H] [--port P]``."""
    parser = argparse.ArgumentParser(description="Serve a chat backend as an OpenAI-compatible API.")
    parser.add_argument("spec", help="backend/model, e.g. mock/first-valid or hf/path/to/checkpoint")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    server = ChatServer(make_backend(args.spec), args.host, args.port)
    print(f"Serving {args.spec} at {server.url} (Ctrl-C stops)", flush=True)
    _serve_until_interrupted(server)


if __name__ == "__main__":
    main()
