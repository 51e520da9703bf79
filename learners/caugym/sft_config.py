"""``CauGymSFTConfig``: supervised fine-tuning on solved items (Reason steps, then the JSON answer)."""

from __future__ import annotations

from dataclasses import dataclass

from cauarena.learners.caugym.common_config import CauGymTrainConfig


@dataclass(frozen=True)
class CauGymSFTConfig(CauGymTrainConfig):
    """SFT with TRL's ``SFTTrainer``, loss on the completion only (the defaults of the common config)."""

    items_per_cell: int = 10
    epochs: float = 2.0
    learning_rate: float = 1e-3

    method = "sft"
