"""Causal discovery: an SCM simulator, bnlearn networks, metrics, BIC verifiers and two environments.

- ``cauarena/CausalDiscovery-v0`` (:class:`CausalDiscoveryEnv`): one step, answer a matrix of edge scores.
- ``cauarena/CauScientist-v0`` (:class:`CauScientistEnv`): edit a graph one proposal at a time under a BIC
  verifier.

Importing this package imports neither pgmpy nor causal-learn (both load on first use).
"""

from cauarena.envs.causal.dataset import CausalDataset, DatasetConfig, make_dataset
from cauarena.envs.causal.discovery_env import CausalDiscoveryEnv
from cauarena.envs.causal.edits import Edit, EditError, apply_edit, check_edit, parse_edit
from cauarena.envs.causal.metrics import (
    all_metrics,
    auprc,
    auroc,
    directed_prf,
    graph_metrics,
    orientation_accuracy,
    shd,
    shd_cpdag,
    shd_pairs,
    skeleton_prf,
)
from cauarena.envs.causal.scientist_env import CauScientistEnv
from cauarena.envs.causal.scores import BICVerifier, DiscreteBIC, LinearGaussianBIC, is_improvement, make_verifier
from cauarena.envs.headline import Metric

HEADLINE = (Metric("auprc", "AUPRC"), Metric("shd", "SHD", False), Metric("f1", "F1"),
            Metric("f1_gain", "F1 gain"))
"""Headline metrics of the causal tables: AUPRC and SHD (discovery); F1, SHD and F1 gain (CauScientist)."""

__all__ = [
    "HEADLINE",
    "BICVerifier",
    "CauScientistEnv",
    "CausalDataset",
    "CausalDiscoveryEnv",
    "DatasetConfig",
    "DiscreteBIC",
    "Edit",
    "EditError",
    "LinearGaussianBIC",
    "all_metrics",
    "apply_edit",
    "auprc",
    "auroc",
    "check_edit",
    "directed_prf",
    "graph_metrics",
    "is_improvement",
    "make_dataset",
    "make_verifier",
    "orientation_accuracy",
    "parse_edit",
    "shd",
    "shd_cpdag",
    "shd_pairs",
    "skeleton_prf",
]
