"""``LinaAgent``: the frozen scene-diffusion model with LINA's per-prompt interventions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cauarena.learners.scene_diffusion.agent import SceneDiffusionAgent


class LinaAgent(SceneDiffusionAgent):
    """The base agent, plus the interventions LINA's predictor picks from the prompt embedding.

    Args:
        checkpoint: the generator folder (default: the shipped model).
        predictor: the LINA predictor folder (default: the shipped one).
        steps: DDIM steps (the same budget as the base agent).
        seed_offset: added to the episode seed to seed the initial noise.
    """

    def __init__(self, checkpoint: str | Path | None = None, predictor: str | Path | None = None, steps: int = 20,
                 seed_offset: int = 0) -> None:
        from cauarena.learners.lina import PREDICTOR

        super().__init__(checkpoint, steps, seed_offset)
        self.predictor_path = Path(predictor or PREDICTOR)
        self._predictor: Any = None

    def interventions(self, prompts: list[str]) -> list[Any]:
        """The predictor's choice per prompt."""
        from cauarena.learners.lina.predictor import load_predictor, prompt_embeddings

        if self._predictor is None:
            self._predictor = load_predictor(self.predictor_path)
        return self._predictor.choose(prompt_embeddings(self.model, prompts))


__all__ = ["LinaAgent"]
