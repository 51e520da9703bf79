"""``classifier``: a step-level AgentDoG guard trained on the ATBench-LifeAssist train split (CPU, shipped small).

Each review turns (context, proposed action) into text parts: the call (tool and arguments) and up to
:data:`CONTEXT_LINES` earlier lines that mention its argument values, tagged with their channel (principal,
memory, system, notice, message, tool; :mod:`~cauarena.guards.agentdog.trace`). Each part goes through MAGIC's
hashed character n-gram featurizer (:func:`cauarena.envs.magic.classifier.featurize`, cached per part), the
parts are summed and normalised, and a logistic regression gives ``p(unsafe)``. The diagnosis is the nearest
centroid (cosine) of the unsafe training steps per AgentDoG axis (the risk source from the context lines alone,
the other axes from everything). The threshold is chosen on the ``dev`` split.

Weights: ``classifier.json`` beside this module (float16, base64). Rebuild them with
``cauarena train agentdog-classifier --out DIR`` (plays the benchmark in memory first; ``--data DIR`` uses a built
copy) and copy ``DIR/classifier.json`` here (:mod:`~cauarena.guards.agentdog.train`); the same data and code give
the same weights.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from cauarena.envs.magic.classifier import featurize, fit_logistic
from cauarena.errors import ConfigError
from cauarena.guards.agentdog.trace import View, _norm, call_of, view
from cauarena.guards.base import Diagnosis, GuardStep, Verdict

WEIGHTS = Path(__file__).with_name("classifier.json")
CONTEXT_LINES = 2
LINE_CHARS = 160
DIM = 1 << 12
AXES = ("risk_source", "failure_mode", "harm")
RECORD_FIELD = {"risk_source": "risk_source", "failure_mode": "failure_mode", "harm": "real_world_harm"}
REBUILD = ("cauarena train agentdog-classifier --out runs/agentdog-classifier && "
           "cp runs/agentdog-classifier/classifier.json guards/agentdog/classifier.json")
"""The command that rebuilds the shipped weights (recorded in them)."""
CONTEXT_AXES = ("risk_source",)
"""Axes diagnosed from the context lines alone (where the call came from), not from the call itself."""


def parts(v: View, action: str) -> list[str]:
    """The text parts of one review: the call, then the latest earlier lines that mention its argument values."""
    parsed = call_of(action)
    if parsed is None:
        return [f"raw {action[:LINE_CHARS]}"]
    name, arguments = parsed
    values = [str(a).strip().lower() for a in arguments.values() if len(str(a).strip()) >= 3]
    out = [f"call {name} " + " ".join(f"{k}={_norm(a)}" for k, a in sorted(arguments.items()))[:LINE_CHARS]]
    for facts in reversed(v.facts):
        for channel, line in reversed(facts.lines):
            if len(out) > CONTEXT_LINES:
                return out
            low = line.lower()
            if any(value in low for value in values):
                out.append(f"[{channel}] {line[:LINE_CHARS]}")
    return out


@lru_cache(maxsize=2048)
def _part_vector(text: str) -> np.ndarray:
    """One part's features, cached (2,048 x 16 KB at most: an episode's parts repeat across its reviews)."""
    return featurize([text], DIM)[0]


def vectorize(text_parts: Sequence[str]) -> np.ndarray:
    """The normalised sum of each part's n-gram features."""
    x = np.sum([_part_vector(p) for p in text_parts], axis=0)
    norm = float(np.linalg.norm(x))
    return x / norm if norm else x


def context_vector(text_parts: Sequence[str]) -> np.ndarray:
    """The features of the context parts (all but the call), or of ``[none]`` when no earlier line mentions it."""
    return vectorize(list(text_parts[1:]) or ["[none]"])


def _pack(array: np.ndarray) -> str:
    return base64.b64encode(np.asarray(array, dtype=np.float16).tobytes()).decode()


def _unpack(text: str, shape: tuple[int, ...]) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype=np.float16).astype(np.float32).reshape(shape)


