"""MAGIC co-evolution: an operator-combination search attacker against a retrained classifier defender.

``cauarena train magic --out DIR`` runs :func:`coevolve` and :func:`cross_play` and writes a report
(:mod:`~cauarena.learners.magic.train`).
"""

from cauarena.learners.magic.coevo import CoevoRun, PhaseLog, cross_play, evaluate
from cauarena.learners.magic.coevo import train as coevolve
from cauarena.learners.magic.coevo_config import INITIAL_ATTACKS, CoevoConfig
from cauarena.learners.magic.search import Arm, CombinationSearch, mutate
from cauarena.learners.magic.switch import MetricSwitch, RatioSwitch, SwitchRule, ratio_schedule

__all__ = [
    "INITIAL_ATTACKS",
    "Arm",
    "CoevoConfig",
    "CoevoRun",
    "CombinationSearch",
    "MetricSwitch",
    "PhaseLog",
    "RatioSwitch",
    "SwitchRule",
    "coevolve",
    "cross_play",
    "evaluate",
    "mutate",
    "ratio_schedule",
]
