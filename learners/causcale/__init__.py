"""CauScale: an amortised causal-discovery network (data + intervention mask -> edge probabilities), trained here.

Rebuild the shipped checkpoint ``checkpoints/default`` with the command in its ``TRAINING.md``
(``cauarena train causcale --out ...``). The ``causcale`` agent
(:class:`~cauarena.learners.causcale.agent.CauScaleAgent`) runs it on ``cauarena/CausalDiscovery-v0``.
Importing this package imports no torch (the model, trainer and checkpoint loader import it when used).
"""

from cauarena.learners.causcale.agent import CauScaleAgent
from cauarena.learners.causcale.causcale_config import ATTENTION_KINDS, CauScaleConfig
from cauarena.learners.causcale.checkpoint import DEFAULT_CHECKPOINT, checkpoint_dir, load_model, predict

__all__ = ["ATTENTION_KINDS", "DEFAULT_CHECKPOINT", "CauScaleAgent", "CauScaleConfig", "checkpoint_dir", "load_model",
           "predict"]
