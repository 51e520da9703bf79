"""``CauGymDPOConfig``: direct preference optimisation on (right reply, wrong reply) pairs."""

from __future__ import annotations

from dataclasses import dataclass

from cauarena.errors import ConfigError
from cauarena.learners.caugym.common_config import CauGymTrainConfig


@dataclass(frozen=True)
class CauGymDPOConfig(CauGymTrainConfig):
    """DPO with TRL's ``DPOTrainer`` (the reference model is a frozen copy of the starting model).

    Attributes:
        beta: the KL strength (TRL's default 0.1).
        loss_type: TRL's DPO loss (``sigmoid`` is the paper's).
    """

    items_per_cell: int = 6
    learning_rate: float = 2e-4
    batch_size: int = 4
    beta: float = 0.1
    loss_type: str = "sigmoid"

    method = "dpo"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.beta <= 0:
            raise ConfigError(f"beta must be > 0; got {self.beta}.")
        if self.loss_type not in ("sigmoid", "hinge", "ipo", "robust"):
            raise ConfigError(f"loss_type must be sigmoid, hinge, ipo or robust; got {self.loss_type!r}.")
