"""``GraphAgent``: the base of every scripted causal agent, serving both causal envs.

- On ``cauarena/CausalDiscovery-v0`` it returns :meth:`GraphAgent.estimate`'s ``[n, n]`` edge scores.
- On ``cauarena/CauScientist-v0`` it turns its estimate into a DAG (:func:`scores_to_dag`), offers it as
  the ``PRIOR``, then proposes the edits that move the current graph toward it, best predicted BIC change
  first (a verifier built from the observation's data, the env's own class), and ``STOP`` when no such edit
  improves the BIC. So ``pc`` on CauScientist means "edit toward PC's graph where the BIC agrees".
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cauarena.agents.base import SeededAgent
from cauarena.agents.causal.search import best_edit
from cauarena.envs.causal.edits import Edit
from cauarena.envs.causal.graphs import acyclic_projection, as_adjacency, pdag_to_dag
from cauarena.envs.causal.scores import BICVerifier, is_improvement, make_verifier
from cauarena.errors import ConfigError


def is_scientist_observation(observation: Any) -> bool:
    """True for a CauScientist observation (a dict with ``text``), False for CausalDiscovery's."""
    return isinstance(observation, dict) and "text" in observation


def observed(observation: Any) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The ``data``, ``interventions`` and ``names`` of a causal observation."""
    if not isinstance(observation, dict) or "data" not in observation:
        raise ConfigError(
            "A causal agent needs a causal env's observation (a dict with 'data', 'interventions', 'names'); "
            f"got {type(observation).__name__}. Fix: use it on cauarena/CausalDiscovery-v0 or CauScientist-v0."
        )
    return (np.asarray(observation["data"], dtype=float), np.asarray(observation["interventions"]),
            [str(v) for v in observation["names"]])


def scores_to_dag(scores: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """The DAG an edge-score matrix stands for.

    Pairs above ``threshold`` become edges; where both directions are, the higher score wins and equal
    scores make an undirected edge (PC/GES output), oriented by a consistent DAG extension; remaining
    cycles lose their weakest edges (:func:`acyclic_projection`).
    """
    s = np.asarray(scores, dtype=float).copy()
    np.fill_diagonal(s, 0.0)
    above = s > threshold
    pdag = above & ~(above.T & (s.T > s))
    return acyclic_projection(pdag_to_dag(pdag.astype(np.int8)), s)


def edges_to_adjacency(edges: list[list[str]], names: list[str]) -> np.ndarray:
    """``info["edges"]`` (``[source, target]`` names) as an ``int8 [n, n]`` adjacency matrix."""
    index = {v: i for i, v in enumerate(names)}
    adj = np.zeros((len(names), len(names)), dtype=np.int8)
    for a, b in edges:
        adj[index[a], index[b]] = 1
    return adj


class TargetProposer:
    """A verifier-aware CauScientist proposer: ``PRIOR`` first, then the best-BIC edit, then ``STOP``.

    At each step it reads the current graph from ``info["edges"]`` and proposes the valid edit with the
    lowest predicted BIC change among the allowed ones (toward ``target`` when given, any edit otherwise)
    that it has not tried on this graph; ``STOP`` when none improves the BIC.

    Args:
        verifier: scores the edits (the env's class on the observed data, or the env's own instance).
        target: the DAG to move toward; None allows every edit (greedy hill climbing).
        prior: sent as ``PRIOR`` at the first step (None: no prior).
    """

    def __init__(
        self, verifier: BICVerifier, target: np.ndarray | None = None, prior: np.ndarray | None = None
    ) -> None:
        self.verifier = verifier
        self.target = None if target is None else as_adjacency(target)
        self.prior = None if prior is None else as_adjacency(prior)
        self.tried: set[Edit] = set()
        self._last_graph: np.ndarray | None = None

    def allowed(self, edit: Edit) -> bool:
        """Whether ``edit`` moves toward the target (always True without one)."""
        if self.target is None:
            return True
        t, a, b = self.target, edit.source, edit.target
        if edit.op == "ADD":
            return bool(t[a, b])
        if edit.op == "REMOVE":
            return not t[a, b] and not t[b, a]
        return bool(t[b, a])  # REVERSE a -> b

    def propose(self, names: list[str], info: dict[str, Any]) -> str:
        """The next edit, as text, from the graph the env reports in ``info``."""
        if self.prior is not None and info.get("prior_allowed"):
            return Edit("PRIOR", edges=tuple(zip(*np.nonzero(self.prior), strict=True))).describe(names)
        graph = edges_to_adjacency(info.get("edges", []), names)
        if self._last_graph is None or not np.array_equal(graph, self._last_graph):
            self.tried.clear()  # the graph changed: earlier rejections may pass now
            self._last_graph = graph
        found = best_edit(self.verifier, graph, allowed=self.allowed, exclude=self.tried)
        if found is None or not is_improvement(found[0], float(info.get("bic", self.verifier.score(graph)))):
            return "STOP"
        self.tried.add(found[1])
        return found[1].describe(names)


class GraphAgent(SeededAgent):
    """Estimate edge scores from the data; on CauScientist, propose edits toward the estimated graph.

    Subclasses implement :meth:`estimate`. ``info`` at reset must carry ``data_type`` (both envs give it).
    """

    def __init__(self, threshold: float = 0.5) -> None:
        super().__init__()
        self.threshold = threshold
        self.reset_info: dict[str, Any] = {}
        self._proposer: TargetProposer | None = None

    def reset(self, *, seed: int | None = None, info: dict[str, Any] | None = None) -> None:
        """Start an episode (the Agent protocol); ``info`` is the env's reset info."""
        super().reset(seed=seed, info=info)
        self.reset_info = dict(info or {})
        self._proposer = None

    @property
    def data_type(self) -> str:
        """``continuous`` or ``discrete``, from the reset info."""
        return str(self.reset_info.get("data_type", "continuous"))

    def verifier(self, data: np.ndarray, interventions: np.ndarray) -> BICVerifier:
        """A verifier of the env's kind (``info["verifier"]`` at reset, ``linear`` when absent) on the data."""
        return make_verifier(data, interventions, self.data_type, str(self.reset_info.get("verifier", "linear")))

    def estimate(self, data: np.ndarray, interventions: np.ndarray, names: list[str]) -> np.ndarray:
        """``[n, n]`` scores in ``[0, 1]``, ``[i, j]`` for ``names[i] -> names[j]``."""
        raise NotImplementedError

    def act(self, observation: Any, info: dict[str, Any]) -> Any:
        """The next action for ``observation`` (the Agent protocol)."""
        data, interventions, names = observed(observation)
        if not is_scientist_observation(observation):
            scores = np.nan_to_num(np.asarray(self.estimate(data, interventions, names), dtype=np.float64))
            return np.clip(scores, 0.0, 1.0)
        if self._proposer is None:
            self._proposer = self.make_proposer(data, interventions, names)
        return self._proposer.propose(names, info)

    def make_proposer(self, data: np.ndarray, interventions: np.ndarray, names: list[str]) -> TargetProposer:
        """The CauScientist proposer: toward :func:`scores_to_dag` of the estimate."""
        target = scores_to_dag(self.estimate(data, interventions, names), self.threshold)
        return TargetProposer(self.verifier(data, interventions), target=target, prior=target)
