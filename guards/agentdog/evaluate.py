"""Offline guard evaluation on ATBench-format records: replay each trajectory step by step through a guard.

At turn ``i`` the guard sees the observations up to turn ``i`` and the actions before it (exactly what a
:class:`~cauarena.guards.GuardedAgent` shows it live) and reviews action ``i``. A trajectory is predicted unsafe
when any turn is not approved; its score is the highest step risk (AUROC); the first unsafe turn's diagnosis is
compared with the record's axes (unsafe records only) and its index with the first truly unsafe turn.

``python -m cauarena.guards.agentdog.evaluate --data DIR --guard rules --guard classifier`` prints the table.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from cauarena.guards.agentdog.atbench import first_unsafe_turn, load_atbench, turns
from cauarena.guards.base import GuardStep, Verdict
from cauarena.guards.metrics import axis_accuracy, binary_metrics, step_location_accuracy

AXIS_FIELDS = {"risk_source": "risk_source", "failure_mode": "failure_mode", "harm": "real_world_harm"}
"""Diagnosis attribute -> ATBench record field."""


def replay(guard: Any, record: dict[str, Any]) -> tuple[list[Verdict], list[float]]:
    """The guard's verdict on every agent turn of ``record``, and each review's latency in seconds."""
    observations, actions = turns(record)
    if hasattr(guard, "reset"):
        guard.reset(seed=None, info={})
    verdicts, latencies = [], []
    done: list[GuardStep] = []
    for observation, action in zip(observations, actions, strict=True):
        view = [*done, GuardStep(observation, {})]
        start = time.perf_counter()
        verdict = guard.review(view, action)
        latencies.append(time.perf_counter() - start)
        verdicts.append(verdict)
        done.append(GuardStep(observation, {}, action, verdict))
    return verdicts, latencies


def evaluate(guard: Any, records: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Binary accuracy/precision/recall/F1/AUROC, per-axis accuracy, step location, latency p50/p99 (ms)."""
    predicted, scores, labels, latencies = [], [], [], []
    axes: dict[str, tuple[list[str], list[str]]] = {axis: ([], []) for axis in AXIS_FIELDS}
    located, truth_steps = [], []
    for record in records:
        verdicts, seconds = replay(guard, record)
        latencies += seconds
        flagged = [i for i, v in enumerate(verdicts) if v.unsafe]
        predicted.append(int(bool(flagged)))
        scores.append(max((v.risk for v in verdicts), default=0.0))
        labels.append(int(record["label"]))
        if not record["label"]:
            continue
        first = verdicts[flagged[0]] if flagged else None
        for axis, field in AXIS_FIELDS.items():
            if record.get(field):
                diagnosis = first.diagnosis if first is not None else None
                axes[axis][0].append(getattr(diagnosis, axis, "") if diagnosis else "")
                axes[axis][1].append(record[field])
        if first_unsafe_turn(record) >= 0:
            located.append(flagged[0] if flagged else -1)
            truth_steps.append(first_unsafe_turn(record))
    out = binary_metrics(predicted, labels, scores)
    for axis, (pred, truth) in axes.items():
        out[f"acc_{axis}"] = axis_accuracy(pred, truth)
    out["step_location"] = step_location_accuracy(located, truth_steps)
    ms = np.asarray(latencies) * 1000
    out["latency_ms_p50"] = float(np.percentile(ms, 50)) if len(ms) else float("nan")
    out["latency_ms_p99"] = float(np.percentile(ms, 99)) if len(ms) else float("nan")
    out["reviews"] = float(len(ms))
    return out


def build(spec: str) -> Any:
    """A guard from a spec, served for the ``life_assist`` family (``rules``, ``classifier``, ``llm-judge/...``)."""
    import cauarena.guards.agentdog  # noqa: F401  (registers rules and classifier)
    from cauarena.guards.registry import make_guard

    return make_guard(spec, "life_assist")


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m cauarena.guards.agentdog.evaluate --data DIR [--split test] --guard NAME ...``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="an ATBench folder (train/dev/test.json) or file")
    parser.add_argument("--split", default="test")
    parser.add_argument("--guard", action="append", default=[], help="guard spec (repeatable)")
    args = parser.parse_args(argv)
    records = load_atbench(args.data, split=args.split)
    for spec in args.guard or ["rules", "classifier", "approve"]:
        result = evaluate(build(spec), records)
        print(json.dumps({"guard": spec, **{k: round(v, 4) for k, v in result.items()}}))


if __name__ == "__main__":
    main()
