"""Stated probabilities of a problem, with the one derivation everybody may use: the sum-to-one rule.

A :class:`Store` holds the probabilities a problem states (exact 4-decimal fractions). A term that is not
stated is *derivable* when every other configuration of its event, under the same condition, is stated:
``P(Z = 1 | x) = 1 - P(Z = 0 | x)``, or for a two-variable event one minus the other three cells. Nothing
else is derived, which is what makes an ``insufficient`` problem provably unanswerable for a solver that
reads the text.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import product

from cauarena.envs.caugym.tasks import Term


def family(t: Term) -> list[Term]:
    """Every configuration of ``t``'s event variables under ``t``'s condition, ``t`` included.

    >>> family((((1, 0),), ()))
    [(((1, 0),), ()), (((1, 1),), ())]
    """
    event, given = t
    nodes = [node for node, _ in event]
    return [(tuple(zip(nodes, values, strict=True)), given) for values in product((0, 1), repeat=len(nodes))]


class Store:
    """Stated probabilities by :data:`~cauarena.envs.caugym.tasks.Term`.

    Args:
        stated: the stated probabilities (later entries win on a repeated term).
    """

    def __init__(self, stated: dict[Term, Fraction] | None = None) -> None:
        self.stated: dict[Term, Fraction] = dict(stated or {})

    def get(self, t: Term) -> Fraction | None:
        """The stated value of ``t``, else one minus the rest of its family when all of it is stated."""
        if t in self.stated:
            return self.stated[t]
        others = [o for o in family(t) if o != t]
        if all(o in self.stated for o in others):
            return 1 - sum((self.stated[o] for o in others), Fraction(0))
        return None

    def derived(self, t: Term) -> bool:
        """True when ``t`` is not stated but derivable (see :meth:`get`)."""
        return t not in self.stated and self.get(t) is not None

    def __contains__(self, t: object) -> bool:
        return isinstance(t, tuple) and self.get(t) is not None  # type: ignore[arg-type]
