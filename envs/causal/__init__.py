"""Causal discovery: an SCM simulator, bnlearn networks, metrics and BIC verifiers.

Importing this package imports neither pgmpy nor causal-learn (both load on first use).
"""

from cauarena.envs.causal.dataset import CausalDataset, DatasetConfig, make_dataset
from cauarena.envs.causal.metrics import (
    all_metrics,
    auprc,
    auroc,
    directed_prf,
    graph_metrics,
    orientation_accuracy,
    shd,
    shd_cpdag,
    skeleton_prf,
)
from cauarena.envs.causal.scores import BICVerifier, DiscreteBIC, LinearGaussianBIC, is_improvement, make_verifier

__all__ = [
    "BICVerifier",
    "CausalDataset",
    "DatasetConfig",
    "DiscreteBIC",
    "LinearGaussianBIC",
    "all_metrics",
    "auprc",
    "auroc",
    "directed_prf",
    "graph_metrics",
    "is_improvement",
    "make_dataset",
    "make_verifier",
    "orientation_accuracy",
    "shd",
    "shd_cpdag",
    "skeleton_prf",
]
