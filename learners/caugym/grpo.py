"""GRPO recipe: TRL's ``GRPOTrainer``; the rewards are the CauGym scorer (:mod:`.rewards`).

CauGym is single-turn, so plain reward functions suffice; TRL's ``environment_factory`` is for tool-calling
environments and is not needed here.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from cauarena.learners.caugym import data
from cauarena.learners.caugym.common import (
    load_policy,
    save_result,
    set_threads,
    time_budget_callback,
    train_and_time,
    trl_arguments,
)
from cauarena.learners.caugym.grpo_config import CauGymGRPOConfig
from cauarena.learners.caugym.rewards import REWARD_FUNCS


def train(config: CauGymGRPOConfig, out: Path, work_dir: Path, init: Path | None = None,
          progress: bool = True) -> dict[str, Any]:
    """Online-RL the model in ``init`` for ``config.max_steps`` steps; save to ``out``; returns the metrics."""
    from trl import GRPOConfig, GRPOTrainer

    if init is None:
        raise ValueError("GRPO needs --init: the starting checkpoint (train --method base builds one).")
    set_threads(config)
    start = time.perf_counter()
    model, tokenizer = load_policy(init)
    items = data.training_items(config.items_per_cell, difficulty=config.difficulty, names=config.names,
                                seed_start=config.seed_start)
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
    metrics = {"init": str(init), "data": {"prompts": len(items)}, "training": stats,
               "total_wall_s": round(time.perf_counter() - start, 1)}
    save_result(trainer.model, tokenizer, config, out, metrics)
    return metrics
