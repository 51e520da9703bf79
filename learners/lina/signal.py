"""The probes' signal LINA learns from: the objective each candidate intervention reaches on each prompt.

For every training prompt, every candidate and every seed, the frozen generator samples one image and the env's
scorer (:func:`~cauarena.envs.scene.score_image`) scores it against the scene's masks. The objective mixes the
physical alignment with the unnamed effect's score (the failure the physical-alignment probe finds).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cauarena.envs.scene import Scene, score_image
from cauarena.learners.scene_diffusion.sampling import Intervention, sample


def objective(scores: dict[str, float], effect_weight: float) -> float:
    """``(1 - w) * physical_alignment + w * unnamed_alignment``.

    >>> objective({"physical_alignment": 0.6, "unnamed_alignment": 0.2}, 0.5)
    0.4
    """
    return round((1 - effect_weight) * scores["physical_alignment"] + effect_weight * scores["unnamed_alignment"], 6)


def score_runs(generator: Any, scenes: list[Scene], plans: list[Intervention], seeds: list[int], *,
               steps: int, batch: int) -> list[dict[str, float]]:
    """Sample and score ``scenes[i]`` with ``plans[i]`` and ``seeds[i]``, in batches of ``batch`` images."""
    out: list[dict[str, float]] = []
    for start in range(0, len(scenes), batch):
        part = slice(start, start + batch)
        images = sample(generator, [s.prompt for s in scenes[part]], seeds[part], steps=steps,
                        interventions=plans[part]).numpy()
        out += [score_image(image, scene) for image, scene in zip(images, scenes[part], strict=True)]
    return out


def measure(generator: Any, scenes: list[Scene], options: list[Intervention], n_seeds: int, *, steps: int,
            batch: int, effect_weight: float) -> np.ndarray:
    """``(prompts, candidates)`` objectives, each the mean over ``n_seeds`` seeds.

    Every prompt gets its own noise seeds (``1000 + prompt * n_seeds + k``), shared by its candidates, so the
    candidates are compared on the same noise and the prompts do not all share one draw.
    """
    jobs = [(i, k, seed) for i in range(len(scenes)) for k in range(len(options)) for seed in range(n_seeds)]
    scores = score_runs(generator, [scenes[i] for i, _, _ in jobs], [options[k] for _, k, _ in jobs],
                        [1000 + i * n_seeds + seed for i, _, seed in jobs], steps=steps, batch=batch)
    table = np.zeros((len(scenes), len(options)))
    for (i, k, _), score in zip(jobs, scores, strict=True):
        table[i, k] += objective(score, effect_weight) / n_seeds
    return table


__all__ = ["measure", "objective", "score_runs"]
