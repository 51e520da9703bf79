"""Causal-discovery metrics, our own code (CauScale's ``eval_results.py`` conventions).

Scores are ``[n, n]`` arrays, entry ``[i, j]`` the score of the edge ``i -> j``; the diagonal is ignored.
Ranking metrics (AUPRC, AUROC) run over the ``n (n - 1)`` ordered pairs; graph metrics compare 0/1
adjacency matrices (a prediction is ``scores > threshold``).

- **SHD** (:func:`shd`, CauScale's ``eval_results.py: shd_metric``): missing and extra directed entries, a
  reversal counted once; a predicted pair in both directions counts 1 where the truth has one of them and
  **2 where it has none**. :func:`shd_pairs` (ours, kept beside it) counts every differing unordered pair
  once, so a mutual pair without a true edge is 1 there.
- **SHD between CPDAGs**: :func:`shd_pairs` between the true CPDAG and the predicted PDAG (a mutual pair is
  an undirected edge); for methods that return equivalence classes.
- **Directed precision/recall/F1**: ordered pairs (a mutual pair is two predicted edges); **skeleton** ones
  on unordered pairs.
- **Orientation accuracy**: share of true edges ``i -> j`` with ``score[i, j] > score[j, i]``.
- **Cycle flag** (``cyclic``): the prediction's directed edges form a cycle (mutual pairs are undirected edges,
  not 2-cycles).

>>> truth = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
>>> shd(np.array([[0, 0, 0], [1, 0, 1], [0, 0, 0]]), truth)
1
"""

from __future__ import annotations

import numpy as np

from cauarena.envs.causal.graphs import as_adjacency, dag_to_cpdag, has_cycle


def _off_diagonal(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix)
    return matrix[~np.eye(matrix.shape[0], dtype=bool)]


def average_precision(scores: np.ndarray, labels: np.ndarray) -> float:
    """Average precision: ``sum_k (R_k - R_{k-1}) P_k`` over the distinct score thresholds, high to low.

    Tied scores enter together (as scikit-learn's ``average_precision_score``). NaN without positives.

    >>> average_precision(np.array([0.9, 0.8, 0.7]), np.array([1, 0, 1]))
    0.8333333333333333
    """
    scores = np.asarray(scores, dtype=float).ravel()
    labels = np.asarray(labels).ravel() != 0
    positives = int(labels.sum())
    if positives == 0:
        return float("nan")
    order = np.argsort(-scores, kind="mergesort")
    scores, labels = scores[order], labels[order]
    last_of_tie = np.r_[np.flatnonzero(np.diff(scores) != 0), scores.size - 1]
    tp = np.cumsum(labels)[last_of_tie]
    predicted = last_of_tie + 1
    precision = tp / predicted
    recall_gain = np.diff(np.r_[0, tp]) / positives
    return float(np.sum(recall_gain * precision))


def auprc(scores: np.ndarray, truth: np.ndarray) -> float:
    """Average precision of ``scores`` over the ordered pairs ``i != j`` (CauScale's mAP per graph)."""
    return average_precision(_off_diagonal(scores), _off_diagonal(truth))


def auroc(scores: np.ndarray, truth: np.ndarray) -> float:
    """Area under the ROC curve over ordered pairs (Mann-Whitney, ties count 1/2); NaN if one class is empty.

    >>> auroc(np.array([[0, .9, .1], [.8, 0, .2], [.3, .4, 0]]), np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]]))
    0.625
    """
    s = _off_diagonal(scores).astype(float)
    y = _off_diagonal(truth) != 0
    pos, neg = int(y.sum()), int((~y).sum())
    if pos == 0 or neg == 0:
        return float("nan")
    ranks = _average_ranks(s)
    return float((ranks[y].sum() - pos * (pos + 1) / 2) / (pos * neg))


def _average_ranks(values: np.ndarray) -> np.ndarray:
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(values.size)
    sorted_values = values[order]
    start = 0
    for end in np.r_[np.flatnonzero(np.diff(sorted_values) != 0) + 1, values.size]:
        ranks[order[start:end]] = (start + 1 + end) / 2  # ranks start..end-1, 1-based
        start = end
    return ranks


