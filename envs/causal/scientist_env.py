"""``CauScientistEnv``: improve a causal graph one proposed edit at a time under a BIC verifier."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from cauarena.envs._actions import safe_repr
from cauarena.envs.causal.dataset import DatasetConfig, make_dataset
from cauarena.envs.causal.discovery_env import PRINTABLE, dataset_info, n_variables, observation_spaces
from cauarena.envs.causal.edits import (
    Edit,
    EditError,
    apply_edit,
    check_edit,
    parent_changes,
    parse_edit,
    prior_adjacency,
    shorten,
)
from cauarena.envs.causal.graphs import edge_list
from cauarena.envs.causal.metrics import graph_metrics
from cauarena.envs.causal.scientist_state import (
    INIT_CHOICES,
    Instance,
    State,
    check_init,
    initial_candidates,
    render_text,
    shorten_text,
)
from cauarena.envs.causal.scores import VERIFIERS, BICVerifier, is_improvement, make_verifier
from cauarena.errors import ConfigError

TEXT_MAX_LENGTH = 32768
"""Longest observation text (alarm's 37 descriptions, a 46-edge graph and a full memory fit in ~8,000)."""


class CauScientistEnv(gym.Env):
    """CauScientist's loop: propose one edit at a time; a BIC verifier keeps it only if the score improves.

    ## Description

    The env samples a causal-discovery instance as ``cauarena/CausalDiscovery-v0`` does (synthetic SCM or
    bnlearn network) and starts from the **hybrid initialisation**: the best-BIC graph among the empty
    graph, PC's and GES's (CPDAGs extended to DAGs), and, if the agent proposes one as its first action, the
    agent's own prior (``PRIOR ...``; it wins ties). The agent then proposes one edit per step; each is
    checked (syntax, known variables, no self-loop, no duplicate, the edge exists, no cycle) and scored by
    the verifier, an intervention-aware BIC (linear-Gaussian for continuous data, multinomial for bnlearn
    data; :mod:`cauarena.envs.causal.scores`). An edit that lowers the BIC is applied, the failure count
    resets and the error memory is cleared; otherwise it is not applied, the failure count grows and the
    edit enters the error memory shown to the agent. Registered as ``cauarena/CauScientist-v0``.

    ## Action Space

    ``Text(max_length=4096)``: ``ADD a -> b``, ``REMOVE a -> b``, ``REVERSE a -> b``, ``STOP``, and as the
    first action only ``PRIOR a -> b, c -> d`` (a whole initial graph). Or the same as a plain dict:
    ``{"op": "ADD", "source": "a", "target": "b"}``, ``{"op": "STOP"}``, ``{"op": "PRIOR", "edges": [[a, b]]}``.
    Keywords are case-insensitive; names match exactly, else case-insensitively. Text up to 16,384 characters
    (``EDIT_MAX_LENGTH``) and dicts up to 4 levels deep and 10,000 items are read. A malformed edit, an
    unknown variable, a self-loop, a duplicate or missing edge, a cycle, a longer text, a bigger or deeper
    dict, a dict subclass, any other type (``None``, bytes, arrays, objects whose methods raise): an **invalid
    action**: nothing changes, ``info["invalid_action"] = True``, the reason is in ``info["feedback"]`` and
    in the next observation, and it counts as an iteration and as a failure. The episode goes on.

    ## Observation Space

    ``Dict``: ``text`` (``Text``, max 32768 printable characters): the task, every variable with its
    description, the current graph and its BIC, the initial candidates' BICs, the last proposal with its
    verdict and BIC change, the error memory, the budget and the edit syntax; ``data``, ``interventions`` and
    ``names`` as in CausalDiscovery-v0 (so scripted proposers can score edits themselves). The truth is never
    shown before the end.

    ## Rewards

    0 on every step but the last; on the last, the directed F1 of the final graph against the true graph.

    ## Episode End

    Terminated on ``STOP`` or when the consecutive failures exceed ``max_failures``; truncated when the
    ``max_iterations``-th action has been played (every action is one iteration).

    ``info`` on every step (JSON): ``invalid_action``, ``feedback``,
    ``verdict`` (``accepted``, ``rejected``, ``invalid``, ``prior-accepted``, ``prior-kept``,
    ``stop``), ``delta_bic``, ``bic``, ``edges`` (the current graph as ``[source, target]`` names),
    ``iteration``, ``failures``, ``memory``, ``prior_allowed``. At reset also ``names``, ``descriptions``,
    ``summary``, ``data_type``, ``graph``, ``n``, ``m``, ``intervened``, ``init``, ``init_bics``, ``verifier``, and
    ``edit_examples`` (syntax examples; there is no finite ``valid_actions`` list). Only on the step that ends
    the episode (:attr:`sealed_info_keys`; :meth:`episode_summary` gives success and metrics at any point):
    ``success`` (``shd == 0``), ``metrics``
    (``f1``, ``precision``, ``recall``, ``shd``, ``shd_cpdag``, skeleton P/R/F1, ``cyclic``, ``n_edges``,
    ``n_true_edges``, ``bic``, ``init_bic``, ``init_f1``, ``init_shd``, ``f1_gain``, ``shd_drop``,
    ``iterations``, ``accepted``, ``rejected``, ``invalid``) and ``true_adjacency`` (nested lists).

    ## Arguments

    ```python
    import cauarena
    env = cauarena.make("cauarena/CauScientist-v0", graph="er", n=5, m=500, init=("empty", "pc", "ges"),
                        max_iterations=30, max_failures=5)
    ```

    - ``graph``, ``n``, ``degree``, ``mechanism``, ``noise``, ``m``, ``interventions``, ``root``,
      ``standardize``: the instance, as CausalDiscovery-v0 (defaults are smoke-sized: 5 variables, 500 rows,
      every variable intervened on).
    - ``init``: the hybrid initialisation's data-driven candidates, a subset of ``("empty", "pc", "ges")``
      (PC and GES need causal-learn: ``pip install 'cauarena[causal]'``; GES is slow past ~30 variables).
    - ``max_iterations``: the iteration budget ``d``. ``max_failures``: the failed-trial limit ``k``.
    - ``memory_size``: most error-memory entries shown (the oldest are dropped).
    - ``verifier``: ``"linear"`` (linear-Gaussian BIC) or ``"mlp"`` (intervention-aware BIC with Gaussian MLP
      likelihoods, CauScientist's verifier for nonlinear data; slower) on continuous data; discrete data
      always use the multinomial BIC. Shown to agents as ``info["verifier"]`` at reset.
    - ``invalid_is_failure``: ``False`` (default): an invalid proposal enters the error memory and spends an
      iteration but is no failed trial; ``True``: the former behaviour, it also counts toward ``k``.
    - ``render_mode``: ``None`` or ``"ansi"`` (the observation text).

    Privileged access: :attr:`true_adjacency` and :attr:`verifier` (for oracles and tests).

    ## Fidelity

    Follows the loop of CauScientist's README and method figure (REFERENCE 1.3; the code is unreleased):
    hybrid initialisation keeping the better BIC, one edit per proposal, an acyclicity check, accept only on
    a BIC improvement, reset the failures and clear the error memory on acceptance, stop after more than
    ``k`` failures or ``d`` iterations. Deviations: (1) the default verifier's local models are
    linear-Gaussian or multinomial; ``verifier="mlp"`` uses the review's MLP likelihoods (same
    intervention-aware form: a variable's intervened rows leave its term); (2) the data-driven candidates are
    both PC and GES (plus the empty graph), the LLM's graph B is the agent's optional ``PRIOR``; (3) invalid
    proposals enter the error memory and spend iterations (failures only with ``invalid_is_failure``); (4) a
    score change within ``1e-6 + 1e-9 |BIC|`` is no improvement, so Markov-equivalent reversals are rejected
    unless interventions tell the directions apart (with observational data even the oracle may end below
    F1 = 1; the default setting intervenes on every variable, and the oracle solves it on every tested
    seed); (5) the data are in the observation, so scripted proposers can score edits (an LLM
    proposer reads the text only).

    ## Version History

    - v0: initial release.
    """

    metadata = {"render_modes": ["ansi"], "render_fps": 1}
    sealed_info_keys: tuple[str, ...] = ("success", "metrics", "true_adjacency")
    """Info keys present only on the step that ends the episode."""

    def __init__(
        self,
        graph: str = "er",
        n: int = 5,
        degree: float = 1.0,
        mechanism: str = "linear",
        noise: str = "gaussian",
        m: int = 500,
        interventions: int | float = 1.0,
        root: str = "uniform",
        standardize: bool = False,
        init: tuple[str, ...] | list[str] = INIT_CHOICES,
        max_iterations: int = 30,
        max_failures: int = 5,
        memory_size: int = 10,
        verifier: str = "linear",
        invalid_is_failure: bool = False,
        render_mode: str | None = None,
    ) -> None:
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ConfigError(f"render_mode must be None or 'ansi', got {render_mode!r}.")
        self.config = DatasetConfig(graph, n, degree, mechanism, noise, m, interventions, root, standardize)
        self.init = check_init(init)
        for name, value, low in (("max_iterations", max_iterations, 1), ("max_failures", max_failures, 0),
                                 ("memory_size", memory_size, 0)):
            if not isinstance(value, int) or isinstance(value, bool) or value < low:
                raise ConfigError(f"{name} must be an int >= {low}, got {value!r}.")
        self.max_iterations, self.max_failures, self.memory_size = max_iterations, max_failures, memory_size
        if verifier not in VERIFIERS:
            raise ConfigError(f"verifier must be one of {', '.join(VERIFIERS)}; got {verifier!r}.")
        self.verifier_kind, self.invalid_is_failure = verifier, bool(invalid_is_failure)
        self.render_mode = render_mode
        self.n = n_variables(self.config)
        self.observation_space = spaces.Dict(
            {"text": spaces.Text(TEXT_MAX_LENGTH, min_length=1, charset=PRINTABLE),
             **observation_spaces(self.config.m, self.n)}
        )
        self.action_space = spaces.Text(4096, min_length=0, charset=PRINTABLE)
        self._cache: OrderedDict[int, Instance] = OrderedDict()
        self._instance: Instance | None = None
        self._state: State | None = None
        self._text = ""

    @property
    def true_adjacency(self) -> np.ndarray:
        """The current episode's DAG (privileged: for oracles and tests, not for agents)."""
        return self._current()[0].dataset.adjacency.copy()

    @property
    def verifier(self) -> BICVerifier:
        """The current episode's BIC verifier (privileged only in that it is this env's own instance)."""
        return self._current()[0].verifier

    @property
    def graph(self) -> np.ndarray:
        """The current graph (``int8 [n, n]``)."""
        return self._current()[1].adj.copy()

    def _current(self) -> tuple[Instance, State]:
        if self._instance is None or self._state is None:
            raise gym.error.ResetNeeded("No episode yet: call env.reset(seed=...) first.")
        return self._instance, self._state

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[dict, dict]:
        """Start an episode; the observation and ``info`` are described in the class docstring."""
        super().reset(seed=seed)
        instance = self._load(int(self.np_random.integers(2**63 - 1)))
        best = min(instance.bics, key=lambda k: (instance.bics[k], self.init.index(k)))
        adj = instance.candidates[best].copy()
        self._instance = instance
        self._state = State(adj, instance.bics[best], best, adj.copy(), instance.bics[best], dict(instance.bics))
        names = instance.dataset.names
        info = {**self._info("none", 0.0, ""), **dataset_info(instance.dataset, self.config),
                "init": best, "init_bics": dict(instance.bics), "max_iterations": self.max_iterations,
                "verifier": self.verifier_kind,
                "max_failures": self.max_failures,
                "edit_examples": [f"ADD {names[0]} -> {names[1]}", f"REMOVE {names[0]} -> {names[1]}",
                                  f"REVERSE {names[0]} -> {names[1]}", "STOP", f"PRIOR {names[0]} -> {names[1]}"]}
        return self._observe(), info

    @property
    def cached_seeds(self) -> tuple[int, ...]:
        """The cached instance seeds (each drawn from a reset's seed), oldest first; 8 at most."""
        return tuple(self._cache)

    def _load(self, seed: int) -> Instance:
        if seed in self._cache:
            self._cache.move_to_end(seed)
            return self._cache[seed]
        dataset = make_dataset(self.config, np.random.default_rng(seed))
        verifier = make_verifier(dataset.data, dataset.interventions, dataset.data_type, self.verifier_kind)
        candidates = initial_candidates(dataset.data, dataset.data_type, self.init)
        bics = {name: verifier.score(adj) for name, adj in candidates.items()}
        self._cache[seed] = Instance(dataset, verifier, candidates, bics)
        while len(self._cache) > 8:
            self._cache.popitem(last=False)
        return self._cache[seed]

    def step(self, action: Any) -> tuple[dict, float, bool, bool, dict]:
        """Play ``action``; a malformed one is answered in the observation (see the class docstring)."""
        instance, state = self._current()
        if state.done:
            raise gym.error.ResetNeeded("The episode has ended; call env.reset(seed=...) before stepping again.")
        names = instance.dataset.names
        state.iteration += 1
        verdict, delta, feedback, terminated = "invalid", 0.0, "", False
        try:
            edit = parse_edit(action, names)
            if edit.op == "PRIOR":
                verdict = self._prior(edit, instance, state)
            elif edit.op == "STOP":
                verdict, terminated = "stop", True
                state.last = "STOP: you ended the episode."
            else:
                verdict, delta = self._edit(edit, instance, state)
        except EditError as exc:
            text = str.__getitem__(action, slice(0, 200)) if isinstance(action, str) else safe_repr(action)
            shown = shorten(text, 80)
            feedback = f'Your last action "{shown}" was rejected: {exc}'
            state.failures += int(self.invalid_is_failure)
            state.counts["invalid"] += 1
            state.last = feedback
            self._remember(f"{shown}: invalid ({exc})", state)
        state.prior_allowed = False
        terminated = terminated or state.failures > self.max_failures
        truncated = not terminated and state.iteration >= self.max_iterations
        info = self._info(verdict, delta, feedback)
        reward = 0.0
        if terminated or truncated:
            state.done = True
            reward = self._finish(instance, state, info)
        return self._observe(), reward, terminated, truncated, info

    def _prior(self, edit: Edit, instance: Instance, state: State) -> str:
        if not state.prior_allowed:
            raise EditError("PRIOR is only allowed as the first action; propose single edits now.")
        names = instance.dataset.names
        prior = prior_adjacency(edit, len(names), names)
        bic = instance.verifier.score(prior)
        state.bics["prior"] = bic
        if bic <= state.bic:
            state.last = (f"PRIOR ({int(prior.sum())} edges): accepted, BIC {bic:.1f} <= {state.bic:.1f} of the "
                          f"{state.init_name} graph; it is the initial graph now.")
            state.adj, state.bic, state.init_name = prior, bic, "prior"
            state.init_adj, state.init_bic = prior.copy(), bic
            return "prior-accepted"
        state.last = (f"PRIOR ({int(prior.sum())} edges): not used, BIC {bic:.1f} > {state.bic:.1f} of the "
                      f"{state.init_name} graph, which stays the initial graph.")
        return "prior-kept"

    def _edit(self, edit: Edit, instance: Instance, state: State) -> tuple[str, float]:
        names = instance.dataset.names
        check_edit(edit, state.adj, names)
        delta = instance.verifier.delta(state.adj, parent_changes(state.adj, edit))
        text = edit.describe(names)
        if is_improvement(delta, state.bic):
            new_adj = apply_edit(state.adj, edit)
            new_bic = instance.verifier.score(new_adj)
            state.last = f"{text}: accepted, BIC {state.bic:.1f} -> {new_bic:.1f} ({delta:+.1f})."
            state.adj, state.bic = new_adj, new_bic
            state.failures = 0
            state.memory.clear()
            state.counts["accepted"] += 1
            return "accepted", float(delta)
        change = "BIC unchanged" if not is_improvement(-abs(delta), state.bic) else f"BIC {delta:+.1f}"
        state.last = f"{text}: rejected, {change} (no improvement); the graph is unchanged."
        state.failures += 1
        state.counts["rejected"] += 1
        self._remember(f"{text}: {change}, no improvement", state)
        return "rejected", float(delta)

    def _remember(self, line: str, state: State) -> None:
        state.memory.append(line)
        if len(state.memory) > self.memory_size:
            del state.memory[: len(state.memory) - self.memory_size]

    def _finish(self, instance: Instance, state: State, info: dict[str, Any]) -> float:
        metrics, success = self._score(instance, state)
        info.update(metrics=metrics, success=success,
                    true_adjacency=instance.dataset.adjacency.astype(int).tolist())
        return float(metrics["f1"])

    def _score(self, instance: Instance, state: State) -> tuple[dict[str, float], bool]:
        truth = instance.dataset.adjacency
        final, initial = graph_metrics(state.adj, truth), graph_metrics(state.init_adj, truth)
        metrics = {
            **final,
            "bic": float(state.bic),
            "init_bic": float(state.init_bic),
            "init_f1": initial["f1"],
            "init_shd": initial["shd"],
            "f1_gain": final["f1"] - initial["f1"],
            "shd_drop": initial["shd"] - final["shd"],
            "iterations": float(state.iteration),
            **{k: float(v) for k, v in state.counts.items()},
        }
        return metrics, bool(final["shd"] == 0)

    def episode_summary(self) -> dict[str, Any]:
        """``{"success", "metrics"}`` of the current graph: what the final info would say if the episode ended now.

        Raises:
            gymnasium.error.ResetNeeded: before the first ``reset``.
        """
        metrics, success = self._score(*self._current())
        return {"success": success, "metrics": metrics}

    def _info(self, verdict: str, delta: float, feedback: str) -> dict[str, Any]:
        instance, state = self._current()
        names = instance.dataset.names
        return {
            "invalid_action": verdict == "invalid",
            "feedback": feedback,
            "verdict": verdict,
            "delta_bic": float(delta),
            "bic": float(state.bic),
            "edges": [[names[a], names[b]] for a, b in edge_list(state.adj)],
            "iteration": state.iteration,
            "failures": state.failures,
            "memory": list(state.memory),
            "prior_allowed": state.prior_allowed,
        }

    def _observe(self) -> dict[str, Any]:
        instance, state = self._current()
        text = render_text(instance, state, self.max_iterations, self.max_failures)
        self._text = shorten_text(text, TEXT_MAX_LENGTH)
        return {
            "text": self._text,
            "data": instance.dataset.data.copy(),
            "interventions": instance.dataset.interventions.copy(),
            "names": tuple(instance.dataset.names),
        }

    def render(self) -> str | None:
        """The current observation text in ``ansi`` mode; ``None`` otherwise."""
        return self._text if self.render_mode == "ansi" else None
