import socket
import time

import pytest

from cauarena.agents import register_agent
from cauarena.errors import ConfigError
from cauarena.leaderboards.preflight import PreflightReport, preflight
from cauarena.leaderboards.suites import MAGIC_ID, EnvSpec, Suite, get_suite

GOTO = "cauarena/BabyAI-GoToLocal-Text-v0"
DISCOVERY = "cauarena/CausalDiscovery-v0"


def _suite(*agents, envs=(GOTO,), guards=("none",), **kwargs):
    env_specs = tuple(e if isinstance(e, EnvSpec) else EnvSpec(e) for e in envs)
    return Suite("t", envs=env_specs, agents=agents, guards=guards, seeds=1, **kwargs)


def _fails(suite, message):
    with pytest.raises(ConfigError, match=message) as caught:
        preflight(suite)
    assert "\n" not in str(caught.value)
    return str(caught.value)


def test_default_suite_passes_in_a_few_seconds():
    start = time.perf_counter()
    report = preflight(get_suite("default"))
    assert isinstance(report, PreflightReport) and time.perf_counter() - start < 10
    assert len(report.envs) == len(get_suite("default").envs)  # each distinct (id, kwargs) once
    assert ("tiny/babyai", "babyai") in {(r.spec, r.family) for r in report.agents}
    assert len({(r.spec, r.family) for r in report.agents}) == len(report.agents)


def test_misspelt_agent_says_did_you_mean():
    _fails(_suite("oracel"), r"Agent 'oracel' on babyai: No agent named 'oracel'\. Did you mean: 'oracle'\?")


def test_module_attr_that_does_not_import():
    _fails(_suite("h5_no_such_module:Agent"), r"Cannot import module 'h5_no_such_module'.*Fix: install the package")


def test_missing_extra_names_the_pip_fix(monkeypatch):
    register_agent("h5-needs", "cauarena.agents.random:RandomAgent", requires=(("h5_not_installed", "causal"),))
    _fails(_suite("h5-needs"), r"Agent 'h5-needs' on babyai: .*Fix: pip install 'cauarena\[causal\]'")


def test_unknown_backend_and_missing_checkpoint():
    _fails(_suite("opneai/llama3:8b"), r"No backend named 'opneai'\. Did you mean: 'openai'\?")
    _fails(_suite("tiny/babyai-nope"), r"No tiny model named 'babyai-nope'\. Did you mean")
    _fails(_suite("mock/first-vlid"), r"No mock backend named 'first-vlid'\. Did you mean: 'first-valid'")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_openai_server_fails_fast(monkeypatch):
    pytest.importorskip("httpx")
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{_free_port()}/v1")
    start = time.perf_counter()
    _fails(_suite("openai/llama3:8b"), r"openai/llama3:8b: cannot connect to http://127\.0\.0\.1:\d+/v1 .*"
           r"Is the server running\? Fix:")
    assert time.perf_counter() - start < 3


def test_reachable_openai_server_passes(monkeypatch):
    pytest.importorskip("httpx")
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{server.getsockname()[1]}/v1")
        report = preflight(_suite("openai/llama3:8b", guards=("none", "llm-judge/openai/judge:1b"),
                                  envs=(EnvSpec("cauarena/LifeAssist-v0", (("surface", "none"),)),)))
    assert report.agents[0].kind == "backend" and ("llm-judge/openai/judge:1b", "life_assist") in report.guards


def test_bad_env_kwarg_names_the_env_and_the_kwarg():
    _fails(_suite("random", envs=(EnvSpec(DISCOVERY, (("grpah", "er"),)),)),
           r"Env cauarena/CausalDiscovery-v0: unknown kwarg 'grpah'; did you mean 'graph'\?")
    _fails(_suite("random", envs=(EnvSpec(DISCOVERY, (("graph", "sachz"),)),)),
           r"Env cauarena/CausalDiscovery-v0 \{'graph': 'sachz'\}: graph must be one of")
    _fails(_suite("attacker-random vs defender-keyword", envs=(EnvSpec(MAGIC_ID, (("splt", "test"),)),)),
           r"Env cauarena/MAGIC-v0 \{'splt': 'test'\}: Cannot make cauarena/MAGIC-v0 with kwargs \['splt'\]")


def test_guards_are_resolved_per_family():
    life = EnvSpec("cauarena/LifeAssist-v0", (("surface", "none"),))
    _fails(_suite("oracle", envs=(life,), guards=("rulez",)), r"Guard 'rulez' on life_assist: No guard named 'rulez'\."
           r" Did you mean: 'rules'\?")
    _fails(_suite("oracle", envs=(life,), guards=("llm-judge/nope/m",)), r"No backend named 'nope'")
    report = preflight(_suite("oracle", envs=(life,), guards=("none", "rules", "classifier")))
    assert set(report.guards) == {("rules", "life_assist"), ("classifier", "life_assist")}


def test_agents_and_guards_that_play_nothing():
    _fails(_suite("heuristic", envs=(DISCOVERY,)), r"Agent 'heuristic' plays no episode of suite 't' \(its envs are "
           r"of the families causal")
    _fails(_suite("random", guards=("none", "rules")), r"Guard 'rules' plays no episode of suite 't'")


def test_two_seat_agents_resolve_each_seat():
    report = preflight(_suite("fixed[caesar] vs defender-keyword", envs=(MAGIC_ID,)))
    assert [r.spec for r in report.agents] == ["fixed[caesar]", "defender-keyword"]
    _fails(_suite("attacker-random vs defender-oracel", envs=(MAGIC_ID,)),
           r"Agent 'attacker-random vs defender-oracel' on magic: .*Did you mean: 'defender-oracle'")
    _fails(_suite("fixed[nope] vs defender-keyword", envs=(MAGIC_ID,)), r"Unknown attack operators \['nope'\]")


def test_report_says_which_agents_are_privileged(monkeypatch):
    register_agent("h5-oracle", "cauarena.agents.random:RandomAgent", families=("babyai",), privileged=True)
    report = preflight(_suite("h5-oracle", "random", "cauarena.agents.random:RandomAgent"))
    assert report.is_privileged("h5-oracle", "babyai")
    assert not report.is_privileged("random", "babyai")
    assert not report.is_privileged("cauarena.agents.random:RandomAgent", "babyai")
