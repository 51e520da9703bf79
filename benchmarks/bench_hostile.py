"""Hostile-action benchmark: crashes, hangs and the slowest step per env family under hostile and random actions.

For each family it plays ``--actions`` actions (7,000 by default) round-robin over the family's registered ids:
about half come from a seeded hostile generator (the fixed list of :func:`cauarena.envs.hostile_actions` plus
randomised variants: strings of random size up to 2 MB made of brackets, arrows, ``search[``, ``<<``...;
JSON answers with ``nan``/``inf``/``1e999``/thousand-digit PROBs; lists and dicts nested up to 10^5 deep;
random numpy arrays of random dtype and shape, the right shape included; ints up to 10^600; objects whose
``__str__``/``__repr__``/``__len__``/``__iter__`` raise), the rest are random valid actions
(:func:`cauarena.envs.random_action`: one of ``info["valid_actions"]`` or a sample of the action space).
Multi-agent MAGIC-v0 gets the action for every live agent.

A **crash** is any exception from ``step`` other than the documented ``InvalidAction``; a **hang** is a step
that runs past ``--hang`` wall seconds (a SIGALRM guard stops it). The slowest step is reported in wall time
(with its CPU time), and the step that used the most CPU with its action: on a shared, loaded machine the
wall time mostly measures waiting for a core, the CPU time what the env did.

Usage::

    python benchmarks/bench_hostile.py --runs 3 --actions 7000
    python benchmarks/bench_hostile.py --families caugym webshop --actions 500
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import cauarena
from cauarena.envs import RaisingObject, RaisingStr, StepHang, hostile_actions, random_action
from cauarena.envs._actions import safe_repr
from cauarena.envs.checker import RaisingDict, RaisingInt, hang_guard
from cauarena.errors import InvalidAction

FAMILIES: dict[str, tuple[str, ...]] = {
    "babyai_text": ("BabyAI-GoToLocal-Text-v0", "BabyAI-PickupLoc-Text-v0", "BabyAI-BossLevel-Text-v0"),
    "caugym": ("CauGym-v0", "CauGym-Deconfounding-v0", "CauGym-Insufficient-v0", "CauGym-Omitted-v0"),
    "causal_discovery": ("CausalDiscovery-v0",),
    "causcientist": ("CauScientist-v0",),
    "webshop": ("WebShop-v0",),
    "life_assist": ("LifeAssist-v0",),
    "magic": ("MAGIC-v0", "MAGIC-Attacker-v0", "MAGIC-Defender-v0"),
}
"""Each family's env ids (``cauarena/`` prefix omitted), played round-robin."""

_TOKENS = ("{", "[", "(", '{"a":', "->", "search[", "click[", "<<", ">>", "Action: ", "ADD X0 -> ", "\\", '"', "\n",
           "x", "\u202e", "\x00", "PRIOR X0 -> X1, ", '{"tool": ')
_PROBS = ("1e999", "-1e999", "nan", "NaN", "inf", "-Infinity", "1e-999999", "9" * 1000, "0." + "1" * 5000, "1e7")


@dataclass
class Tally:
    """One family's counts over one run."""

    actions: int = 0
    hostile: int = 0
    crashes: int = 0
    hangs: int = 0
    slowest_wall: float = 0.0
    slowest_cpu: float = 0.0
    slowest_action: str = ""
    max_cpu: float = 0.0
    max_cpu_action: str = ""
    crash_kinds: dict[str, int] = field(default_factory=dict)


def _deep(depth: int, leaf: Any, as_dict: bool) -> Any:
    value = leaf
    for _ in range(depth):
        value = {"a": value} if as_dict else [value]
    return value


def _random_array(rng: np.random.Generator, shape: tuple[int, ...] | None) -> Any:
    dtypes = ("f8", "f4", "f2", "i8", "u8", "b1", "c16", "U3", "O", "M8[D]")
    dtype = np.dtype(dtypes[int(rng.integers(len(dtypes)))])
    if shape is None or rng.random() < 0.5:
        shape = tuple(int(d) for d in rng.integers(0, 12, size=int(rng.integers(0, 4))))
    if dtype.kind == "O":
        array = np.empty(shape, dtype=object)
        array.fill(RaisingObject())
        return array
    values = rng.choice([0.5, np.nan, np.inf, -1.0, 1e308, 2.0], size=shape)
    with np.errstate(all="ignore"):  # 1e308 overflows float16 to inf: wanted
        return values.astype(dtype) if dtype.kind in "fc" else np.zeros(shape, dtype=dtype)


