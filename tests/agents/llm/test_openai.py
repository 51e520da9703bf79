"""The openai/ backend against purpose-built misbehaving HTTP servers on 127.0.0.1 (no client mocks)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from cauarena.agents.llm import BackendError, BackendTimeout, make_backend, make_chat_agent

MESSAGES = [{"role": "user", "content": "You see a wall"}]
GOOD = {
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "turn left"}}],
    "usage": {"prompt_tokens": 11, "completion_tokens": 2},
}


class ScriptedServer(ThreadingHTTPServer):
    """Answers each POST with the next (status, headers, body, delay_s) of ``script`` (the last repeats)."""

    daemon_threads = True

    def __init__(self, script):
        super().__init__(("127.0.0.1", 0), ScriptedHandler)
        self.script, self.requests = list(script), []

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def __enter__(self):
        threading.Thread(target=self.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()


class ScriptedHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append((self.path, dict(self.headers), body))
        step = min(len(self.server.requests), len(self.server.script)) - 1
        status, headers, payload, delay = self.server.script[step]
        time.sleep(delay)
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up (timeout test)
            pass


def backend(url, **kwargs):
    return make_backend("openai/test-model", base_url=url, api_key="sk-test", backoff_s=0.01, **kwargs)


def test_request_body_headers_and_usage():
    with ScriptedServer([(200, {}, GOOD, 0)]) as server:
        reply = backend(server.url).generate(MESSAGES, max_tokens=5, temperature=0.5, seed=7, stop=["\n"])
    assert (reply.text, reply.prompt_tokens, reply.completion_tokens, reply.cached) == ("turn left", 11, 2, False)
    path, headers, body = server.requests[0]
    assert path == "/v1/chat/completions"
    assert headers["Authorization"] == "Bearer sk-test"
    assert body == {"model": "test-model", "messages": MESSAGES, "max_tokens": 5, "temperature": 0.5,
                    "seed": 7, "stop": ["\n"]}


def test_missing_usage_falls_back_to_the_estimate():
    reply_without_usage = {"choices": [{"message": {"content": "go forward"}}]}
    with ScriptedServer([(200, {}, reply_without_usage, 0)]) as server:
        reply = backend(server.url).generate(MESSAGES)
    assert reply.completion_tokens == 3  # ceil(10 chars / 4)
    assert reply.prompt_tokens > 0


def test_500_then_success_is_retried():
    with ScriptedServer([(500, {}, {"error": {"message": "boom"}}, 0), (200, {}, GOOD, 0)]) as server:
        reply = backend(server.url).generate(MESSAGES)
    assert reply.text == "turn left" and len(server.requests) == 2


def test_persistent_5xx_gives_up_after_bounded_retries():
    with ScriptedServer([(503, {}, {"error": {"message": "overloaded"}}, 0)]) as server:
        with pytest.raises(BackendError, match=r"gave up after 3 tries; last: HTTP 503 .*: overloaded"):
            backend(server.url, max_retries=2).generate(MESSAGES)
    assert len(server.requests) == 3


def test_400_is_not_retried_and_says_status_and_server_text():
    error = {"error": {"message": "model 'test-model' does not exist", "type": "invalid_request_error"}}
    with ScriptedServer([(400, {}, error, 0)]) as server:
        with pytest.raises(BackendError, match=r"HTTP 400 from .*: model 'test-model' does not exist"):
            backend(server.url).generate(MESSAGES)
    assert len(server.requests) == 1


def test_429_honours_retry_after():
    script = [(429, {"Retry-After": "0.3"}, {"error": {"message": "slow down"}}, 0), (200, {}, GOOD, 0)]
    with ScriptedServer(script) as server:
        start = time.perf_counter()
        reply = backend(server.url).generate(MESSAGES)
        waited = time.perf_counter() - start
    assert reply.text == "turn left" and waited >= 0.3


def test_429_forever_is_a_rate_limit_error():
    with ScriptedServer([(429, {"Retry-After": "0"}, "rate limited", 0)]) as server:
        with pytest.raises(BackendError, match=r"rate limited; HTTP 429"):
            backend(server.url, max_retries=1).generate(MESSAGES)


@pytest.mark.parametrize(
    "payload, message",
    [
        (b"<html>oops</html>", r"malformed reply .* \(not JSON\)"),
        ({"choices": []}, r"malformed reply .*no choices\[0\]\.message\.content"),
        ({"choices": [{"message": {"content": None}}]}, "reply content is NoneType"),
    ],
)
def test_malformed_replies(payload, message):
    with ScriptedServer([(200, {}, payload, 0)]) as server:
        with pytest.raises(BackendError, match=message):
            backend(server.url).generate(MESSAGES)


def test_slow_server_times_out_without_retrying():
    with ScriptedServer([(200, {}, GOOD, 1.0)]) as server:
        start = time.perf_counter()
        with pytest.raises(BackendTimeout, match=r"no answer from .* within 0\.2s"):
            backend(server.url, timeout_s=0.2).generate(MESSAGES)
        assert time.perf_counter() - start < 0.9
    assert len(server.requests) == 1


def test_server_down_is_a_connection_error_from_act():
    with ScriptedServer([(200, {}, GOOD, 0)]) as server:
        url = server.url  # closed on exit: nothing listens there any more
    agent = make_chat_agent("openai/m", base_url=url, max_retries=1, backoff_s=0.01)
    agent.reset(seed=0)
    with pytest.raises(BackendError, match=r"cannot reach .* Is the server running\?"):
        agent.act("obs", {"valid_actions": ["a"]})


def test_base_url_and_key_from_the_environment(monkeypatch):
    with ScriptedServer([(200, {}, GOOD, 0)]) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
        assert make_backend("openai/m").generate(MESSAGES).text == "turn left"
    assert server.requests[0][1]["Authorization"] == "Bearer sk-env"
