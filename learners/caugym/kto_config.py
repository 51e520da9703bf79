"""``CauGymKTOConfig``: Kahneman-Tversky optimisation on unpaired good and bad replies, 1:1."""

from __future__ import annotations

from dataclasses import dataclass

from cauarena.errors import ConfigError
from cauarena.learners.caugym.common_config import CauGymTrainConfig


@dataclass(frozen=True)
class CauGymKTOConfig(CauGymTrainConfig):
    """KTO with TRL's ``KTOTrainer``.

    Attributes:
        beta: the KL strength.
        desirable_weight: weight of the desirable (right) rows.
        undesirable_weight: weight of the undesirable (wrong) rows; with 1:1 data both stay 1.
    """

    items_per_cell: int = 4
    learning_rate: float = 2e-4
    batch_size: int = 8
    beta: float = 0.1
    desirable_weight: float = 1.0
    undesirable_weight: float = 1.0

    method = "kto"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.beta <= 0 or self.desirable_weight <= 0 or self.undesirable_weight <= 0:
            raise ConfigError(
                f"beta, desirable_weight and undesirable_weight must be > 0; got {self.beta}, "
                f"{self.desirable_weight}, {self.undesirable_weight}."
            )
