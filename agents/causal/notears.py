"""Linear NOTEARS (Zheng et al., NeurIPS 2018), written here in numpy/scipy, with an iteration cap and a time budget.

Minimises ``0.5 / m * ||X - X W||_F^2 + lambda1 * ||W||_1`` subject to ``h(W) = tr(exp(W o W)) - d = 0``
with the augmented Lagrangian: each outer step solves the penalised problem by L-BFGS-B over ``W = W+ - W-``
(both non-negative, so the L1 term is smooth), multiplies ``rho`` by 10 until ``h`` drops below a quarter of
its last value, then updates ``alpha += rho * h``. Stops when ``h <= h_tol``, ``rho >= rho_max``, after
``max_iter`` outer steps, or when ``time_budget_s`` runs out (then the last iterate is returned, possibly
cyclic; the result says so). Weights below ``w_threshold`` are set to 0.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from cauarena.agents.causal.base import GraphAgent


class _OutOfTime(Exception):
    pass


@dataclass(frozen=True)
class NotearsResult:
    """What :func:`notears_linear` returns.

    Attributes:
        weights: ``[d, d]`` thresholded weights, ``[i, j]`` the effect of ``i`` on ``j``.
        raw_weights: the weights before thresholding.
        h: the acyclicity violation of ``raw_weights`` (0 for a DAG).
        iterations: outer (dual) steps taken.
        timed_out: the time budget ended the search.
    """

    weights: np.ndarray
    raw_weights: np.ndarray
    h: float
    iterations: int
    timed_out: bool


def acyclicity(w: np.ndarray) -> tuple[float, np.ndarray]:
    """``h(W) = tr(exp(W o W)) - d`` and its gradient ``exp(W o W)^T o 2 W``."""
    import scipy.linalg

    e = scipy.linalg.expm(w * w)
    return float(np.trace(e) - w.shape[0]), e.T * w * 2.0


def notears_linear(
    x: np.ndarray,
    *,
    lambda1: float = 0.1,
    max_iter: int = 100,
    h_tol: float = 1e-8,
    rho_max: float = 1e16,
    w_threshold: float = 0.3,
    time_budget_s: float | None = None,
) -> NotearsResult:
    """Fit linear NOTEARS to ``x`` (``[m, d]``, centred here); see the module docs."""
    import scipy.optimize

    x = np.asarray(x, dtype=float)
    x = x - x.mean(axis=0)
    m, d = x.shape
    deadline = None if time_budget_s is None else time.perf_counter() + time_budget_s
    bounds = [(0.0, 0.0) if i == j else (0.0, None) for _ in range(2) for i in range(d) for j in range(d)]
    state: dict = {"rho": 1.0, "alpha": 0.0, "z": np.zeros(2 * d * d)}

    def weights(z: np.ndarray) -> np.ndarray:
        return (z[: d * d] - z[d * d :]).reshape(d, d)

    def objective(z: np.ndarray) -> tuple[float, np.ndarray]:
        if deadline is not None and time.perf_counter() > deadline:
            raise _OutOfTime
        state["z"] = z.copy()
        w = weights(z)
        residual = x - x @ w
        loss = 0.5 / m * float(np.sum(residual**2))
        grad_loss = -x.T @ residual / m
        h, grad_h = acyclicity(w)
        rho, alpha = state["rho"], state["alpha"]
        value = loss + 0.5 * rho * h * h + alpha * h + lambda1 * float(z.sum())
        grad = grad_loss + (rho * h + alpha) * grad_h
        return value, np.concatenate([(grad + lambda1).ravel(), (-grad + lambda1).ravel()])

    z, h, iterations, timed_out = np.zeros(2 * d * d), np.inf, 0, False
    try:
        for iterations in range(1, max_iter + 1):  # noqa: B007 - the count is reported
            while state["rho"] < rho_max:
                candidate = scipy.optimize.minimize(objective, z, method="L-BFGS-B", jac=True, bounds=bounds).x
                h_new = acyclicity(weights(candidate))[0]
                if h_new > 0.25 * h:
                    state["rho"] *= 10.0
                else:
                    break
            z, h = candidate, h_new
            state["alpha"] += state["rho"] * h
            if h <= h_tol or state["rho"] >= rho_max:
                break
    except _OutOfTime:
        timed_out, z = True, state["z"]
    raw = weights(z)
    thresholded = np.where(np.abs(raw) < w_threshold, 0.0, raw)
    return NotearsResult(thresholded, raw, float(acyclicity(raw)[0]), iterations, timed_out)


class NotearsAgent(GraphAgent):
    """Linear NOTEARS; scores ``|w| / (|w| + w_threshold)`` of the raw weights (above 0.5 iff kept).

    Args:
        lambda1: L1 penalty.
        max_iter: outer (dual ascent) steps.
        w_threshold: weights below it are no edge.
        time_budget_s: wall-clock cap on the fit (None: none); the last iterate is used when it runs out.
    """

    def __init__(
        self, lambda1: float = 0.1, max_iter: int = 100, w_threshold: float = 0.3, time_budget_s: float | None = 60.0
    ) -> None:
        super().__init__()
        self.lambda1, self.max_iter = lambda1, max_iter
        self.w_threshold, self.time_budget_s = w_threshold, time_budget_s
        self.last_result: NotearsResult | None = None

    def estimate(self, data: np.ndarray, interventions: np.ndarray, names: list[str]) -> np.ndarray:
        """``[n, n]`` scores in ``[0, 1]``, ``[i, j]`` for ``names[i] -> names[j]``."""
        result = notears_linear(data, lambda1=self.lambda1, max_iter=self.max_iter, w_threshold=self.w_threshold,
                                time_budget_s=self.time_budget_s)
        self.last_result = result
        magnitude = np.abs(result.raw_weights)
        np.fill_diagonal(magnitude, 0.0)
        return magnitude / (magnitude + self.w_threshold)
