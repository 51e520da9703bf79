"""``CausalDiscoveryEnv``: one step; read samples, answer an ``[n, n]`` matrix of edge scores."""

from __future__ import annotations

import string
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from cauarena.envs._actions import safe_repr, structure_problem
from cauarena.envs.causal.dataset import CausalDataset, DatasetConfig, make_dataset
from cauarena.envs.causal.descriptions import DESCRIPTIONS
from cauarena.envs.causal.edits import shorten
from cauarena.envs.causal.metrics import all_metrics
from cauarena.errors import ConfigError

PRINTABLE = string.printable
FEEDBACK_MAX_LENGTH = 512
NAME_MAX_LENGTH = 64
_FLOAT32_MAX = float(np.finfo(np.float32).max)


def observation_spaces(m: int, n: int) -> dict[str, spaces.Space]:
    """The data, mask and names entries shared by both causal envs (finite bounds: ``check_env`` is quiet)."""
    return {
        "data": spaces.Box(-_FLOAT32_MAX, _FLOAT32_MAX, shape=(m, n), dtype=np.float32),
        "interventions": spaces.Box(0, 1, shape=(m, n), dtype=np.int8),
        "names": spaces.Tuple([spaces.Text(NAME_MAX_LENGTH, min_length=1, charset=PRINTABLE) for _ in range(n)]),
    }


def dataset_info(dataset: CausalDataset, config: DatasetConfig) -> dict[str, Any]:
    """What an agent may know before acting (JSON-safe): names, descriptions, data type, the sampling setup."""
    intervened = sorted({dataset.names[j] for j in np.flatnonzero(dataset.interventions.any(axis=0))})
    info: dict[str, Any] = {
        "names": list(dataset.names),
        "descriptions": dict(zip(dataset.names, dataset.descriptions, strict=True)),
        "summary": dataset.summary,
        "data_type": dataset.data_type,
        "graph": config.graph,
        "n": dataset.n,
        "m": dataset.m,
        "intervened": intervened,
    }
    if config.synthetic:
        info.update(mechanism=config.mechanism, noise=config.noise, degree=float(config.degree))
    return info


def n_variables(config: DatasetConfig) -> int:
    """Variables of the configured graph, without loading a network."""
    return config.n if config.synthetic else len(DESCRIPTIONS[config.graph])


def _describe(action: Any) -> str:
    return safe_repr(action, 60)


def _as_array(action: Any, n: int) -> tuple[np.ndarray | None, str]:
    """The action as a plain ndarray without running user code on odd objects, or None and the reason.

    Plain arrays pass as they are; nested lists/tuples of plain numbers are walked first (bounded depth and
    size, no recursion); other objects are converted only when their type declares ``__array__`` (torch,
    jax...), with any error they raise caught.
    """
    if type(action) is np.ndarray:
        return action, ""
    if type(action) in (int, float, bool) or (isinstance(action, np.generic) and type(action).__module__ == "numpy"):
        return np.asarray(action), ""  # a scalar: read, then refused for its shape
    if isinstance(action, (list, tuple)):
        problem = structure_problem(action, max_depth=4, max_items=(n + 1) * (n + 1) + 8, max_text=64)
        if problem:
            return None, problem
    elif not (hasattr(type(action), "__array__") or hasattr(type(action), "__array_interface__")):
        return None, "it is not an array of numbers"
    try:
        array = np.asarray(action)
    except Exception:  # noqa: BLE001  (an agent's object may raise anything while converting)
        return None, "it could not be converted to an array of numbers"
    if type(array) is not np.ndarray:
        return None, "it is not a plain array of numbers"
    return array, ""


