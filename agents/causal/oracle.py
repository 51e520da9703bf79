"""``CausalOracle``: the privileged agent that solves both causal envs from the true graph."""

from __future__ import annotations

from typing import Any

import numpy as np

from cauarena.agents.causal.base import GraphAgent, TargetProposer
from cauarena.errors import ConfigError


class CausalOracle(GraphAgent):
    """Reads the true DAG from ``env.unwrapped`` after each reset (privileged; never a leaderboard entrant).

    On CausalDiscovery-v0 it answers the true adjacency (AUPRC 1, SHD 0). On CauScientist-v0 it proposes
    the true graph as its ``PRIOR`` (priors win BIC ties, so it replaces any Markov-equivalent start) and
    then the edits toward it with the best BIC change under the env's own verifier; it reaches F1 = 1
    whenever the truth is reachable by BIC-improving edits, which the tests check on the default settings.
    """

    def __init__(self) -> None:
        super().__init__()
        self._env: Any = None

    def bind(self, env: Any) -> None:
        """Keep ``env.unwrapped``; it must expose ``true_adjacency`` (both causal envs do)."""
        unwrapped = getattr(env, "unwrapped", env)
        if not hasattr(type(unwrapped), "true_adjacency"):
            raise ConfigError(
                f"CausalOracle needs a causal env (cauarena/CausalDiscovery-v0 or CauScientist-v0) exposing "
                f"true_adjacency; got {type(unwrapped).__name__}. Fix: use the oracle on causal envs only."
            )
        self._env = unwrapped

    def estimate(self, data: np.ndarray, interventions: np.ndarray, names: list[str]) -> np.ndarray:
        """``[n, n]`` scores in ``[0, 1]``, ``[i, j]`` for ``names[i] -> names[j]``."""
        if self._env is None:
            raise ConfigError("CausalOracle.act called before bind(env). Fix: call agent.bind(env) once.")
        return self._env.true_adjacency.astype(np.float64)

    def make_proposer(self, data: np.ndarray, interventions: np.ndarray, names: list[str]) -> TargetProposer:
        """The proposer that edits towards the true graph (privileged)."""
        truth = self.estimate(data, interventions, names)
        return TargetProposer(self._env.verifier, target=truth, prior=truth)
