import io
import re
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from cauarena.leaderboards.html import success_plot_svg, to_html
from cauarena.leaderboards.report import (
    OVERALL,
    build_leaderboard,
    render_terminal,
    results_frame,
    to_markdown,
    write_reports,
)
from cauarena.leaderboards.schema import EpisodeResult

A, B = "cauarena/A-v0", "cauarena/B-v0"


def ep(env, agent, seed, repeat=0, *, success, ret=0.0, steps=1, invalid=0, prompt=0, completion=0,
       error="none", metrics=None, guard="none"):  # fmt: skip
    return {"env_id": env, "agent": agent, "guard": guard, "seed": seed, "repeat": repeat, "success": success,
            "episode_return": ret, "steps": steps, "invalid_actions": invalid, "prompt_tokens": prompt,
            "completion_tokens": completion, "error_kind": error, "wall_time_s": 0.5,
            "metrics": metrics if metrics is not None else {}}  # fmt: skip


@pytest.fixture
def episodes():
    return pd.DataFrame([
        ep(A, "a", 0, 0, success=True, ret=1.0, steps=4, invalid=1, prompt=30, completion=10, metrics={"shd": 2.0}),
        ep(A, "a", 0, 1, success=False, ret=0.0, steps=6, prompt=50, completion=10, metrics={"shd": 4.0}),
        ep(A, "a", 1, 0, success=True, ret=2.0, steps=2, metrics={"shd": 0.0}),
        ep(A, "a", 1, 1, success=False, steps=1, prompt=100, error="agent_error"),
        ep(B, "a", 0, success=True, ret=0.5, steps=10),
        ep(B, "a", 1, success=False, ret=0.5, steps=10),
        ep(A, "b", 0, success=True, ret=5.0, steps=3),
    ])  # fmt: skip


def row(lb, env, agent, guard="none"):
    found = lb[(lb.env_id == env) & (lb.agent == agent) & (lb.guard == guard)]
    assert len(found) == 1
    return found.iloc[0]


def test_hand_worked_numbers(episodes):
    lb = build_leaderboard(episodes)
    a = row(lb, A, "a")
    assert (a.episodes, a.completed, a.envs) == (4, 3, 1)
    assert a.error_rate == pytest.approx(0.25)
    assert a.success_rate == pytest.approx(2 / 3)  # the errored episode is not a failure
    assert a.mean_return == pytest.approx(1.0)
    assert a.steps == pytest.approx(4.0)
    assert a.tokens_per_step == pytest.approx(100 / 12)
    assert a.total_tokens == pytest.approx(100 / 3)
    assert a.invalid_rate == pytest.approx(1 / 12)
    assert a.wall_time_s == pytest.approx(0.5)
    assert a["m_shd"] == pytest.approx(2.0)
    assert a["pass^1"] == pytest.approx((1 / 2 + 1) / 2)
    assert a["pass^2"] == pytest.approx(0.0)  # seed 1 has one completed repeat: left out of pass^2
    b_env = row(lb, B, "a")
    assert b_env.tokens_per_step == 0.0
    assert np.isnan(b_env["m_shd"])
    assert b_env.return_ci_low == b_env.return_ci_high == pytest.approx(0.5)
    b = row(lb, A, "b")
    assert b["pass^1"] == 1.0
    assert np.isnan(b["pass^2"])


def test_overall_is_macro_average(episodes):
    lb = build_leaderboard(episodes)
    overall = row(lb, OVERALL, "a")
    assert (overall.episodes, overall.completed, overall.envs) == (6, 5, 2)
    assert overall.success_rate == pytest.approx((2 / 3 + 1 / 2) / 2)
    assert overall.mean_return == pytest.approx((1.0 + 0.5) / 2)
    assert overall.error_rate == pytest.approx(0.125)
    assert overall["m_shd"] == pytest.approx(2.0)  # only env A reports it
    assert overall.success_ci_low <= overall.success_rate <= overall.success_ci_high
    assert overall.return_ci_low <= overall.mean_return <= overall.return_ci_high


def test_sorted_by_env_then_success_then_return_with_overall_last(episodes):
    lb = build_leaderboard(episodes)
    assert list(zip(lb.env_id, lb.agent, strict=True)) == [
        (A, "b"), (A, "a"), (B, "a"), (OVERALL, "b"), (OVERALL, "a")
    ]  # fmt: skip