class CausalDiscoveryEnv(gym.Env):
    """Causal discovery in one step: from samples (and intervention masks), score every possible edge.

    ## Description

    Each episode samples a causal graph and data from it: a synthetic SCM (``er``/``sf`` DAG, five
    mechanisms, three noises; :mod:`cauarena.envs.causal.simulate`) or a bnlearn network shipped with pgmpy
    (``asia``, ``sachs``, ``child``, ``insurance``, ``alarm``, ...; :mod:`cauarena.envs.causal.bnlearn`).
    Optionally some rows come from perfect single-node interventions. The agent answers a matrix of
    scores, one per ordered pair, and is graded like CauScale (AUPRC over the ``n (n - 1)`` pairs, SHD...).
    Registered as ``cauarena/CausalDiscovery-v0``.

    ## Action Space

    ``Box(0, 1, (n, n), float64)``: entry ``[i, j]`` scores the edge ``names[i] -> names[j]`` (read as a
    probability; the diagonal is ignored). Any numeric array of that shape in ``[0, 1]`` (float32, int,
    bool, nested lists; array-likes such as tensors through ``__array__``) is accepted. Anything else (wrong
    shape, wrong dtype such as complex, object or text, NaN/inf, outside ``[0, 1]``, text, ``None``, nesting
    deeper than 4 levels or more than ``(n + 1)^2 + 8`` items, objects that raise) is an **invalid action**:
    reward 0, the episode goes on, ``info["invalid_action"] = True`` and the
    reason is in ``info["feedback"]`` and in the next observation's ``feedback``. After ``max_invalid``
    invalid answers in a row the episode is truncated and scored as the empty graph (reward 0).

    ## Observation Space

    ``Dict``: ``data`` ``Box(float32, (m, n))`` the samples (discrete networks: state indices 0, 1, ...);
    ``interventions`` ``Box(0, 1, (m, n), int8)``, 1 where that variable was intervened on in that row;
    ``names`` ``Tuple`` of ``n`` ``Text`` (variable names; their descriptions are in ``info``);
    ``feedback`` ``Text`` (empty, or why the last action was invalid). Nothing about the truth is in the
    observation, nor in ``info`` before the action.

    ## Rewards

    AUPRC (average precision of the scores over ordered pairs ``i != j``) for a valid answer; 0 for an
    invalid one.

    ## Episode End

    Terminated after the first valid answer; truncated after ``max_invalid`` invalid answers in a row.

    ``info`` at reset: ``names``, ``descriptions`` (name -> line), ``summary``, ``data_type``
    (``continuous``/``discrete``), ``graph``, ``n``, ``m``, ``intervened`` (names of intervened variables),
    and for synthetic graphs ``mechanism``, ``noise``, ``degree``; ``invalid_action`` False and ``feedback``
    ``""``. Each step: ``invalid_action`` and ``feedback``. Only on the step that ends the episode
    (:attr:`sealed_info_keys`; :meth:`episode_summary` gives success and metrics at any point, scoring the
    empty graph before an answer, as truncation does): ``metrics`` (``auprc``, ``auroc``, ``orientation_accuracy``,
    ``shd``, ``shd_pairs``, ``shd_cpdag``, ``precision``, ``recall``, ``f1``, ``skeleton_precision``,
    ``skeleton_recall``, ``skeleton_f1``, ``cyclic``, ``n_edges``, ``n_true_edges``; graph metrics on
    ``scores > threshold``), ``true_adjacency`` (int8 ``[n, n]`` as nested lists: ``info`` is JSON), and
    ``success`` (``shd == 0``).

    ## Arguments

    ```python
    import cauarena
    env = cauarena.make("cauarena/CausalDiscovery-v0", graph="er", n=10, degree=1.0, mechanism="linear",
                        noise="gaussian", m=1000, interventions=0)
    ```

    - ``graph``: ``er``, ``sf``, or a network: ``asia``, ``cancer``, ``earthquake``, ``survey``, ``sachs``,
      ``child``, ``insurance``, ``alarm`` (needs pgmpy: ``pip install 'cauarena[causal]'``).
    - ``n``, ``degree`` (expected edges per node), ``mechanism`` (``linear``, ``nn_add``, ``nn``,
      ``sigmoid_add``, ``polynomial``), ``noise`` (``gaussian``, ``laplace``, ``cauchy``), ``root``
      (``uniform``/``noise``), ``standardize``: synthetic graphs only.
    - ``m``: rows. ``interventions``: intervened variables, an int count or a float fraction of ``n``; one
      regime per intervened variable (values U(-1, 1)), then an observational regime of ``m // (k + 1)`` rows, as
      CauScale's generator splits them (``interventions=1.0`` is its test protocol).
    - ``threshold``: scores above it are edges for the graph metrics (0.5).
    - ``max_invalid``: invalid answers before truncation (3).
    - ``render_mode``: ``None`` or ``"ansi"``.

    Privileged access: :attr:`true_adjacency` (for oracles and tests).

    ## Fidelity

    Graph, mechanism and noise families, the ER edge probability, noise scales, root distribution and the
    metrics follow CauScale's generator and ``eval_results.py`` (REFERENCE 1.1), re-implemented in numpy,
    so numbers are comparable in kind, not bit for bit. Deviations: (1) one intervention regime per
    *chosen* variable (``interventions``; the published test sets intervene on every node, ``interventions=1.0``),
    and the default is observational; (2) SF graphs use CDT's ER parent counts with preferential attachment
    on out-degree (CauScale's ``sf``), parents drawn without replacement; (3) SHD and F1 use ``scores >
    threshold`` (CauScale: the 3-way head's P > 0.5); a pair predicted both ways is an undirected edge: SHD as
    the published ``shd_metric`` (1 beside a true edge, 2 without; ``shd_pairs`` counts it once), two predicted
    edges for precision, no cycle; (4) bnlearn data are sampled by our numpy ancestral
    sampler from pgmpy's CPTs, with the variables in a random order per episode (the files list them
    topologically); (5) the CPDAG SHD uses the observational CPDAG even with interventions; (6) AID is not
    computed (no gadjid offline).

    ## Version History

    - v0: initial release.
    """

    metadata = {"render_modes": ["ansi"], "render_fps": 1}
    sealed_info_keys: tuple[str, ...] = ("success", "metrics", "true_adjacency")
    """Info keys present only on the step that ends the episode."""

    def __init__(
        self,
        graph: str = "er",
        n: int = 10,
        degree: float = 1.0,
        mechanism: str = "linear",
        noise: str = "gaussian",
        m: int = 1000,
        interventions: int | float = 0,
        root: str = "uniform",
        standardize: bool = False,
        threshold: float = 0.5,
        max_invalid: int = 3,
        render_mode: str | None = None,
    ) -> None:
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ConfigError(f"render_mode must be None or 'ansi', got {render_mode!r}.")
        if not isinstance(max_invalid, int) or isinstance(max_invalid, bool) or max_invalid < 1:
            raise ConfigError(f"max_invalid must be an int >= 1, got {max_invalid!r}.")
        if not 0.0 <= float(threshold) < 1.0:
            raise ConfigError(f"threshold must be in [0, 1), got {threshold!r}.")
        self.config = DatasetConfig(graph, n, degree, mechanism, noise, m, interventions, root, standardize)
        self.threshold = float(threshold)
        self.max_invalid = max_invalid
        self.render_mode = render_mode
        self.n = n_variables(self.config)
        self.observation_space = spaces.Dict(
            {
                **observation_spaces(self.config.m, self.n),
                "feedback": spaces.Text(FEEDBACK_MAX_LENGTH, min_length=0, charset=PRINTABLE),
            }
        )
        self.action_space = spaces.Box(0.0, 1.0, shape=(self.n, self.n), dtype=np.float64)
        self._dataset: CausalDataset | None = None
        self._done = False
        self._invalid = 0
        self._last: dict[str, Any] = {}

    @property
    def true_adjacency(self) -> np.ndarray:
        """The current episode's DAG (privileged: for oracles and tests, not for agents)."""
        if self._dataset is None:
            raise gym.error.ResetNeeded("No episode yet: call env.reset(seed=...) first.")
        return self._dataset.adjacency.copy()

    @property
    def dataset(self) -> CausalDataset | None:
        """The current episode's dataset, truth included (privileged)."""
        return self._dataset

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[dict, dict]:
        """Start an episode; the observation and ``info`` are described in the class docstring."""
        super().reset(seed=seed)
        self._dataset = make_dataset(self.config, self.np_random)
        self._done, self._invalid, self._last = False, 0, {}
        info = {"invalid_action": False, "feedback": "", **dataset_info(self._dataset, self.config)}
        return self._observe(""), info

    def step(self, action: Any) -> tuple[dict, float, bool, bool, dict]:
        """Play ``action``; a malformed one is answered in the observation (see the class docstring)."""
        if self._dataset is None:
            raise gym.error.ResetNeeded("Cannot call step() before reset(); call env.reset(seed=...) first.")
        if self._done:
            raise gym.error.ResetNeeded("The episode has ended; call env.reset(seed=...) before stepping again.")
        scores, reason = self._read(action)
        truth = self._dataset.adjacency
        if scores is None:
            self._invalid += 1
            feedback = shorten(
                f"Your last action ({_describe(action)}) was not accepted: {reason}. Send a float array of shape "
                f"({self.n}, {self.n}) with values in [0, 1]; entry [i, j] scores the edge names[i] -> names[j].",
                FEEDBACK_MAX_LENGTH,
            )
            truncated = self._invalid >= self.max_invalid
            info: dict[str, Any] = {"invalid_action": True, "feedback": feedback}
            if truncated:
                self._done = True
                info.update(self._final(np.zeros(truth.shape), truth))
            return self._observe(feedback), 0.0, False, truncated, info
        self._done = True
        info = {"invalid_action": False, "feedback": ""}
        info.update(self._final(scores, truth))
        return self._observe(""), float(info["metrics"]["auprc"]), True, False, info

    def _final(self, scores: np.ndarray, truth: np.ndarray) -> dict[str, Any]:
        metrics = all_metrics(scores, truth, self.threshold)
        self._last = metrics
        return {"metrics": metrics, "success": metrics["shd"] == 0, "true_adjacency": truth.astype(int).tolist()}

    def episode_summary(self) -> dict[str, Any]:
        """``{"success", "metrics"}`` so far: the answer's scores, or the empty graph's before an answer.

        Raises:
            gymnasium.error.ResetNeeded: before the first ``reset``.
        """
        if self._dataset is None:
            raise gym.error.ResetNeeded("No episode yet: call env.reset(seed=...) first.")
        truth = self._dataset.adjacency
        metrics = self._last or all_metrics(np.zeros(truth.shape), truth, self.threshold)
        return {"success": metrics["shd"] == 0, "metrics": dict(metrics)}

    def _read(self, action: Any) -> tuple[np.ndarray | None, str]:
        """The scores, or None and the reason; accepts exactly what ``action_space.contains`` accepts."""
        array, reason = _as_array(action, self.n)
        if array is None:
            return None, reason
        if array.dtype.kind not in "biuf":
            return None, f"dtype {array.dtype} is not a real number type"
        if array.shape != (self.n, self.n):
            return None, f"the shape is {tuple(int(d) for d in array.shape)}, not ({self.n}, {self.n})"
        scores = array
        scores = scores.astype(np.float64)
        if not np.all(np.isfinite(scores)):
            return None, "it contains NaN or infinite values"
        if scores.min() < 0.0 or scores.max() > 1.0:
            return None, "scores must lie in [0, 1]"
        return scores, ""

    def _observe(self, feedback: str) -> dict[str, Any]:
        dataset = self._dataset
        if dataset is None:
            raise gym.error.ResetNeeded("No episode yet: call env.reset(seed=...) first.")
        return {
            "data": dataset.data.copy(),
            "interventions": dataset.interventions.copy(),
            "names": tuple(dataset.names),
            "feedback": feedback,
        }

    def render(self) -> str | None:
        """A one-paragraph summary in ``ansi`` mode; ``None`` otherwise."""
        if self.render_mode != "ansi" or self._dataset is None:
            return None
        d = self._dataset
        text = f"{d.summary}: {d.n} variables, {d.m} rows ({d.data_type})."
        if self._last:
            text += f" AUPRC {self._last['auprc']:.3f}, SHD {self._last['shd']:.0f}, F1 {self._last['f1']:.3f}."
        return text
