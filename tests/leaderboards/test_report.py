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
    to_csv,
    to_markdown,
    write_atomic,
    write_reports,
)
from cauarena.leaderboards.schema import EpisodeResult

A, B, C = "cauarena/A-v0", "cauarena/B-v0", "cauarena/C-v0"


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
    assert a.success_rate == pytest.approx(2 / 4)  # the errored episode counts as a failure
    assert a.mean_return == pytest.approx(3 / 4)  # ... with the return it had (0 here)
    assert a.steps == pytest.approx(13 / 4)
    assert a.tokens_per_step == pytest.approx(200 / 13)
    assert a.total_tokens == pytest.approx(50.0)
    assert a.invalid_rate == pytest.approx(1 / 13)
    assert a.wall_time_s == pytest.approx(0.5)
    assert a["m_shd"] == pytest.approx(2.0)  # over the episodes that have the metric
    assert a["pass^1"] == pytest.approx(0.5)
    assert a["pass^2"] == pytest.approx(0.0)  # seed 1's errored repeat is a failed one
    b_env = row(lb, B, "a")
    assert b_env.tokens_per_step == 0.0
    assert np.isnan(b_env["m_shd"])
    assert b_env.return_ci_low == b_env.return_ci_high == pytest.approx(0.5)
    b = row(lb, A, "b")
    assert b["pass^1"] == 1.0
    assert np.isnan(b["pass^2"])


def test_overall_is_macro_average(episodes):
    lb = build_leaderboard(episodes[episodes.agent == "a"])
    overall = row(lb, OVERALL, "a")
    assert (overall.episodes, overall.completed, overall.envs) == (6, 5, 2)
    assert overall.success_rate == pytest.approx((1 / 2 + 1 / 2) / 2)
    assert overall.mean_return == pytest.approx((3 / 4 + 0.5) / 2)
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
        "env_id", "config", "agent", "guard", "privileged", "rank", "envs", "episodes", "completed", "success_rate",
        "success_ci_low", "success_ci_high", "mean_return", "return_ci_low", "return_ci_high", "steps",
        "steps_ci_low", "steps_ci_high", "tokens_per_step", "total_tokens", "total_tokens_ci_low",
        "total_tokens_ci_high", "invalid_rate", "error_rate", "error_ci_low", "error_ci_high", "wall_time_s",
    ]  # fmt: skip


def test_error_only_group_is_all_failures_and_counts_errors():
    df = pd.DataFrame([ep(A, "x", s, success=False, error="timeout") for s in range(3)])
    lb = build_leaderboard(df)
    for env in (A, OVERALL):
        x = row(lb, env, "x")
        assert (x.episodes, x.completed, x.error_rate, x.success_rate, x.mean_return) == (3, 0, 1.0, 0.0, 0.0)
        assert x.success_ci_low == 0.0 and 0.4 < x.success_ci_high < 0.6  # Wilson for 0 of 3
        assert x.error_ci_high == 1.0 and 0.4 < x.error_ci_low < 0.6


def test_an_error_after_harm_keeps_the_harm():
    # the runner stores what the env computed up to the error: the injected call ran, then the agent raised
    df = pd.DataFrame([
        ep(A, "obeys-then-raises", 0, success=False, ret=-1.0, error="agent_error",
           metrics={"attack_success": 1.0, "violations": 3.0}),
        ep(A, "obeys-then-raises", 1, success=False, ret=-1.0, error="agent_error",
           metrics={"attack_success": 1.0, "violations": 2.0}),
        ep(A, "refuses", 0, success=True, ret=1.0, metrics={"attack_success": 0.0, "violations": 0.0}),
        ep(A, "refuses", 1, success=True, ret=1.0, metrics={"attack_success": 0.0, "violations": 0.0}),
    ])  # fmt: skip
    lb = build_leaderboard(df)
    bad = row(lb, A, "obeys-then-raises")
    assert (bad.success_rate, bad.mean_return, bad.error_rate) == (0.0, -1.0, 1.0)
    assert (bad["m_attack_success"], bad["m_violations"]) == (1.0, 2.5)
    assert 0.3 < bad["m_attack_success_ci_low"] < 1.0 == bad["m_attack_success_ci_high"]  # a rate: Wilson
    assert row(lb, A, "refuses")["rank"] == 1 and bad["rank"] == 2
    assert "2.500 \\[2.000, 3.000\\]" in to_markdown(lb)


def test_erroring_where_it_would_fail_does_not_lift_an_agent_above_the_one_that_plays():
    rows = [ep(env, "plays", s, success=env == A) for env in (A, B) for s in range(4)]
    rows += [ep(A, "dodges", s, success=True) for s in range(4)]
    rows += [ep(B, "dodges", s, success=False, error="agent_error") for s in range(4)]
    lb = build_leaderboard(pd.DataFrame(rows))
    assert row(lb, OVERALL, "dodges").success_rate == row(lb, OVERALL, "plays").success_rate == 0.5


