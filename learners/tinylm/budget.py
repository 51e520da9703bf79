"""Fit a build into its wall-clock budget: time a few steps, scale the step counts, stop a phase that overruns.

The machine a build runs on may be shared (another job on the second core makes a training step 2-3x
slower), so the trainer does not trust fixed step counts alone. After the data are ready it times a few
optimisation steps and a batched greedy generation with the fresh model, estimates what the rest costs
(DAgger roll-outs, validation, saving), and lowers ``max_steps`` and ``dagger_steps`` by the same factor
when the configured counts would overrun ``time_budget_s``. The learning-rate schedule is then built for
the planned counts, so a slow machine trains fewer steps but still anneals. A deadline callback is the
last guard.
"""

from __future__ import annotations

import copy
import math
import random
import statistics
import time
from dataclasses import asdict, dataclass
from typing import Any

from cauarena.learners.tinylm.tinylm_config import TinyLMConfig

STEP_OVERHEAD = 1.2
"""Trainer overhead (collation, logging, scheduler, checkpoints) over a bare forward-backward-update step."""

EPISODE_STEPS = 25
"""Steps a DAgger or validation episode takes on average (GoToLocal; failures run longer, successes less)."""

FIXED_S = 30.0
"""Seconds kept for saving, loading the checkpoint and building trainers."""


@dataclass(frozen=True)
class Plan:
    """Step counts and deadlines of one build.

    Attributes:
        sft_steps: SFT steps before DAgger.
        dagger_steps: SFT steps after DAgger (0: no DAgger).
        scale: the factor the configured step counts were multiplied by (1.0: they fit).
        step_s: timed seconds per optimisation step (None when not timed).
        reserve_s: estimated seconds of everything but training after the data are ready.
        sft_deadline: ``perf_counter`` time by which SFT must stop (None: no guard).
        final_deadline: ``perf_counter`` time by which DAgger SFT must stop.
    """

    sft_steps: int
    dagger_steps: int
    scale: float = 1.0
    step_s: float | None = None
    reserve_s: float = 0.0
    sft_deadline: float | None = None
    final_deadline: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """The plan without the absolute deadlines (meaningless outside this process)."""
        data = asdict(self)
        del data["sft_deadline"], data["final_deadline"]
        return data


