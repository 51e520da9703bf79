"""``LinaConfig``: how LINA's intervention predictor is trained from the probes' signal, validated when constructed.

The defaults are the configuration of the shipped predictor (``learners/lina/checkpoints/lina``). Importing
this module imports no model library.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from cauarena.errors import ConfigError


@dataclass(frozen=True)
class LinaConfig:
    """How :func:`~cauarena.learners.lina.train.train` measures the signal and fits the predictor.

    Attributes:
        generator: the frozen scene-diffusion checkpoint folder ("" = the shipped one); it is only read.
        prompts: train-split scenes LINA learns from (the first of a seeded shuffle; the rest stay for evaluation).
        seeds: noise seeds per prompt and candidate when measuring the signal.
        steps: DDIM steps (the same budget for every candidate).
        embedding_scales: candidate pushes along the prompt's physics direction.
        early_boosts: candidate extra guidance shares in the first half of the steps.
        early_schedules: candidate warps of the timesteps toward high noise.
        guidance: the classifier-free guidance scale of every candidate (the base sampler's).
        effect_weight: weight of the unnamed effect's score in the objective (the rest: physical alignment).
        hidden: width of the predictor's hidden layer.
        epochs: full-batch Adam epochs of the predictor.
        learning_rate: Adam learning rate.
        weight_decay: Adam weight decay.
        batch: images sampled per forward batch.
        threads: torch CPU threads.
        seed: shuffle and initialisation seed.
    """

    generator: str = ""
    prompts: int = 64
    seeds: int = 2
    steps: int = 20
    embedding_scales: tuple[float, ...] = (0.0, 1.5)
    early_boosts: tuple[float, ...] = (0.0, 1.0)
    early_schedules: tuple[float, ...] = (0.0, 0.6)
    guidance: float = 3.0
    effect_weight: float = 0.5
    hidden: int = 32
    epochs: int = 400
    learning_rate: float = 1e-2
    weight_decay: float = 1e-3
    batch: int = 48
    threads: int = 1
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("embedding_scales", "early_boosts", "early_schedules"):
            object.__setattr__(self, name, tuple(float(v) for v in getattr(self, name)))
            if not getattr(self, name):
                raise ConfigError(f"{name} needs at least one candidate value, got none. Fix: e.g. {name}=[0.0].")
        if min(self.prompts, self.seeds, self.steps, self.hidden, self.epochs, self.batch, self.threads) < 1:
            raise ConfigError("prompts, seeds, steps, hidden, epochs, batch and threads must be >= 1.")
        if not all(0 <= v < 1 for v in self.early_schedules) or min(self.early_boosts) < 0 or self.guidance < 0:
            raise ConfigError(f"early_schedules must lie in [0, 1), early_boosts and guidance be >= 0; got "
                              f"{self.early_schedules}, {self.early_boosts}, {self.guidance}.")
        if not 0 <= self.effect_weight <= 1 or not 0 < self.learning_rate < 1:
            raise ConfigError(f"effect_weight must be in [0, 1] and learning_rate in (0, 1); got "
                              f"{self.effect_weight}, {self.learning_rate}.")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LinaConfig:
        """A config from a dict (``--set`` overrides); unknown keys are refused by name."""
        from cauarena.learners.config_io import reject_unknown_keys

        reject_unknown_keys(cls, data)
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        """The config as a JSON-safe dict."""
        return {key: list(v) if isinstance(v, tuple) else v for key, v in asdict(self).items()}


FIELDS = tuple(f.name for f in fields(LinaConfig))

__all__ = ["FIELDS", "LinaConfig"]
