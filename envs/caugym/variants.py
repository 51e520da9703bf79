"""How each variant changes what a problem states (the SCM and the question stay the same).

Statements are ``(term, value)`` pairs: the 4-decimal probabilities the text gives, in text order. Every
function here is pure given its random generator; :mod:`cauarena.envs.caugym.generate` checks the result.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from cauarena.envs.caugym import scm as S
from cauarena.envs.caugym import tasks as T
from cauarena.envs.caugym.store import family

Statements = list[tuple[T.Term, Fraction]]
"""``(term, stated value)`` pairs, in text order."""


def stated(model: S.SCM, terms: list[T.Term]) -> Statements:
    """The true probability of each term, rounded half away from zero to 4 decimals."""
    from cauarena.envs.caugym.generate import round4

    return [(t, round4(T.exact_term(model, t))) for t in terms]


def complement(t: T.Term, value: Fraction) -> tuple[T.Term, Fraction]:
    """The same fact about the other value of a single-variable event: ``P(Z=1|x) = 1 - P(Z=0|x)``."""
    ((node, v),), given = t
    return (((node, 1 - v),), given), 1 - value


def rephrase(rng: np.random.Generator, statements: Statements) -> Statements:
    """Give about a third of the single-variable statements as their complement (when that is not stated)."""
    have = {t for t, _ in statements}
    out = []
    for t, v in statements:
        flip = len(t[0]) == 1 and rng.random() < 0.35 and complement(t, v)[0] not in have
        out.append(complement(t, v) if flip else (t, v))
    return out


def lure(model: S.SCM, f: T.Formula, statements: Statements) -> tuple[Statements, T.Formula]:
    """The unadjusted formula's inputs, stated before the rest (the tempting wrong route)."""
    naive = T.formula(model.parents, f.query, ())
    have = {t for t, _ in statements}
    extra = [t for t in naive.terms if t not in have]
    return stated(model, extra) + statements, naive


def add_redundant(rng: np.random.Generator, model: S.SCM, statements: Statements) -> Statements:
    """Add 3-5 true probabilities whose families no needed statement belongs to, at random places."""
    used = {o for t, _ in statements for o in family(t)}
    n = model.n
    values = rng.integers(2, size=(n, n + 1)).tolist()
    pool = [T.term({u: values[u][n]}) for u in range(n)]
    pool += [T.term({u: values[u][v]}, {v: values[v][u]}) for u in range(n) for v in range(n) if u != v]
    pool = [t for t in pool if not set(family(t)) & used]
    picks = [pool[int(i)] for i in rng.permutation(len(pool))[: int(rng.integers(3, 6))]]
    out = list(statements)
    for item in stated(model, picks):
        out.insert(int(rng.integers(len(out) + 1)), item)
    return out


def remove_family(rng: np.random.Generator, statements: Statements) -> tuple[Statements, tuple[T.Term, ...]]:
    """Remove every statement of one needed quantity's family (so it cannot be derived); returns what went."""
    t, _ = statements[int(rng.integers(len(statements)))]
    gone = set(family(t))
    return [(s, v) for s, v in statements if s not in gone], tuple(sorted(gone))
