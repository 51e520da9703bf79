"""CauGym post-training data in TRL's formats, the reward functions, the configs and the CLI's checks."""

import json

import pytest

from cauarena.envs.caugym import CauGymItem, gold_of, score_reply
from cauarena.errors import ConfigError, NameNotFound
from cauarena.learners.caugym import (
    BaseLMConfig,
    CauGymDPOConfig,
    CauGymGRPOConfig,
    CauGymKTOConfig,
    CauGymSFTConfig,
    correctness_reward,
    data,
    direction_reward,
    format_reward,
    rewards,
)
from cauarena.learners.caugym.evaluate import score_items
from cauarena.learners.caugym.evaluate import test_items as held_out_items
from cauarena.learners.caugym.train import make_config
from cauarena.learners.config_io import parse_overrides

ITEMS = data.training_items(1, tasks=("ATE", "PN"), variants=("base", "insufficient"))


def _reply(messages):
    assert messages[-1]["role"] == "assistant"
    return messages[-1]["content"]


def test_items_are_balanced_and_disjoint_from_test_seeds():
    assert [(i.Type, i.variant) for i in ITEMS] == [("ATE", "base"), ("ATE", "insufficient"), ("PN", "base"),
                                                     ("PN", "insufficient")]
    assert all(i.meta["seed"] >= data.TRAIN_SEED_START for i in ITEMS)
    assert all(i.meta["seed"] < 100_000 for i in held_out_items(1, tasks=("ATE",), variants=("base",)))


def test_sft_rows_are_conversational_and_right():
    rows = data.sft_rows(ITEMS)
    for row, item in zip(rows, ITEMS, strict=True):
        assert [m["role"] for m in row["prompt"]] == ["system", "user"] and item.problem in row["prompt"][1]["content"]
        reply = _reply(row["completion"])
        assert reply.startswith("Step 1: ") and score_reply(reply, gold_of(item)).success


def test_dpo_pairs_prefer_the_right_reply_and_kto_is_one_to_one():
    for row, item in zip(data.dpo_rows(ITEMS), ITEMS, strict=True):
        assert score_reply(_reply(row["chosen"]), gold_of(item)).success
        assert not score_reply(_reply(row["rejected"]), gold_of(item)).success
    kto = data.kto_rows(ITEMS)
    assert len(kto) == 2 * len(ITEMS) and sum(r["label"] for r in kto) == len(ITEMS)
    assert data.dpo_rows(ITEMS, seed=3) == data.dpo_rows(ITEMS, seed=3)


def test_grpo_rows_carry_the_gold_for_the_rewards():
    rows = data.grpo_rows(ITEMS)
    assert set(rows[0]) == {"prompt", "answer", "Type"}
    completions = [[{"role": "assistant", "content": data.chosen_text(i)}] for i in ITEMS]
    answers, types = [r["answer"] for r in rows], [r["Type"] for r in rows]
    assert correctness_reward(completions, answers, types) == [1.0] * len(ITEMS)
    assert format_reward(completions) == [1.0] * len(ITEMS)
    lack = ['{"ANSWER": "LACK_CONDITION"}'] * len(ITEMS)
    assert correctness_reward(lack, answers, types) == [float(i.variant == "insufficient") for i in ITEMS]
    assert format_reward(["Step 1: I give up"]) == [0.0]
    right_sign = direction_reward(['{"ANSWER": "Yes", "PROB": "0.9"}'], ['{"ANSWER": "Yes", "PROB": "0.2"}'], ["ATE"])
    assert right_sign == [1.0]


def test_exports_are_datasets():
    for method, columns in (("sft", {"prompt", "completion"}), ("dpo", {"prompt", "chosen", "rejected"}),
                            ("kto", {"prompt", "completion", "label"}), ("grpo", {"prompt", "answer", "Type"})):
        dataset = data.export_dataset(method, ITEMS)
        assert set(dataset.column_names) == columns and len(dataset) == len(ITEMS) * (2 if method == "kto" else 1)


def test_evaluation_scores_like_the_env():
    records = score_items(ITEMS, [data.chosen_text(i) for i in ITEMS])
    assert [r["success"] for r in records] == [1.0] * len(ITEMS)
    assert records[1]["lack_hit"] == 1.0 and records[0]["false_alarm"] == 0.0


def test_configs_validate_and_explain():
    for cls in (BaseLMConfig, CauGymSFTConfig, CauGymDPOConfig, CauGymKTOConfig, CauGymGRPOConfig):
        config = cls()
        assert type(config).from_dict(json.loads(json.dumps(config.to_dict()))) == config
    with pytest.raises(ConfigError, match="overlaps the test seeds"):
        CauGymSFTConfig(seed_start=5000)
    with pytest.raises(ConfigError, match="multiple of num_generations"):
        CauGymGRPOConfig(batch_size=6, num_generations=4)
    with pytest.raises(ConfigError, match="even size"):
        BaseLMConfig(hidden_size=30, num_heads=4)
    with pytest.raises(ConfigError, match="Unknown CauGymSFTConfig keys"):
        CauGymSFTConfig.from_dict({"epochz": 1})
    with pytest.raises(NameNotFound, match="PPO is not in TRL"):
        make_config("ppo")
    assert make_config("grpo", {"reward_weights": [1, 0, 0]}).reward_weights == (1, 0, 0)
    assert parse_overrides(["epochs=1", "names=real"]) == {"epochs": 1, "names": "real"}


def test_unknown_item_answers_fail_loudly():
    with pytest.raises(ConfigError):
        correctness_reward(["x"], ["not json"], ["ATE"])
    assert CauGymItem(problem="p", answer='{"PROB": "0.1"}', Type="PN")


def test_published_conventions_in_the_data_and_the_reward():
    items = data.training_items(6, tasks=("ETT", "NDE"), variants=("base",))
    assert any(i.meta["zero_effect"] for i in items), "zero-effect items are part of the data"
    assert all("LACK_CONDITION" not in i.problem for i in items), "the LACK instruction is on insufficient items only"
    rows = data.dpo_rows(items, seed=1)
    for row, item in zip(rows, items, strict=True):
        gold = gold_of(item)
        rejected = _reply(row["rejected"])
        assert not score_reply(rejected, gold).success and score_reply(_reply(row["chosen"]), gold).success
        last = json.loads(rejected.splitlines()[-1])
        if item.Type == "ETT" and "PROB" in last and abs(float(last["PROB"])) >= 0.001:  # factual - cf: Yes iff < 0
            assert last["ANSWER"] == ("Yes" if float(last["PROB"]) < 0 else "No")
    assert CauGymGRPOConfig().reward_weights == rewards.PUBLISHED_REWARD_WEIGHTS == rewards.REWARD_WEIGHTS
    assert rewards.SHAPED_REWARD_WEIGHTS == (1.0, 0.5, 0.2)
