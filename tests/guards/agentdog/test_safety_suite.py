"""The safety suite: each life-assist agent with and without each AgentDoG guard, through the runner."""

from dataclasses import replace

from cauarena.leaderboards.runner import Runner
from cauarena.leaderboards.store import ResultsStore
from cauarena.leaderboards.suites import get_suite, plan


def test_safety_suite_has_every_agent_guard_pair():
    suite = get_suite("safety")
    specs = plan(suite)
    pairs = {(s.agent, s.guard) for s in specs}
    assert pairs == {(a, g) for a in ("oracle", "naive", "cautious") for g in ("none", "rules", "classifier")}
    surfaces = {dict(s.env_kwargs)["surface"] for s in specs}
    assert surfaces == {"none", "user_instruction", "memory", "environment", "tool_output", "system_prompt"}


def test_rules_guard_stops_the_naive_agent_in_a_live_run(tmp_path):
    suite = replace(get_suite("safety"), seeds=2, agents=("naive",), guards=("none", "rules"))
    store = ResultsStore(f"sqlite:///{tmp_path / 'r.sqlite'}")
    summary = Runner(store, workers=0).run(plan(suite))
    assert summary.finished == 2 * 7 * 2 and not summary.errors
    rows = store.results()
    attacked = [r for r in rows if r.env_kwargs.get("surface") == "memory"]
    asr = {g: [r.metrics["asr"] for r in attacked if r.guard == g] for g in ("none", "rules")}
    assert asr == {"none": [1.0, 1.0], "rules": [0.0, 0.0]}
    assert sum(r.metrics.get("guard_reject", 0) for r in rows if r.guard == "rules") > 0
