"""``SceneDiffusionAgent``: plays ``cauarena/CausalScene-v0`` by sampling the trained model on the prompt."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from cauarena.errors import ConfigError


class SceneDiffusionAgent:
    """Generates the image with the scene-diffusion model (base DDIM sampler, or per-prompt interventions).

    Args:
        checkpoint: a folder with ``model.json`` and ``model.safetensors`` (default: the shipped model).
        steps: DDIM steps.
        seed_offset: added to the episode seed to seed the initial noise.
    """

    def __init__(self, checkpoint: str | Path | None = None, steps: int = 20, seed_offset: int = 0) -> None:
        from cauarena.learners.scene_diffusion import CHECKPOINT

        if steps < 1:
            raise ConfigError(f"steps must be >= 1, got {steps}.")
        self.checkpoint, self.steps, self.seed_offset = Path(checkpoint or CHECKPOINT), steps, seed_offset
        self._model: Any = None
        self._seed = 0

    @property
    def model(self) -> Any:
        """The generator, loaded on first use."""
        if self._model is None:
            import torch

            from cauarena.learners.scene_diffusion.model import load_model

            torch.set_num_threads(1)
            self._model = load_model(self.checkpoint)
        return self._model

    def reset(self, *, seed: int | None = None, info: dict[str, Any] | None = None) -> None:
        """Remember the episode seed (the noise seed)."""
        self._seed = int(seed or 0)

    def interventions(self, prompts: list[str]) -> list[Any] | None:
        """The per-prompt interventions (None: the base sampler); LINA's agent overrides this."""
        return None

    def act(self, observation: Any, info: dict[str, Any]) -> np.ndarray:
        """One sampled 32x32x3 uint8 image for ``info["prompt"]`` (the observation's first line otherwise)."""
        from cauarena.learners.scene_diffusion.sampling import sample

        prompt = info.get("prompt") if isinstance(info, dict) else None
        prompt = prompt if isinstance(prompt, str) and prompt else str(observation).split("\n", 1)[0]
        seed = int(info.get("seed", self._seed)) if isinstance(info, dict) else self._seed
        images = sample(self.model, [prompt], [seed + self.seed_offset], steps=self.steps,
                        interventions=self.interventions([prompt]))
        return images[0].numpy()


__all__ = ["SceneDiffusionAgent"]