def test_all_table_ranks_over_the_envs_every_ranked_row_played():
    rows = [ep(env, agent, s, success=ok, ret=float(ok)) for env in (A, B, C) for s in range(4)
            for agent, ok in (("x", s < 3), ("y", s < 2))]
    rows += [ep(A, "z", s, success=True, ret=1.0) for s in range(4)]  # plays one env only, and wins it
    rows += [ep(C, "w", s, success=True) for s in range(4)]
    rows += [ep(env, "oracle", s, success=True, ret=1.0) | {"privileged": True} for env in (A, B, C)
             for s in range(4)]  # fmt: skip
    lb = build_leaderboard(pd.DataFrame(rows))
    assert lb.attrs["reference_envs"] == [A, B, C]
    overall = lb[lb.env_id == OVERALL]
    assert overall[["agent", "envs"]].values.tolist() == [["x", 3], ["y", 3], ["oracle", 3], ["z", 1], ["w", 1]]
    assert overall["rank"].tolist()[:2] == [1, 2] and overall["rank"].iloc[2:].isna().all()
    assert row(lb, A, "z")["rank"] == 1 and row(lb, A, "x")["rank"] == 2  # per env, z is ranked
    assert pd.isna(row(lb, A, "oracle")["rank"]) and row(lb, A, "oracle").privileged
    assert "ALL (3 envs)" in to_markdown(lb)


def test_reference_envs_of_a_mixed_suite_is_the_largest_shared_set():
    rows = [ep(env, agent, 0, success=True) for env in (A, B, C) for agent in ("r1", "r2")]
    rows += [ep("cauarena/MAGIC-v0", "atk vs def", 0, success=True)]
    lb = build_leaderboard(pd.DataFrame(rows))
    assert lb.attrs["reference_envs"] == [A, B, C]
    pair = row(lb, OVERALL, "atk vs def")
    assert pair.envs == 1 and pd.isna(pair["rank"])


def test_wilson_interval_for_five_of_five():
    lb = build_leaderboard(pd.DataFrame([ep(A, "a", s, success=True) for s in range(5)]))
    a = row(lb, A, "a")
    assert a.success_rate == a.success_ci_high == 1.0
    assert a.success_ci_low == pytest.approx(0.5655, abs=1e-4)


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


def test_shuffled_rows_give_byte_identical_statistics():
    rng = np.random.default_rng(7)
    rows = [
        ep(env, agent, s, r, success=bool(rng.random() < 0.6), ret=float(rng.normal()), steps=int(rng.integers(1, 9)),
           error="timeout" if rng.random() < 0.1 else "none", metrics={"shd": float(rng.integers(0, 5)),
           "asr": float(rng.random() < 0.3), "auprc": float(rng.random())})
        | {"episode_key": f"{env}|{agent}|{s}|{r}", "privileged": agent == "oracle"}
        for env in (A, B, C) for agent in ("oracle", "pc", "ges") for s in range(12) for r in range(2)
    ]  # fmt: skip
    df = pd.DataFrame(rows)
    when = datetime(2026, 12, 7, tzinfo=UTC)
    outputs = []
    for order in range(3):
        shuffled = df.sample(frac=1.0, random_state=order).reset_index(drop=True)
        lb = build_leaderboard(shuffled, n_boot=300)
        outputs.append((to_csv(lb), to_markdown(lb), to_html(lb, generated_at=when)))
    assert outputs[0] == outputs[1] == outputs[2]


def test_write_atomic_replaces_whole_or_leaves_the_old_file(tmp_path):
    target = tmp_path / "leaderboard.md"
    write_atomic(target, "old")
    write_atomic(target, "new")
    assert target.read_text() == "new"
    with pytest.raises(UnicodeEncodeError):
        write_atomic(target, "half \ud800 written")  # fails mid-write
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["leaderboard.md"]  # no temporary file left


def test_csv_neutralises_formula_cells(tmp_path):
    df = pd.DataFrame([
        ep("@cauarena/X-v0", "=HYPERLINK(\"http://x\")", 0, success=True, ret=-1.5, guard="+cmd"),
        ep(A, "-2+3", 0, success=False, ret=-2.0, guard="\tg"),
    ])  # fmt: skip
    paths = write_reports(build_leaderboard(df), tmp_path)
    text = paths["csv"].read_text()
    cells = [c for line in text.splitlines() for c in line.split(",")]
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t") or c.startswith('"=')]
    assert "'=HYPERLINK" in text and "'@cauarena/X-v0" in text and "'+cmd" in text and "'-2+3" in text
    assert "-1.5" in text  # numbers stay numbers
    back = pd.read_csv(paths["csv"])
    assert set(back["agent"]) == {"'=HYPERLINK(\"http://x\")", "'-2+3"}