def _random_hostile(rng: np.random.Generator, shape: tuple[int, ...] | None) -> Any:
    """One randomised hostile action."""
    kind = int(rng.integers(9))
    if kind == 0:
        return _TOKENS[int(rng.integers(len(_TOKENS)))] * int(10 ** rng.uniform(1, 6.3))
    if kind == 1:
        prob = _PROBS[int(rng.integers(len(_PROBS)))]
        return f'{{"ANSWER": "Yes", "PROB": "{prob}"}}' if rng.random() < 0.5 else f'{{"PROB": {prob}}}'
    if kind == 2:
        return _deep(int(10 ** rng.uniform(0, 5)), "STOP" if rng.random() < 0.5 else 0.5, rng.random() < 0.3)
    if kind == 3:
        return _random_array(rng, shape)
    if kind == 4:
        sign = -1 if rng.random() < 0.5 else 1
        return sign * 10 ** int(rng.integers(0, 600)) if rng.random() < 0.7 else float(rng.choice([np.nan, np.inf]))
    if kind == 5:
        return [RaisingObject(), RaisingStr("go forward"), RaisingStr("STOP"), RaisingDict(op="STOP"),
                RaisingInt(3), {"op": RaisingObject()}, [RaisingObject()]][int(rng.integers(7))]
    if kind == 6:
        return "".join(chr(int(c)) for c in rng.integers(0, 0x2FFF, size=int(rng.integers(1, 3000))))
    if kind == 7:
        return [None, b"\xff" * int(rng.integers(1, 10**6)), bytearray(10), complex(1, 2), object(), print,
                range(10**12), iter(range(3)), set(), Ellipsis][int(rng.integers(10))]
    return {"op": "PRIOR", "edges": [["X0", "X1"]] * int(10 ** rng.uniform(0, 5.5))}


class Source:
    """The seeded action stream of one family: the fixed hostile list first, then hostile/valid at random."""

    def __init__(self, seed: int, hostile_share: float) -> None:
        self.rng = np.random.default_rng(seed)
        self.share = hostile_share
        self.fixed: dict[Any, list[Any]] = {}

    def next(self, env: Any, info: Any, multi: bool) -> tuple[Any, bool]:
        """An action for ``env`` (hostile or not) and whether it is hostile."""
        shape = None if multi else getattr(env.action_space, "shape", None)
        key = (id(env), shape)
        if key not in self.fixed:
            self.fixed[key] = hostile_actions(None if multi else env.action_space)
        if self.fixed[key]:
            return self.fixed[key].pop(0), True
        if self.rng.random() < self.share:
            return _random_hostile(self.rng, shape), True
        if multi:
            return {a: random_action(env, info[a], self.rng, a) for a in env.agents}, False
        return random_action(env, info, self.rng), False


def _step(env: Any, action: Any, multi: bool, hang: float) -> tuple[Any, str]:
    """One guarded step: the result (None after InvalidAction) and an outcome (``""``, a crash kind, ``hang``)."""
    sent = {agent: action for agent in env.agents} if multi and not isinstance(action, dict) else action
    try:
        with hang_guard(hang):
            return env.step(sent), ""
    except InvalidAction:
        return None, ""
    except StepHang:
        return None, "hang"
    except Exception as exc:  # noqa: BLE001  (counting crashes is the point)
        return None, type(exc).__name__


def _ended(result: Any, env: Any, multi: bool) -> bool:
    if result is None:
        return True
    _, _, terminated, truncated, _ = result
    if multi:
        return not env.agents or all(terminated.values()) or all(truncated.values())
    return bool(terminated or truncated)


