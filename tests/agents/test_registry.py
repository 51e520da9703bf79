from importlib.metadata import EntryPoint

import pytest

from cauarena.agents import make_agent, register_agent
from cauarena.agents import registry as reg
from cauarena.agents.babyai import BabyAIOracle
from cauarena.agents.random import RandomAgent
from cauarena.errors import ConfigError, DependencyNotInstalled, NameNotFound


def test_short_names_resolve_by_family():
    assert isinstance(make_agent("oracle", family="babyai"), BabyAIOracle)
    assert isinstance(make_agent("random", family="anything"), RandomAgent)


def test_module_attr_strings():
    assert isinstance(make_agent("cauarena.agents.random:RandomAgent"), RandomAgent)
    with pytest.raises(ConfigError, match="Cannot import module 'no_such_mod'"):
        make_agent("no_such_mod:Agent")
    with pytest.raises(ConfigError, match="has no attribute 'Nope'"):
        make_agent("cauarena.agents.random:Nope")


def test_unknown_name_says_did_you_mean():
    with pytest.raises(NameNotFound, match="Did you mean: 'oracle'"):
        make_agent("oracel", family="babyai")


def test_name_without_implementation_for_the_family():
    with pytest.raises(ConfigError, match="has no implementation for env family 'nofamily'"):
        make_agent("heuristic", family="nofamily")


def test_later_registration_wins_and_entry_points_load(monkeypatch):
    register_agent("random", "cauarena.agents.babyai:BabyAIHeuristic", families=("babyai",))
    assert type(make_agent("random", family="babyai")).__name__ == "BabyAIHeuristic"
    assert isinstance(make_agent("random", family="other"), RandomAgent)

    ep = EntryPoint(name="plugged", value="cauarena.agents.random:RandomAgent", group="cauarena.agents")
    monkeypatch.setattr(reg.AGENTS, "plugins", lambda: [ep])
    assert isinstance(make_agent("plugged", family="babyai"), RandomAgent)
    assert "plugged" in reg.agent_names()


# ---------------------------------------------------------------- spec forms: backend prefix before module:attr

def test_backend_prefix_is_read_before_module_attr():
    assert reg.spec_kind("langchain/pkg.mod:chat") == "backend"
    assert reg.spec_kind("openai/llama3:8b") == "backend"
    assert reg.spec_kind("hf/runs/ckpt:v1") == "backend"
    assert reg.spec_kind("pkg.mod:Agent") == "import"
    assert reg.spec_kind("oracle") == "name"


def test_langchain_module_object_spec_reaches_its_backend(tmp_path, monkeypatch):
    pytest.importorskip("langchain_core")
    (tmp_path / "h5_lc_chat.py").write_text(
        "from langchain_core.runnables import RunnableLambda\n"
        "chat = RunnableLambda(lambda messages: 'go forward')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    agent = make_agent("langchain/h5_lc_chat:chat", family="babyai")
    assert type(agent.backend).__name__ == "LangChainBackend" and agent.backend.model == "h5_lc_chat:chat"
    reply = agent.backend.generate([{"role": "user", "content": "where to?"}])
    assert reply.text == "go forward"


def test_openai_model_with_a_colon_reaches_its_backend():
    pytest.importorskip("httpx")
    agent = make_agent("openai/llama3:8b", family="babyai", base_url="http://127.0.0.1:9/v1")
    assert type(agent.backend).__name__ == "OpenAIBackend" and agent.backend.model == "llama3:8b"


def test_hf_path_with_a_colon_reaches_its_backend(tmp_path):
    folder = tmp_path / "ckpt:v1"
    folder.mkdir()
    with pytest.raises(ConfigError, match="is not a checkpoint folder"):  # the hf backend's own check, not an import
        make_agent(f"hf/{folder}", family="babyai")
    (folder / "config.json").write_text("{}")
    resolved = reg.resolve_agent(f"hf/{folder}", "babyai")
    assert (resolved.kind, resolved.target) == ("backend", f"hf/{folder}")


def test_unknown_backend_prefix_says_did_you_mean():
    with pytest.raises(NameNotFound, match="No backend named 'opneai'. Did you mean: 'openai'"):
        make_agent("opneai/llama3:8b")
    with pytest.raises(NameNotFound, match="No backend named 'opneai'"):
        reg.resolve_agent("opneai/llama3:8b", "babyai")


# ---------------------------------------------------------------- resolve_agent and is_privileged

def test_resolve_agent_imports_but_does_not_build(monkeypatch):
    register_agent("h5-bad", "cauarena.agents.random:NoSuchAgent", families=("babyai",))
    with pytest.raises(ConfigError, match="has no attribute 'NoSuchAgent'"):
        reg.resolve_agent("h5-bad", "babyai")
    resolved = reg.resolve_agent("random", "babyai")
    assert (resolved.kind, resolved.target) == ("name", "cauarena.agents.random:RandomAgent")
    with pytest.raises(ConfigError, match="is not callable"):
        reg.resolve_agent("cauarena.agents.random:__doc__", "babyai")


def test_resolve_agent_reports_a_missing_extra(monkeypatch):
    register_agent("h5-needs", "cauarena.agents.random:RandomAgent", requires=(("h5_not_installed_pkg", "causal"),))
    with pytest.raises(DependencyNotInstalled, match=r"Fix: pip install 'cauarena\[causal\]'"):
        reg.resolve_agent("h5-needs", "babyai")
    assert isinstance(make_agent("h5-needs", family="babyai"), RandomAgent)  # the check is the preflight's


def test_only_registered_short_names_are_privileged(monkeypatch):
    register_agent("h5-oracle", "cauarena.agents.random:RandomAgent", families=("babyai",), privileged=True)
    assert reg.is_privileged("h5-oracle", "babyai")
    assert reg.resolve_agent("h5-oracle", "babyai").privileged
    assert not reg.is_privileged("h5-oracle", "causal")  # no implementation there
    assert not reg.is_privileged("cauarena.agents.random:RandomAgent", "babyai")
    assert not reg.is_privileged("mock/first-valid", "babyai")
    assert not reg.is_privileged("no-such-agent", "babyai")
    assert not reg.is_privileged("random", "babyai")
    assert type(make_agent("h5-oracle", family="babyai")) is RandomAgent  # privileged is not a constructor kwarg


def test_a_class_declared_privileged_is_privileged_by_short_name_only(monkeypatch, tmp_path):
    (tmp_path / "h5_priv_agent.py").write_text("class Peeker:\n    privileged = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    register_agent("h5-peeker", "h5_priv_agent:Peeker")
    assert reg.is_privileged("h5-peeker", "babyai")
    assert not reg.is_privileged("h5_priv_agent:Peeker", "babyai")


def refuse_every_model(model, **kwargs):
    raise ConfigError(f"h5 check refused {model!r}")


def test_a_registered_backend_check_runs_in_resolve(monkeypatch):
    from cauarena.agents.llm.backends import registry as backends

    backends.register_backend("h5", "cauarena.agents.llm.backends.mock:make_mock_backend",
                              check=f"{__name__}:refuse_every_model")
    with pytest.raises(ConfigError, match="h5 check refused 'any:thing'"):
        reg.resolve_agent("h5/any:thing", "babyai")
    with pytest.warns(UserWarning, match="Overriding backend 'h5'"):  # no check: import only
        backends.register_backend("h5", "cauarena.agents.llm.backends.mock:make_mock_backend")
    assert reg.resolve_agent("h5/any:thing", "babyai").kind == "backend"
    with pytest.raises(ConfigError, match="A backend check is 'module.path:check'"):
        backends.register_backend("h5", "m:f", check="no_colon")
