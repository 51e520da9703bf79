"""Score-based local search over DAGs with a BIC verifier: every valid one-edge edit and its BIC change.

The scripted CauScientist proposer (:mod:`cauarena.agents.causal.causcientist`) and the graph-following
proposers (:mod:`cauarena.agents.causal.proposers`) pick edits from :func:`scored_edits`; the same
verifier class and data as the env's make their predicted BIC changes exact.
"""

from __future__ import annotations

from collections.abc import Callable, Container

import numpy as np

from cauarena.envs.causal.edits import Edit
from cauarena.envs.causal.graphs import find_path, reachability
from cauarena.envs.causal.scores import BICVerifier, is_improvement


def scored_edits(verifier: BICVerifier, adj: np.ndarray) -> list[tuple[float, Edit]]:
    """Every valid edit of the DAG ``adj`` (no cycle, no duplicate) with its BIC change, best first.

    ``ADD i -> j`` needs no edge between i and j and no path ``j -> ... -> i``; ``REVERSE i -> j`` needs
    no other path ``i -> ... -> j``. Ties are broken by (op, source, target).
    """
    adj = np.asarray(adj) != 0
    n = adj.shape[0]
    reach = reachability(adj)
    parents = [tuple(int(p) for p in np.flatnonzero(adj[:, j])) for j in range(n)]
    base = [verifier.local(j, parents[j]) for j in range(n)]
    out: list[tuple[float, Edit]] = []
    for j in range(n):
        for i in range(n):
            if i == j:
                continue
            if adj[i, j]:
                without = tuple(p for p in parents[j] if p != i)
                removed = verifier.local(j, without) - base[j]
                out.append((removed, Edit("REMOVE", i, j)))
                rest = adj.copy()
                rest[i, j] = False
                if find_path(rest, i, j) is None:
                    added = verifier.local(i, (*parents[i], j)) - base[i]
                    out.append((removed + added, Edit("REVERSE", i, j)))
            elif not adj[j, i] and not reach[j, i]:
                out.append((verifier.local(j, (*parents[j], i)) - base[j], Edit("ADD", i, j)))
    out.sort(key=lambda item: (item[0], item[1].op, item[1].source, item[1].target))
    return out


def best_edit(
    verifier: BICVerifier,
    adj: np.ndarray,
    *,
    allowed: Callable[[Edit], bool] | None = None,
    exclude: Container[Edit] = (),
) -> tuple[float, Edit] | None:
    """The valid edit with the lowest BIC change among ``allowed`` ones not in ``exclude``, or None."""
    for delta, edit in scored_edits(verifier, adj):
        if edit in exclude or (allowed is not None and not allowed(edit)):
            continue
        return delta, edit
    return None


def apply(adj: np.ndarray, edit: Edit) -> np.ndarray:
    """``adj`` with a valid edge edit applied (a copy)."""
    new = np.array(adj, dtype=np.int8, copy=True)
    if edit.op == "ADD":
        new[edit.source, edit.target] = 1
    elif edit.op == "REMOVE":
        new[edit.source, edit.target] = 0
    elif edit.op == "REVERSE":
        new[edit.source, edit.target], new[edit.target, edit.source] = 0, 1
    return new


def greedy_search(
    verifier: BICVerifier, adj: np.ndarray, *, max_iter: int = 10_000
) -> tuple[np.ndarray, list[tuple[float, Edit]]]:
    """Hill-climb the BIC from ``adj`` with the best single edit per step until none improves.

    Returns:
        The final DAG and the applied edits with their BIC changes.
    """
    adj = np.array(adj, dtype=np.int8, copy=True)
    bic = verifier.score(adj)
    history: list[tuple[float, Edit]] = []
    for _ in range(max_iter):
        found = best_edit(verifier, adj)
        if found is None or not is_improvement(found[0], bic):
            break
        adj = apply(adj, found[1])
        bic = verifier.score(adj)
        history.append(found)
    return adj, history
