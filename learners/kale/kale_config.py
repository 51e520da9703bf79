"""``KALEConfig``: knowledge-induced synthesis and knowledge-aware learning, validated when constructed.

``kl_weight = 0`` is SFT on the same data (the same trainer, no rationale view): the experiment's baseline. The
defaults are the configuration of the shipped ``tiny/kgqa-kale`` (and, with ``kl_weight = 0``, ``tiny/kgqa-sft``).
Importing this module imports no model library.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from cauarena.errors import ConfigError


@dataclass(frozen=True)
class KALEConfig:
    """How :func:`~cauarena.learners.kale.train.train` builds the data and trains a tiny LM.

    Attributes:
        kl_weight: weight of KL(p || q) (0: SFT). The paper does not state its weighting; 1.0 is ours.
        ce_weight: weight of the answer cross-entropy.
        n_paths: paths the multi-path A* returns per question (the rationale joins them).
        max_hops: the longest path searched.
        anchors: k, landmarks per answer.
        neighbourhood: m, the hops around the answer anchors are drawn from.
        verbaliser: ``template``, or a ``backend/model`` string whose chat model rewrites each path.
        world_seed: the seeded world.
        world_size: ``tiny``, ``small`` or ``default``.
        heldout_seed: seed of the held-out compositions.
        qa_questions: training questions (train split, 1 to 3 hops) for the QA stage.
        fact_steps: optimiser steps of the first stage (single-hop facts, so they are known).
        qa_steps: optimiser steps of the QA stage (SFT or KALE; the same for both).
        batch_size: rows per step.
        learning_rate: AdamW learning rate.
        hidden_size: the tiny Llama's width.
        layers: its decoder layers.
        heads: its attention heads.
        threads: torch CPU threads.
        seed: data order and initialisation seed.
    """

    kl_weight: float = 1.0
    ce_weight: float = 1.0
    n_paths: int = 2
    max_hops: int = 3
    anchors: int = 4
    neighbourhood: int = 2
    verbaliser: str = "template"
    world_seed: int = 0
    world_size: str = "tiny"
    heldout_seed: int = 0
    qa_questions: int = 600
    fact_steps: int = 400
    qa_steps: int = 120
    batch_size: int = 16
    learning_rate: float = 3e-3
    hidden_size: int = 64
    layers: int = 2
    heads: int = 4
    threads: int = 1
    seed: int = 0

    def __post_init__(self) -> None:
        if self.kl_weight < 0 or self.ce_weight < 0 or self.kl_weight + self.ce_weight == 0:
            raise ConfigError(f"kl_weight and ce_weight must be >= 0 and not both 0; got {self.kl_weight}, "
                              f"{self.ce_weight}. Fix: kl_weight=0 for SFT, e.g. kl_weight=1 for KALE.")
        if self.n_paths < 1 or not 1 <= self.max_hops <= 6 or self.anchors < 1 or self.neighbourhood < 1:
            raise ConfigError(f"n_paths, anchors and neighbourhood must be >= 1 and max_hops in 1..6; got "
                              f"{self.n_paths}, {self.anchors}, {self.neighbourhood}, {self.max_hops}.")
        if self.verbaliser != "template" and "/" not in self.verbaliser:
            raise ConfigError(f"verbaliser must be 'template' or 'backend/model' (e.g. 'hf/./my-model'); got "
                              f"{self.verbaliser!r}.")
        if min(self.qa_questions, self.batch_size, self.hidden_size, self.layers, self.heads, self.threads) < 1:
            raise ConfigError("qa_questions, batch_size, hidden_size, layers, heads and threads must be >= 1.")
        if self.fact_steps < 0 or self.qa_steps < 0:
            raise ConfigError(f"fact_steps and qa_steps must be >= 0; got {self.fact_steps}, {self.qa_steps}.")
        if self.hidden_size % self.heads:
            raise ConfigError(f"hidden_size ({self.hidden_size}) must be a multiple of heads ({self.heads}).")
        if not 0 < self.learning_rate < 1:
            raise ConfigError(f"learning_rate must be in (0, 1); got {self.learning_rate}.")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> KALEConfig:
        """A config from a dict (``--set`` overrides); unknown keys are refused by name."""
        from cauarena.learners.config_io import reject_unknown_keys

        reject_unknown_keys(cls, data)
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        """The config as a JSON-safe dict."""
        return asdict(self)


FIELDS = tuple(f.name for f in fields(KALEConfig))

__all__ = ["FIELDS", "KALEConfig"]
