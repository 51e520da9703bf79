import time

import pytest

from cauarena.agents.llm import BackendError, make_backend, render_messages
from cauarena.agents.llm.backends.mock import listed_actions, mock_names
from cauarena.agents.llm.prompts import get_prompt
from cauarena.errors import ConfigError, NameNotFound

INFO = {"valid_actions": ["turn left", "go forward"]}
FEEDBACK = 'Your last action "x" was not understood. Valid actions: turn left, turn right.'


def messages(observation="You see a wall", info=INFO):
    return render_messages(get_prompt("babyai"), [], observation, info)


def test_first_valid_reads_the_rendered_action_list_not_the_feedback():
    assert listed_actions(messages(f"Mission: m\n{FEEDBACK}")) == ["turn left", "go forward"]
    assert make_backend("mock/first-valid").generate(messages()).text == "turn left"
    assert make_backend("mock/echo-first-action").generate(messages()).text == "turn left"
    assert make_backend("mock/first-valid").generate(messages(info={})).text == "noop"


def test_react_and_json_builtins():
    assert make_backend("mock/react").generate(messages()).text.endswith("Action: turn left")
    assert make_backend("mock/json").generate(messages()).text == '{"action": "turn left"}'


def test_scripted_replies_cycle_and_count_whitespace_tokens():
    backend = make_backend("mock/script", replies=["a b c", "d"])
    replies = [backend.generate([{"role": "user", "content": "one two"}]) for _ in range(3)]
    assert [r.text for r in replies] == ["a b c", "d", "a b c"]
    assert [r.completion_tokens for r in replies] == [3, 1, 3]
    assert replies[0].prompt_tokens == 2
    assert backend.calls == 3


def test_callable_replies_stop_and_max_tokens():
    backend = make_backend("mock/fn", replies=lambda msgs: f"echo {msgs[-1]['content']}\nmore words here")
    reply = backend.generate([{"role": "user", "content": "hi"}], stop=["\n"])
    assert reply.text == "echo hi"
    assert backend.generate([{"role": "user", "content": "hi"}], max_tokens=2).text == "echo hi"


def test_garbage_raise_and_slow():
    garbage = make_backend("mock/garbage")
    assert garbage.generate(messages()).text not in INFO["valid_actions"]
    with pytest.raises(BackendError, match=r"mock/raise: scripted failure"):
        make_backend("mock/raise").generate(messages())
    slow = make_backend("mock/slow", delay_s=0.05)
    start = time.perf_counter()
    reply = slow.generate(messages())
    assert time.perf_counter() - start >= 0.05 and reply.latency_s >= 0.05
    assert reply.text == "turn left"


def test_unknown_mock_name_and_bad_replies():
    with pytest.raises(NameNotFound, match="Did you mean: 'first-valid'"):
        make_backend("mock/first-vaild")
    with pytest.raises(ConfigError, match="non-empty list"):
        make_backend("mock/x", replies=[])
    with pytest.raises(ConfigError, match="non-empty list"):
        make_backend("mock/x", replies="a string is not a list")
    assert {"first-valid", "garbage", "raise", "slow"} <= set(mock_names())


def test_generate_validates_its_arguments():
    backend = make_backend("mock/first-valid")
    with pytest.raises(ConfigError, match="at least one message"):
        backend.generate([])
    with pytest.raises(ConfigError, match="Message 0 must be"):
        backend.generate([{"role": "robot", "content": "x"}])
    with pytest.raises(ConfigError, match="max_tokens must be >= 1"):
        backend.generate(messages(), max_tokens=0)
    with pytest.raises(ConfigError, match="temperature must be >= 0"):
        backend.generate(messages(), temperature=-1)