def _batches(tokenizer: Any, rows: list[dict], batch_size: int, count: int, seed: int) -> list[dict]:
    """``count`` padded training batches of random rows (prompt + completion)."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        texts = [
            tokenizer.apply_chat_template(r["prompt"] + r["completion"], tokenize=False)
            for r in rng.sample(rows, min(batch_size, len(rows)))
        ]
        batch = tokenizer(texts, add_special_tokens=False, return_tensors="pt", padding=True)
        batch["labels"] = batch["input_ids"].masked_fill(batch["attention_mask"] == 0, -100)
        out.append(batch)
    return out


def step_seconds(model: Any, tokenizer: Any, rows: list[dict], batch_size: int, repeats: int = 3) -> float:
    """Median seconds of a forward-backward-AdamW step on a copy of ``model`` (after one warm-up)."""
    import torch

    trial = copy.deepcopy(model).train()
    optimizer = torch.optim.AdamW(trial.parameters(), lr=1e-4)
    times = []
    for i, batch in enumerate(_batches(tokenizer, rows, batch_size, repeats + 1, seed=0)):
        start = time.perf_counter()
        trial(**batch).loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        if i:
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def generation_seconds(model: Any, tokenizer: Any, rows: list[dict], batch_size: int) -> float:
    """Seconds of one batched greedy reply (``batch_size`` prompts) with ``model`` as it is now."""
    from cauarena.learners.tinylm.dagger import greedy_replies

    prompts = [row["prompt"] for row in rows[: max(batch_size, 1)]]
    greedy_replies(model, tokenizer, prompts[:1])  # warm-up
    start = time.perf_counter()
    greedy_replies(model, tokenizer, prompts)
    return time.perf_counter() - start


def tokenize_seconds(tokenizer: Any, rows: list[dict], sample: int = 200) -> float:
    """Estimated seconds TRL takes to tokenize all ``rows`` (it renders each prompt twice)."""
    picked = rows[:sample]
    start = time.perf_counter()
    for row in picked:
        tokenizer.apply_chat_template(row["prompt"], add_generation_prompt=True, tokenize=True)
        tokenizer.apply_chat_template(row["prompt"] + row["completion"], tokenize=True)
    return (time.perf_counter() - start) * len(rows) / max(len(picked), 1)


def reserve_seconds(config: TinyLMConfig, model: Any, tokenizer: Any, rows: list[dict]) -> tuple[float, float]:
    """Estimated seconds of (DAgger roll-outs, validation), each including env and bot time."""
    from cauarena.learners.tinylm.dagger import BATCH_SIZE

    batch = min(BATCH_SIZE, max(config.dagger_episodes, 1))
    dagger = 0.0
    if config.dagger_episodes and config.dagger_steps:
        rounds = math.ceil(config.dagger_episodes / batch)
        dagger = rounds * EPISODE_STEPS * generation_seconds(model, tokenizer, rows, batch)
        dagger += config.dagger_episodes * EPISODE_STEPS * 0.005  # env steps and bot replanning
    single = generation_seconds(model, tokenizer, rows, 1)
    validation = config.validation_episodes * EPISODE_STEPS * (single + 0.005)
    return dagger, validation


def fit_steps(sft_steps: int, dagger_steps: int, step_s: float, available_s: float) -> tuple[int, int, float]:
    """Scale both step counts by one factor so that they take at most ``available_s`` (never below 1 SFT step).

    >>> fit_steps(1000, 500, 0.5, 1000.0)
    (1000, 500, 1.0)
    >>> fit_steps(1000, 500, 0.5, 375.0)
    (500, 250, 0.5)
    """
    scale = max(0.0, min(1.0, available_s / ((sft_steps + dagger_steps) * step_s)))
    return max(1, int(sft_steps * scale)), int(dagger_steps * scale), round(scale, 3)


def plan(
    config: TinyLMConfig, model: Any, tokenizer: Any, rows: list[dict], start: float, fixed: bool = False
) -> Plan:
    """The step counts that fit ``config.time_budget_s`` counted from ``start`` (a ``perf_counter`` time).

    Args:
        config: the build's config.
        model: the freshly built model (timed on a copy).
        tokenizer: the trained tokenizer.
        rows: the SFT rows (batches are drawn from them).
        start: when the build started.
        fixed: keep the configured counts (resuming needs the same schedule); no deadlines.
    """
    dagger_steps = config.dagger_steps if config.dagger_episodes else 0
    if fixed or not config.time_budget_s:
        return Plan(config.max_steps, dagger_steps)
    step_s = STEP_OVERHEAD * step_seconds(model, tokenizer, rows, config.batch_size)
    dagger_s, validation_s = reserve_seconds(config, model, tokenizer, rows)
    setup_s = tokenize_seconds(tokenizer, rows) * (2 if dagger_steps else 1)
    deadline = start + config.time_budget_s
    reserve = dagger_s + validation_s + setup_s + FIXED_S
    available = deadline - time.perf_counter() - reserve
    sft_steps, dagger_steps, scale = fit_steps(config.max_steps, dagger_steps, step_s, available)
    return Plan(
        sft_steps=sft_steps,
        dagger_steps=dagger_steps,
        scale=scale,
        step_s=round(step_s, 3),
        reserve_s=round(reserve, 1),
        sft_deadline=deadline - reserve - dagger_steps * step_s,
        final_deadline=deadline - validation_s - FIXED_S,
    )


def deadline_callback(deadline: float | None) -> Any:
    """A ``TrainerCallback`` that ends training (and saves) once ``perf_counter()`` passes ``deadline``."""
    from transformers import TrainerCallback

    class Deadline(TrainerCallback):
        hit = False

        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            if deadline is not None and time.perf_counter() > deadline:
                self.hit = control.should_training_stop = control.should_save = True

    return Deadline()
