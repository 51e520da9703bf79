"""DPO recipe: TRL's ``DPOTrainer`` on (right reply, wrong reply) pairs; the reference is the starting model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cauarena.learners.callbacks import time_budget_callback
from cauarena.learners.caugym import data
from cauarena.learners.caugym.common import (
    finish_recipe,
    start_recipe,
    train_and_time,
    trl_arguments,
)
from cauarena.learners.caugym.dpo_config import CauGymDPOConfig


def train(config: CauGymDPOConfig, out: Path, work_dir: Path, init: Path | None = None,
          progress: bool = True) -> dict[str, Any]:
    """Preference-tune the model in ``init``; save to ``out``; returns the metrics."""
    from trl import DPOConfig, DPOTrainer

    model, tokenizer, items, start = start_recipe(config, init, "DPO")
    args = DPOConfig(**trl_arguments(config, work_dir, progress), max_length=config.max_length, beta=config.beta,
                     loss_type=[config.loss_type])
    budget = time_budget_callback(config.time_budget_s)
    trainer = DPOTrainer(model=model, args=args, train_dataset=data.export_dataset("dpo", items, config.seed),
                         processing_class=tokenizer, callbacks=[budget])
    stats = train_and_time(trainer, budget)
    rewards = [e for e in trainer.state.log_history if "rewards/accuracies" in e]
    stats["final_reward_accuracy"] = round(float(rewards[-1]["rewards/accuracies"]), 4) if rewards else None
    return finish_recipe(trainer, tokenizer, config, out, init, {"pairs": len(items)}, stats, start)
