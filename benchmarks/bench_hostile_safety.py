"""Hostile actions against the safety envs: crashes, hangs and the slowest action, per env.

Four envs: ``cauarena/LifeAssist-v0`` (under an inbox injection), the ``cauarena/MAGIC-v0`` game (the acting
agent's action, and sometimes the whole ``step`` argument, is hostile), and the two seat envs
``cauarena/MAGIC-Defender-v0`` / ``cauarena/MAGIC-Attacker-v0``. Each gets ``--actions`` actions drawn by a
seeded generator from these kinds (uniformly):

- ``deep``: JSON-looking text nested 10 to 5,000 levels (``{"a":``, ``[``, ``{"name":``);
- ``huge``: 2,049 characters to 1 MB (``{`` runs, plain text, one JSON call padded with text);
- ``numbers``: tool calls with ``NaN``, ``Infinity``, ``1e999``, 400-digit ints, as text and as dicts;
- ``arrays``: numpy arrays of random shape and dtype (float, int, str, object, bool);
- ``raising``: objects whose ``__str__``/``__repr__``/``__eq__`` raise, ``str`` subclasses whose ``__len__``
  and ``__iter__`` raise, dicts holding them;
- ``wrong``: None, bytes, bools, ints, floats, sets, lists, dicts of the wrong shape, 100,000-deep lists;
- ``random``: random printable or Unicode text, random tool calls with hostile argument values.

A crash is an exception out of ``step``; a hang is a step over ``--hang`` seconds of process CPU time (steps over
it in wall time are counted apart: on a shared machine they can be another process's time). The env is reset
when an episode ends. Reported per env: actions, crashes and hangs (the worst of ``--repeats`` runs of the same
seeded actions), the slowest step in process CPU time (what a loaded, shared machine still measures faithfully;
its kind) and in wall time, the median step and the total, as medians over the runs.

Usage: python benchmarks/bench_hostile_safety.py [--actions 7000] [--repeats 3] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import string
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import cauarena
from cauarena.envs.life_assist import TOOLS
from cauarena.envs.magic import ATTACKER, DEFENDER

KINDS = ("deep", "huge", "numbers", "arrays", "raising", "wrong", "random")


class RaisingObject:
    """Every rendering and comparison raises."""

    def __str__(self) -> str:
        raise RuntimeError("__str__")

    __repr__ = __format__ = __str__

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("__eq__")

    __hash__ = object.__hash__


class RaisingStr(str):
    """A ``str`` whose overrides raise."""

    def __str__(self) -> str:
        raise RuntimeError("__str__")

    def __len__(self) -> int:
        raise RuntimeError("__len__")

    def __iter__(self) -> Any:
        raise RuntimeError("__iter__")


def _deep_list(levels: int) -> list:
    value: list = []
    for _ in range(levels):
        value = [value]
    return value


def _call_text(rng: random.Random, value: str) -> str:
    tool = rng.choice(sorted(TOOLS))
    return f'{{"name": "{tool}", "arguments": {{"amount": {value}, "dose_mg": {value}, "quantity": {value}}}}}'


def make_action(kind: str, rng: random.Random) -> Any:
    """One hostile action of ``kind``."""
    return _MAKERS[kind](rng)


def _deep(rng: random.Random) -> str:
    return rng.choice(('{"a":', "[", '{"name":', '{"name": "x", "arguments": ')) * rng.randint(10, 5000)


def _huge(rng: random.Random) -> str:
    size = rng.choice((2049, 4097, 65536, 1_000_000))
    build = rng.choice((lambda: "{" * size, lambda: "x" * size, lambda: '{"name": "list_inbox"}' + " " * size,
                        lambda: "<<" * (size // 2)))  # fmt: skip
    return build()


def _numbers(rng: random.Random) -> Any:
    value = rng.choice(("NaN", "Infinity", "-Infinity", "1e999", "9" * 400, "-" + "9" * 400))
    if rng.random() < 0.5:
        return _call_text(rng, value)
    number = rng.choice((float("nan"), float("inf"), -float("inf"), 10**400, -(10**400), 2**53 + 1))
    return {"name": rng.choice(sorted(TOOLS)), "arguments": {"amount": number, "dose_mg": number}}


def _arrays(rng: random.Random) -> Any:
    shape = tuple(rng.randint(0, 4) for _ in range(rng.randint(0, 3)))
    dtype = rng.choice((np.float64, np.int64, np.str_, object, np.bool_))
    return np.zeros(shape, dtype=dtype)


def _raising(rng: random.Random) -> Any:
    return rng.choice((RaisingObject(), RaisingStr('{"name": "list_inbox"}'),
                       {"name": "send_message", "arguments": {"recipient": RaisingObject(), "text": "x"}},
                       {"name": RaisingStr("list_inbox")}, [RaisingObject()]))  # fmt: skip


_WRONG: tuple[Callable[[], Any], ...] = (
    lambda: None, lambda: b'{"name": "list_inbox"}', lambda: True, lambda: 0, lambda: -1, lambda: 3.5,
    lambda: float("nan"), lambda: {"a"}, lambda: [], lambda: ["x"], lambda: {}, lambda: {"name": ["x"]},
    lambda: {1: 2}, lambda: {"name": "pay_bill", "arguments": [1]}, lambda: _deep_list(100_000), lambda: (1, 2),
)  # fmt: skip


def _wrong(rng: random.Random) -> Any:
    return rng.choice(_WRONG)()


def _random(rng: random.Random) -> Any:
    roll = rng.random()
    if roll < 0.35:
        return "".join(rng.choice(string.printable) for _ in range(rng.randint(0, 300)))
    if roll < 0.5:
        return "".join(chr(rng.randint(0, 0x2FFFF)) for _ in range(rng.randint(0, 100)))
    tool = rng.choice(sorted(TOOLS))
    pool = ("", "x" * 2000, "checking", "SYN-ACCT-6666", 0, -1, 2**53, 1e308, -0.0, True, None, [], {}, "\u202e")
    fields = list(TOOLS[tool].model.model_fields)
    arguments = {name: rng.choice(pool) for name in fields if rng.random() < 0.9}
    call = {"name": tool, "arguments": arguments}
    return call if rng.random() < 0.5 else json.dumps(call)


_MAKERS: dict[str, Callable[[random.Random], Any]] = {
    "deep": _deep, "huge": _huge, "numbers": _numbers, "arrays": _arrays, "raising": _raising, "wrong": _wrong,
    "random": _random,
}  # fmt: skip


def _single(env_id: str, **kwargs: Any) -> tuple[Callable[[], None], Callable[[Any], bool]]:
    env = cauarena.make(env_id, **kwargs)
    counter = {"seed": 0}

    def reset() -> None:
        counter["seed"] += 1
        env.reset(seed=counter["seed"])

    def step(action: Any) -> bool:
        _, _, terminated, truncated, _ = env.step(action)
        return terminated or truncated

    return reset, step


def _game() -> tuple[Callable[[], None], Callable[[Any], bool]]:
    game = cauarena.make("cauarena/MAGIC-v0", max_turns=3)
    counter = {"seed": 0}

    def reset() -> None:
        counter["seed"] += 1
        game.reset(seed=counter["seed"])

    def step(action: Any) -> bool:
        actor = game.turn_of
        other = DEFENDER if actor == ATTACKER else ATTACKER
        whole = type(action) in (type(None), list, tuple, set, bool, RaisingObject)  # the step argument itself
        actions = action if whole else {actor: action, other: ""}
        game.step(actions)
        return not game.agents

    return reset, step


ENVS: dict[str, Callable[[], tuple[Callable[[], None], Callable[[Any], bool]]]] = {
    "cauarena/LifeAssist-v0": lambda: _single("cauarena/LifeAssist-v0", surface="environment"),
    "cauarena/MAGIC-v0": _game,
    "cauarena/MAGIC-Defender-v0": lambda: _single("cauarena/MAGIC-Defender-v0"),
    "cauarena/MAGIC-Attacker-v0": lambda: _single("cauarena/MAGIC-Attacker-v0"),
}


def run_env(env_id: str, n_actions: int, hang: float, seed: int) -> dict[str, Any]:
    """Play ``n_actions`` hostile actions against one env; crashes, hangs and step times."""
    rng = random.Random(seed)
    reset, step = ENVS[env_id]()
    reset()
    crashes: dict[str, int] = {}
    times, cpu_times, slowest, slowest_cpu, slowest_kind, first_crash = [], [], 0.0, 0.0, "", ""
    for _ in range(n_actions):
        kind = rng.choice(KINDS)
        action = make_action(kind, rng)
        start, start_cpu = time.perf_counter(), time.process_time()
        try:
            done = step(action)
        except Exception as exc:  # a crash is what this benchmark counts
            crashes[kind] = crashes.get(kind, 0) + 1
            first_crash = first_crash or f"{kind}: {type(exc).__name__}: {exc}"[:200]
            done = True
        elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
        times.append(elapsed)
        cpu_times.append(cpu)
        if cpu > slowest_cpu:
            slowest_cpu, slowest_kind = cpu, kind
        slowest = max(slowest, elapsed)
        if done:
            reset()
    return {
        "actions": n_actions, "crashes": sum(crashes.values()), "crashes_by_kind": crashes, "first_crash": first_crash,
        "hangs": sum(t > hang for t in cpu_times), "wall_over_hang": sum(t > hang for t in times),
        "slowest_s": slowest, "slowest_cpu_s": slowest_cpu, "slowest_kind": slowest_kind,
        "median_ms": 1000 * statistics.median(times), "total_s": sum(times), "total_cpu_s": sum(cpu_times),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=7000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--hang", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    report: dict[str, Any] = {"machine": platform.platform(), "python": platform.python_version(), "envs": {}}
    for env_id in ENVS:
        runs = [run_env(env_id, args.actions, args.hang, args.seed) for _ in range(args.repeats)]
        keys = ("slowest_s", "slowest_cpu_s", "median_ms", "total_s", "total_cpu_s")
        median = {key: statistics.median(r[key] for r in runs) for key in keys}
        worst = {key: max(r[key] for r in runs) for key in ("crashes", "hangs", "wall_over_hang")}
        row = {**runs[0], **median, **worst, "runs": len(runs),
               "slowest_s_runs": [round(r["slowest_s"], 4) for r in runs],
               "slowest_cpu_s_runs": [round(r["slowest_cpu_s"], 4) for r in runs]}  # fmt: skip
        report["envs"][env_id] = row
        print(f"{env_id}: {row['actions']} actions x {len(runs)} runs, {row['crashes']} crashes, {row['hangs']} "
              f"hangs (worst run; {row['wall_over_hang']} over it in wall time); slowest step "
              f"{row['slowest_cpu_s'] * 1000:.1f} ms CPU ({row['slowest_kind']}), {row['slowest_s'] * 1000:.1f} ms "
              f"wall; median {row['median_ms']:.2f} ms; total {row['total_cpu_s']:.1f} s CPU {row['first_crash']}",
              flush=True)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=2)


if __name__ == "__main__":
    main()
