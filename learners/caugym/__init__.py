"""CauGym post-training: data in TRL's formats, one recipe per method (base, SFT, DPO, KTO, GRPO), evaluation.

``cauarena train caugym-sft --init DIR --out DIR`` (one method per recipe) writes an ``hf/`` model folder.
Importing this package imports no model library.
"""

from cauarena.learners.caugym.base_config import BaseLMConfig
from cauarena.learners.caugym.common_config import METHODS, CauGymTrainConfig
from cauarena.learners.caugym.data import TRAIN_SEED_START, export_dataset, training_items
from cauarena.learners.caugym.dpo_config import CauGymDPOConfig
from cauarena.learners.caugym.grpo_config import CauGymGRPOConfig
from cauarena.learners.caugym.kto_config import CauGymKTOConfig
from cauarena.learners.caugym.rewards import correctness_reward, direction_reward, format_reward
from cauarena.learners.caugym.sft_config import CauGymSFTConfig

__all__ = [
    "METHODS",
    "TRAIN_SEED_START",
    "BaseLMConfig",
    "CauGymDPOConfig",
    "CauGymGRPOConfig",
    "CauGymKTOConfig",
    "CauGymSFTConfig",
    "CauGymTrainConfig",
    "correctness_reward",
    "direction_reward",
    "export_dataset",
    "format_reward",
    "training_items",
]
