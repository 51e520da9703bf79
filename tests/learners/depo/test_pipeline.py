import json

import pytest

from cauarena.errors import ConfigError
from cauarena.learners.config_io import parse_overrides
from cauarena.learners.depo import pipeline
from cauarena.learners.depo.depo_config import DEPOConfig
from cauarena.learners.depo.pipeline_config import PRESETS, PipelineConfig
from cauarena.learners.depo.train import train
from cauarena.learners.tinylm.backend import CHECKPOINTS


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_presets_are_valid_and_round_trip(name):
    config = PRESETS[name]
    assert PipelineConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    kto, depo = config.preference_config(kto=True), config.preference_config(kto=False)
    assert kto.is_kto and not depo.is_kto and kto.beta == depo.beta == 0.2
    assert config.model_spec().context_length == config.context_length


@pytest.mark.parametrize(("changes", "match"), [
    ({"env": "alfworld"}, "env must be"),
    ({"seeds": 1001}, "below 1000"),
    ({"pref_seeds": 601}, "pref_seeds"),
    ({"thought_probs": (1.0, 0.0)}, "thought_probs"),
    ({"habit_prob": 1.5}, "habit_prob"),
    ({"pref_batch_size": 1}, "batch_size must be >= 2"),
    ({"alpha_steps": -1.0}, "alpha_tokens and alpha_steps"),
    ({"bonus_scale": "sqrt"}, "bonus_scale"),
    ({"num_heads": 5}, "heads"),
    ({"unknown": 1}, "Unknown PipelineConfig keys"),
])
def test_bad_configs_say_what_to_fix(changes, match):
    with pytest.raises(ConfigError, match=match):
        PipelineConfig.from_dict({**PRESETS["babyai"].to_dict(), **changes})


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_presets_follow_the_published_setup(name):
    from cauarena.learners.depo.data import LABEL_RULES

    config = PRESETS[name]
    assert config.bc_data == "desirable" and not config.balance_rows  # BC on desirable data; lambda_D = 1
    assert config.eval_max_steps is None  # evaluation at the env's own step limit, so steps can fall
    assert LABEL_RULES["babyai"].max_desirable_steps == 6  # "fewer than 7 steps"
    with pytest.raises(ConfigError, match="bc_data must be"):
        PipelineConfig.from_dict({**config.to_dict(), "bc_data": "all"})


def test_overrides_are_json_or_text():
    assert parse_overrides(["seeds=5", "bonus_scale=log", "thought_probs=[1, 0, 0]"]) == {
        "seeds": 5, "bonus_scale": "log", "thought_probs": [1, 0, 0]}
    with pytest.raises(ConfigError, match="key=value"):
        parse_overrides(["seeds"])


def test_depo_config_validation():
    with pytest.raises(ConfigError, match="beta"):
        DEPOConfig(beta=0)
    with pytest.raises(ConfigError, match="learning_rate"):
        DEPOConfig(learning_rate=2.0)


def test_stage_names_and_agent_specs(tmp_path):
    assert pipeline.checkpoint_names("webshop") == {"bc": "webshop-bc", "kto": "webshop-kto", "depo": "webshop-depo"}
    assert pipeline.agent_specs("babyai", CHECKPOINTS)["depo"] == "tiny/babyai-depo"
    assert pipeline.agent_specs("babyai", tmp_path)["bc"] == f"hf/{tmp_path.resolve() / 'babyai-bc'}"


@pytest.mark.parametrize("env", ["babyai", "webshop"])
def test_suite_file_is_a_loadable_suite_of_held_out_seeds(env, tmp_path):
    from cauarena.leaderboards.suites import load_suite_file, plan

    agents = pipeline.agent_specs(env, CHECKPOINTS)
    suite = load_suite_file(pipeline.suite_file(PRESETS[env], agents, tmp_path / "suite.json"))
    assert suite.agents == (*agents.values(), "oracle") and suite.seed_start == 1000
    assert suite.seeds == PRESETS[env].eval_seeds
    episodes = plan(suite)
    assert len(episodes) == 4 * suite.seeds
    if env == "webshop":
        assert dict(suite.envs[0].kwargs) == {"num_products": 1000, "split": "test"}  # the env's own step limit


def test_kto_without_bc_checkpoint_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="include the bc stage"):
        train(PRESETS["babyai"], tmp_path, stages="kto")


def test_unknown_preset_and_stage_are_refused_by_the_command(tmp_path, capsys):
    from cauarena.cli import main

    assert main(["train", "depo", "--preset", "babyia", "--out", str(tmp_path)]) == 2
    assert "depo preset" in capsys.readouterr().err
    with pytest.raises(ConfigError, match="stages takes"):
        train(PRESETS["babyai"], tmp_path, stages="bc,ppo")
    assert not any(tmp_path.iterdir())
