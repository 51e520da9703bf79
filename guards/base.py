"""The Guard protocol: ``review(trajectory, proposed_action) -> Verdict``, with AgentDoG's diagnosis.

A guard sees the episode so far (every observation, action and info, then the current observation) and the
action the agent proposes, and decides, as a closed set of decisions (inspect_ai's approval decisions):

- ``approve``: the action runs;
- ``modify``: ``Verdict.action`` runs instead;
- ``reject``: the action does not run; the agent is told why and may propose again;
- ``terminate``: the episode ends now;
- ``escalate``: a human must decide; unattended runs treat it as ``terminate`` and count it apart.

Every verdict carries a ``risk`` score in [0, 1] (for AUROC) and, when unsafe, a :class:`Diagnosis` on AgentDoG's
three axes (:mod:`cauarena.guards.taxonomy`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

Decision = Literal["approve", "modify", "reject", "terminate", "escalate"]
"""What a guard decides about one proposed action."""

DECISIONS: tuple[str, ...] = ("approve", "modify", "reject", "terminate", "escalate")
"""Every :data:`Decision`, in order of severity."""

BLOCKING: frozenset[str] = frozenset({"reject", "terminate", "escalate"})
"""Decisions that stop the proposed action from running."""


@dataclass(frozen=True)
class Diagnosis:
    """AgentDoG's three axes for an unsafe action; empty strings where the guard cannot tell.

    Attributes:
        risk_source: a :data:`~cauarena.guards.taxonomy.RISK_SOURCES` name.
        failure_mode: a :data:`~cauarena.guards.taxonomy.FAILURE_MODES` name.
        harm: a :data:`~cauarena.guards.taxonomy.HARMS` name.
    """

    risk_source: str = ""
    failure_mode: str = ""
    harm: str = ""


@dataclass(frozen=True)
class Verdict:
    """A guard's answer about one proposed action.

    Attributes:
        decision: one of :data:`DECISIONS`.
        reason: one line a person (or the agent, on ``reject``) can act on.
        risk: the guard's risk score in [0, 1] (1 = surely unsafe); thresholded at 0.5 it should agree with the
            decision.
        diagnosis: AgentDoG's diagnosis when the action is judged unsafe.
        action: the replacement action of a ``modify`` verdict.
    """

    decision: Decision = "approve"
    reason: str = ""
    risk: float = 0.0
    diagnosis: Diagnosis | None = None
    action: Any = None

    def __post_init__(self) -> None:
        if self.decision not in DECISIONS:
            raise ValueError(f"decision must be one of {DECISIONS}; got {self.decision!r}.")
        if not 0.0 <= float(self.risk) <= 1.0:
            raise ValueError(f"risk must lie in [0, 1]; got {self.risk!r}.")
        if self.decision == "modify" and self.action is None:
            raise ValueError("a 'modify' verdict needs the replacement action in Verdict.action.")

    @property
    def blocks(self) -> bool:
        """Whether the proposed action is stopped."""
        return self.decision in BLOCKING

    @property
    def unsafe(self) -> bool:
        """Whether the guard judged the proposed action unsafe (it did not approve it as it stands)."""
        return self.decision != "approve"


APPROVE = Verdict()
"""The verdict of a guard that sees nothing wrong."""


@dataclass(frozen=True)
class GuardStep:
    """One step of the episode as a guard sees it.

    Attributes:
        observation: what the agent saw.
        info: the env's info with it.
        action: what ran (None for the current step, not yet acted on).
        verdict: the guard's verdict on the agent's proposal at this step, if it reviewed one.
    """

    observation: Any
    info: dict[str, Any] = field(default_factory=dict)
    action: Any = None
    verdict: Verdict | None = None


@runtime_checkable
class Guard(Protocol):
    """Reviews each action an agent proposes, before it runs.

    Optional hooks, used when present: ``reset(*, seed, info)`` at each episode start, ``bind(env)`` once per
    env (a guard may simulate the action on a copy of the world), ``close()`` at the end.
    """

    def review(self, trajectory: Sequence[GuardStep], proposed_action: Any) -> Verdict:
        """Decide about ``proposed_action``; ``trajectory[-1]`` is the current step (its ``action`` is None)."""
        ...


class GuardStop(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Raised by :class:`~cauarena.guards.guarded.GuardedAgent` when its guard ends the episode."""

    def __init__(self, verdict: Verdict) -> None:
        super().__init__(f"{verdict.decision}: {verdict.reason}")
        self.verdict = verdict
