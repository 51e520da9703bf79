"""DEPO: dual-efficiency preference optimisation (KTO plus an efficiency bonus) for the tiny LM agents.

The pipeline ``cauarena train depo --preset babyai|webshop --out DIR`` rebuilds the agents
``tiny/<env>-bc``, ``tiny/<env>-kto`` and ``tiny/<env>-depo`` and evaluates them with the runner. The reference loss
is :mod:`~cauarena.learners.depo.loss`; the TRL trainer :mod:`~cauarena.learners.depo.trainer`. Importing this
package imports no model library.
"""

from cauarena.learners.depo.data import LABEL_RULES, LabelRule, label, label_all, preference_rows, sft_rows
from cauarena.learners.depo.depo_config import DEPOConfig
from cauarena.learners.depo.loss import depo_loss, depo_losses, efficiency_bonus, kl_estimate
from cauarena.learners.depo.pipeline_config import PRESETS, PipelineConfig
from cauarena.learners.depo.rollouts import ENV_IDS, Step, Style, Trajectory, collect

__all__ = [
    "ENV_IDS",
    "LABEL_RULES",
    "PRESETS",
    "DEPOConfig",
    "LabelRule",
    "PipelineConfig",
    "Step",
    "Style",
    "Trajectory",
    "collect",
    "depo_loss",
    "depo_losses",
    "efficiency_bonus",
    "kl_estimate",
    "label",
    "label_all",
    "preference_rows",
    "sft_rows",
]
