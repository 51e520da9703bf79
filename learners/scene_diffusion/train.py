"""Train the scene-diffusion model on the rendered train-split scenes, then evaluate it with the env's scorer.

``train(config, out)`` writes only under ``out``: ``model.safetensors`` + ``model.json`` (the EMA weights),
``config.json``, ``losses.json`` and ``metrics.json`` (physical alignment on train and OOD scenes).
"""

from __future__ import annotations

import copy
import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from cauarena.envs.scene import all_scenes, render, score_image
from cauarena.learners.scene_diffusion.scene_diffusion_config import SceneDiffusionConfig


def training_data(seed: int = 0) -> tuple[list[str], Any]:
    """The train split's prompts and their exact renders as latents ``(n, 12, 16, 16)``."""
    import torch

    from cauarena.learners.scene_diffusion.model import to_latent

    scenes = all_scenes("train")
    images = torch.from_numpy(np.stack([render(s) for s in scenes]))
    return [s.prompt for s in scenes], to_latent(images)


def build(config: SceneDiffusionConfig) -> Any:
    """A freshly initialised model of ``config``'s architecture (seeded)."""
    import torch

    from cauarena.learners.scene_diffusion.model import ModelSpec, SceneDiffusion

    torch.manual_seed(config.seed)
    return SceneDiffusion(ModelSpec(width=config.width, text_layers=config.text_layers, channels=config.channels,
                                    layers_per_block=config.layers_per_block,
                                    train_timesteps=config.train_timesteps))


def _lr(config: SceneDiffusionConfig, step: int) -> float:
    warm = min(1.0, (step + 1) / 50)
    progress = step / max(config.steps - 1, 1)
    return config.learning_rate * warm * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def fit(model: Any, config: SceneDiffusionConfig, progress: bool = False) -> tuple[Any, list[float]]:
    """Train ``model`` in place; returns the EMA copy (or the model when ``ema_decay`` is 0) and the losses."""
    import torch
    from diffusers import DDPMScheduler

    torch.set_num_threads(config.threads)
    prompts, latents = training_data(config.seed)
    noise_schedule = DDPMScheduler(num_train_timesteps=config.train_timesteps, beta_schedule="squaredcos_cap_v2")
    generator = torch.Generator().manual_seed(config.seed)
    optimiser = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    ema = copy.deepcopy(model).eval() if config.ema_decay else model
    losses: list[float] = []
    model.train()
    for step in range(config.steps):
        index = torch.randint(len(prompts), (config.batch_size,), generator=generator)
        drop = torch.rand(config.batch_size, generator=generator) < config.null_prob
        batch = ["" if d else prompts[int(i)] for i, d in zip(index, drop, strict=True)]
        noise = torch.randn(latents[index].shape, generator=generator)
        t = torch.randint(config.train_timesteps, (config.batch_size,), generator=generator)
        noisy = noise_schedule.add_noise(latents[index], noise, t)
        states, _ = model.encode(batch)
        loss = torch.nn.functional.mse_loss(model(noisy, t, states), noise)
        for group in optimiser.param_groups:
            group["lr"] = _lr(config, step)
        optimiser.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        if config.ema_decay:
            _ema_update(ema, model, min(config.ema_decay, (1 + step) / (10 + step)))
        losses.append(float(loss.detach()))
        if progress and step % 50 == 0:
            print(f"step {step} loss {np.mean(losses[-50:]):.4f}", flush=True)
    return ema.eval(), losses


def _ema_update(ema: Any, model: Any, decay: float) -> None:
    import torch

    with torch.no_grad():
        for target, source in zip(ema.parameters(), model.parameters(), strict=True):
            target.mul_(decay).add_(source.detach(), alpha=1 - decay)


def evaluate(model: Any, n_scenes: int, steps: int, seed: int = 0) -> dict[str, float]:
    """Mean scores of ``n_scenes`` scenes per split (train, ood) with the base sampler, one image each."""
    from cauarena.learners.scene_diffusion.sampling import sample

    rng = np.random.default_rng(seed)
    out: dict[str, float] = {}
    for split in ("train", "ood"):
        scenes = all_scenes(split)
        chosen = [scenes[i] for i in rng.choice(len(scenes), min(n_scenes, len(scenes)), replace=False)]
        images = sample(model, [s.prompt for s in chosen], list(range(len(chosen))), steps=steps).numpy()
        scores = [score_image(image, scene) for image, scene in zip(images, chosen, strict=True)]
        for key in ("physical_alignment", "named_alignment", "unnamed_alignment"):
            out[f"{split}_{key}"] = round(float(np.mean([s[key] for s in scores])), 4)
    return out


def train(config: SceneDiffusionConfig, out: Path, progress: bool = False) -> dict[str, Any]:
    """Train, save under ``out`` and evaluate; returns ``{"config", "seconds", "final_loss", "metrics"}``.

    Args:
        config: the run's configuration.
        out: the folder written (only it).
        progress: print the mean loss every 50 steps.
    """
    start = time.perf_counter()
    model, losses = fit(build(config), config, progress=progress)
    seconds = time.perf_counter() - start
    out = Path(out)
    model.save(out)
    metrics = evaluate(model, config.eval_scenes, config.eval_steps, config.seed) if config.eval_scenes else {}
    result = {"config": config.to_dict(), "seconds": round(seconds, 1), "final_loss": round(float(
        np.mean(losses[-50:])), 5), "metrics": metrics}
    (out / "config.json").write_text(json.dumps(config.to_dict(), indent=1))
    (out / "losses.json").write_text(json.dumps([round(v, 5) for v in losses]))
    (out / "metrics.json").write_text(json.dumps(result, indent=1))
    return result


__all__ = ["build", "evaluate", "fit", "train", "training_data"]
