from dataclasses import replace

import pandas as pd
import pytest

from cauarena.errors import ConfigError
from cauarena.leaderboards.configs import ALL_CONFIGS, config_label, kwargs_key, stored_labels, suite_labels
from cauarena.leaderboards.report import OVERALL, build_leaderboard, to_markdown
from cauarena.leaderboards.store import ResultsStore
from cauarena.leaderboards.suites import BUILTIN_SUITES, get_suite, load_suite_file, plan

LIFE = "cauarena/LifeAssist-v0"


@pytest.mark.parametrize("name", sorted(BUILTIN_SUITES))
def test_a_label_never_changes_the_planned_episode_keys(name):
    suite = get_suite(name)
    before = [e.key for e in plan(suite)]
    labelled = replace(suite, envs=tuple(replace(env, label=f"row {i}") for i, env in enumerate(suite.envs)))
    assert [e.key for e in plan(labelled)] == before
    assert len(set(before)) == len(before)


def test_suite_file_labels_and_duplicates(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('name = "mine"\nagents = ["oracle"]\n'
                    f'[[envs]]\nid = "{LIFE}"\nkwargs = {{surface = "memory"}}\nlabel = "memory injection"\n'
                    f'[[envs]]\nid = "{LIFE}"\n')
    suite = load_suite_file(path)
    assert [e.label for e in suite.envs] == ["memory injection", ""]
    assert suite_labels(suite) == [[LIFE, {"surface": "memory"}, "memory injection"]]
    path.write_text(path.read_text() + f'[[envs]]\nid = "{LIFE}"\nkwargs = {{surface = "memory"}}\nlabel = "again"\n')
    with pytest.raises(ConfigError, match=r"envs\[2\]: the same env"):
        load_suite_file(path)
    path.write_text(f'agents = ["oracle"]\n[[envs]]\nid = "{LIFE}"\nlabel = 3\n')
    with pytest.raises(ConfigError, match=r"envs\[0\]\.label: expected a non-empty string"):
        load_suite_file(path)


def test_label_from_the_kwargs_that_differ_from_the_defaults():
    assert config_label(LIFE, {"surface": "tool_output", "style": "scam"}) == "style=scam, surface=tool_output"
    assert config_label(LIFE, {"surface": "none", "max_steps": 40}) == "defaults"  # both are its defaults
    assert config_label("cauarena/CauScientist-v0", '{"init": ["empty", "pc"], "m": 1000}') == "init=empty+pc, m=1000"
    assert config_label("cauarena/Unknown-v0", {"x": 1.5}) == "x=1.5"
    labels = {(LIFE, kwargs_key({"surface": "memory"})): "memory injection"}
    assert config_label(LIFE, {"surface": "memory"}, labels) == "memory injection"


def _ep(kwargs, agent, seed, *, success, metrics):
    return {"env_id": LIFE, "env_kwargs": kwargs, "agent": agent, "seed": seed, "episode_return": float(success),
            "success": success, "steps": 3, "metrics": metrics}  # fmt: skip


def test_rows_per_configuration_with_an_aggregate_and_all_over_envs(tmp_path):
    rows = [_ep({"surface": "none"}, a, s, success=a == "good", metrics={"utility": float(a == "good")})
            for a in ("good", "bad") for s in range(4)]  # fmt: skip
    rows += [_ep({"surface": "memory"}, a, s, success=a == "good", metrics={"asr": float(a == "bad")})
             for a in ("good", "bad") for s in range(4)]  # fmt: skip
    rows += [_ep({}, a, s, success=True, metrics={}) | {"env_id": "cauarena/WebShop-v0"} for a in ("good", "bad")
             for s in range(4)]  # fmt: skip
    store = ResultsStore(tmp_path)
    store.record_run("r1", {"labels": [[LIFE, {"surface": "memory"}, "memory injection"]]})
    lb = build_leaderboard(pd.DataFrame(rows), n_boot=50, labels=stored_labels(store))
    life = lb[lb.env_id == LIFE].set_index(["config", "agent"])
    assert set(life.index.get_level_values("config")) == {"defaults", "memory injection", ALL_CONFIGS}
    assert life.loc[("memory injection", "bad"), "m_asr"] == 1.0
    assert pd.isna(life.loc[("memory injection", "bad"), "m_utility"])
    aggregate = life.loc[(ALL_CONFIGS, "bad")]
    assert (aggregate.episodes, aggregate.m_utility, aggregate.m_asr) == (8, 0.0, 1.0)  # pooled, each where it applies
    assert life.loc[(ALL_CONFIGS, "good"), "rank"] == 1
    overall = lb[lb.env_id == OVERALL].set_index("agent")
    assert overall.loc["bad", "envs"] == 2  # LifeAssist counts once (its aggregate row), WebShop once
    assert overall.loc["bad", "success_rate"] == pytest.approx((0.0 + 1.0) / 2)
    text = to_markdown(lb)
    assert "LifeAssist-v0 \\[memory injection\\]" in text and "LifeAssist-v0 \\[all 2 configs\\]" in text
    assert "WebShop-v0 \\[" not in text  # one configuration: no bracket
