"""Train a CauScale network on fresh simulator batches, with a curriculum over n and mechanisms.

Rebuild the shipped checkpoint (see ``checkpoints/default/TRAINING.md`` for the exact command)::

    cauarena train causcale --out runs/causcale/default --steps 2000
    cp runs/causcale/default/{config.json,model.safetensors,metrics.json} learners/causcale/checkpoints/default/

Every ``validate_every`` steps the trainer validates on fixed linear ER and SF graphs, writes the resumable
state (``state.pt``: weights, optimiser, step, history) and the model files (``config.json``,
``model.safetensors``, ``metrics.json``) to ``--out`` and nowhere else. Rerunning the same command resumes from
``state.pt`` (batches are seeded by ``(seed, step)``, so a resumed run draws the same graphs). CPU by default; a GPU
when one is present (``--device`` overrides).
The shipped checkpoint changes only by the explicit ``cp`` above.
"""

from __future__ import annotations

import dataclasses
import json
import math
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

from cauarena.learners.causcale.causcale_config import CauScaleConfig

VALIDATION_SEED = 10**6
"""Validation graphs are seeded from ``seed + VALIDATION_SEED``: disjoint from the training batches."""


def default_device() -> str:
    """``cuda`` when a GPU is visible, else ``cpu``."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def validate(model: Any, config: CauScaleConfig, device: str, rows: int = 1000) -> dict[str, float]:
    """Mean AUPRC / SHD (at 0.5) on fixed linear ER and SF graphs (``validation_n`` variables, ``rows`` rows)."""
    import torch

    from cauarena.envs.causal.metrics import auprc, binarize, shd
    from cauarena.learners.causcale.data import sample_graph
    from cauarena.learners.causcale.model import edge_probabilities

    rng = np.random.default_rng(config.seed + VALIDATION_SEED)
    sim = dataclasses.replace(config, sim_rows=rows)
    out: dict[str, float] = {}
    was_training = model.training
    model.eval()
    for kind in ("er", "sf"):
        scores = []
        for _ in range(config.validation_graphs):
            x, mask, prior, adj = sample_graph(sim, config.validation_n, "linear", rng, kind=kind, degree=2.0,
                                               interventional=False, root="noise")
            with torch.inference_mode():
                probs = edge_probabilities(model(*(torch.from_numpy(a)[None].to(device) for a in (x, mask, prior))))
            p = probs[0].double().cpu().numpy()
            scores.append((auprc(p, adj), shd(binarize(p), adj)))
        out[f"{kind}_auprc"] = round(statistics.fmean(s[0] for s in scores), 4)
        out[f"{kind}_shd"] = round(statistics.fmean(s[1] for s in scores), 2)
    model.train(was_training)
    return out


def learning_rate_at(config: CauScaleConfig, step: int) -> float:
    """The learning rate of optimiser step ``step`` (from 0): constant, then a cosine anneal.

    The last ``anneal_steps`` steps (all of a shorter run) decay it to ``min_learning_rate``, reached at the last
    step.

    >>> config = CauScaleConfig(steps=10, anneal_steps=4, learning_rate=1e-3, min_learning_rate=1e-5)
    >>> [round(learning_rate_at(config, s), 6) for s in (0, 5, 6, 9)]
    [0.001, 0.001, 0.001, 1e-05]
    """
    span = min(config.anneal_steps, config.steps)
    start = config.steps - span
    if step < start or span == 0:
        return config.learning_rate
    progress = (step - start) / max(span - 1, 1)
    low, high = config.min_learning_rate, config.learning_rate
    return low + (high - low) * 0.5 * (1.0 + math.cos(math.pi * progress))


def _load_state(out: Path, model: Any, optimizer: Any, device: str) -> tuple[int, list[dict]]:
    import torch

    path = out / "state.pt"
    if not path.is_file():
        return 0, []
    state = torch.load(path, map_location=device, weights_only=False)
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    return int(state["step"]), list(state["history"])


def _save(out: Path, model: Any, optimizer: Any, config: CauScaleConfig, step: int, history: list[dict],
          extra: dict[str, Any]) -> None:
    import torch

    from cauarena.learners.causcale.checkpoint import save_model

    out.mkdir(parents=True, exist_ok=True)
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step,
                "history": history, "config": config.to_dict()}, out / "state.tmp")
    (out / "state.tmp").replace(out / "state.pt")
    metrics = {"step": step, "validation": history[-1] if history else {}, "history": history, **extra}
    save_model(model, config, out, metrics)


def train(config: CauScaleConfig, out: Path, *, resume: bool = True, device: str | None = None, threads: int = 0,
          progress: bool = True) -> dict[str, Any]:
    """Train (or resume) to ``config.steps``; returns the final ``metrics.json`` content.

    Args:
        config: the network and its training run.
        out: folder for ``state.pt`` and the model files.
        resume: continue from ``out/state.pt`` when it is there (False: start over).
        device: torch device (None: cuda when present, else cpu).
        threads: torch CPU threads (0: torch's choice).
        progress: show a progress bar.
    """
    import torch
    from tqdm.auto import tqdm

    from cauarena.learners.causcale.data import sample_batch
    from cauarena.learners.causcale.model import CauScale, pair_loss

    if threads:
        torch.set_num_threads(threads)
    device = device or default_device()
    torch.manual_seed(config.seed)
    model = CauScale(config).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    step, history = _load_state(out, model, optimizer, device) if resume else (0, [])
    extra = {"parameters": sum(p.numel() for p in model.parameters()), "device": device,
             "torch_threads": torch.get_num_threads()}
    # train_s counts every run of a resumed training, not only this one
    start, losses = time.perf_counter() - (history[-1]["train_s"] if history else 0.0), []
    bar = tqdm(total=config.steps, initial=step, desc="causcale", disable=not progress, unit="step")
    model.train()
    while step < config.steps:
        batch = sample_batch(config, step, np.random.default_rng([config.seed, step]))
        tensors = [torch.from_numpy(a).to(device) for a in (batch.data, batch.mask, batch.prior, batch.adjacency)]
        loss = pair_loss(model(*tensors[:3]), tensors[3])
        optimizer.zero_grad(set_to_none=True)
        for group in optimizer.param_groups:
            group["lr"] = learning_rate_at(config, step)
        loss.backward()
        if config.grad_clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
        optimizer.step()
        step += 1
        losses.append(float(loss.detach()))
        bar.update(1)
        bar.set_postfix(loss=f"{statistics.fmean(losses[-50:]):.4f}", n=batch.data.shape[2])
        if step % config.validate_every == 0 or step == config.steps:
            row = {"step": step, "loss": round(statistics.fmean(losses[-config.validate_every:]), 5),
                   "train_s": round(time.perf_counter() - start, 1), **validate(model, config, device)}
            history.append(row)
            bar.write(json.dumps(row))
            _save(out, model, optimizer, config, step, history, extra)
    bar.close()
    return json.loads((out / "metrics.json").read_text()) if (out / "metrics.json").is_file() else {}
