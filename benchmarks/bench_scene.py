"""CausalScene probes on the shipped scene-diffusion model (LINA's physical-alignment probe, small).

    nice -n 5 .venv/bin/python benchmarks/bench_scene.py --out benchmarks/results/scene_probes.json

1. **Named vs unnamed**: the base sampler (20 DDIM steps, guidance 3) on 48 in-distribution scenes held out of
   LINA's training and on every OOD scene, one image each: named-element vs unnamed-effect alignment.
2. **Texture vs physics in the prompt embedding**: the frozen text encoder's mean token state for every
   prompt; softmax probes for texture (3 classes) and for the cause (light-left, light-right, water, table),
   fitted on train-split prompts and scored on the held-out OOD prompts; then each probe again after projecting
   the embedding off the other probe's weight directions (separable directions: accuracy stays).
3. **When the layout is fixed**: for in-distribution light scenes, sample with the light on one side for the
   first k steps and the other side after; the share of images whose shadow follows the new side, per k.

Plus the generation time per image (batch 1, 20 steps; median of 5).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np
import torch

from cauarena.envs.scene import CAUSES, TEXTURES, all_scenes, score_image
from cauarena.leaderboards.stats import bootstrap_ci
from cauarena.learners.lina import LinaConfig
from cauarena.learners.lina.train import split_train_scenes
from cauarena.learners.scene_diffusion import CHECKPOINT
from cauarena.learners.scene_diffusion.model import load_model, pooled
from cauarena.learners.scene_diffusion.sampling import sample


def _ci(values: list[float]) -> list[float]:
    return [round(v, 4) for v in bootstrap_ci(values, seed=0)]


def named_vs_unnamed(model, scenes, seeds, steps: int) -> dict:
    """Mean named / unnamed / physical alignment with bootstrap intervals."""
    images = sample(model, [s.prompt for s in scenes], seeds, steps=steps).numpy()
    scores = [score_image(i, s) for i, s in zip(images, scenes, strict=True)]
    out = {key: _ci([s[key] for s in scores]) for key in ("named_alignment", "unnamed_alignment",
                                                           "physical_alignment", "object", "cause", "effect")}
    for effect in ("shadow", "reflection", "rest"):
        values = [s[f"effect_{effect}"] for s in scores if f"effect_{effect}" in s]
        out[f"effect_{effect}"] = _ci(values) if values else None
    out["n"] = len(scores)
    return out


def _fit_probe(x: torch.Tensor, y: torch.Tensor, classes: int) -> torch.nn.Linear:
    torch.manual_seed(0)
    probe = torch.nn.Linear(x.shape[1], classes)
    optimiser = torch.optim.Adam(probe.parameters(), lr=0.05, weight_decay=1e-3)
    for _ in range(300):
        loss = torch.nn.functional.cross_entropy(probe(x), y)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    return probe


def _off(x: torch.Tensor, directions: torch.Tensor) -> torch.Tensor:
    basis, _ = torch.linalg.qr(directions.T)
    return x - (x @ basis) @ basis.T


def linear_probe(model) -> dict:
    """Texture and cause probes on train prompts, scored on OOD prompts, before and after removing the other."""
    labels = {"texture": lambda s: TEXTURES.index(s.texture),
              "physics": lambda s: CAUSES.index(s.cause) + (s.side == "right") * (s.cause == "light") * 3}
    train, test = all_scenes("train"), all_scenes("ood")
    with torch.no_grad():
        embed = {name: pooled(*model.encode([s.prompt for s in scenes])) for name, scenes in
                 (("train", train), ("test", test))}
    probes, out = {}, {}
    for name, label in labels.items():
        y = {k: torch.tensor([label(s) for s in scenes]) for k, scenes in (("train", train), ("test", test))}
        probes[name] = (_fit_probe(embed["train"], y["train"], 4), y)
    for name, (probe, y) in probes.items():
        other = probes["physics" if name == "texture" else "texture"][0].weight.detach()
        accuracy = float((probe(embed["test"]).argmax(1) == y["test"]).float().mean())
        refit = _fit_probe(_off(embed["train"], other), y["train"], 4)
        removed = float((refit(_off(embed["test"], other)).argmax(1) == y["test"]).float().mean())
        out[name] = {"heldout_accuracy": round(accuracy, 4), "after_removing_other_directions": round(removed, 4)}
    w_t, w_p = (probes[k][0].weight.detach() for k in ("texture", "physics"))
    cosines = torch.nn.functional.normalize(w_t, dim=1) @ torch.nn.functional.normalize(w_p, dim=1).T
    out["max_abs_cosine_texture_vs_physics_weights"] = round(float(cosines.abs().max()), 4)
    out["chance"] = {"texture": round(1 / 3, 4), "physics": 0.25}
    return out


def layout_fixing(model, steps: int, switch_points: list[int], n_scenes: int) -> dict:
    """Shares of images whose shadow follows the new / the first light side when the prompt swaps at step k."""
    _, held = split_train_scenes(LinaConfig().prompts)
    scenes = [s for s in held if s.cause == "light"][:n_scenes]
    swapped = [s.with_side("right" if s.side == "left" else "left") for s in scenes]
    seeds = list(range(len(scenes)))
    new_side, old_side = {}, {}
    for k in switch_points:
        images = sample(model, [s.prompt for s in scenes], seeds, steps=steps,
                        swap_prompts=[s.prompt for s in swapped], swap_at=k).numpy()
        pairs = [(score_image(i, new)["effect"], score_image(i, old)["effect"])
                 for i, old, new in zip(images, scenes, swapped, strict=True)]
        new_side[str(k)] = round(float(np.mean([a > b for a, b in pairs])), 4)
        old_side[str(k)] = round(float(np.mean([b > a for a, b in pairs])), 4)
    fixed = next((int(k) for k in new_side if old_side[k] >= new_side[k]), None)
    return {"share_shadow_on_new_side": new_side, "share_shadow_on_first_side": old_side,
            "first_swap_step_where_first_side_wins": fixed, "n": len(scenes)}


def _untrained(model):
    """The same architecture freshly initialised (seed 0): the probe's control."""
    from cauarena.learners.scene_diffusion.model import SceneDiffusion

    torch.manual_seed(0)
    return SceneDiffusion(model.spec).eval()


