"""DEPOTrainer on a tiny model: TRL's loss with the bonus where DEPO puts it, and a few training steps."""

import random
from dataclasses import replace

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    from cauarena.agents.llm import get_prompt
    from cauarena.learners.depo.data import LABEL_RULES, label_all, preference_rows, tokenizer_corpus
    from cauarena.learners.depo.pipeline_config import BABYAI_SPLIT, ModelSpec
    from cauarena.learners.depo.rollouts import collect
    from cauarena.learners.depo.trainer import save_policy
    from cauarena.learners.tinylm.data import message_token_counter
    from cauarena.learners.tinylm.model import build_model
    from cauarena.learners.tinylm.tokenizer import train_tokenizer

    template = get_prompt("babyai")
    trajectories = collect("babyai", range(16), 1, random.Random(0))
    tokenizer = train_tokenizer(tokenizer_corpus(trajectories, template), 400, BABYAI_SPLIT)
    tiny = ModelSpec(hidden_size=32, intermediate_size=64, num_layers=1, num_heads=2, context_length=256, seed=0)
    init = tmp_path_factory.mktemp("init")
    save_policy(build_model(tiny, tokenizer), tokenizer, init)

    def count(text):
        return len(tokenizer(text, add_special_tokens=False)["input_ids"])

    labelled = label_all(trajectories, LABEL_RULES["babyai"], count, alpha_tokens=3.0, alpha_steps=3.0)
    rows = preference_rows(labelled, template, message_token_counter(tokenizer), 200)
    return init, rows, tmp_path_factory.mktemp("work")


def _trainer(setup, **changes):
    from cauarena.learners.depo.depo_config import DEPOConfig
    from cauarena.learners.depo.trainer import load_policy, make_trainer

    init, rows, work = setup
    config = replace(DEPOConfig(learning_rate=5e-2, epochs=1, batch_size=4, max_length=256), **changes)
    model, tokenizer = load_policy(init)
    return make_trainer(config, model, tokenizer, rows, work)


def test_trainer_loss_is_the_reference_loss_and_bonus_zero_is_trl_kto(setup):
    import torch
    from trl import KTOTrainer

    from cauarena.learners.depo.loss import depo_loss

    trainer = _trainer(setup)
    batch = next(iter(trainer.get_train_dataloader()))
    assert batch["label"].any() and (~batch["label"]).any() and (batch["bonus"][batch["label"]] > 0).all()
    with torch.no_grad():
        loss = trainer.compute_loss(trainer.model, dict(batch))
        kto = KTOTrainer.compute_loss(trainer, trainer.model, {k: v for k, v in batch.items() if k != "bonus"})
        zero = trainer.compute_loss(trainer.model, {**batch, "bonus": torch.zeros_like(batch["bonus"])})
    # Before any step the policy is the reference: log-ratios are 0 (up to float noise), so is the KL estimate.
    reference = depo_loss(batch["ref_logps"], batch["ref_logps"], batch["label"], 0.0, beta=0.2, bonus=batch["bonus"])
    torch.testing.assert_close(loss, reference, atol=1e-5, rtol=0)
    assert torch.equal(zero, kto) and loss < kto


def test_training_steps_change_every_parameter(setup):
    import torch

    trainer = _trainer(setup)
    trainer.args.max_steps = 3
    before = {name: p.detach().clone() for name, p in trainer.model.named_parameters()}
    trainer.train()
    unchanged = [name for name, p in trainer.model.named_parameters() if torch.equal(p.detach(), before[name])]
    assert not unchanged


def test_train_saves_a_checkpoint_the_hf_backend_loads(setup, tmp_path):
    from cauarena.agents.llm.backends.hf import HFBackend
    from cauarena.learners.depo.depo_config import DEPOConfig
    from cauarena.learners.depo.trainer import train

    init, rows, work = setup
    config = DEPOConfig(learning_rate=1e-3, epochs=0.1, batch_size=4, max_length=256)
    stats = train(config, init, rows, tmp_path / "depo", work)
    assert stats["optimizer_steps"] >= 1 and (tmp_path / "depo" / "metrics.json").is_file()
    backend = HFBackend(str(tmp_path / "depo"))
    reply = backend.generate([{"role": "user", "content": "Observation:\nMission: go to the red ball"}], max_tokens=4)
    assert reply.completion_tokens <= 4


def _batch_margin(model, batch):
    """Mean log-ratio (policy - reference) of the batch's desirable replies minus that of its undesirable ones."""
    import torch

    with torch.no_grad():
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits[:, :-1]
    targets = batch["input_ids"][:, 1:]
    token_logps = logits.float().log_softmax(-1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    logps = (token_logps * batch["completion_mask"][:, 1:]).sum(-1)
    ratios = logps - batch["ref_logps"].float()
    desirable = batch["label"].to(torch.bool)
    return float(ratios[desirable].mean() - ratios[~desirable].mean())


@pytest.mark.parametrize("stage", ["kto", "depo"])
def test_training_lowers_the_loss_and_raises_desirable_over_undesirable(setup, stage):
    """A learner that improves: the loss on a fixed batch falls and desirable replies gain on undesirable ones.

    A sign error in the loss or in the bonus (pushing desirable rows down) would raise the loss and make the
    margin negative, which "every parameter changed" cannot see.
    """
    import torch

    init, rows, work = setup
    if stage == "kto":  # KTO is DEPO with no efficiency bonus on the rows
        rows = [{**row, "bonus": 0.0} for row in rows]
    trainer = _trainer((init, rows, work), learning_rate=1e-2)
    batch = next(iter(trainer.get_train_dataloader()))
    with torch.no_grad():
        before = float(trainer.compute_loss(trainer.model, dict(batch)))
    margin = _batch_margin(trainer.model, batch)
    trainer.args.max_steps = 12
    trainer.train()
    trainer.model.eval()
    with torch.no_grad():
        after = float(trainer.compute_loss(trainer.model, dict(batch)))
    assert after < before - 0.01, f"{stage} loss on a fixed batch {before:.4f} -> {after:.4f}"
    assert _batch_margin(trainer.model, batch) > margin + 0.1
