"""KALE (arXiv 2601.07430): knowledge-induced rationales and the knowledge-aware loss, on TRL.

- :mod:`~cauarena.learners.kale.synthesis`: KI synthesis (multi-path A* with the landmark heuristic, verbalised);
- :mod:`~cauarena.learners.kale.loss`: the KA loss, CE + KL(p || q) over answer tokens;
- :mod:`~cauarena.learners.kale.trainer`: ``KALETrainer``, TRL's ``SFTTrainer`` with that loss;
- :mod:`~cauarena.learners.kale.kale_config`: :class:`KALEConfig`; ``cauarena train kale`` runs
  :func:`~cauarena.learners.kale.train.train`.

Importing this package imports no model library.
"""

from cauarena.learners.kale.kale_config import KALEConfig
from cauarena.learners.kale.loss import KALoss, answer_positions, ka_loss
from cauarena.learners.kale.synthesis import ChatVerbaliser, Rationale, TemplateVerbaliser, synthesise

__all__ = ["ChatVerbaliser", "KALEConfig", "KALoss", "Rationale", "TemplateVerbaliser", "answer_positions",
           "ka_loss", "synthesise"]
