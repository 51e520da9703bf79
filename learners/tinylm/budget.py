"""Fit a build into its wall-clock budget with a learning-rate schedule that runs on time as well as steps.

The machine a build runs on may be shared: another job on the second core made a training step 2-3x slower
here, and the load changed within minutes. Fixed step counts either overrun the budget or waste it, and
cutting a step-based schedule short leaves the learning rate high. So each SFT phase gets a time slot, and its
schedule is a warm-up then cosine decay over ``progress = max(step / max_steps, elapsed / slot)``: on a fast
machine the phase ends at ``max_steps``, on a slow one at the end of its slot, annealed either way.

The slots: after the data are ready, what is left of ``time_budget_s`` minus an estimate of everything else
(TRL's tokenization of the rows, DAgger roll-outs, validation, saving; timed on samples with the fresh model)
is split between the phases in proportion to their step caps.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from typing import Any

from cauarena.learners.tinylm.tinylm_config import TinyLMConfig

EPISODE_STEPS = 25
"""Steps a DAgger or validation episode takes on average (GoToLocal; failures run longer, successes less)."""

ENV_STEP_S = 0.005
"""Seconds of env stepping and bot replanning per episode step (estimate)."""

FIXED_S = 30.0
"""Seconds kept for building trainers, saving and loading the checkpoint."""


@dataclass(frozen=True)
class Plan:
    """Step caps and time slots of one build's SFT phases.

    Attributes:
        sft_steps: most SFT steps before DAgger.
        dagger_steps: most SFT steps after DAgger (0: no DAgger).
        sft_seconds: time slot of the first SFT phase (None: no limit, the schedule runs on steps only).
        dagger_seconds: time slot of each DAgger round's SFT phase.
        reserve_s: estimated seconds of everything but training after the data are ready.
    """

    sft_steps: int
    dagger_steps: int
    sft_seconds: float | None = None
    dagger_seconds: float | None = None
    reserve_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def split_slots(sft_steps: int, dagger_steps: int, available_s: float) -> tuple[float, float]:
    """Split ``available_s`` between the phases in proportion to their step caps (at least 10 s each).

    >>> split_slots(1000, 250, 500.0)
    (400.0, 100.0)
    >>> split_slots(1000, 0, -5.0)
    (10.0, 0.0)
    """
    total = sft_steps + dagger_steps
    sft = max(10.0, available_s * sft_steps / total)
    dagger = max(10.0, available_s * dagger_steps / total) if dagger_steps else 0.0
    return round(sft, 1), round(dagger, 1)


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


def reserve_seconds(config: TinyLMConfig, model: Any, tokenizer: Any, rows: list[dict]) -> float:
    """Estimated seconds of everything after the data but training: tokenization, DAgger, validation, saving."""
    from cauarena.learners.tinylm.dagger import BATCH_SIZE

    reserve = FIXED_S + tokenize_seconds(tokenizer, rows)
    if config.dagger_episodes and config.dagger_steps:
        batch = min(BATCH_SIZE, config.dagger_episodes)
        batches = math.ceil(config.dagger_episodes / batch)
        per_round = batches * EPISODE_STEPS * generation_seconds(model, tokenizer, rows, batch)
        per_round += config.dagger_episodes * EPISODE_STEPS * ENV_STEP_S
        per_round += tokenize_seconds(tokenizer, rows) * 1.5  # each DAgger phase re-tokenizes more rows
        reserve += config.dagger_rounds * per_round
    single = generation_seconds(model, tokenizer, rows, 1)
    return reserve + config.validation_episodes * EPISODE_STEPS * (single + ENV_STEP_S)


def plan(
    config: TinyLMConfig, model: Any, tokenizer: Any, rows: list[dict], start: float, fixed: bool = False
) -> Plan:
    """Step caps and time slots that fit ``config.time_budget_s`` counted from ``start`` (a ``perf_counter``).

    Args:
        config: the build's config.
        model: the freshly built model (timed for the generation estimates).
        tokenizer: the trained tokenizer.
        rows: the SFT rows.
        start: when the build started.
        fixed: no time slots (resuming needs the step-only schedule it started with).
    """
    dagger_steps = config.dagger_steps if config.dagger_episodes else 0
    if fixed or not config.time_budget_s:
        return Plan(config.max_steps, dagger_steps)
    reserve = reserve_seconds(config, model, tokenizer, rows)
    available = start + config.time_budget_s - time.perf_counter() - reserve
    sft_seconds, dagger_seconds = split_slots(config.max_steps, dagger_steps * config.dagger_rounds, available)
    per_round = round(dagger_seconds / config.dagger_rounds, 1)
    return Plan(config.max_steps, dagger_steps, sft_seconds, per_round or None, round(reserve, 1))


class TimeCosine:
    """Learning-rate factor: linear warm-up, then cosine to 0 over ``max(step / steps, elapsed / seconds)``.

    Use it as ``LambdaLR(optimizer, schedule)``; :meth:`start` sets the clock (the trainer callback from
    :func:`time_slot_callback` calls it when training begins).

    >>> schedule = TimeCosine(steps=100, seconds=None, warmup_ratio=0.1)
    >>> [round(schedule(s), 3) for s in (0, 5, 10, 55, 100)]
    [0.0, 0.5, 1.0, 0.5, 0.0]
    """

    def __init__(self, steps: int, seconds: float | None, warmup_ratio: float) -> None:
        self.steps, self.seconds, self.warmup = steps, seconds, warmup_ratio
        self.t0: float | None = None

    def start(self) -> None:
        self.t0 = time.perf_counter()

    def progress(self, step: int) -> float:
        elapsed = 0.0 if self.t0 is None or not self.seconds else (time.perf_counter() - self.t0) / self.seconds
        return min(1.0, max(step / self.steps, elapsed))

    def __call__(self, step: int) -> float:
        progress = self.progress(step)
        if progress < self.warmup:
            return progress / self.warmup
        return 0.5 * (1.0 + math.cos(math.pi * (progress - self.warmup) / (1.0 - self.warmup)))


def optimizer_and_schedule(model: Any, config: TinyLMConfig, steps: int, seconds: float | None,
                           learning_rate: float) -> tuple[Any, Any, TimeCosine]:
    """AdamW (no decay on norms) and a ``LambdaLR`` running :class:`TimeCosine`."""
    import torch

    decay = [p for p in model.parameters() if p.requires_grad and p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.requires_grad and p.dim() < 2]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": config.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=learning_rate,
    )
    schedule = TimeCosine(steps, seconds, config.warmup_ratio)
    return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, schedule), schedule


def time_slot_callback(schedule: TimeCosine) -> Any:
    """A ``TrainerCallback`` that starts ``schedule``'s clock and ends training (saving) when its slot is up."""
    from transformers import TrainerCallback

    class TimeSlot(TrainerCallback):
        hit = False

        def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            schedule.start()

        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            if schedule.progress(state.global_step) >= 1.0 and state.global_step < schedule.steps:
                self.hit = control.should_training_stop = control.should_save = True

    return TimeSlot()
