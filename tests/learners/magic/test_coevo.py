"""MAGIC co-evolution: config validation, the combination search, a tiny run, the CLI and its report."""

import doctest
import json

import numpy as np
import pytest

from cauarena.agents.magic import Attack
from cauarena.errors import ConfigError
from cauarena.learners.magic import CoevoConfig, CombinationSearch, cross_play, evaluate, mutate, report, train
from cauarena.learners.magic.__main__ import main


def test_report_doctests():
    assert doctest.testmod(report).failed == 0


@pytest.mark.parametrize(
    ("changes", "match"),
    [({"generations": 0}, "generations"), ({"harm_threshold": 2}, "harm_threshold"),
     ({"max_parts": 5}, "max_parts"), ({"initial_attacks": ["rot13"]}, "Unknown attack operators"),
     ({"initial_attacks": []}, "initial_attacks")],
)
def test_config_validates(changes, match):
    with pytest.raises(ConfigError, match=match):
        CoevoConfig(**changes)
    with pytest.raises(ConfigError, match="Unknown CoevoConfig keys"):
        CoevoConfig.from_dict({"generation": 2})


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


def test_tiny_run_retrains_the_defender_on_what_got_through():
    cfg = CoevoConfig(generations=1, rounds_per_phase=4, batch_size=4, initial_attacks=("base64",), top_k=2)
    run = train(cfg)
    assert len(run.defenders) == 2 and len(run.attackers) == 2 and run.phases[0].asr > 0
    assert run.phases[0].defender_examples > 320  # the base set plus the hits and their benign twins
    assert not np.array_equal(run.defenders[0].weights, run.defenders[1].weights)
    cell = evaluate(["plain"], None, cfg)
    assert cell["asr"] == 1.0 and cell["over_refusal"] == 0.0 and cell["games"] == 32


@pytest.mark.slow
def test_cli_writes_the_report(tmp_path):
    assert main(["--out", str(tmp_path), "--set", "generations=1", "--set", "rounds_per_phase=3",
                 "--set", "batch_size=4", "--set", "top_k=1"]) == 0
    data = json.loads((tmp_path / "coevo.json").read_text())
    assert len(data["matrix"]) == 2 and len(data["matrix"][0]) == 2
    assert "Cross-play ASR" in (tmp_path / "REPORT.md").read_text()
    assert (tmp_path / "asr_heatmap.svg").read_text().startswith("<svg")
    lines = (tmp_path / "coevo.jsonl").read_text().splitlines()
    assert json.loads(lines[0])["event"] == "generation"


def test_cross_play_shape():
    cfg = CoevoConfig(generations=1, rounds_per_phase=1, batch_size=1, top_k=1, initial_attacks=("plain",))
    run = train(cfg)
    run.attackers = [["plain"]]
    assert len(cross_play(run)) == 1 and len(run.matrix[0]) == 2
