"""LINA vs the base sampler on the shipped scene-diffusion model: physical alignment, in-distribution and OOD.

    nice -n 5 .venv/bin/python benchmarks/bench_lina.py --out benchmarks/results/lina_eval.json

The same frozen generator, the same 20 DDIM steps and the same noise seeds for both arms; LINA only adds the
interventions its shipped predictor picks per prompt. In-distribution prompts are train-split scenes held out of
LINA's own training (the scenes after the first ``LinaConfig.prompts`` of its shuffle); OOD prompts are every
held-out colour x object x effect scene. Each image has its own noise seed (``10000 + index``; LINA's training
signal used seeds from 1000), the same in both arms. Means with seeded bootstrap intervals over prompts, and the paired
LINA - base difference with its interval.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import numpy as np
import torch

from cauarena.envs.scene import all_scenes, score_image
from cauarena.leaderboards.stats import bootstrap_ci
from cauarena.learners.lina import PREDICTOR, LinaConfig
from cauarena.learners.lina.predictor import load_predictor, prompt_embeddings
from cauarena.learners.lina.train import split_train_scenes
from cauarena.learners.scene_diffusion import CHECKPOINT
from cauarena.learners.scene_diffusion.model import load_model
from cauarena.learners.scene_diffusion.sampling import sample

KEYS = ("physical_alignment", "named_alignment", "unnamed_alignment", "object", "cause", "effect")


def _ci(values: list[float]) -> list[float]:
    return [round(v, 4) for v in bootstrap_ci(values, seed=0)]


def scores_of(model, scenes, seeds, steps, interventions=None) -> list[dict]:
    """Scores of one image per (scene, seed), in batches of 48."""
    out = []
    for start in range(0, len(scenes), 48):
        part = slice(start, start + 48)
        images = sample(model, [s.prompt for s in scenes[part]], seeds[part], steps=steps,
                        interventions=None if interventions is None else interventions[part]).numpy()
        out += [score_image(i, s) for i, s in zip(images, scenes[part], strict=True)]
    return out


def compare(model, predictor, scenes, n_seeds: int, steps: int) -> dict:
    """Base and LINA arms on ``scenes`` x ``n_seeds`` seeds, per key: means, intervals, paired difference."""
    runs = [(s, seed) for s in scenes for seed in range(n_seeds)]
    scenes_r = [s for s, _ in runs]
    seeds = [10_000 + index for index in range(len(runs))]  # a distinct noise draw per image, the same for both arms
    chosen = predictor.choose(prompt_embeddings(model, [s.prompt for s in scenes_r]))
    base = scores_of(model, scenes_r, seeds, steps)
    lina = scores_of(model, scenes_r, seeds, steps, chosen)
    out = {"n_images": len(runs), "chosen": dict(Counter(json.dumps(c.to_dict(), sort_keys=True) for c in chosen))}
    for key in KEYS:
        b, a = [s[key] for s in base], [s[key] for s in lina]
        out[key] = {"base": _ci(b), "lina": _ci(a), "lina_minus_base": _ci(list(np.subtract(a, b)))}
    return out


def main() -> None:
    """Evaluate both arms and write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoint", default=str(CHECKPOINT))
    parser.add_argument("--predictor", default=str(PREDICTOR))
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--in-distribution", type=int, default=60, help="held-out train-split prompts")
    parser.add_argument("--seeds", type=int, default=1, help="noise seeds per prompt")
    parser.add_argument("--out", default="benchmarks/results/lina_eval.json")
    args = parser.parse_args()
    torch.set_num_threads(1)
    model, predictor = load_model(args.checkpoint), load_predictor(args.predictor)
    _, held = split_train_scenes(LinaConfig().prompts)
    result = {"steps": args.steps, "seeds": args.seeds,
              "in_distribution": compare(model, predictor, held[:args.in_distribution], args.seeds, args.steps),
              "ood": compare(model, predictor, all_scenes("ood"), args.seeds, args.steps)}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
