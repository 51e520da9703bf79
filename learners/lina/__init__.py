"""LINA-lite: learned, prompt-specific inference-time interventions on the frozen scene-diffusion model.

A small predictor maps the prompt embedding to the interventions (prompt-embedding guidance along the physics
direction, early latent guidance, a schedule that spends more steps early) that its training signal says
maximise the mask score; the generator's weights are never updated. ``cauarena train lina`` rebuilds the
shipped predictor; the agent ``scene-diffusion-lina`` plays ``cauarena/CausalScene-v0`` with it.
"""

from pathlib import Path

from cauarena.learners.lina.lina_config import LinaConfig

PREDICTOR = Path(__file__).parent / "checkpoints" / "lina"
"""The shipped predictor (rebuilt by ``cauarena train lina --out <this folder>``)."""

__all__ = ["PREDICTOR", "LinaConfig"]
