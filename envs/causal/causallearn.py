"""PC, GES and DirectLiNGAM through causal-learn (imported lazily), returning our adjacency encoding.

causal-learn encodes a graph as ``G`` with ``G[j, i] = 1, G[i, j] = -1`` for ``i -> j``, ``-1/-1`` for an
undirected edge ``i - j`` and ``1/1`` for a bidirected ``i <-> j`` (PC's orientation conflicts). Our PDAG
encoding (:mod:`cauarena.envs.causal.graphs`) has ``[i, j] = 1`` for ``i -> j`` and both entries for an
undirected (or bidirected) edge. DirectLiNGAM's ``B[i, j] != 0`` means ``j -> i``: we transpose it.

These live in ``envs`` because CauScientist's hybrid initialisation runs PC and GES; the agents in
:mod:`cauarena.agents.causal` wrap the same functions.

>>> causallearn_to_pdag(np.array([[0, -1, 0], [1, 0, 1], [0, -1, 0]])).tolist()  # 0 -> 1 <- 2
[[0, 1, 0], [0, 0, 0], [0, 1, 0]]
"""

from __future__ import annotations

import contextlib
import io
import warnings
from typing import Any

import numpy as np

from cauarena.errors import DependencyNotInstalled


def causallearn_to_pdag(graph: np.ndarray) -> np.ndarray:
    """Convert causal-learn's endpoint matrix into our ``int8`` PDAG encoding (see the module docs)."""
    g = np.asarray(graph)
    n = g.shape[0]
    pdag = np.zeros((n, n), dtype=np.int8)
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            if g[j, i] == 1 and g[i, j] == -1:  # i -> j
                pdag[i, j] = 1
            elif g[i, j] != 0 and g[j, i] != 0 and g[i, j] == g[j, i]:  # i - j or i <-> j
                pdag[i, j] = 1
    return pdag


def _require(module: str, what: str) -> Any:
    import importlib

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return importlib.import_module(module)
    except ImportError as exc:
        raise DependencyNotInstalled("causal-learn", "causal", what) from exc


def _quiet() -> contextlib.AbstractContextManager:
    stack = contextlib.ExitStack()
    stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
    stack.enter_context(warnings.catch_warnings())
    warnings.simplefilter("ignore")
    return stack


def run_pc(
    data: np.ndarray, data_type: str = "continuous", *, alpha: float = 0.05, max_k: int | None = None
) -> np.ndarray:
    """causal-learn's PC (stable): Fisher-z for continuous data, chi-square for discrete; returns a PDAG."""
    module = _require("causallearn.search.ConstraintBased.PC", "PC")
    test = "chisq" if data_type == "discrete" else "fisherz"
    with _quiet():
        cg = module.pc(np.asarray(data, dtype=float), alpha, test, show_progress=False, max_k=max_k)
    return causallearn_to_pdag(cg.G.graph)


def run_ges(data: np.ndarray, data_type: str = "continuous", *, max_parents: int | None = None) -> np.ndarray:
    """causal-learn's GES: linear-Gaussian BIC for continuous data, BDeu for discrete; returns a CPDAG."""
    module = _require("causallearn.search.ScoreBased.GES", "GES")
    score = "local_score_BDeu" if data_type == "discrete" else "local_score_BIC"
    with _quiet():
        record = module.ges(np.asarray(data, dtype=float), score_func=score, maxP=max_parents)
    return causallearn_to_pdag(record["G"].graph)


def run_lingam(data: np.ndarray, *, seed: int | None = None) -> np.ndarray:
    """causal-learn's DirectLiNGAM; returns weights ``W`` with ``W[i, j]`` the effect of ``i`` on ``j``."""
    module = _require("causallearn.search.FCMBased.lingam", "DirectLiNGAM")
    model = module.DirectLiNGAM(random_state=seed)
    with _quiet():
        model.fit(np.asarray(data, dtype=float))
    return np.asarray(model.adjacency_matrix_, dtype=float).T
