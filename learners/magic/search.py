"""The attacker's learner: a UCB bandit over known operator combinations that grows by mutation (evolution)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cauarena.envs.magic.attackers import Attack
from cauarena.envs.magic.operators import OPERATORS


@dataclass
class Arm:
    """A combination and its record against the current defender."""

    attack: Attack
    plays: float = 0.0
    wins: float = 0.0
    discovered: int = 0

    @property
    def mean(self) -> float:
        """Posterior mean under a Beta(1, 1) prior."""
        return (self.wins + 1) / (self.plays + 2)


def mutate(attack: Attack, rng: np.random.Generator, max_ops: int, max_parts: int) -> Attack:
    """One random edit: add, drop, replace or reorder an operator, or change the payload split."""
    ops, parts = list(attack.ops), attack.parts
    moves = ["add", "replace", "split"] + (["drop"] if ops else []) + (["swap"] if len(ops) > 1 else [])
    move = str(rng.choice(moves))
    unused = [op for op in OPERATORS if op not in ops]
    if move == "add" and len(ops) < max_ops and unused:
        ops.insert(int(rng.integers(len(ops) + 1)), str(rng.choice(unused)))
    elif move == "replace" and ops and unused:
        ops[int(rng.integers(len(ops)))] = str(rng.choice(unused))
    elif move == "drop":
        ops.pop(int(rng.integers(len(ops))))
    elif move == "swap":
        i = int(rng.integers(len(ops) - 1))
        ops[i], ops[i + 1] = ops[i + 1], ops[i]
    else:
        parts = int(rng.integers(1, max_parts + 1))
    return Attack(tuple(ops), parts)


class CombinationSearch:
    """Population of combinations; :meth:`propose` picks one by UCB, or a mutation of a strong one."""

    def __init__(self, initial: list[Attack], rng: np.random.Generator, *, mutate_prob: float, ucb_c: float,
                 max_ops: int, max_parts: int) -> None:
        self.arms = {a.name: Arm(a) for a in initial}
        self.rng, self.mutate_prob, self.ucb_c = rng, mutate_prob, ucb_c
        self.max_ops, self.max_parts = max_ops, max_parts
        self.step = 0

    def forget(self, keep: float = 0.25) -> None:
        """A new defender: keep the population, shrink the statistics to ``keep`` of their weight (a prior)."""
        for arm in self.arms.values():
            arm.plays *= keep
            arm.wins *= keep

    def propose(self) -> Attack:
        """The combination to play next."""
        self.step += 1
        if self.rng.random() < self.mutate_prob:
            ranked = sorted(self.arms.values(), key=lambda a: -a.mean)
            parent = ranked[int(self.rng.integers(min(3, len(ranked))))].attack
            child = mutate(parent, self.rng, self.max_ops, self.max_parts)
            if child.name not in self.arms:
                self.arms[child.name] = Arm(child, discovered=self.step)
            return child
        total = sum(a.plays for a in self.arms.values()) + 1

        def ucb(arm: Arm) -> float:
            return math.inf if arm.plays == 0 else arm.mean + self.ucb_c * math.sqrt(math.log(total) / arm.plays)

        return max(self.arms.values(), key=ucb).attack

    def update(self, attack: Attack, wins: float, plays: float) -> None:
        """Record ``wins`` attack successes in ``plays`` games."""
        arm = self.arms[attack.name]
        arm.plays += plays
        arm.wins += wins

    def best(self, k: int) -> list[Attack]:
        """The ``k`` played combinations with the highest posterior mean."""
        played = [a for a in self.arms.values() if a.plays]
        return [a.attack for a in sorted(played, key=lambda a: (-a.mean, a.attack.name))[:k]]
