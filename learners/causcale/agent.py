"""The ``causcale`` agent: one forward pass of a CauScale checkpoint gives the ``[n, n]`` edge probabilities.

Registered for family ``causal`` by the string ``cauarena.learners.causcale.agent:CauScaleAgent`` (agents/
never imports learners/). Importing this module imports no torch; the network loads on the first estimate.
On ``cauarena/CauScientist-v0`` it serves as a prior, like every :class:`GraphAgent`: its thresholded,
acyclic graph is offered as ``PRIOR``, then BIC-improving edits move toward it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from cauarena.agents.causal.base import GraphAgent


class CauScaleAgent(GraphAgent):
    """Edge probabilities from a trained CauScale network (the shipped ``default`` checkpoint by default).

    Args:
        checkpoint: a shipped checkpoint name or a folder (None: ``default``).
        max_rows: rows the data stream reads (None: the checkpoint's training ``rows``; 0: all rows).
        device: torch device (None: ``cuda`` when present, else ``cpu``).
        threshold: edge threshold used to build the CauScientist prior graph.
        prior_rows: rows the precision prior reads at most (0, the default: all rows; None: the checkpoint's
            ``prior_rows``, 500 as published). All rows were chosen on validation graphs (seeds 7000+, not the
            test seeds): n = 100 sigmoid 0.800 -> 0.856 mAP, linear 0.980 -> 0.989; n = 500 linear 0.650 ->
            0.818, where 500 rows make the covariance singular (BENCHMARKS.md).
    """

    def __init__(
        self, checkpoint: str | Path | None = None, max_rows: int | None = None, device: str | None = None,
        threshold: float = 0.5, prior_rows: int | None = 0,
    ) -> None:
        super().__init__(threshold=threshold)
        from cauarena.learners.causcale.checkpoint import check_rows

        check_rows(max_rows=max_rows, prior_rows=prior_rows)
        self.checkpoint, self.max_rows, self.device, self.prior_rows = checkpoint, max_rows, device, prior_rows
        self._model: Any = None

    @property
    def model(self) -> Any:
        """The loaded network (loaded once, on first use)."""
        if self._model is None:
            from cauarena.learners.causcale.checkpoint import load_model
            from cauarena.learners.causcale.train import default_device

            self.device = self.device or default_device()
            self._model = load_model(self.checkpoint, device=self.device)
        return self._model

    def estimate(self, data: np.ndarray, interventions: np.ndarray, names: list[str]) -> np.ndarray:
        from cauarena.learners.causcale.checkpoint import predict

        model = self.model
        rows = model.config.rows if self.max_rows is None else (self.max_rows or None)
        return predict(model, data, interventions, seed=int(self.rng.integers(2**31 - 1)), max_rows=rows,
                       device=self.device, prior_rows=self.prior_rows)
