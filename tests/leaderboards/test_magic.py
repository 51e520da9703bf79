"""MAGIC pairs through the runner's multi-agent path: one row per game, the defender's return, resume skips."""

from dataclasses import replace

import pytest

from cauarena.leaderboards.runner import Runner
from cauarena.leaderboards.store import ResultsStore
from cauarena.leaderboards.suites import EnvSpec, Suite, get_suite, plan


def _play(out, agents, seeds, guards=("none",), **env_kwargs):
    """Run the pairs ``agents`` on MAGIC-v0 (``env_kwargs``) into ``out``; the summary and the stored rows."""
    suite = Suite("magic", envs=(EnvSpec("cauarena/MAGIC-v0", tuple(sorted(env_kwargs.items()))),),
                  agents=tuple(agents), seeds=seeds, guards=tuple(guards))
    store = ResultsStore(str(out))
    summary = Runner(store, workers=0).run(plan(suite))
    rows = store.results()
    store.close()
    return summary, rows


def test_pairs_are_stored_and_resumed(tmp_path):
    agents = ["fixed[base64] vs defender-keyword", "fixed[base64] vs defender-refuse"]
    summary, rows = _play(tmp_path, agents, 4, max_turns=2, split="test")
    assert (summary.finished, summary.skipped) == (8, 0)
    assert _play(tmp_path, agents[:1], 4, max_turns=2, split="test")[0].skipped == 4
    assert {r.agent for r in rows} == set(agents)
    keyword = [r for r in rows if r.agent.endswith("keyword")]
    assert all(r.error_kind == "none" and "attack_success" in r.metrics for r in rows)
    assert all(r.episode_return == r.metrics["r_defender"] for r in rows)
    assert any(r.metrics["attack_success"] == 1.0 for r in keyword)  # base64 hides the keywords


def test_player_errors_are_rows_not_crashes(tmp_path):
    _, (row,) = _play(tmp_path, ["mock/raise vs defender-none"], 1, max_turns=1)
    assert row.error_kind == "agent_error" and not row.success


@pytest.mark.parametrize("guard, ended", [("approve", False), ("arenakit:StopEverythingGuard", True)])
def test_a_guard_on_the_defender_is_recorded_not_an_error(tmp_path, guard, ended):
    import arenakit  # noqa: F401  (its guards)

    _, rows = _play(tmp_path, ["fixed[plain] vs defender-none"], 2, guards=(guard,))
    assert len(rows) == 2 and all(r.error_kind == "none" and r.guard == guard for r in rows)
    assert all(r.metrics["guard_reviews"] >= 1 and r.truncated == ended for r in rows)
    assert all((r.metrics["guard_terminate"] == 1) == ended for r in rows)


def test_llm_seats_get_their_prompts():
    from cauarena.agents.magic import make_player

    assert make_player("mock/first-valid", "attacker").template.name == "magic-attacker"
    assert make_player("mock/first-valid", "defender").template.name == "magic-defender"
    with pytest.raises(Exception, match="attack"):
        make_player("fixed[rot13]", "attacker")


def test_cli_runs_the_magic_suite(tmp_path, capsys):
    from cauarena.cli import main

    out = str(tmp_path / "run")
    assert main(["run", "--suite", "magic", "--agent", "fixed[plain] vs defender-none", "--seeds", "2",
                 "--workers", "0", "--out", out, "--no-progress"]) == 0
    store = ResultsStore(out)
    rows = store.results()
    store.close()
    assert len(rows) == 2 and all(r.env_kwargs == {"split": "test"} for r in rows)


def test_suites_pair_agents_only_with_the_two_seat_env():
    for name in ("smoke", "default", "magic"):
        for spec in plan(get_suite(name)):
            # the seat envs (MAGIC-Defender/-Attacker-v0) are single-agent: single agents play them
            assert (spec.env_id == "cauarena/MAGIC-v0") == (" vs " in spec.agent), (name, spec.env_id, spec.agent)
    assert len({s.agent for s in plan(get_suite("magic"))}) == 28


def test_runner_plays_pairs(tmp_path):
    agents = ("fixed[base64] vs defender-keyword", "fixed[rot13] vs defender-none")
    suite = replace(get_suite("magic"), agents=agents, seeds=3)
    store = ResultsStore(str(tmp_path))
    summary = Runner(store, workers=0).run(plan(suite))
    rows = {r.agent: r for r in store.results()}
    trajectory = store.trajectory(rows[agents[0]].episode_key)
    store.close()
    assert summary.planned == 6
    ok = rows["fixed[base64] vs defender-keyword"]
    assert ok.error_kind == "none" and "attack_success" in ok.metrics
    assert len(trajectory.steps) == ok.steps and set(trajectory.steps[0].action) == {"attacker_0"}
    bad = rows["fixed[rot13] vs defender-none"]
    assert bad.error_kind == "agent_error" and "Unknown attack operators" in bad.error_message


def test_crossplay_heatmap_on_the_html_leaderboard(tmp_path):
    from cauarena.leaderboards.html import to_html
    from cauarena.leaderboards.plots import crossplay
    from cauarena.leaderboards.report import build_leaderboard

    _play(tmp_path, ["fixed[plain] vs defender-keyword", "fixed[base64] vs defender-keyword"], 4, max_turns=1,
          split="test")
    store = ResultsStore(str(tmp_path))
    lb = build_leaderboard(store.dataframe(), n_boot=50)
    store.close()
    matrix = crossplay(lb)
    assert matrix.loc["fixed[plain]", "defender-keyword"] == 0.0
    assert matrix.loc["fixed[base64]", "defender-keyword"] == 1.0
    assert crossplay(lb, "over_refusal").loc["fixed[plain]", "defender-keyword"] == 1.0
    page = to_html(lb)
    assert "MAGIC cross-play" in page and "rgb(255,0,0)" in page
    assert "MAGIC cross-play" not in to_html(lb[lb["env_id"] != "cauarena/MAGIC-v0"])
