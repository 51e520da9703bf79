"""KALETrainer (TRL's SFTTrainer with the KA loss) trains a tiny model; synthesis and config behave."""

import math

import numpy as np
import pytest

pytest.importorskip("trl")

from cauarena.envs.kgqa import QuestionSpace, build_world  # noqa: E402
from cauarena.errors import ConfigError  # noqa: E402
from cauarena.learners.kale import KALEConfig, synthesise  # noqa: E402
from cauarena.learners.kale.data import build_tokenizer, qa_rows, spaced  # noqa: E402
from cauarena.learners.kale.train import build_model, sample_questions  # noqa: E402
from cauarena.learners.kale.trainer import make_trainer  # noqa: E402


@pytest.fixture(scope="module")
def setting():
    import torch

    torch.set_num_threads(1)
    world = build_world(0, "tiny")
    space = QuestionSpace(world)
    questions = sample_questions(space, 16, split="train", hops=(1, 2), seed=0, choices=False)
    rationales = [synthesise(world, q, n_paths=2).text for q in questions]
    return world, build_tokenizer(world), questions, rationales


def test_ki_rationales_hold_the_answer_path(setting):
    world, tokenizer, questions, rationales = setting
    for question, rationale in zip(questions, rationales, strict=True):
        assert question.topic in rationale and question.answer in rationale
        assert tokenizer.unk_token_id not in tokenizer(spaced(rationale))["input_ids"]


def test_kale_trainer_changes_every_parameter_and_lowers_the_loss(setting, tmp_path):
    import torch

    world, tokenizer, questions, rationales = setting
    config = KALEConfig(hidden_size=32, layers=1, heads=2)
    model = build_model(config, tokenizer)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    trainer = make_trainer(model, tokenizer, qa_rows(tokenizer, questions, rationales), out_dir=str(tmp_path),
                           steps=12, batch_size=8, learning_rate=1e-2, kl_weight=1.0)
    trainer.train()
    unchanged = [n for n, p in model.named_parameters() if torch.equal(p.detach(), before[n])]
    assert not unchanged, unchanged
    ce = [c for c, _ in trainer.parts]
    assert len(ce) == 12 and all(math.isfinite(k) and k >= -1e-6 for _, k in trainer.parts)
    assert np.mean(ce[-3:]) < np.mean(ce[:3])


def test_config_validates_and_reads_overrides():
    assert KALEConfig.from_dict({"kl_weight": 0.0}).kl_weight == 0.0
    with pytest.raises(ConfigError, match="not both 0"):
        KALEConfig(kl_weight=0.0, ce_weight=0.0)
    with pytest.raises(ConfigError, match="Unknown KALEConfig keys"):
        KALEConfig.from_dict({"klweight": 1})
    with pytest.raises(ConfigError, match="verbaliser must be"):
        KALEConfig(verbaliser="gpt4o")


def test_the_qa_stage_trains_a_copy_of_the_fact_model(tmp_path):
    import torch

    from cauarena.learners.kale.train import learn_facts, learn_qa, setup

    config = KALEConfig(hidden_size=32, layers=1, heads=2, fact_steps=2, qa_steps=4, qa_questions=16, batch_size=8)
    world, space, tokenizer = setup(config)
    base = learn_facts(config, world, space, tokenizer, tmp_path)
    student, losses = learn_qa(config, base, world, space, tokenizer, tmp_path)
    pairs = zip(base.state_dict().values(), student.state_dict().values(), strict=True)
    assert all(not torch.equal(a, b) for a, b in pairs)  # a deep copy of a trained model would not train
    assert math.isfinite(losses["ce"]) and losses["kl"] >= 0
