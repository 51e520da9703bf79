"""serve_backend over real HTTP on 127.0.0.1, with the openai/ backend as the client."""

import json

import httpx
import pytest

from cauarena.agents.llm import make_backend, make_chat_agent
from cauarena.agents.llm.serve import MAX_BODY_BYTES, ChatServer, serve_backend
from cauarena.errors import ConfigError

INFO = {"valid_actions": ["turn left", "go forward"], "mission": "go to the red ball"}


@pytest.fixture
def server():
    with serve_backend(make_backend("mock/first-valid"), "127.0.0.1", 0, background=True) as running:
        yield running


def test_models_endpoint(server):
    reply = httpx.get(f"{server.url}/models", timeout=5)
    assert reply.status_code == 200
    assert reply.json()["data"][0]["id"] == "mock/first-valid"
    assert server.url == f"http://127.0.0.1:{server.port}/v1" and server.port > 0


def test_openai_backend_against_a_served_mock(server):
    agent = make_chat_agent("openai/mock/first-valid", family="babyai", base_url=server.url, api_key="k")
    agent.reset(seed=0)
    assert agent.act("You see a wall 2 steps forward", INFO) == "turn left"
    direct = make_chat_agent("mock/first-valid", family="babyai")
    direct.reset(seed=0)
    direct.act("You see a wall 2 steps forward", INFO)
    usage = agent.last_usage  # token counts travel through the reply's usage
    assert (usage.prompt_tokens, usage.completion_tokens) == (
        direct.last_usage.prompt_tokens,
        direct.last_usage.completion_tokens,
    )
    agent.close()


def test_completion_shape_and_options(server):
    body = {"model": "x", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 1, "stop": "\n"}
    reply = httpx.post(f"{server.url}/chat/completions", json=body, timeout=5).json()
    assert reply["object"] == "chat.completion"
    assert reply["choices"][0]["message"] == {"role": "assistant", "content": "noop"}
    assert reply["choices"][0]["finish_reason"] == "length"
    assert reply["usage"] == {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}


@pytest.mark.parametrize(
    "body, status, message",
    [
        (b"{not json", 400, "not valid JSON"),
        (json.dumps({"messages": []}).encode(), 400, "at least one message"),
        (json.dumps({"messages": [{"role": "user", "content": "x"}], "stream": True}).encode(), 400, "stream"),
        (json.dumps({"messages": [{"role": "user", "content": "x"}], "max_tokens": "9"}).encode(), 400,
         "max_tokens must be an integer"),
        (json.dumps({"messages": [{"role": "user", "content": "x"}], "stop": [1]}).encode(), 400, "stop"),
    ],
)
def test_bad_requests_get_openai_shaped_errors(server, body, status, message):
    reply = httpx.post(f"{server.url}/chat/completions", content=body, timeout=5)
    assert reply.status_code == status
    assert message in reply.json()["error"]["message"]


def test_routes_and_body_limit(server):
    assert httpx.get(f"{server.url}/nothing", timeout=5).status_code == 404
    assert httpx.post(f"{server.url}/completions", json={}, timeout=5).status_code == 404
    big = b"x" * (MAX_BODY_BYTES + 1)
    assert httpx.post(f"{server.url}/chat/completions", content=big, timeout=5).status_code == 413


def test_backend_failure_is_a_500_with_its_message():
    with serve_backend(make_backend("mock/raise"), port=0, background=True) as running:
        body = {"messages": [{"role": "user", "content": "x"}]}
        reply = httpx.post(f"{running.url}/chat/completions", json=body, timeout=5)
    assert reply.status_code == 500
    assert "scripted failure" in reply.json()["error"]["message"]


def test_loopback_only():
    with pytest.raises(ConfigError, match="loopback addresses only"):
        ChatServer(make_backend("mock/first-valid"), "0.0.0.0", 0)


def test_an_error_closes_the_connection_and_the_next_request_works(server):
    with httpx.Client(timeout=5) as client:
        assert client.post(f"{server.url}/wrong", content=b"x" * 100).status_code == 404
        body = {"messages": [{"role": "user", "content": "hi"}]}
        assert client.post(f"{server.url}/chat/completions", json=body).status_code == 200