def run_family(name: str, actions: int, seed: int, hang: float, share: float) -> Tally:
    """Play ``actions`` actions over the family's ids; count crashes, hangs and the slowest step."""
    envs = [(cauarena.make(f"cauarena/{i}"), cauarena.ENV_SPECS[f"cauarena/{i}"].multi_agent) for i in FAMILIES[name]]
    infos = [env.reset(seed=seed)[1] for env, _ in envs]
    source, tally, episode = Source(seed, share), Tally(), 0
    for n in range(actions):
        slot = n % len(envs)
        env, multi = envs[slot]
        action, hostile = source.next(env, infos[slot], multi)
        wall, cpu = time.perf_counter(), time.process_time()
        result, outcome = _step(env, action, multi, hang)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        _count(tally, hostile, outcome, wall, cpu, action)
        if outcome or _ended(result, env, multi):
            episode += 1
            infos[slot] = env.reset(seed=seed + episode % 8)[1]
        else:
            infos[slot] = result[4]
    return tally


def _count(tally: Tally, hostile: bool, outcome: str, wall: float, cpu: float, action: Any) -> None:
    tally.actions += 1
    tally.hostile += hostile
    if outcome == "hang":
        tally.hangs += 1
    elif outcome:
        tally.crashes += 1
        tally.crash_kinds[outcome] = tally.crash_kinds.get(outcome, 0) + 1
    if wall > tally.slowest_wall:
        tally.slowest_wall, tally.slowest_cpu, tally.slowest_action = wall, cpu, safe_repr(action, 40)
    if cpu > tally.max_cpu:
        tally.max_cpu, tally.max_cpu_action = cpu, safe_repr(action, 40)


def _table(rows: dict[str, list[Tally]], runs: int) -> str:
    lines = [
        "| family | actions per run (hostile) | crashes (per run) | hangs | slowest step, wall ms | its CPU ms | "
        "most CPU in one step, ms | that action (last run) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, tallies in rows.items():
        last = tallies[-1]
        crashes = " / ".join(str(t.crashes) for t in tallies)
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(last.crash_kinds.items()))
        lines.append(
            f"| {name} | {last.actions:,} ({last.hostile:,}) | {crashes}{f' ({kinds})' if kinds else ''} | "
            f"{sum(t.hangs for t in tallies)} | {statistics.median(t.slowest_wall for t in tallies) * 1e3:.1f} | "
            f"{statistics.median(t.slowest_cpu for t in tallies) * 1e3:.1f} | "
            f"{statistics.median(t.max_cpu for t in tallies) * 1e3:.1f} | `{last.max_cpu_action}` |"
        )
    return "\n".join(lines) + f"\n\nTimes are medians of {runs} runs (seeds 0..{runs - 1}); " \
        f"{platform.python_version()}, {platform.machine()}, {time.strftime('%Y-%m-%d')}."


def main(argv: list[str] | None = None, run: Callable[..., Tally] = run_family) -> str:
    """Parse the options, play every family ``--runs`` times, print and return the Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--families", nargs="+", choices=sorted(FAMILIES), default=list(FAMILIES))
    parser.add_argument("--actions", type=int, default=7000, help="actions per family and run (default 7000)")
    parser.add_argument("--runs", type=int, default=3, help="runs with seeds 0..runs-1 (default 3)")
    parser.add_argument("--hang", type=float, default=10.0, help="wall seconds after which a step is a hang")
    parser.add_argument("--hostile-share", type=float, default=0.5, help="share of hostile actions after the list")
    args = parser.parse_args(argv)
    rows: dict[str, list[Tally]] = {}
    for name in args.families:
        for seed in range(args.runs):
            start = time.perf_counter()
            tally = run(name, args.actions, seed, args.hang, args.hostile_share)
            rows.setdefault(name, []).append(tally)
            print(f"{name} seed {seed}: {tally.crashes} crashes, {tally.hangs} hangs, slowest "
                  f"{tally.slowest_wall * 1e3:.1f} ms ({time.perf_counter() - start:.0f} s)", flush=True)
    table = _table(rows, args.runs)
    print(table)
    return table


if __name__ == "__main__":
    main()
