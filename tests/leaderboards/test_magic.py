"""MAGIC pairs into the results store: one row per game, the defender's return, resume skips stored games."""

import pytest

from cauarena.leaderboards.magic import evaluate_pairs, main, make_player
from cauarena.leaderboards.store import ResultsStore


def test_pairs_are_stored_and_resumed(tmp_path):
    counts = evaluate_pairs(str(tmp_path), ["fixed[base64]"], ["defender-keyword", "defender-refuse"], seeds=4,
                            max_turns=2, split="test")
    assert counts == {"played": 8, "skipped": 0}
    assert evaluate_pairs(str(tmp_path), ["fixed[base64]"], ["defender-keyword"], seeds=4, max_turns=2,
                          split="test") == {"played": 0, "skipped": 4}
    store = ResultsStore(str(tmp_path))
    rows = store.results()
    store.close()
    assert {r.agent for r in rows} == {"fixed[base64] vs defender-keyword", "fixed[base64] vs defender-refuse"}
    keyword = [r for r in rows if r.agent.endswith("keyword")]
    assert all(r.error_kind == "none" and "attack_success" in r.metrics for r in rows)
    assert all(r.episode_return == r.metrics["r_defender"] for r in rows)
    assert any(r.metrics["attack_success"] == 1.0 for r in keyword)  # base64 hides the keywords


def test_player_errors_are_rows_not_crashes(tmp_path):
    evaluate_pairs(str(tmp_path), ["mock/raise"], ["defender-none"], seeds=1, max_turns=1)
    store = ResultsStore(str(tmp_path))
    (row,) = store.results()
    store.close()
    assert row.error_kind == "agent_error" and not row.success


@pytest.mark.parametrize("guard, ended", [("approve", False), ("arenakit:StopEverythingGuard", True)])
def test_a_guard_on_the_defender_is_recorded_not_an_error(tmp_path, guard, ended):
    import arenakit  # noqa: F401  (its guards)

    from cauarena.leaderboards.runner import Runner
    from cauarena.leaderboards.suites import EnvSpec, Suite, plan

    suite = Suite("g", envs=(EnvSpec("cauarena/MAGIC-v0"),), agents=("fixed[plain] vs defender-none",), seeds=2,
                  guards=(guard,))
    store = ResultsStore(str(tmp_path))
    Runner(store, workers=0).run(plan(suite))
    rows = store.results()
    store.close()
    assert len(rows) == 2 and all(r.error_kind == "none" and r.guard == guard for r in rows)
    assert all(r.metrics["guard_reviews"] >= 1 and r.truncated == ended for r in rows)
    assert all((r.metrics["guard_terminate"] == 1) == ended for r in rows)


def test_llm_seats_get_their_prompts():
    assert make_player("mock/first-valid", "attacker").template.name == "magic-attacker"
    assert make_player("mock/first-valid", "defender").template.name == "magic-defender"
    with pytest.raises(Exception, match="attack"):
        make_player("fixed[rot13]", "attacker")


def test_cli(tmp_path, capsys):
    assert main(["--out", str(tmp_path), "--attacker", "fixed[plain]", "--defender", "defender-none",
                 "--seeds", "2", "--max-turns", "1"]) == 0
    assert "played 2 games" in capsys.readouterr().out


def test_suites_pair_agents_only_with_the_two_seat_env():
    from cauarena.leaderboards.suites import get_suite, plan

    for name in ("smoke", "default", "magic"):
        for spec in plan(get_suite(name)):
            # the seat envs (MAGIC-Defender/-Attacker-v0) are single-agent: single agents play them
            assert (spec.env_id == "cauarena/MAGIC-v0") == (" vs " in spec.agent), (name, spec.env_id, spec.agent)
    assert len({s.agent for s in plan(get_suite("magic"))}) == 28


def test_runner_plays_pairs(tmp_path):
    from dataclasses import replace

    from cauarena.leaderboards.runner import Runner
    from cauarena.leaderboards.suites import get_suite, plan

    agents = ("fixed[base64] vs defender-keyword", "fixed[rot13] vs defender-none")
    suite = replace(get_suite("magic"), agents=agents, seeds=3)
    store = ResultsStore(str(tmp_path))
    summary = Runner(store, workers=0).run(plan(suite))
    rows = {r.agent: r for r in store.results()}
    store.close()
    assert summary.planned == 6
    ok = rows["fixed[base64] vs defender-keyword"]
    assert ok.error_kind == "none" and "attack_success" in ok.metrics
    bad = rows["fixed[rot13] vs defender-none"]
    assert bad.error_kind == "agent_error" and "Unknown attack operators" in bad.error_message


def test_crossplay_heatmap_on_the_html_leaderboard(tmp_path):
    from cauarena.leaderboards.html import to_html
    from cauarena.leaderboards.magic import crossplay
    from cauarena.leaderboards.report import build_leaderboard

    evaluate_pairs(str(tmp_path), ["fixed[plain]", "fixed[base64]"], ["defender-keyword"], seeds=4, max_turns=1,
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
