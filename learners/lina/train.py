"""``cauarena train lina``: measure the probes' signal on train prompts, fit the predictor, never touch the generator.

``train(config, out)`` writes only under ``out``: ``predictor.safetensors`` + ``predictor.json``,
``signal.json`` (the measured objective per prompt and candidate) and ``lina_result.json``. The generator's
weights are only read: the result records a digest of its state dict before and after, and they must agree.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from cauarena.envs.scene import all_scenes
from cauarena.errors import ConfigError
from cauarena.learners.lina.lina_config import LinaConfig
from cauarena.learners.lina.predictor import LinaPredictor, candidates, prompt_embeddings
from cauarena.learners.lina.signal import measure


def state_digest(model: Any) -> str:
    """A SHA-256 of every tensor of ``model``'s state dict (names and bytes)."""
    digest = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


def split_train_scenes(n_lina: int, seed: int = 0) -> tuple[list[Any], list[Any]]:
    """The train split shuffled: the first ``n_lina`` scenes for LINA, the rest held out for evaluation."""
    scenes = all_scenes("train")
    order = np.random.default_rng([seed, 25]).permutation(len(scenes))
    if n_lina >= len(scenes):
        raise ConfigError(f"prompts must be below the {len(scenes)} train scenes so some stay held out; got {n_lina}.")
    return [scenes[i] for i in order[:n_lina]], [scenes[i] for i in order[n_lina:]]


def fit_predictor(embeddings: Any, table: np.ndarray, options: list[Any], config: LinaConfig) -> LinaPredictor:
    """Regress each candidate's objective on the prompt embedding (full-batch Adam, MSE)."""
    import torch

    torch.manual_seed(config.seed)
    predictor = LinaPredictor(embeddings.shape[1], options, config.hidden)
    target = torch.tensor(table, dtype=torch.float32)
    optimiser = torch.optim.Adam(predictor.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    for _ in range(config.epochs):
        loss = torch.nn.functional.mse_loss(predictor(embeddings), target)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    return predictor.eval()


def load_generator(config: LinaConfig) -> Any:
    """The frozen generator of ``config`` (the shipped one by default)."""
    import torch

    from cauarena.learners.scene_diffusion import CHECKPOINT
    from cauarena.learners.scene_diffusion.model import load_model

    torch.set_num_threads(config.threads)
    generator = load_model(config.generator or CHECKPOINT)
    for parameter in generator.parameters():
        parameter.requires_grad_(False)
    return generator


def train(config: LinaConfig, out: Path) -> dict[str, Any]:
    """Load the frozen generator of ``config``, then :func:`train_with` it."""
    return train_with(load_generator(config), config, out)


def train_with(generator: Any, config: LinaConfig, out: Path) -> dict[str, Any]:
    """Measure, fit and save; returns ``{"config", "seconds", "generator_unchanged", "chosen_counts", ...}``.

    Raises:
        RuntimeError: the generator's weights changed (they never should).
    """
    start = time.perf_counter()
    before = state_digest(generator)
    scenes, _ = split_train_scenes(config.prompts, config.seed)
    options = candidates(config.embedding_scales, config.early_boosts, config.early_schedules, config.guidance)
    table = measure(generator, scenes, options, config.seeds, steps=config.steps, batch=config.batch,
                    effect_weight=config.effect_weight)
    embeddings = prompt_embeddings(generator, [s.prompt for s in scenes])
    predictor = fit_predictor(embeddings, table, options, config)
    after = state_digest(generator)
    if after != before:
        raise RuntimeError("LINA changed the generator's weights; it must only read them.")
    out = Path(out)
    predictor.save(out)
    chosen = [options.index(o) for o in predictor.choose(embeddings)]
    result = {"config": config.to_dict(), "seconds": round(time.perf_counter() - start, 1),
              "generator_unchanged": True, "generator_digest": after,
              "candidates": [o.to_dict() for o in options], "mean_objective": table.mean(axis=0).round(4).tolist(),
              "oracle_best_mean": round(float(table.max(axis=1).mean()), 4),
              "chosen_counts": np.bincount(chosen, minlength=len(options)).tolist()}
    (out / "signal.json").write_text(json.dumps({"prompts": [s.prompt for s in scenes],
                                                 "objective": table.round(5).tolist()}))
    (out / "lina_result.json").write_text(json.dumps(result, indent=1))
    return result


__all__ = ["fit_predictor", "load_generator", "split_train_scenes", "state_digest", "train", "train_with"]
