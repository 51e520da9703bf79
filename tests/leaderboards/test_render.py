import io
import json

import pandas as pd
import pytest
from rich.console import Console

from cauarena.envs.headline import Metric
from cauarena.leaderboards import headline, plots
from cauarena.leaderboards.headline import family_headline
from cauarena.leaderboards.report import build_leaderboard, render_terminal, to_csv, to_json, to_latex, to_markdown

CD, SCI, LIFE, MAGIC = ("cauarena/CausalDiscovery-v0", "cauarena/CauScientist-v0", "cauarena/LifeAssist-v0",
                        "cauarena/MAGIC-v0")  # fmt: skip


def test_each_family_declares_its_headline_next_to_its_env():
    keys = {family: [m.key for m in family_headline(family)] for family in
            ("causal", "caugym", "webshop", "babyai", "life_assist", "magic", "magic-defender")}  # fmt: skip
    assert keys["causal"] == ["auprc", "shd", "f1", "f1_gain"]
    assert keys["caugym"][0] == "correct" and "correct_ATE" in keys["caugym"] and keys["caugym"][-1] == "false_alarm"
    assert keys["webshop"] == ["reward", "success", "steps", "tokens"]
    assert keys["babyai"] == ["success", "steps", "tokens"]
    assert keys["life_assist"] == ["utility", "utility_under_attack", "asr", "violation_rate", "safe_and_helpful",
                                   "over_refusal"]  # fmt: skip
    assert keys["magic"] == keys["magic-defender"] == ["return", "asr", "over_refusal_rate"]
    assert family_headline("no-such-family") == headline.DEFAULT_HEADLINE
    with pytest.raises(ValueError, match="axis must be one of"):
        Metric("x", "x", axis="sideways")


def _ep(env, agent, seed, *, metrics, success=False, guard="none", kwargs=None, wall=0.000123):
    return {"env_id": env, "env_kwargs": kwargs or {}, "agent": agent, "guard": guard, "seed": seed, "steps": 2,
            "episode_return": float(success), "success": success, "wall_time_s": wall, "metrics": metrics}  # fmt: skip


@pytest.fixture(scope="module")
def board():
    rows = [_ep(CD, a, s, metrics={"auprc": 0.5 + 0.1 * s, "shd": float(s), "f1": 0.5}) for a in ("pc", "ges")
            for s in range(4)]  # fmt: skip
    rows += [_ep(SCI, "pc", s, metrics={"f1": 0.7, "shd": 3.0, "f1_gain": 0.2}) for s in range(4)]
    rows += [_ep(MAGIC, "atk vs def", s, metrics={"harmful": float(s % 2), "attack_success": float(s == 1),
                                                  "over_refusal": float(s == 0)}) for s in range(4)]  # fmt: skip
    for guard in ("none", "rules"):
        blocked = float(guard == "rules")
        rows += [_ep(LIFE, "naive", s, guard=guard, kwargs={"surface": "memory"},
                     metrics={"asr": 1 - blocked, "guard_reviews": 2.0, "guard_reject": blocked} if guard == "rules"
                     else {"asr": 1.0}) for s in range(4)]  # fmt: skip
        rows += [_ep(LIFE, "naive", s, guard=guard, kwargs={"surface": "none"}, success=True,
                     metrics={"utility": 1.0, "guard_reviews": 2.0, "guard_reject": float(s == 0)} if guard == "rules"
                     else {"utility": 1.0}) for s in range(4)]  # fmt: skip
    return build_leaderboard(pd.DataFrame(rows), n_boot=100)


def _row(lb, env, agent, config="defaults", guard="none"):
    found = lb[(lb.env_id == env) & (lb.agent == agent) & (lb.config == config) & (lb.guard == guard)]
    assert len(found) == 1
    return found.iloc[0]


def test_derived_headline_metrics(board):
    game = _row(board, MAGIC, "atk vs def")
    assert game["m_asr"] == 0.5 and game["m_over_refusal_rate"] == 0.5  # over harmful / benign games only
    assert game["m_over_refusal"] == 0.25  # the env's own metric is kept as it is
    guarded = _row(board, LIFE, "naive", "*", "rules")
    assert guarded["m_guard_blocked_attack"] == 1.0 and guarded["m_guard_false_block"] == 0.25
    assert pd.isna(_row(board, LIFE, "naive", "*")["m_guard_blocked_attack"])  # unguarded: no guard columns
    assert _row(board, LIFE, "naive", "surface=memory")["m_asr"] == 1.0  # LifeAssist's own asr, not MAGIC's


def test_terminal_shows_each_familys_headline_with_intervals(board):
    console = Console(record=True, width=200, file=io.StringIO())
    tables = render_terminal(board, console)
    text = console.export_text()
    assert len(tables) == 4  # causal, life_assist, magic, all envs
    causal = text[text.index(": causal"):text.index(": life_assist")]
    assert "AUPRC \u2191" in causal and "SHD \u2193" in causal and "F1 gain" in causal and "success" not in causal
    assert "CausalDiscovery-v0" in causal and "0.650 [" in causal
    life = text[text.index(": life_assist"):text.index(": magic")]
    assert "LifeAssist-v0 [surface=memory]" in life and "[all 2 configs]" in life and "blocked attacks" in life
    console = Console(record=True, width=200, file=io.StringIO())
    render_terminal(board, console, columns=["shd"])
    chosen = console.export_text()
    assert "SHD" in chosen and "AUPRC" not in chosen
    with pytest.raises(ValueError, match="no column 'nope'.*auprc"):
        render_terminal(board, console, columns=["nope"])


def test_markdown_csv_json_latex_carry_the_headline_and_everything(board):
    md = to_markdown(board)
    assert "AUPRC \u2191" in md and "m\\_auroc" not in md and "m\\_f1\\_gain" not in md  # shown as "F1 gain"
    assert "1.23e-04" in md or "0.000123" in md  # wall time with significant digits, not 0.00
    csv = pd.read_csv(io.StringIO(to_csv(board)))
    assert {"config", "m_auprc_ci_low", "steps_ci_high", "total_tokens_ci_low"} <= set(csv.columns)
    assert list(pd.read_csv(io.StringIO(to_csv(board, ["auprc"]))).columns)[-3:] == ["m_auprc", "m_auprc_ci_low",
                                                                                     "m_auprc_ci_high"]  # fmt: skip
    doc = json.loads(to_json(board, metadata={"suite": "x"}))
    assert doc["metadata"] == {"suite": "x"} and doc["headline"]["causal"][0]["column"] == "m_auprc"
    assert len(doc["rows"]) == len(board) and doc["rows"][0]["m_auprc"] is None  # CauScientist: null, not NaN
    assert any(row["m_auprc"] == pytest.approx(0.65) for row in doc["rows"])
    tex = to_latex(board)
    assert tex.count("\\toprule") == tex.count("\\bottomrule") == 4 and "\\midrule" in tex
    assert "AUPRC $\\uparrow$" in tex and "atk vs def" in tex and "surface=memory" in tex


def test_plots_per_family(board):
    found = plots.family_plots(board)
    assert {"causal-auprc", "causal-shd", "life-assist-utility-vs-asr", "magic-asr"} <= set(found)
    assert "causal-auprc" in found and found["causal-auprc"][1].count("<circle") == 2  # pc, ges; CauScientist n/a
    assert "n/a" in found["causal-auprc"][1]
