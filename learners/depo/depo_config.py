"""``DEPOConfig``: KTO with DEPO's efficiency bonus, validated when constructed.

``alpha_tokens = alpha_steps = 0`` is plain KTO (the same trainer, no bonus): the pipeline's KTO stage.
Importing this module imports no model library.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from cauarena.errors import ConfigError


@dataclass(frozen=True)
class DEPOConfig:
    """How :class:`~cauarena.learners.depo.trainer.DEPOTrainer` fine-tunes a BC checkpoint.

    Defaults are the paper's (beta 0.2, lambda_D = lambda_U = 1, alpha 3, 3 epochs; its DEPO learning rate, 2e-5,
    is for LoRA on an 8B model: the tiny LM's full fine-tune uses the pipeline presets).

    Attributes:
        beta: KTO's temperature.
        desirable_weight: lambda_D.
        undesirable_weight: lambda_U.
        alpha_tokens: a1, weight of ``1 / tokens per step`` in the bonus (0 for KTO).
        alpha_steps: a2, weight of ``1 / steps`` in the bonus (0 for KTO).
        bonus_scale: ``raw`` (the paper's ``a1 / T_tok + a2 / T_step``) or ``log`` (logs of both counts).
        shorten_desirable: rewrite verbose thoughts of desirable trajectories as short ones (the paper has a
            model shorten them).
        learning_rate: AdamW learning rate (cosine decay after warm-up).
        epochs: passes over the rows.
        batch_size: rows per step (> 1: KTO estimates its KL term from mismatched pairs in the batch).
        max_length: most tokens of prompt + completion (the model's context).
        warmup_ratio: share of steps warming up.
        weight_decay: AdamW weight decay.
        time_budget_s: stop training after this many seconds (0: no limit).
        threads: torch CPU threads.
        device: ``cpu`` (default) or ``cuda``.
        seed: data order and initialisation seed.
    """

    beta: float = 0.2
    desirable_weight: float = 1.0
    undesirable_weight: float = 1.0
    alpha_tokens: float = 3.0
    alpha_steps: float = 3.0
    bonus_scale: str = "raw"
    shorten_desirable: bool = True
    learning_rate: float = 2e-5
    epochs: float = 3.0
    batch_size: int = 8
    max_length: int = 512
    warmup_ratio: float = 0.05
    weight_decay: float = 0.0
    time_budget_s: float = 0.0
    threads: int = 1
    device: str = "cpu"
    seed: int = 0

    def __post_init__(self) -> None:
        if self.beta <= 0 or self.desirable_weight <= 0 or self.undesirable_weight <= 0:
            raise ConfigError(
                f"beta, desirable_weight and undesirable_weight must be > 0; got {self.beta}, "
                f"{self.desirable_weight}, {self.undesirable_weight}."
            )
        if self.alpha_tokens < 0 or self.alpha_steps < 0:
            raise ConfigError(
                f"alpha_tokens and alpha_steps must be >= 0 (both 0 is KTO); got {self.alpha_tokens}, "
                f"{self.alpha_steps}."
            )
        if self.bonus_scale not in ("raw", "log"):
            raise ConfigError(f"bonus_scale must be 'raw' or 'log'; got {self.bonus_scale!r}.")
        if not 0 < self.learning_rate < 1 or self.epochs <= 0:
            raise ConfigError(
                f"learning_rate must be in (0, 1) and epochs > 0; got {self.learning_rate}, {self.epochs}."
            )
        if self.batch_size < 2:
            raise ConfigError(
                f"batch_size must be >= 2: KTO's KL term pairs each prompt with another row's completion; "
                f"got {self.batch_size}."
            )
        if self.max_length < 8 or self.threads < 1:
            raise ConfigError(f"max_length must be >= 8 and threads >= 1; got {self.max_length}, {self.threads}.")
        if self.device not in ("cpu", "cuda"):
            raise ConfigError(f"device must be 'cpu' or 'cuda'; got {self.device!r}.")
        if not 0 <= self.warmup_ratio < 1 or self.weight_decay < 0 or self.time_budget_s < 0:
            raise ConfigError(
                f"warmup_ratio in [0, 1), weight_decay >= 0 and time_budget_s >= 0 are needed; got "
                f"{self.warmup_ratio}, {self.weight_decay}, {self.time_budget_s}."
            )

    @property
    def is_kto(self) -> bool:
        """True when the bonus is off (plain KTO)."""
        return self.alpha_tokens == 0 and self.alpha_steps == 0

    def to_dict(self) -> dict[str, Any]:
        """The config as JSON-safe data."""
        return asdict(self)
