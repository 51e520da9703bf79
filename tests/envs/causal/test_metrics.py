"""Hand-worked cases for every metric (numbers computed on paper, see the comments)."""


import numpy as np
import pytest

from cauarena.envs.causal.metrics import (
    all_metrics,
    auprc,
    auroc,
    average_precision,
    binarize,
    directed_prf,
    orientation_accuracy,
    shd,
    shd_cpdag,
    shd_pairs,
    skeleton_prf,
)

CHAIN = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])  # 0 -> 1 -> 2
COLLIDER = np.array([[0, 1, 0], [0, 0, 0], [0, 1, 0]])  # 0 -> 1 <- 2


def test_average_precision_with_ties():
    # threshold 0.5 takes three pairs, one positive: P = 1/3 at R = 1/2; threshold 0.1: P = 2/4 at R = 1
    assert average_precision(np.array([0.5, 0.5, 0.5, 0.1]), np.array([1, 0, 0, 1])) == pytest.approx(0.5 / 3 + 0.25)
    assert np.isnan(average_precision(np.array([0.3, 0.2]), np.array([0, 0])))


def test_average_precision_matches_scikit_learn():
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(0)
    for _ in range(20):
        labels = rng.integers(0, 2, size=40)
        labels[0] = 1
        scores = rng.integers(0, 5, size=40) / 4  # many ties
        expected = sklearn_metrics.average_precision_score(labels, scores)
        assert average_precision(scores, labels) == pytest.approx(expected)


def test_auprc_over_ordered_pairs():
    assert auprc(CHAIN.astype(float), CHAIN) == 1.0
    # every edge reversed: the two top-scored pairs are negatives, then all six tie: P = 2/6 at R = 1
    assert auprc(CHAIN.T.astype(float), CHAIN) == pytest.approx(1 / 3)
    # the diagonal is ignored even when it is scored highest
    assert auprc(CHAIN + 5 * np.eye(3), CHAIN) == 1.0


def test_auroc_with_ties():
    assert auroc(np.full((3, 3), 0.5), CHAIN) == 0.5
    assert auroc(CHAIN.astype(float), CHAIN) == 1.0
    assert auroc(CHAIN.T.astype(float), CHAIN) == pytest.approx(2 / 8)  # each positive ties two negatives at 0


def test_shd_counts_a_reversal_once():
    assert shd(CHAIN, CHAIN) == 0
    assert shd(CHAIN.T, CHAIN) == 2  # two reversals
    # 1 -> 0 (reversal), 0 -> 2 (extra), 1 -> 2 missing: three pairs differ
    assert shd(np.array([[0, 0, 1], [1, 0, 0], [0, 0, 0]]), CHAIN) == 3
    assert shd(np.array([[0, 1, 0], [1, 0, 1], [0, 0, 0]]), CHAIN) == 1  # 0 <-> 1 against 0 -> 1: one pair


def _published_shd_metric(pred, target):
    """CauScale's ``eval_results.py: shd_metric`` transcribed as its formula, the oracle the test compares to."""
    diff = target - pred
    rev = (((diff + diff.T) == 0) & (diff != 0)).sum() / 2
    return (diff == 1).sum() - rev + (diff == -1).sum() - rev + rev


def test_shd_counts_a_mutual_pair_without_a_true_edge_twice_as_published():
    both = np.array([[0, 1, 1], [1, 0, 1], [0, 0, 0]])  # 0 <-> 1 (true 0 -> 1), 0 -> 2 extra, 1 -> 2 kept
    assert shd(both, CHAIN) == 2 and shd_pairs(both, CHAIN) == 2
    mutual_extra = np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]]) | np.array([[0, 0, 1], [0, 0, 0], [0, 0, 0]])
    assert shd(mutual_extra, CHAIN) == 2 and shd_pairs(mutual_extra, CHAIN) == 1  # 0 <-> 2 where no edge is
    full = np.ones((3, 3), dtype=int) - np.eye(3, dtype=int)  # every pair both ways: 1 + 1 + 2
    assert shd(full, CHAIN) == 4 and shd_pairs(full, CHAIN) == 3
    rng = np.random.default_rng(0)
    for _ in range(200):
        truth = np.triu(rng.random((6, 6)) < 0.3, k=1).astype(int)
        pred = (rng.random((6, 6)) < 0.3).astype(int)
        np.fill_diagonal(pred, 0)
        assert shd(pred, truth) == _published_shd_metric(pred, truth)
        assert shd_pairs(pred, truth) <= shd(pred, truth) <= 2 * shd_pairs(pred, truth)


def test_shd_between_cpdags():
    # the reversed chain is Markov equivalent: 0 between CPDAGs, 2 between DAGs
    assert shd_cpdag(CHAIN.T, CHAIN) == 0
    # a chain against a collider: the chain's CPDAG is undirected, the collider's compelled: both pairs differ
    assert shd_cpdag(CHAIN, COLLIDER) == 2
    # a PDAG (mutual pair = undirected edge) is compared as it is: the undirected chain is the chain's CPDAG
    assert shd_cpdag(CHAIN | CHAIN.T, CHAIN) == 0
    assert shd_cpdag(COLLIDER, COLLIDER) == 0


def test_directed_and_skeleton_precision_recall_f1():
    pred = np.array([[0, 1, 1], [0, 0, 0], [0, 1, 0]])  # 0 -> 1, 0 -> 2, 2 -> 1
    # directed: 1 of 3 predicted edges is true, 1 of 2 true edges found: P 1/3, R 1/2, F1 0.4
    assert directed_prf(pred, CHAIN) == pytest.approx((1 / 3, 1 / 2, 0.4))
    # skeleton: {01, 02, 12} against {01, 12}: P 2/3, R 1, F1 0.8
    assert skeleton_prf(pred, CHAIN) == pytest.approx((2 / 3, 1.0, 0.8))
    assert directed_prf(np.zeros((3, 3)), CHAIN) == (0.0, 0.0, 0.0)


def test_orientation_accuracy():
    scores = np.array([[0, 0.9, 0], [0.1, 0, 0.3], [0, 0.6, 0]])
    assert orientation_accuracy(scores, CHAIN) == 0.5  # 0 -> 1 right (0.9 > 0.1), 1 -> 2 wrong (0.3 < 0.6)
    assert orientation_accuracy(np.ones((3, 3)), CHAIN) == 0.0  # symmetric scores orient nothing


def test_cycle_flag_and_threshold():
    cycle = np.array([[0, 0.9, 0], [0, 0, 0.9], [0.9, 0, 0]])
    assert all_metrics(cycle, CHAIN)["cyclic"] == 1.0
    assert all_metrics(np.array([[0, 0.9, 0], [0.9, 0, 0], [0, 0, 0]]), CHAIN)["cyclic"] == 0.0  # undirected
    assert binarize(np.array([[0.7, 0.5], [0.51, 0.0]])).tolist() == [[0, 0], [1, 0]]  # > 0.5, no diagonal


def test_all_metrics_of_a_perfect_answer():
    m = all_metrics(CHAIN.astype(float), CHAIN)
    assert m["auprc"] == m["auroc"] == m["f1"] == m["skeleton_f1"] == m["orientation_accuracy"] == 1.0
    assert m["shd"] == m["shd_cpdag"] == m["cyclic"] == 0.0
    assert m["n_edges"] == m["n_true_edges"] == 2.0