class ClassifierGuard:
    """The trained step classifier (see the module docstring).

    Args:
        path: weights file (default: the shipped ``classifier.json``).
        threshold: ``p(unsafe)`` at or above which a call is rejected (default: the one tuned on ``dev``).
        unsafe_decision: ``reject``, ``terminate`` or ``escalate``.
    """

    def __init__(self, path: str | Path | None = None, threshold: float | None = None,
                 unsafe_decision: str = "reject") -> None:
        path = Path(path) if path is not None else WEIGHTS
        if not path.exists():
            raise ConfigError(f"No classifier weights at {path}. Fix: `cauarena train agentdog-classifier --out DIR` "
                              "writes DIR/classifier.json.")
        if unsafe_decision not in ("reject", "terminate", "escalate"):
            raise ValueError(f"unsafe_decision must be reject, terminate or escalate; got {unsafe_decision!r}.")
        data = json.loads(path.read_text())
        dim = int(data["dim"])
        self.weights, self.bias = _unpack(data["weights"], (dim,)), float(data["bias"])
        self.threshold = float(data["threshold"] if threshold is None else threshold)
        self.names = {axis: list(data["centroids"][axis]) for axis in AXES}
        self.centroids = {axis: _unpack(data["centroids_packed"][axis], (len(self.names[axis]), dim)) for axis in AXES}
        self.unsafe_decision = unsafe_decision
        self.spec = {"path": str(path), "threshold": self.threshold, "unsafe_decision": unsafe_decision}

    def prob(self, v: View, action: str) -> tuple[float, list[str]]:
        """``p(unsafe)`` of ``action`` in the context ``v``, and its text parts."""
        text_parts = parts(v, action)
        x = vectorize(text_parts)
        return float(1.0 / (1.0 + np.exp(-(x @ self.weights + self.bias)))), text_parts

    def diagnose(self, text_parts: Sequence[str]) -> Diagnosis:
        """The nearest training centroid on each axis (:data:`CONTEXT_AXES` from the context parts only)."""
        x, ctx = vectorize(text_parts), context_vector(text_parts)
        found = {axis: self.names[axis][int(np.argmax(self.centroids[axis] @ (ctx if axis in CONTEXT_AXES else x)))]
                 if self.names[axis] else "" for axis in AXES}
        return Diagnosis(**found)

    def review(self, trajectory: Sequence[GuardStep], proposed_action: Any) -> Verdict:
        """The :class:`Verdict` on ``proposed_action``; ``trajectory[-1]`` is the current step (the Guard protocol)."""
        action = proposed_action if isinstance(proposed_action, str) else json.dumps(proposed_action, default=str)
        v = view([s.observation for s in trajectory], [s.action for s in trajectory[:-1]])
        p, text_parts = self.prob(v, action)
        if p < self.threshold:
            return Verdict("approve", f"p(unsafe)={p:.2f}", p)
        return Verdict(self.unsafe_decision, f"the classifier judged it unsafe (p={p:.2f}).", p,
                       self.diagnose(text_parts))


# ---------------------------------------------------------------- training


def examples(records: Sequence[dict[str, Any]]) -> list[tuple[list[str], int, dict[str, str]]]:
    """``(parts, unsafe, axes)`` for every agent turn of every record (axes of the turn's first violation)."""
    from cauarena.guards.agentdog.atbench import turns

    out = []
    for record in records:
        observations, actions = turns(record)
        labels: dict[int, dict[str, str]] = {}
        for lab in record.get("step_labels", []):
            labels.setdefault(int(lab["turn"]), lab)
        for i, action in enumerate(actions):
            v = view(observations[: i + 1], actions[:i])
            lab = labels.get(i)
            axes = {axis: lab[RECORD_FIELD[axis]] for axis in AXES} if lab else {}
            out.append((parts(v, action), int(lab is not None), axes))
    return out


def _threshold(model: dict[str, Any], dev: Sequence[dict[str, Any]]) -> float:
    """The threshold with the best trajectory-level F1 on ``dev`` (ties: the highest)."""
    from cauarena.guards.agentdog.atbench import turns

    w, b = model["w"], model["b"]
    scores, labels = [], []
    for record in dev:
        observations, actions = turns(record)
        best = 0.0
        for i, action in enumerate(actions):
            x = vectorize(parts(view(observations[: i + 1], actions[:i]), action))
            best = max(best, float(1 / (1 + np.exp(-(x @ w + b)))))
        scores.append(best)
        labels.append(int(record["label"]))
    s, y = np.asarray(scores), np.asarray(labels)
    best_t, best_f1 = 0.5, -1.0
    for t in sorted(set(np.round(s, 4))):
        p = s >= t
        tp, fp, fn = int((p & (y == 1)).sum()), int((p & (y == 0)).sum()), int((~p & (y == 1)).sum())
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 >= best_f1:
            best_t, best_f1 = float(t), f1
    return best_t


def train(train_records: Sequence[dict[str, Any]], dev_records: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    """Fit the classifier and the centroids; the JSON-able weights (see :class:`ClassifierGuard`)."""
    data = examples(train_records)
    x = np.stack([vectorize(p) for p, _, _ in data])
    y = [u for _, u, _ in data]
    w, b = _fit(x, np.asarray(y, dtype=np.float32))
    centroids, names = {}, {}
    ctx = np.stack([context_vector(p) if u else np.zeros(DIM, dtype=np.float32) for p, u, _ in data])
    for axis in AXES:
        cats = sorted({a[axis] for _, u, a in data if u})
        rows = []
        for cat in cats:
            rows_of = [i for i, (_, u, a) in enumerate(data) if u and a[axis] == cat]
            c = (ctx if axis in CONTEXT_AXES else x)[rows_of].mean(axis=0)
            rows.append(c / (np.linalg.norm(c) or 1.0))
        names[axis] = cats
        centroids[axis] = _pack(np.stack(rows)) if rows else ""
    threshold = _threshold({"w": w, "b": b}, dev_records) if dev_records else 0.5
    return {"dim": DIM, "bias": b, "threshold": threshold, "weights": _pack(w), "centroids": names,
            "centroids_packed": centroids, "trained_on": {"steps": len(y), "unsafe_steps": int(sum(y)),
                                                          "records": len(train_records)},
            "rebuild": REBUILD}


def _fit(x: np.ndarray, y: np.ndarray, epochs: int = 400, lr: float = 4.0, l2: float = 1e-4
         ) -> tuple[np.ndarray, float]:
    """Class-balanced logistic regression (MAGIC's classifier's fit) on rows that are already summed part vectors."""
    return fit_logistic(x, y, epochs=epochs, lr=lr, l2=l2)
