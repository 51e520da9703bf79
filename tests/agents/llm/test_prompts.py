import pytest

from cauarena.agents.llm import (
    ACTIONS_HEADER,
    PromptTemplate,
    Turn,
    fit_history,
    get_prompt,
    register_prompt,
    render_messages,
    render_reply,
)
from cauarena.agents.llm.backends.base import estimate_tokens
from cauarena.agents.llm.prompts import PROMPTS
from cauarena.errors import ConfigError, NameNotFound

INFO = {"valid_actions": ["turn left", "go forward"], "mission": "go to the red ball"}


def test_render_messages_layout():
    template = get_prompt("babyai")
    history = [Turn("You see a wall 1 step forward", "turn left")]
    messages = render_messages(template, history, "You see a red ball 1 step forward", INFO)
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[0]["content"] == template.system
    assert messages[1]["content"] == "Observation:\nYou see a wall 1 step forward"
    assert messages[2]["content"] == "turn left"
    assert messages[3]["content"] == (
        "Mission: go to the red ball\nObservation:\nYou see a red ball 1 step forward\n"
        f"{ACTIONS_HEADER}\n- turn left\n- go forward\n{template.instruction}"
    )


def test_render_messages_is_pure_and_handles_missing_info():
    template = get_prompt("default")
    history = [Turn("a", "b")]
    first = render_messages(template, history, "obs", INFO)
    assert render_messages(template, history, "obs", INFO) == first
    assert history == [Turn("a", "b")]
    bare = render_messages(template, [], {"text": "obs"}, None)[-1]["content"]
    assert bare == f"Observation:\nobs\n{template.instruction}"
    shown = render_messages(template, [], "Mission: go to the red ball", INFO)[-1]["content"]
    assert shown.count("Mission:") == 1  # not repeated when the observation has it
    assert '"x": 1' in render_messages(template, [], {"x": 1}, {})[-1]["content"]


def test_unknown_family_falls_back_to_default_and_strict_raises():
    assert get_prompt("no-such-family") is PROMPTS["default"]
    with pytest.raises(NameNotFound, match="Did you mean: 'babyai'"):
        get_prompt("babyia", strict=True)


def test_register_prompt_and_reply_format():
    template = PromptTemplate(name="test-family", system="S", reply_format="Action: {action}")
    register_prompt(template)  # the registries are restored after every test (tests/conftest.py)
    assert get_prompt("test-family") is template
    assert render_reply(template, "go") == "Action: go"


def test_template_validates_itself():
    with pytest.raises(ConfigError, match="reply_format"):
        PromptTemplate(name="x", system="S", reply_format="no placeholder")
    with pytest.raises(ConfigError, match="needs a name"):
        PromptTemplate(name="", system="S")


def count(messages):
    return sum(estimate_tokens(m["content"]) for m in messages)


def test_fit_history_drops_oldest_turns_to_fit():
    template = get_prompt("default")
    history = [Turn(f"observation number {i} " + "x" * 40, f"reply {i}") for i in range(20)]
    bare = count(render_messages(template, [], "now", INFO))
    full = count(render_messages(template, history, "now", INFO))
    budget = (bare + full) // 2
    kept = fit_history(template, history, "now", INFO, count, budget)
    assert 0 < len(kept) < len(history)
    assert kept == history[-len(kept) :]  # a suffix: the newest turns
    assert count(render_messages(template, kept, "now", INFO)) <= budget
    one_more = history[-len(kept) - 1 :]
    assert count(render_messages(template, one_more, "now", INFO)) > budget  # the longest that fits


def test_fit_history_edge_cases():
    template = get_prompt("default")
    history = [Turn("o", "r")] * 3
    assert fit_history(template, history, "now", INFO, count, 10**6) == history
    assert fit_history(template, history, "now", INFO, count, 1) == []  # even the bare prompt is over
    assert fit_history(template, [], "now", INFO, count, 1) == []
