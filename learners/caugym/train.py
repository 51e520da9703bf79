"""One ``train(config, out, ...)`` for every CauGym recipe; the config's class says which recipe runs.

Build the starting model first (tokenizer + small Llama + cold-start SFT), then any recipe from it::

    cauarena train caugym-base --out runs/caugym/base
    cauarena train caugym-sft  --init runs/caugym/base --out runs/caugym/sft
    cauarena train caugym-dpo  --init runs/caugym/base --out runs/caugym/dpo
    cauarena train caugym-kto  --init runs/caugym/base --out runs/caugym/kto
    cauarena train caugym-grpo --init runs/caugym/base --out runs/caugym/grpo

Each recipe is its own method because each has its own config (``cauarena train caugym-dpo --help`` lists
exactly the fields DPO reads). Each ``--out`` is an ``hf/`` model folder (``cauarena run --suite caugym --agent
hf/runs/caugym/sft``); trainer scratch goes to ``<out>/work`` unless ``--work-dir`` says otherwise. PPO is not
offered: TRL 1.16 no longer ships a PPO trainer.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from cauarena.errors import ConfigError, NameNotFound
from cauarena.learners.caugym.common_config import METHODS, CauGymTrainConfig
from cauarena.learners.methods import TRAIN_METHODS
from cauarena.registry import load


def make_config(method: str, overrides: dict[str, Any] | None = None) -> CauGymTrainConfig:
    """The config of recipe ``method`` (``base``, ``sft``, ...) with ``overrides`` applied (validated).

    Raises:
        NameNotFound: an unknown recipe.
        ConfigError: an unknown or invalid field.

    >>> make_config("dpo", {"beta": 0.2}).beta
    0.2
    """
    if method not in METHODS:
        raise NameNotFound("CauGym training method", method, METHODS, hint="PPO is not in TRL 1.16.")
    cls = load(TRAIN_METHODS.find(f"caugym-{method}").config, what=f"caugym-{method} config")
    return cls.from_dict(dict(overrides or {}))


def train(config: CauGymTrainConfig, out: Path, init: Path | None = None, work_dir: Path | None = None,
          progress: bool = True) -> dict[str, Any]:
    """Train the recipe of ``config`` into ``out`` (an ``hf/`` folder); returns the metrics in ``metrics.json``.

    Args:
        config: a recipe's config (its class picks the recipe).
        out: folder for the trained model and ``metrics.json``.
        init: the starting checkpoint, a folder written by ``cauarena train caugym-base`` (every recipe but base).
        work_dir: trainer scratch (None: ``<out>/work``).
        progress: show progress bars.

    Raises:
        ConfigError: a post-training recipe without ``init``.
    """
    if config.method != "base" and init is None:
        raise ConfigError(f"caugym-{config.method} post-trains a starting model. Fix: build one with "
                          "`cauarena train caugym-base --out DIR` and pass --init DIR.")
    trainer = importlib.import_module(f"cauarena.learners.caugym.{config.method}")
    work = Path(out) / "work" if work_dir is None else Path(work_dir)
    return trainer.train(config, Path(out), work, init=None if init is None else Path(init), progress=progress)


def run(method: str, out: Path, init: Path | None = None, work_dir: Path | None = None,
        overrides: dict[str, Any] | None = None, progress: bool = True) -> dict[str, Any]:
    """:func:`train` with the config of recipe ``method`` built from ``overrides`` (for scripts and tests)."""
    return train(make_config(method, overrides), Path(out), init, work_dir, progress)
