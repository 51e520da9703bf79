"""``cauarena train agentdog-classifier --out DIR``: fit the step classifier guard, write ``DIR/classifier.json``.

The shipped weights (``guards/agentdog/classifier.json``) change only by the explicit copy::

    cauarena train agentdog-classifier --out runs/agentdog-classifier
    cp runs/agentdog-classifier/classifier.json guards/agentdog/classifier.json

The same data and code give the same weights (a slow test rebuilds them and compares).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

__all__ = ["ClassifierTrainConfig", "train"]


@dataclass(frozen=True)
class ClassifierTrainConfig:
    """Where the classifier's training data comes from (the fit itself has no free settings).

    Attributes:
        data: a folder written by ``save_atbench`` holding the ``train`` and ``dev`` splits; ``""`` plays the
            benchmark in memory first (as the shipped weights were built).
    """

    data: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The config as JSON-safe data."""
        return asdict(self)


def train(config: ClassifierTrainConfig, out: Path) -> dict[str, Any]:
    """Fit on the ``train`` split, pick the threshold on ``dev``, write ``out/classifier.json``.

    Args:
        config: where the data comes from.
        out: folder for ``classifier.json`` (load it with ``ClassifierGuard(out / "classifier.json")``).

    Returns:
        The weights file's path, what it was trained on and its threshold.
    """
    from cauarena.guards.agentdog.atbench import build_atbench, load_atbench
    from cauarena.guards.agentdog.classifier import train as fit

    splits = {s: load_atbench(config.data, s) for s in ("train", "dev")} if config.data else build_atbench()
    weights = fit(splits["train"], splits["dev"])
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "classifier.json").write_text(json.dumps(weights))
    return {"weights": str(out / "classifier.json"), "trained_on": weights["trained_on"],
            "threshold": weights["threshold"]}
