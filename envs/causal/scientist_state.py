"""CauScientist-v0's episode state, hybrid-initialisation candidates and observation text."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cauarena.envs.causal.dataset import CausalDataset
from cauarena.envs.causal.discovery_env import PRINTABLE
from cauarena.envs.causal.edits import SYNTAX
from cauarena.envs.causal.graphs import edge_list, pdag_to_dag
from cauarena.envs.causal.scores import BICVerifier
from cauarena.errors import ConfigError, DependencyNotInstalled

INIT_CHOICES = ("empty", "pc", "ges")
"""The data-driven candidates of the hybrid initialisation."""


@dataclass
class Instance:
    """One seed's dataset, verifier and initial candidates (the last 8 are cached: repeated seeds reset fast)."""

    dataset: CausalDataset
    verifier: BICVerifier
    candidates: dict[str, np.ndarray]
    bics: dict[str, float]


@dataclass
class State:
    """The current graph and the loop's counters, memory and last verdict."""

    adj: np.ndarray
    bic: float
    init_name: str
    init_adj: np.ndarray
    init_bic: float
    bics: dict[str, float]
    iteration: int = 0
    failures: int = 0
    memory: list[str] = field(default_factory=list)
    last: str = "none yet."
    prior_allowed: bool = True
    counts: dict[str, int] = field(default_factory=lambda: {"accepted": 0, "rejected": 0, "invalid": 0})
    done: bool = False


def initial_candidates(data: np.ndarray, data_type: str, init: tuple[str, ...]) -> dict[str, np.ndarray]:
    """The hybrid initialisation's candidate DAGs: the empty graph, PC's and GES's (CPDAGs extended to DAGs).

    Args:
        data: ``[m, n]`` samples (all rows pooled).
        data_type: ``continuous`` (Fisher-z PC, BIC GES) or ``discrete`` (chi-square PC, BDeu GES).
        init: names from :data:`INIT_CHOICES`.
    """
    from cauarena.envs.causal.causallearn import run_ges, run_pc

    n = data.shape[1]
    candidates = {}
    for name in init:
        if name == "empty":
            candidates[name] = np.zeros((n, n), dtype=np.int8)
        elif name == "pc":
            candidates[name] = pdag_to_dag(run_pc(data, data_type))
        elif name == "ges":
            candidates[name] = pdag_to_dag(run_ges(data, data_type))
    return candidates


def render_text(instance: Instance, state: State, max_iterations: int, max_failures: int) -> str:
    """The observation text: task, variables, current graph, initial candidates, last verdict, memory, budget."""
    d = instance.dataset
    names = d.names
    edges = edge_list(state.adj)
    lines = [
        f"Task: find the causal graph of {d.summary}. You edit a directed acyclic graph one proposal at a "
        f"time; a verifier keeps an edit only if it lowers the {instance.verifier.kind} (lower is better).",
        f"Variables ({d.n}):",
        *(f"- {name}: {desc}" for name, desc in zip(names, d.descriptions, strict=True)),
        f"Current graph ({len(edges)} edges, BIC {state.bic:.1f}):",
        *([f"- {names[a]} -> {names[b]}" for a, b in edges] or ["- (no edges)"]),
        "Initial graph: " + state.init_name + " (BIC " + ", ".join(
            f"{k} {v:.1f}" for k, v in state.bics.items()) + ").",
        f"Last proposal: {state.last}",
        "Error memory (proposals rejected since the last accepted edit):",
        *([f"- {line}" for line in state.memory] or ["- (empty)"]),
        f"Iteration {state.iteration} of {max_iterations}; consecutive failures {state.failures} "
        f"(the episode ends after {max_failures + 1}).",
        f"Answer with one edit: {SYNTAX}.",
    ]
    if state.prior_allowed:
        lines.append("As your first action you may instead propose a whole initial graph: PRIOR a -> b, c -> d "
                     "(it replaces the initial graph if its BIC is at least as good).")
    return "\n".join(lines)


def shorten_text(text: str, limit: int) -> str:
    """``text`` with non-printable characters replaced and cut to ``limit`` characters."""
    clean = "".join(c if c in PRINTABLE else "?" for c in text)
    return clean if len(clean) <= limit else clean[: limit - 4] + "\n..."


def check_init(init: Any) -> tuple[str, ...]:
    """Validate the ``init`` argument: distinct names from :data:`INIT_CHOICES`; PC/GES need causal-learn."""
    if isinstance(init, str) or not isinstance(init, list | tuple) or not init:
        raise ConfigError(f"init must be a non-empty tuple drawn from {INIT_CHOICES}; got {init!r}.")
    unknown = [x for x in init if x not in INIT_CHOICES]
    if unknown or len(set(init)) != len(init):
        raise ConfigError(f"init must list distinct names from {INIT_CHOICES}; got {init!r}.")
    if ("pc" in init or "ges" in init) and importlib.util.find_spec("causallearn") is None:
        raise DependencyNotInstalled(
            "causal-learn", "causal", "CauScientist's PC/GES initialisation (or pass init=('empty',))"
        )
    return tuple(init)
