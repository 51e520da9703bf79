"""``check_guard``: does an object keep the Guard contract? Messages say how to fix what is missing."""

from __future__ import annotations

from typing import Any

from cauarena.guards.base import GuardStep, Verdict


def check_guard(guard: Any, samples: list[tuple[list[GuardStep], Any]] | None = None) -> None:
    """Raise ``AssertionError`` with a fix when ``guard`` breaks the contract.

    Checks: a callable ``review``; optional ``reset``/``bind``/``close`` are callable; ``review`` on each sample
    (default: a one-step text trajectory with a text action, and an empty-observation one) returns a
    :class:`Verdict` and does not mutate the trajectory it was given.
    """
    review = getattr(guard, "review", None)
    if not callable(review):
        raise AssertionError(f"{type(guard).__name__} has no review(trajectory, proposed_action) method. "
                             "Fix: implement cauarena.guards.Guard.")
    for hook in ("reset", "bind", "close"):
        if hasattr(guard, hook) and not callable(getattr(guard, hook)):
            raise AssertionError(f"{type(guard).__name__}.{hook} exists but is not callable.")
    samples = samples or [([GuardStep("You are in a room.", {})], "look"), ([GuardStep("", {})], "")]
    for trajectory, action in samples:
        before = list(trajectory)
        verdict = review(trajectory, action)
        if not isinstance(verdict, Verdict):
            raise AssertionError(f"{type(guard).__name__}.review returned {type(verdict).__name__}; it must return "
                                 "a cauarena.guards.Verdict (decision, reason, risk, diagnosis, action).")
        if list(trajectory) != before:
            raise AssertionError(f"{type(guard).__name__}.review changed the trajectory it was given; copy it first.")
