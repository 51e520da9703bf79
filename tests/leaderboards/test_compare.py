import json
import math

import pandas as pd
import pytest

from cauarena.errors import ConfigError
from cauarena.leaderboards import compare


def frame():
    rows = []
    for seed in range(30):
        for agent, steps, tokens, success in (("bc", 10, 50, seed % 2), ("kto", 8, 40, seed % 2), ("depo", 6, 20, 1)):
            rows.append({"agent": agent, "env_id": "e", "seed": seed, "repeat": 0, "success": bool(success),
                         "episode_return": float(success), "prompt_tokens": tokens * 4, "completion_tokens": tokens,
                         "steps": steps + seed % 3, "error_kind": "none"})
    return pd.DataFrame(rows)


def test_summaries_and_paired_changes():
    report = compare.compare(frame(), "depo", ["bc", "kto"], n_boot=500)
    by_agent = {row["agent"]: row for row in report["agents"]}
    assert by_agent["depo"]["episodes"] == 30 and by_agent["depo"]["success"][0] == 1.0
    assert by_agent["bc"]["generated_tokens_per_step"] == pytest.approx(50 * 30 / (10 * 30 + 30))
    steps = report["changes"]["bc"]["steps"]
    assert steps["change"] == pytest.approx((6 * 30 + 30) / (10 * 30 + 30) - 1) and steps["pairs"] == 30
    assert steps["low"] <= steps["change"] <= steps["high"]
    assert report["changes"]["kto"]["generated_tokens"]["change"] == pytest.approx(-0.5)
    text = compare.to_markdown(report)
    assert "| depo | 30 | 0 |" in text and "Change of depo" in text


def test_unknown_agent_and_nan_handling():
    with pytest.raises(ConfigError, match="No episodes of"):
        compare.compare(frame(), "grpo", ["bc"])
    zero = frame().assign(episode_return=0.0)
    report = compare.compare(zero, "depo", ["bc"], n_boot=50)
    assert math.isnan(report["changes"]["bc"]["reward"]["change"]) and "n/a" in compare.to_markdown(report)
    json.dumps(compare.report_json(report), allow_nan=False)


def test_an_errored_episode_counts_as_a_failure_with_what_it_spent():
    df = frame()
    errored = {**df.iloc[-1].to_dict(), "seed": 99, "error_kind": "timeout", "success": False, "episode_return": 0.0}
    report = compare.compare(pd.concat([df, pd.DataFrame([errored])], ignore_index=True), "depo", ["bc"], n_boot=50)
    depo = next(row for row in report["agents"] if row["agent"] == "depo")
    assert (depo["episodes"], depo["errors"]) == (31, 1)
    assert depo["success"][0] == pytest.approx(30 / 31)
    assert depo["success"][1] < 30 / 31 < depo["success"][2]  # Wilson: never [1, 1] from one failure away
    assert report["changes"]["bc"]["steps"]["pairs"] == 30  # bc has no seed 99 to pair with
    assert "| depo | 31 | 1 |" in compare.to_markdown(report)


def test_report_does_not_depend_on_row_order():
    df = frame()
    first = compare.compare(df, "depo", ["bc"], n_boot=200)
    second = compare.compare(df.sample(frac=1.0, random_state=3), "depo", ["bc"], n_boot=200)
    assert compare.to_markdown(first) == compare.to_markdown(second)
    assert json.dumps(compare.report_json(first)) == json.dumps(compare.report_json(second))


def test_success_interval_of_all_successes_is_not_a_point():
    report = compare.compare(frame(), "depo", ["bc"], n_boot=50)
    depo = next(row for row in report["agents"] if row["agent"] == "depo")
    assert depo["success"][0] == depo["success"][2] == 1.0 and depo["success"][1] < 0.9


def test_per_env_paired_differences_keep_configurations_apart():
    rows = []
    for kwargs, gap in (({}, 0.0), ({"surface": "memory"}, 1.0)):
        for seed in range(6):
            for agent, success in (("t", True), ("b", gap == 0.0 or seed % 2 == 0)):
                rows.append({"agent": agent, "env_id": "cauarena/LifeAssist-v0", "env_kwargs": kwargs, "seed": seed,
                             "repeat": 0, "success": success, "episode_return": float(success), "prompt_tokens": 0,
                             "completion_tokens": 0, "steps": 3})  # fmt: skip
    report = compare.compare(pd.DataFrame(rows), "t", ["b"], n_boot=300)
    assert report["changes"]["b"]["success"]["pairs"] == 12  # the same seed in two configurations: two pairs
    per_env = report["per_env"]
    assert set(per_env) == {"cauarena/LifeAssist-v0", "cauarena/LifeAssist-v0 [surface=memory]"}
    same = per_env["cauarena/LifeAssist-v0"]["b"]["success"]
    assert (same["difference"], same["low"], same["high"], same["pairs"]) == (0.0, 0.0, 0.0, 6)
    better = per_env["cauarena/LifeAssist-v0 [surface=memory]"]["b"]["success"]
    assert better["difference"] == 0.5 and 0.0 <= better["low"] <= 0.5 <= better["high"] <= 1.0
    assert "| cauarena/LifeAssist-v0 [surface=memory] | b | 6 | +0.50 [" in compare.to_markdown(report)


def test_compare_command(tmp_path):
    from typer.testing import CliRunner

    from cauarena.cli import app
    from cauarena.leaderboards.schema import EpisodeResult
    from cauarena.leaderboards.store import ResultsStore

    store = ResultsStore(tmp_path)
    for row in frame().to_dict(orient="records"):
        fields = {k: row[k] for k in ("agent", "seed", "success", "episode_return", "steps", "prompt_tokens",
                                      "completion_tokens")}  # fmt: skip
        store.add(EpisodeResult(run_id="r", suite="s", episode_key=f"{row['agent']}{row['seed']}",
                                env_id="cauarena/X-v0", env_version=0, **fields))
    store.close()
    out = tmp_path / "report.json"
    result = CliRunner().invoke(app, ["compare", "--out", str(tmp_path), "--target", "depo", "--baseline", "bc",
                                      "--json", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Change of depo" in result.output and "Per env" in result.output
    assert json.loads(out.read_text())["per_env"]["cauarena/X-v0"]["bc"]["steps"]["pairs"] == 30
    missing = CliRunner().invoke(app, ["compare", "--out", str(tmp_path / "none"), "--target", "a", "--baseline", "b"])
    assert missing.exit_code != 0