def test_columns_and_no_pass_k_without_repeats(episodes):
    lb = build_leaderboard(episodes[episodes.repeat == 0].drop(columns="metrics"))
    assert list(lb.columns) == [
        "env_id", "agent", "guard", "envs", "episodes", "completed", "success_rate", "success_ci_low",
        "success_ci_high", "mean_return", "return_ci_low", "return_ci_high", "steps", "tokens_per_step",
        "total_tokens", "invalid_rate", "error_rate", "wall_time_s",
    ]  # fmt: skip


def test_error_only_group_has_no_success_but_counts_errors():
    df = pd.DataFrame([ep(A, "x", s, success=False, error="timeout") for s in range(3)])
    lb = build_leaderboard(df)
    for env in (A, OVERALL):
        x = row(lb, env, "x")
        assert (x.episodes, x.completed, x.error_rate) == (3, 0, 1.0)
        assert np.isnan(x.success_rate) and np.isnan(x.success_ci_low) and np.isnan(x.mean_return)
    assert "n/a" in to_markdown(lb)


def test_guards_are_separate_rows(episodes):
    guarded = episodes.assign(guard="mentor")
    lb = build_leaderboard(pd.concat([episodes, guarded], ignore_index=True))
    assert len(lb) == 2 * 5
    assert row(lb, A, "a", "mentor").success_rate == pytest.approx(row(lb, A, "a").success_rate)


def test_intervals_of_a_group_do_not_depend_on_other_groups(episodes):
    alone = build_leaderboard(episodes[episodes.agent == "a"])
    together = build_leaderboard(episodes)
    cols = ["success_ci_low", "success_ci_high", "return_ci_low", "return_ci_high"]
    assert row(alone, A, "a")[cols].tolist() == row(together, A, "a")[cols].tolist()


def test_metrics_as_json_strings_and_non_numeric_values():
    df = pd.DataFrame([
        ep(A, "a", 0, success=True, metrics='{"asr": 0.25, "note": "text"}'),
        ep(A, "a", 1, success=True, metrics={"asr": 0.75, "note": "more"}),
    ])  # fmt: skip
    lb = build_leaderboard(df)
    assert row(lb, A, "a")["m_asr"] == pytest.approx(0.5)
    assert "m_note" not in lb.columns


def test_env_kwargs_separate_tasks_for_pass_k():
    rows = [ep(A, "a", 0, r, success=True) | {"env_kwargs": {"size": size}} for size in (5, 7) for r in range(2)]
    lb = build_leaderboard(pd.DataFrame(rows))
    assert [c for c in lb.columns if c.startswith("pass^")] == ["pass^1", "pass^2"]


def test_from_episode_results():
    results = [
        EpisodeResult(run_id="r", suite="smoke", episode_key=f"k{s}", env_id=A, env_version=0, agent="oracle",
                      seed=s, success=s % 2 == 0, episode_return=1.0, steps=3)
        for s in range(4)
    ]  # fmt: skip
    lb = build_leaderboard(results_frame(results))
    assert row(lb, A, "oracle").success_rate == pytest.approx(0.5)


def test_empty_and_invalid_input():
    lb = build_leaderboard(pd.DataFrame(columns=["env_id", "agent", "seed", "episode_return", "success", "steps"]))
    assert lb.empty and "success_rate" in lb.columns
    assert "0 [" not in to_markdown(lb)
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['success'\]"):
        build_leaderboard(pd.DataFrame([{"env_id": A, "agent": "a", "seed": 0, "episode_return": 0, "steps": 1}]))
    mixed = pd.DataFrame([ep(A, "a", 0, success=True) | {"schema_version": v} for v in (1, 2)])
    with pytest.raises(ValueError, match="schema versions"):
        build_leaderboard(mixed)


def test_hundred_thousand_episodes_give_one_row_per_group():
    # no wall-clock assertion: speed belongs to benchmarks, and a loaded CI machine would make it flaky
    rng = np.random.default_rng(0)
    n = 100_000
    df = pd.DataFrame({
        "env_id": rng.choice([f"cauarena/E{i}-v0" for i in range(10)], n),
        "agent": rng.choice([f"agent{i}" for i in range(5)], n), "guard": rng.choice(["none", "g"], n),
        "seed": rng.integers(0, 2000, n), "repeat": 0, "episode_return": rng.normal(size=n),
        "success": rng.random(n) < 0.4, "steps": rng.integers(1, 50, n), "prompt_tokens": rng.integers(0, 500, n),
        "error_kind": np.where(rng.random(n) < 0.02, "timeout", "none"), "metrics": [{"shd": 1.0}] * n,
    })  # fmt: skip
    lb = build_leaderboard(df)
    assert len(lb) == 10 * 5 * 2 + 5 * 2


