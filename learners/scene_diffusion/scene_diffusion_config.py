"""``SceneDiffusionConfig``: how the shipped scene-diffusion model is trained, validated when constructed.

The defaults are the configuration of the shipped checkpoint (``learners/scene_diffusion/checkpoints/base``).
Importing this module imports no model library.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from cauarena.errors import ConfigError


@dataclass(frozen=True)
class SceneDiffusionConfig:
    """How :func:`~cauarena.learners.scene_diffusion.train.train` trains the text encoder and the UNet.

    Attributes:
        steps: optimiser steps.
        batch_size: images per step (drawn from the train split's scenes, the OOD combinations never).
        learning_rate: AdamW peak learning rate (linear warm-up over 50 steps, cosine decay to 10%).
        weight_decay: AdamW weight decay.
        null_prob: share of prompts replaced by the empty prompt (classifier-free guidance's unconditional).
        ema_decay: decay of the exponential moving average of the weights that is saved (0: save the raw weights).
        width: text-encoder width and UNet cross-attention width.
        text_layers: transformer layers of the text encoder.
        channels: the UNet's ``block_out_channels``.
        layers_per_block: the UNet's ``layers_per_block``.
        train_timesteps: DDPM training timesteps (squared-cosine schedule).
        threads: torch CPU threads (1 is fastest on a busy 2-core machine).
        seed: initialisation and data-order seed.
        eval_steps: DDIM steps of the evaluation written to ``metrics.json``.
        eval_scenes: scenes per split in that evaluation.
    """

    steps: int = 6000
    batch_size: int = 16
    learning_rate: float = 2e-3
    weight_decay: float = 0.0
    null_prob: float = 0.1
    ema_decay: float = 0.99
    width: int = 64
    text_layers: int = 2
    channels: tuple[int, ...] = (32, 64, 64)
    layers_per_block: int = 1
    train_timesteps: int = 1000
    threads: int = 1
    seed: int = 0
    eval_steps: int = 20
    eval_scenes: int = 48

    def __post_init__(self) -> None:
        object.__setattr__(self, "channels", tuple(self.channels))
        if min(self.steps, self.batch_size, self.width, self.text_layers, self.threads, self.eval_steps) < 1:
            raise ConfigError("steps, batch_size, width, text_layers, threads and eval_steps must be >= 1; got "
                              f"{self.steps}, {self.batch_size}, {self.width}, {self.text_layers}, {self.threads}, "
                              f"{self.eval_steps}.")
        if not 0 <= self.null_prob < 1 or not 0 <= self.ema_decay < 1:
            raise ConfigError(f"null_prob and ema_decay must be in [0, 1); got {self.null_prob}, {self.ema_decay}.")
        if not 0 < self.learning_rate < 1:
            raise ConfigError(f"learning_rate must be in (0, 1); got {self.learning_rate}.")
        if len(self.channels) < 2 or any(c % 8 for c in self.channels) or self.width % 8:
            raise ConfigError(f"channels needs >= 2 entries and every entry and width must be a multiple of 8 "
                              f"(GroupNorm of 8 groups, heads of 8); got {self.channels}, width {self.width}.")
        if self.eval_scenes < 0 or self.weight_decay < 0:
            raise ConfigError(f"eval_scenes and weight_decay must be >= 0; got {self.eval_scenes}, "
                              f"{self.weight_decay}.")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SceneDiffusionConfig:
        """A config from a dict (``--set`` overrides); unknown keys are refused by name."""
        from cauarena.learners.config_io import reject_unknown_keys

        reject_unknown_keys(cls, data)
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        """The config as a JSON-safe dict."""
        data = asdict(self)
        data["channels"] = list(self.channels)
        return data


FIELDS = tuple(f.name for f in fields(SceneDiffusionConfig))

__all__ = ["FIELDS", "SceneDiffusionConfig"]