def generation_time(model, steps: int, repeats: int) -> dict:
    """Median seconds per image (batch 1) and per image in a batch of 32."""
    prompt = all_scenes("train")[0].prompt
    single = []
    for i in range(repeats):
        start = time.perf_counter()
        sample(model, [prompt], [i], steps=steps)
        single.append(time.perf_counter() - start)
    start = time.perf_counter()
    sample(model, [prompt] * 32, list(range(32)), steps=steps)
    return {"seconds_per_image_batch1_median": round(statistics.median(single), 3),
            "seconds_per_image_batch1_runs": [round(v, 3) for v in single],
            "seconds_per_image_in_batch32": round((time.perf_counter() - start) / 32, 3)}


def main() -> None:
    """Run the probes and write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoint", default=str(CHECKPOINT))
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--out", default="benchmarks/results/scene_probes.json")
    args = parser.parse_args()
    torch.set_num_threads(1)
    model = load_model(args.checkpoint)
    _, held = split_train_scenes(LinaConfig().prompts)
    ood = all_scenes("ood")
    result = {"checkpoint": args.checkpoint, "steps": args.steps,
              "generation_time": generation_time(model, args.steps, 5),
              "linear_probe": linear_probe(model),
              "linear_probe_untrained_encoder_control": linear_probe(_untrained(model)),
              "named_vs_unnamed": {"in_distribution": named_vs_unnamed(model, held[:48], list(range(48)), args.steps),
                                   "ood": named_vs_unnamed(model, ood, list(range(len(ood))), args.steps)},
              "layout_fixing": layout_fixing(model, args.steps, [0, 1, 2, 3, 4, 6, 8, 12, 16], 24)}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