# ------------------------------------------------------------------ renderers

NASTY_AGENT = "<script>alert(1)</script>"
NASTY_ENV = "cauarena/Odd&\"'<>-v0"


@pytest.fixture
def nasty():
    df = pd.DataFrame([
        ep(NASTY_ENV, NASTY_AGENT, s, r, success=s % 2 == 0, ret=float(s), metrics={"x<y": 1.0})
        for s in range(3) for r in range(2)
    ] + [ep(A, "[bold]pipe|agent[/bold]", 0, success=True, guard="g|<b>")])  # fmt: skip
    return build_leaderboard(df)


def test_csv_has_one_row_per_env_agent_guard_and_the_required_columns(episodes, tmp_path):
    lb = build_leaderboard(episodes)
    paths = write_reports(lb, tmp_path / "out", metadata={"run_id": "r1"})
    assert {p.name for p in paths.values()} == {"leaderboard.md", "leaderboard.csv", "leaderboard.html"}
    assert all(p.exists() for p in paths.values())
    csv = pd.read_csv(paths["csv"])
    required = {"env_id", "agent", "guard", "episodes", "success_rate", "mean_return", "steps", "tokens_per_step",
                "error_rate"}  # fmt: skip
    assert required <= set(csv.columns)
    assert {"success_ci_low", "success_ci_high", "invalid_rate", "pass^2", "m_shd"} <= set(csv.columns)
    assert not csv.duplicated(["env_id", "agent", "guard"]).any()
    assert len(csv) == len(lb)


def _unescaped_pipes(line):
    return len(re.findall(r"(?<!\\)\|", line))


def test_markdown_is_well_formed_and_escaped(nasty):
    text = to_markdown(nasty, metadata={"suite": "a|b"})
    tables = [[line for line in block.splitlines() if line.startswith("|")] for block in text.split("\n## ")[1:]]
    assert sum(len(table) - 2 for table in tables) == len(nasty)  # one table per family, then the ALL rows
    for table in tables:
        assert len({_unescaped_pipes(line) for line in table}) == 1
        assert re.fullmatch(r"\|(---:?\|)+", table[1])
    assert "<script" not in text and "&lt;script&gt;" in text
    assert r"pipe\|agent" in text and r"\[bold\]" in text
    assert "suite**: a\\|b" in text


def test_markdown_has_a_table_per_family_with_only_its_metrics():
    df = pd.DataFrame([
        ep("cauarena/CausalDiscovery-v0", "pc", 0, success=False) | {"metrics": {"shd": 3.0}},
        ep("cauarena/WebShop-v0", "oracle", 0, success=True) | {"metrics": {"r_type": 1.0}},
    ])  # fmt: skip
    text = to_markdown(build_leaderboard(df))
    causal, webshop, overall = text.split("\n## ")[1:]
    assert causal.startswith("causal") and "m\\_shd" in causal and "r\\_type" not in causal
    assert webshop.startswith("webshop") and "m\\_r\\_type" in webshop and "shd" not in webshop
    assert overall.startswith("all envs") and "m\\_" not in overall


def test_terminal_shows_names_as_text(nasty):
    console = Console(record=True, width=250, file=io.StringIO())
    render_terminal(nasty, console)
    out = console.export_text()
    assert "[bold]pipe|agent[/bold]" in out
    assert NASTY_AGENT in out
    assert "0.50 [" in out or "0.67 [" in out


def test_html_escapes_every_text_and_has_no_script(nasty):
    page = to_html(nasty, title="<i>t</i>", metadata={"note<": "</dl><script>x()</script>"},
                   generated_at=datetime(2026, 1, 2, tzinfo=UTC))  # fmt: skip
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Odd&amp;&quot;&#x27;&lt;&gt;-v0" in page
    assert NASTY_ENV not in page
    assert "&lt;i&gt;t&lt;/i&gt;" in page and "<i>t</i>" not in page
    assert "2026-01-02T00:00:00+00:00" in page
    assert "m_x&lt;y" in page
    assert page.count("<svg") == 1 and "<table>" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page


def test_plot_has_one_marker_and_interval_per_row(episodes):
    lb = build_leaderboard(episodes)
    svg = success_plot_svg(lb)
    assert svg.count("<circle") == len(lb)
    assert svg.count("<path") == len(lb)
    assert "All envs (macro average)" in svg
