"""GRPO recipe: TRL's ``GRPOTrainer``; the rewards are the CauGym scorer (:mod:`.rewards`).

CauGym is single-turn, so plain reward functions suffice; TRL's ``environment_factory`` is for tool-calling
environments and is not needed here.
"""

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
from cauarena.learners.caugym.grpo_config import CauGymGRPOConfig
from cauarena.learners.caugym.rewards import REWARD_FUNCS


def train(config: CauGymGRPOConfig, out: Path, work_dir: Path, init: Path | None = None,
          progress: bool = True) -> dict[str, Any]:
    """Online-RL the model in ``init`` for ``config.max_steps`` steps; save to ``out``; returns the metrics."""
    from trl import GRPOConfig, GRPOTrainer

    model, tokenizer, items, start = start_recipe(config, init, "GRPO")
    args = GRPOConfig(
        **trl_arguments(config, work_dir, progress), max_steps=config.max_steps,
        num_generations=config.num_generations, max_completion_length=config.max_completion_length,
        temperature=config.temperature, beta=config.beta, reward_weights=list(config.reward_weights),
    )
    budget = time_budget_callback(config.time_budget_s)
    trainer = GRPOTrainer(model=model, reward_funcs=list(REWARD_FUNCS), args=args,
                          train_dataset=data.export_dataset("grpo", items), processing_class=tokenizer,
                          callbacks=[budget])
    stats = train_and_time(trainer, budget)
    rewards = [e["reward"] for e in trainer.state.log_history if "reward" in e]
    stats["first_reward"] = round(float(rewards[0]), 4) if rewards else None
    stats["final_reward"] = round(float(rewards[-1]), 4) if rewards else None
    return finish_recipe(trainer, tokenizer, config, out, init, {"prompts": len(items)}, stats, start)