def binarize(scores: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """``int8`` adjacency ``scores > threshold`` with an empty diagonal."""
    return as_adjacency(np.asarray(scores, dtype=float) > threshold)


def shd(pred: np.ndarray, truth: np.ndarray) -> int:
    """Structural Hamming distance as CauScale's ``shd_metric`` counts it (0/1 ``[n, n]``; mutual pairs allowed).

    With ``diff = truth - pred``: reversals are the pairs with ``diff[i, j] = -diff[j, i] != 0`` (each
    counted once), missing and extra edges are the other +1 and -1 entries. A predicted mutual pair thus
    costs 1 next to a true edge and 2 where there is none.

    >>> both, none = np.array([[0, 1], [1, 0]]), np.zeros((2, 2))
    >>> shd(both, none), shd_pairs(both, none)
    (2, 1)
    """
    diff = as_adjacency(truth).astype(np.int64) - as_adjacency(pred).astype(np.int64)
    reversed_pairs = int((((diff + diff.T) == 0) & (diff != 0)).sum()) // 2
    missing = int((diff == 1).sum()) - reversed_pairs
    extra = int((diff == -1).sum()) - reversed_pairs
    return missing + extra + reversed_pairs


def shd_pairs(pred: np.ndarray, truth: np.ndarray) -> int:
    """SHD over unordered pairs (ours): pairs ``{i, j}`` whose entries ``([i, j], [j, i])`` differ count 1.

    A missing, an extra, a reversed edge and a mutual pair (next to one true edge or none) each count 1;
    :func:`shd` differs only on a mutual pair without a true edge (2 there).
    """
    p, t = as_adjacency(pred), as_adjacency(truth)
    differs = (p != t) | (p.T != t.T)
    return int(np.triu(differs, k=1).sum())


def shd_cpdag(pred: np.ndarray, truth_dag: np.ndarray) -> int:
    """SHD between the true DAG's CPDAG and a prediction.

    A DAG prediction (acyclic, no mutual pair) is first turned into its own CPDAG; any other prediction is
    read as a PDAG as it is (a mutual pair is an undirected edge, as PC and GES return).
    """
    p = as_adjacency(pred)
    if not (p & p.T).any() and not has_cycle(p):
        p = dag_to_cpdag(p)
    return shd_pairs(p, dag_to_cpdag(truth_dag))


def _prf(tp: int, n_pred: int, n_true: int) -> tuple[float, float, float]:
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_true if n_true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return float(precision), float(recall), float(f1)


def directed_prf(pred: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    """Precision, recall and F1 over directed edges (ordered pairs); 0 where undefined.

    >>> directed_prf(np.array([[0, 1], [1, 0]]), np.array([[0, 1], [0, 0]]))
    (0.5, 1.0, 0.6666666666666666)
    """
    p, t = as_adjacency(pred), as_adjacency(truth)
    return _prf(int((p & t).sum()), int(p.sum()), int(t.sum()))


def skeleton_prf(pred: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    """Precision, recall and F1 over adjacencies (unordered pairs); 0 where undefined."""
    p, t = as_adjacency(pred), as_adjacency(truth)
    ps, ts = np.triu(p | p.T, k=1), np.triu(t | t.T, k=1)
    return _prf(int((ps & ts).sum()), int(ps.sum()), int(ts.sum()))


def orientation_accuracy(scores: np.ndarray, truth: np.ndarray) -> float:
    """Share of true edges ``i -> j`` scored higher than their reversal (``score[i, j] > score[j, i]``)."""
    s = np.asarray(scores, dtype=float)
    rows, cols = np.nonzero(as_adjacency(truth))
    if rows.size == 0:
        return float("nan")
    return float(np.mean(s[rows, cols] > s[cols, rows]))


def graph_metrics(pred: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """Every metric of a 0/1 prediction against the true DAG (no ranking metrics)."""
    precision, recall, f1 = directed_prf(pred, truth)
    sk_precision, sk_recall, sk_f1 = skeleton_prf(pred, truth)
    p = as_adjacency(pred)
    return {
        "shd": float(shd(p, truth)),
        "shd_pairs": float(shd_pairs(p, truth)),
        "shd_cpdag": float(shd_cpdag(p, truth)),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "skeleton_precision": sk_precision,
        "skeleton_recall": sk_recall,
        "skeleton_f1": sk_f1,
        "cyclic": float(has_cycle(p & ~p.T)),
        "n_edges": float(p.sum()),
        "n_true_edges": float(as_adjacency(truth).sum()),
    }


def all_metrics(scores: np.ndarray, truth: np.ndarray, threshold: float = 0.5) -> dict[str, float]:
    """Ranking metrics of ``scores`` plus :func:`graph_metrics` of ``scores > threshold``."""
    s = np.asarray(scores, dtype=float)
    metrics = {
        "auprc": auprc(s, truth),
        "auroc": auroc(s, truth),
        "orientation_accuracy": orientation_accuracy(s, truth),
    }
    metrics.update(graph_metrics(binarize(s, threshold), truth))
    return metrics
