import pytest

from cauarena.errors import ConfigError, NameNotFound
from cauarena.guards.registry import guard_kind, guard_serves, make_guard, resolve_guard


def test_judge_prefix_is_read_before_module_class():
    assert guard_kind("llm-judge/openai/llama3:8b") == "judge"
    assert guard_kind("llm-judge/langchain/pkg.mod:chat") == "judge"
    assert guard_kind("cauarena.guards.registry:ApproveAll") == "import"
    assert guard_kind("rules") == "name" and guard_kind("none") == "none"
    assert guard_serves("llm-judge/openai/llama3:8b", "babyai")


def test_judge_with_a_colon_in_the_model_reaches_its_backend():
    pytest.importorskip("httpx")
    guard = make_guard("llm-judge/openai/llama3:8b", family="life_assist", base_url="http://127.0.0.1:9/v1")
    assert type(guard.backend).__name__ == "OpenAIBackend" and guard.backend.model == "llama3:8b"
    assert guard.spec["backend"] == "openai/llama3:8b"


def test_misspelt_guards_say_did_you_mean():
    with pytest.raises(NameNotFound, match="No guard named 'rulez'. Did you mean: 'rules'"):
        make_guard("rulez", family="life_assist")
    with pytest.raises(NameNotFound, match="No guard named 'llm-judg'. Did you mean: 'llm-judge'"):
        guard_kind("llm-judg/openai/llama3:8b")
    with pytest.raises(ConfigError, match="llm-judge needs a chat backend"):
        guard_kind("llm-judge/")


def test_resolve_guard_checks_without_building():
    assert resolve_guard("rules", "life_assist") == "name"
    assert resolve_guard("llm-judge/mock/first-valid", "life_assist") == "judge"
    with pytest.raises(ConfigError, match="no implementation for env family 'babyai'; it serves \\['life_assist'\\]"):
        resolve_guard("rules", "babyai")
    with pytest.raises(NameNotFound, match="No backend named 'nope'"):
        resolve_guard("llm-judge/nope/model", "life_assist")
    with pytest.raises(ConfigError, match="Cannot import module 'no_such_mod' \\(guard 'no_such_mod:Guard'\\)"):
        resolve_guard("no_such_mod:Guard", "life_assist")
