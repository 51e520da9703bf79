"""Post-train the tiny LM on CauGym: ``python -m cauarena.learners.caugym.train --method sft ...``.

Build the starting model first (tokenizer + small Llama + cold-start SFT), then any method from it::

    python -m cauarena.learners.caugym.train --method base --out runs/caugym/base
    python -m cauarena.learners.caugym.train --method sft  --init runs/caugym/base --out runs/caugym/sft
    python -m cauarena.learners.caugym.train --method dpo  --init runs/caugym/base --out runs/caugym/dpo
    python -m cauarena.learners.caugym.train --method kto  --init runs/caugym/base --out runs/caugym/kto
    python -m cauarena.learners.caugym.train --method grpo --init runs/caugym/base --out runs/caugym/grpo

Each ``--out`` is an ``hf/`` model folder: ``cauarena run --suite caugym --agent hf/runs/caugym/sft``.
``--set key=value`` overrides a config field (JSON values), e.g. ``--set items_per_cell=5``. PPO is not
offered: TRL 1.16 no longer ships a PPO trainer.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path
from typing import Any

from cauarena.errors import NameNotFound
from cauarena.learners.caugym.common_config import METHODS, CauGymTrainConfig
from cauarena.learners.config_io import parse_overrides

CONFIGS = {
    "base": "cauarena.learners.caugym.base_config:BaseLMConfig",
    "sft": "cauarena.learners.caugym.sft_config:CauGymSFTConfig",
    "dpo": "cauarena.learners.caugym.dpo_config:CauGymDPOConfig",
    "kto": "cauarena.learners.caugym.kto_config:CauGymKTOConfig",
    "grpo": "cauarena.learners.caugym.grpo_config:CauGymGRPOConfig",
}
"""Config class per method (``module:Class``)."""


def _attr(spec: str) -> Any:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def make_config(method: str, overrides: dict[str, Any] | None = None) -> CauGymTrainConfig:
    """The config of ``method`` with ``overrides`` applied (validated).

    Raises:
        NameNotFound: an unknown method.
        ConfigError: an unknown or invalid field.
    """
    if method not in CONFIGS:
        raise NameNotFound("CauGym training method", method, METHODS, hint="PPO is not in TRL 1.16.")
    cls = _attr(CONFIGS[method])
    return cls.from_dict(dict(overrides or {}))


def run(method: str, out: Path, init: Path | None = None, work_dir: Path | None = None,
        overrides: dict[str, Any] | None = None, progress: bool = True) -> dict[str, Any]:
    """Train ``method`` into ``out`` (an ``hf/`` folder); returns the metrics also written to ``metrics.json``."""
    config = make_config(method, overrides)
    trainer = importlib.import_module(f"cauarena.learners.caugym.{method}")
    work = work_dir or Path("runs") / "caugym" / "work" / method
    return trainer.train(config, Path(out), Path(work), init=None if init is None else Path(init), progress=progress)


def main(argv: list[str] | None = None) -> int:
    """The command line (see the module docs)."""
    parser = argparse.ArgumentParser(description="Post-train the tiny LM on CauGym (CPU).")
    parser.add_argument("--method", required=True, choices=METHODS)
    parser.add_argument("--out", required=True, help="folder for the trained model (an hf/ model folder)")
    parser.add_argument("--init", default=None, help="starting checkpoint (all methods but base)")
    parser.add_argument("--work-dir", default=None, help="trainer scratch folder")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    if args.method != "base" and args.init is None:
        parser.error(f"--method {args.method} needs --init DIR (build one with --method base)")
    metrics = run(args.method, Path(args.out), args.init, args.work_dir and Path(args.work_dir),
                  parse_overrides(args.overrides), progress=not args.no_progress)
    print(json.dumps({k: v for k, v in metrics.items() if k != "config"}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
