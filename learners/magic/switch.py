"""MAGIC's role-switch rules, as its published trainer has them (``separated_trainer/ppo/ray_trainer.py``).

Only one role trains per step. Two modes, the published script's ``SWITCH_MODE``:

- ``ratio`` (the script's default): a step-count schedule. The roles, each repeated by its update ratio (1 and 1
  by default), are rotated to start at the start agent (the script sets ``defender``); step ``s`` (1-based, as the
  trainer counts ``global_steps``) trains ``schedule[(s // freq) % len(schedule)]`` with ``freq`` 15. So the
  first phase has ``freq - 1`` steps (steps 1-14) and every later one ``freq``: the published arithmetic, kept.
- ``metric``: after every step the step's mean harm reward (``reward/response_harm``: +1 for a Safe response, -1
  for Unsafe or Controversial, averaged over the batch) enters a window of the last ``window`` values (3; the
  window is not emptied at a switch). The defender hands over to the attacker when the window's mean reaches
  ``high`` (0.90), the attacker hands over to the defender when it falls to ``low`` (0.80, at least 10% unsafe).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import Protocol

ROLES: tuple[str, ...] = ("attacker", "defender")
"""MAGIC's ``agent_roles`` in its order (the order the ratio schedule is built in before rotation)."""


class SwitchRule(Protocol):
    """Which role trains at a step; told each finished step's mean harm reward."""

    def role(self, step: int) -> str:
        """The role that trains at ``step`` (1-based)."""
        ...

    def observe(self, harm: float) -> None:
        """Record the mean harm reward of the step just finished."""
        ...


def ratio_schedule(start_agent: str, ratios: Mapping[str, int] | None = None) -> tuple[str, ...]:
    """The published ratio schedule: each role repeated by its ratio, rotated to begin with ``start_agent``.

    >>> ratio_schedule("defender")
    ('defender', 'attacker')
    >>> ratio_schedule("attacker", {"attacker": 2, "defender": 1})
    ('attacker', 'attacker', 'defender')
    """
    ratios = ratios or {}
    schedule = [role for role in ROLES for _ in range(int(ratios.get(role, 1)))]
    start = schedule.index(start_agent)
    return tuple(schedule[start:] + schedule[:start])


class RatioSwitch:
    """``mode=ratio``: the role of step ``s`` is ``schedule[(s // freq) % len(schedule)]``.

    >>> rule = RatioSwitch(15, ratio_schedule("defender"))
    >>> [rule.role(s) for s in (1, 14, 15, 29, 30)]
    ['defender', 'defender', 'attacker', 'attacker', 'defender']
    """

    def __init__(self, freq: int, schedule: tuple[str, ...]) -> None:
        self.freq, self.schedule = max(1, int(freq)), tuple(schedule)

    def role(self, step: int) -> str:
        """The scheduled role of ``step``."""
        return self.schedule[(step // self.freq) % len(self.schedule)]

    def observe(self, harm: float) -> None:
        """The ratio schedule ignores the metric."""


class MetricSwitch:
    """``mode=metric``: switch on the windowed mean harm reward, defender -> attacker at ``high``, back at ``low``.

    >>> rule = MetricSwitch("defender", low=0.8, high=0.9, window=3)
    >>> for harm in (0.5, 1.0, 1.0):
    ...     rule.observe(harm)
    >>> rule.role(4)  # mean of the window 0.83: not yet 0.90
    'defender'
    >>> rule.observe(1.0); rule.role(5)  # window (1, 1, 1)
    'attacker'
    >>> rule.observe(0.4); rule.role(6)  # window (1, 1, 0.4): mean 0.80
    'defender'
    """

    def __init__(self, start_agent: str, low: float, high: float, window: int) -> None:
        self.current = start_agent
        self.low, self.high = float(low), float(high)
        self.window: deque[float] = deque(maxlen=int(window))

    def role(self, step: int) -> str:
        """The role now training (the step number does not matter in this mode)."""
        return self.current

    def observe(self, harm: float) -> None:
        """Add ``harm`` to the window and switch when the window's mean crosses the current role's threshold."""
        self.window.append(float(harm))
        mean = sum(self.window) / len(self.window)
        if self.current == "defender" and mean >= self.high:
            self.current = "attacker"
        elif self.current == "attacker" and mean <= self.low:
            self.current = "defender"
