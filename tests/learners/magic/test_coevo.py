"""MAGIC co-evolution: config validation, the published switch rule, the search, tiny runs, the CLI and its report."""

import json

import numpy as np
import pytest

from cauarena.agents.magic import Attack
from cauarena.errors import ConfigError
from cauarena.learners.magic import (
    CoevoConfig,
    CombinationSearch,
    MetricSwitch,
    cross_play,
    evaluate,
    mutate,
)
from cauarena.learners.magic import coevolve as train


@pytest.mark.parametrize(
    ("changes", "match"),
    [({"total_steps": 0}, "total_steps"), ({"update_freq": 0}, "update_freq"),
     ({"switch_mode": "epoch"}, "switch_mode"), ({"start_agent": "judge"}, "start_agent"),
     ({"metric_low": 0.9, "metric_high": 0.8}, "metric_low must be below metric_high"),
     ({"update_ratio": {"attacker": 0}}, "update_ratio"), ({"update_ratio": {"judge": 1}}, "update_ratio"),
     ({"max_parts": 5}, "max_parts"), ({"initial_attacks": ["rot13"]}, "Unknown attack operators"),
     ({"initial_attacks": []}, "initial_attacks")],
)
def test_config_validates(changes, match):
    with pytest.raises(ConfigError, match=match):
        CoevoConfig(**changes)
    with pytest.raises(ConfigError, match="Unknown CoevoConfig keys"):
        CoevoConfig.from_dict({"generations": 2})


def test_defaults_are_the_published_script():
    cfg = CoevoConfig()
    assert (cfg.switch_mode, cfg.update_freq, cfg.start_agent) == ("ratio", 15, "defender")
    assert (cfg.metric_low, cfg.metric_high, cfg.metric_window) == (0.80, 0.90, 3)
    rule = cfg.switch_rule()
    roles = [rule.role(step) for step in range(1, 61)]
    # the published trainer's global_steps // freq: steps 1-14 defender, 15-29 attacker, 30-44 defender, ...
    assert roles == ["defender"] * 14 + ["attacker"] * 15 + ["defender"] * 15 + ["attacker"] * 15 + ["defender"]


def test_ratio_schedule_with_update_ratios():
    rule = CoevoConfig(update_freq=2, update_ratio={"attacker": 2, "defender": 1}, start_agent="attacker")
    roles = [rule.switch_rule().role(step) for step in range(1, 9)]
    # (step // 2) % 3 indexes (attacker, attacker, defender)
    assert roles == ["attacker", "attacker", "attacker", "defender", "defender", "attacker", "attacker", "attacker"]


def test_metric_switch_uses_both_thresholds_and_keeps_its_window():
    rule = MetricSwitch("attacker", low=0.8, high=0.9, window=3)
    for harm in (1.0, 0.9, 0.9):
        rule.observe(harm)
        assert rule.role(0) == "attacker"  # an attacker phase ends only when harm falls to 0.80
    rule.observe(0.5)  # window (0.9, 0.9, 0.5): mean 0.767
    assert rule.role(0) == "defender"
    rule.observe(1.0)  # window (0.9, 0.5, 1.0): 0.80, below 0.90: the defender keeps training
    assert rule.role(0) == "defender"
    rule.observe(1.0)  # window (0.5, 1, 1): 0.83
    rule.observe(1.0)  # window (1, 1, 1)
    assert rule.role(0) == "attacker"


def test_metric_mode_run_switches_only_on_its_thresholds():
    cfg = CoevoConfig(switch_mode="metric", total_steps=12, batch_size=4, initial_attacks=("base64",), top_k=2)
    run = train(cfg)
    harm = [h for phase in run.phases for h in phase.harm]
    assert run.roles[0] == "defender" and len(harm) == 12 == len(run.roles)
    for step in range(1, 12):
        window = harm[max(0, step - 3):step]
        mean = sum(window) / len(window)
        before, after = run.roles[step - 1], run.roles[step]
        if before != after:
            assert mean >= 0.9 if before == "defender" else mean <= 0.8
        else:
            assert mean < 0.9 if before == "defender" else mean > 0.8


def test_mutations_stay_valid():
    rng = np.random.default_rng(0)
    attack = Attack()
    for _ in range(200):
        attack = mutate(attack, rng, max_ops=3, max_parts=3)
        assert len(attack.ops) <= 3 and len(set(attack.ops)) == len(attack.ops) and 1 <= attack.parts <= 3


def test_search_prefers_what_wins():
    rng = np.random.default_rng(0)
    search = CombinationSearch([Attack(), Attack(("caesar",))], rng, mutate_prob=0.0, ucb_c=0.1, max_ops=2,
                               max_parts=1)
    for _ in range(20):
        attack = search.propose()
        search.update(attack, wins=4 if attack.ops else 0, plays=4)
    assert search.best(1) == [Attack(("caesar",))]
    search.forget()
    assert search.arms["caesar"].plays < 80


def test_defender_phases_lower_the_asr_of_what_got_through():
    cfg = CoevoConfig(total_steps=3, update_freq=10, batch_size=8, initial_attacks=("base64",), top_k=1)
    run = train(cfg)
    assert run.roles == ["defender"] * 3 and len(run.defenders) == 2 and run.phases[0].retrains >= 1
    assert run.phases[0].defender_examples > 320  # the base set plus the hits and their benign twins
    before, after = evaluate(["base64"], run.defenders[0], cfg), evaluate(["base64"], run.defenders[1], cfg)
    assert before["asr"] > 0.5 and after["asr"] < before["asr"] - 0.3
    cell = evaluate(["plain"], None, cfg)
    assert cell["asr"] == 1.0 and cell["over_refusal"] == 0.0 and cell["games"] == 32


def test_attacker_phases_find_what_gets_through():
    # a search: with seed 0 it finds morse within 30 steps (seeds 2 and 3 find base64 compositions, 1 finds none)
    cfg = CoevoConfig(total_steps=30, update_freq=40, start_agent="attacker", batch_size=2, top_k=2,
                      initial_attacks=("plain",), seed=0)
    run = train(cfg)
    assert run.roles == ["attacker"] * 30 and run.attackers[0] == ["plain"] and run.phases[0].new_successful
    assert evaluate(run.attackers[1], run.defenders[0], cfg)["asr"] > evaluate(["plain"], run.defenders[0], cfg)["asr"]


@pytest.mark.slow
def test_cli_writes_the_report(tmp_path):
    from cauarena.cli import main

    assert main(["train", "magic", "--out", str(tmp_path), "--set", "total_steps=3", "--set", "update_freq=2",
                 "--set", "batch_size=4", "--set", "top_k=1"]) == 0
    data = json.loads((tmp_path / "coevo.json").read_text())
    assert data["roles"] == ["defender", "attacker", "attacker"]
    assert len(data["matrix"]) == 2 and len(data["matrix"][0]) == 2
    assert "Cross-play ASR" in (tmp_path / "REPORT.md").read_text()
    assert (tmp_path / "asr_heatmap.svg").read_text().startswith("<svg")
    lines = (tmp_path / "coevo.jsonl").read_text().splitlines()
    assert json.loads(lines[0])["event"] == "phase" and json.loads(lines[0])["role"] == "defender"


def test_cross_play_shape():
    cfg = CoevoConfig(total_steps=2, update_freq=2, batch_size=1, top_k=1, initial_attacks=("plain",))
    run = train(cfg)  # one defender step, one attacker step
    assert [p.role for p in run.phases] == ["defender", "attacker"]
    run.attackers = [["plain"]]
    assert len(cross_play(run)) == 1 and len(run.matrix[0]) == 2
