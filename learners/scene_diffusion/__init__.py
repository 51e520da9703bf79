"""Scene diffusion: a small text-to-image diffusion model trained here on CausalScene renders (LINA-lite).

A word-level tokenizer and a tiny transformer text encoder, trained jointly with a diffusers
``UNet2DConditionModel`` on space-to-depth latents (DDPM training, DDIM sampling, classifier-free guidance).
``cauarena train scene-diffusion`` rebuilds the shipped checkpoint; the agents ``scene-diffusion`` and
``scene-diffusion-lina`` (:mod:`.agent`) play ``cauarena/CausalScene-v0`` with it.
"""

from pathlib import Path

from cauarena.learners.scene_diffusion.scene_diffusion_config import SceneDiffusionConfig

CHECKPOINT = Path(__file__).parent / "checkpoints" / "base"
"""The shipped checkpoint (rebuilt by ``cauarena train scene-diffusion --out <this folder>``)."""

__all__ = ["CHECKPOINT", "SceneDiffusionConfig"]