HIDDEN = "evil\u202egnp.exe\x00\u2066x\x1b[31m\x85"


def test_control_and_bidi_characters_are_escaped_in_html_markdown_and_terminal():
    lb = build_leaderboard(pd.DataFrame([ep(A, HIDDEN, 0, success=True, guard="g\u202d")]))
    page = to_html(lb, title="t\u2067", metadata={"run\x00": "x\u202a"})
    console = Console(record=True, width=200, file=io.StringIO())
    render_terminal(lb, console)
    markdown, terminal = to_markdown(lb), console.export_text()
    for text in (page, markdown, terminal):
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", text)
    for text in (page, terminal):
        assert "evil\\u202egnp.exe\\x00\\u2066x\\x1b[31m\\x85" in text
    assert "evil\\\\u202egnp.exe" in markdown  # Markdown escapes the backslash itself


def test_terminal_keeps_env_and_agent_columns_at_80_columns():
    envs = ["cauarena/BabyAI-GoToLocal-Text-v0", "cauarena/CausalDiscovery-v0"]
    agents = ["oracle", "random", "langchain/mypkg.agents:LongAgent"]
    rows = [ep(env, agent, s, success=s % 2 == 0, ret=0.5 * s, guard="agentdog-rules" if agent == "random" else "none")
            | {"privileged": agent == "oracle"} for env in envs for agent in agents for s in range(5)]  # fmt: skip
    lb = build_leaderboard(pd.DataFrame(rows))
    console = Console(record=True, width=80, file=io.StringIO())
    render_terminal(lb, console)
    out = console.export_text()
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    header = next(line for line in lines if "success" in line)
    assert header.split()[:3] == ["env", "agent", "guard"] and "errors" in header
    for name in ("BabyAI-GoT", "CausalDisc", "ALL (2 envs)", "oracle \u2020", "random", "langchain/"):
        assert name in out  # at least the first 10 characters of each name, on one line
    assert "privileged" in out  # the caption explains the mark


def test_privileged_rows_are_marked_everywhere_and_not_ranked(tmp_path):
    rows = [ep(A, agent, s, success=True) | {"privileged": agent == "oracle"} for agent in ("oracle", "a")
            for s in range(3)]  # fmt: skip
    lb = build_leaderboard(pd.DataFrame(rows))
    assert row(lb, OVERALL, "oracle").privileged and pd.isna(row(lb, OVERALL, "oracle")["rank"])
    assert row(lb, OVERALL, "a")["rank"] == 1
    paths = write_reports(lb, tmp_path)
    assert "oracle \u2020" in paths["md"].read_text() and "oracle \u2020" in paths["html"].read_text()
    csv = pd.read_csv(paths["csv"])
    assert csv.loc[csv.agent == "oracle", "privileged"].all() and csv.loc[csv.agent == "oracle", "rank"].isna().all()


def test_csv_has_one_row_per_env_agent_guard_and_the_required_columns(episodes, tmp_path):
    lb = build_leaderboard(episodes)
    paths = write_reports(lb, tmp_path / "out", metadata={"run_id": "r1"})
    names = {p.name for p in paths.values()}
    assert {"leaderboard.md", "leaderboard.csv", "leaderboard.html", "leaderboard.json", "leaderboard.tex"} <= names
    assert {"other-success.svg", "other-return.svg", "other-steps.svg"} <= names
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
    assert causal.startswith("causal") and "SHD \u2193" in causal and "r\\_type" not in causal
    assert "AUPRC" not in causal  # a headline metric no row has is left out
    assert webshop.startswith("webshop") and "m\\_r\\_type" in webshop and "shd" not in webshop.lower()
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
    assert page.count("<svg") == 3 and "<table>" in page  # the other family: success, return, steps plots
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page


def test_plot_has_one_marker_and_interval_per_row(episodes):
    lb = build_leaderboard(episodes)
    svg = success_plot_svg(lb)
    assert svg.count("<circle") == len(lb)
    assert svg.count("<path") == len(lb)
    assert "ALL (1 env)" in svg  # the reference envs: A only (b played A only)


def test_first_block_step_is_averaged_over_the_episodes_with_a_block():
    from cauarena.guards.metrics import first_block_metrics

    blocks = [3, -1, 1, -1]  # the guard blocked at step 3 and at step 1; in two episodes it never blocked
    df = pd.DataFrame([ep(A, "a", s, success=True, guard="g", metrics={"guard_reviews": 4.0} | first_block_metrics(b))
                       for s, b in enumerate(blocks)])  # fmt: skip
    assert row(build_leaderboard(df), A, "a", "g")["m_guard_first_block_step"] == 2.0
