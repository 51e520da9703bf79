"""Save, load and run a CauScale checkpoint: ``config.json`` + ``model.safetensors`` (+ ``metrics.json``).

The shipped checkpoint is ``checkpoints/default`` beside this file (see its ``TRAINING.md``).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np

from cauarena.errors import ConfigError
from cauarena.learners.causcale.causcale_config import CauScaleConfig

CHECKPOINTS = Path(__file__).resolve().parent / "checkpoints"
DEFAULT_CHECKPOINT = CHECKPOINTS / "default"


def checkpoint_dir(name_or_path: str | Path | None = None) -> Path:
    """A shipped checkpoint's folder by name (``default``), or a folder path; None is ``default``."""
    if name_or_path is None:
        return DEFAULT_CHECKPOINT
    path = Path(name_or_path)
    if not path.is_dir() and (CHECKPOINTS / str(name_or_path)).is_dir():
        path = CHECKPOINTS / str(name_or_path)
    if not (path / "config.json").is_file() or not (path / "model.safetensors").is_file():
        shipped = sorted(p.name for p in CHECKPOINTS.iterdir() if p.is_dir()) if CHECKPOINTS.is_dir() else []
        raise ConfigError(
            f"No CauScale checkpoint at {str(name_or_path)!r} (needs config.json and model.safetensors). "
            f"Shipped: {shipped}. Fix: pass a folder written by `cauarena train causcale`."
        )
    return path


def save_model(model: Any, config: CauScaleConfig, directory: Path, metrics: dict | None = None) -> None:
    """Write ``config.json``, ``model.safetensors`` and, when given, ``metrics.json`` into ``directory``."""
    from safetensors.torch import save_file

    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.json").write_text(json.dumps(config.to_dict(), indent=1) + "\n")
    save_file({k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()},
              str(directory / "model.safetensors"))
    if metrics is not None:
        (directory / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")


def load_model(name_or_path: str | Path | None = None, device: str = "cpu", **overrides: Any) -> Any:
    """The :class:`~cauarena.learners.causcale.model.CauScale` network of a checkpoint, in eval mode.

    Args:
        name_or_path: a shipped name or a folder (None: the shipped ``default``).
        device: torch device.
        **overrides: config fields to change that leave the weights' shapes alone (``attention``).
    """
    from safetensors.torch import load_file

    from cauarena.learners.causcale.model import CauScale

    path = checkpoint_dir(name_or_path)
    config = CauScaleConfig.from_dict({**json.loads((path / "config.json").read_text()), **overrides})
    model = CauScale(config)
    model.load_state_dict(load_file(str(path / "model.safetensors")))
    return model.to(device).eval()


def check_rows(**counts: Any) -> None:
    """Refuse a row count (``max_rows``, ``prior_rows``) that is not None, 0 (all rows) or a positive int.

    >>> check_rows(max_rows=None, prior_rows=0)
    >>> check_rows(prior_rows=-1)
    Traceback (most recent call last):
    ...
    cauarena.errors.ConfigError: prior_rows must be None, 0 (all rows) or a positive int; got -1.
    """
    for name, value in counts.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0):
            raise ConfigError(f"{name} must be None, 0 (all rows) or a positive int; got {value!r}.")


def predict(
    model: Any, data: np.ndarray, interventions: np.ndarray | None = None, *, seed: int = 0,
    max_rows: int | None = None, device: str = "cpu", prior_rows: int | None = None,
) -> np.ndarray:
    """``float64 [n, n]`` probabilities of ``i -> j`` for one ``[m, n]`` dataset (one forward pass).

    Args:
        model: a loaded network.
        data: ``[m, n]`` samples (standardised here).
        interventions: ``[m, n]`` 0/1 mask (None: observational).
        seed: picks the prior's rows and the rows the data stream keeps.
        max_rows: the data stream keeps at most this many rows, drawn at random in their original order
            (None or 0: all, as the agent's ``max_rows=0``).
        device: torch device.
        prior_rows: rows the precision prior reads at most (None: the checkpoint's ``prior_rows``, 500 as
            published; 0: all rows). At n = 500 with 1000 rows, 500 rows make the covariance singular and
            Ledoit-Wolf's shrinkage blurs the prior; all rows gave 0.818 mAP against 0.650 on a validation graph
            (BENCHMARKS.md).
    """
    import torch

    from cauarena.learners.causcale.data import featurize
    from cauarena.learners.causcale.model import edge_probabilities

    check_rows(max_rows=max_rows, prior_rows=prior_rows)
    rng = np.random.default_rng(seed)
    data = np.asarray(data, dtype=np.float64)
    if data.ndim != 2 or data.shape[0] < 2:
        raise ConfigError(f"predict needs [m, n] data with m >= 2 rows; got shape {data.shape}.")
    mask = np.zeros(data.shape) if interventions is None else np.asarray(interventions)
    config = model.config
    if prior_rows is not None:
        config = dataclasses.replace(config, prior_rows=int(prior_rows) or max(data.shape[0], 8))
    x, mask_f, prior = featurize(data, mask, config, rng, max_rows or None)
    with torch.inference_mode():
        tensors = [torch.from_numpy(a).unsqueeze(0).to(device) for a in (x, mask_f, prior)]
        probs = edge_probabilities(model(*tensors))[0]
    return probs.double().cpu().numpy()
