"""The seven CauGym estimands for a binary treatment ``X`` and outcome ``Y``: exact values and identification.

Each question names a value ``x`` of ``X`` (the other is ``x'``) and a value ``y`` of ``Y``. The estimands
(``P(y_x)`` is ``P(Y = y | do(X = x))``, ``Y_{x, M_{x'}}`` a nested counterfactual, ``M`` the mediators):

====  ======================================================  ===========================================
task  value                                                   question
====  ======================================================  ===========================================
ATE   ``P(y | do(x)) - P(y | do(x'))``                        if X is changed to x, is y more likely?
CDE   ``P(y | do(x, m)) - P(y | do(x', m))``, ``M = m`` fixed  holding the mediators at m, ...
ETT   ``P(Y_x = y | X = x') - P(y | x')``                     for those with X = x', had X been x, ...
NDE   ``P(Y_{x, M_{x'}} = y) - P(Y_{x'} = y)``                X changed to x, mediator kept as under x'
NIE   ``P(Y_{x', M_x} = y) - P(Y_{x'} = y)``                  X kept at x', mediator moved as under x
PN    Tian-Pearl bound on ``P(Y_{a'} = b' | X = a, Y = b)``   lower or upper bound
PS    the same bound, with the question's factual values      (PS: the factual values are the absent ones)
====  ======================================================  ===========================================

The answer to "is y more likely?" is **Yes iff the value is > 0**; PN and PS answer only the bound.
PN and PS share one formula: with factual ``(a, b)`` and counterfactual ``(a', b')``
``lower = max(0, (P(b) - P(b | do(a'))) / P(a, b))`` and
``upper = min(1, (P(b' | do(a')) - P(a', b')) / P(a, b))`` (Tian & Pearl 2000); PN asks it with the factual
values where treatment and outcome are present, PS with both absent.

*Exact values* come from enumerating the SCM (interventions, and edge views for the nested counterfactuals
of NDE/NIE; ETT through ``sum_pa P(pa | x') P(y | do(x), pa)``, exact in any Markovian model).
*Identification* (what a solver computes from stated probabilities) uses an adjustment set ``Z``: the first
valid one in the canonical order (size, then the sorted variable names), so the generator and a solver
reading the text agree on which quantities the problem states.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from typing import Any

from cauarena.envs.caugym import scm as S

TASKS = ("ATE", "CDE", "ETT", "NDE", "NIE", "PN", "PS")
"""The seven core tasks, in the published order."""

YES_NO_TASKS = ("ATE", "CDE", "ETT", "NDE", "NIE")
"""Tasks whose answer has a Yes/No part (PN and PS answer only ``PROB``)."""

TASK_NAMES = {
    "ATE": "average treatment effect", "CDE": "controlled direct effect",
    "ETT": "effect of treatment on the treated", "NDE": "natural direct effect",
    "NIE": "natural indirect effect", "PN": "probability of necessity", "PS": "probability of sufficiency",
}
"""The estimand's name as the Instruction line writes it."""

MAX_ADJUSTMENT = 2
"""Largest adjustment set a problem uses (the text states ``2**|Z|`` strata per quantity)."""

Term = tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]
"""``P(event | given)`` as ``(event, given)``, each a sorted tuple of ``(node, value)``."""


def term(event: dict[int, int], given: dict[int, int] | None = None) -> Term:
    """The canonical :data:`Term` of ``P(event | given)``.

    >>> term({2: 1}, {0: 0})
    (((2, 1),), ((0, 0),))
    """
    return tuple(sorted(event.items())), tuple(sorted((given or {}).items()))


@dataclass(frozen=True)
class Query:
    """What a question asks, in node indices.

    Attributes:
        task: one of :data:`TASKS`.
        x: the treatment node.
        y: the outcome node.
        x_value: ATE/CDE/NDE/NIE: the value X is changed to; ETT: the counterfactual value (the factual one
            is the other); PN/PS: the factual value of X.
        y_value: the value of Y the question asks about (PN/PS: the factual value of Y).
        fixed: CDE: the mediators and the values they are held at.
        bound: PN/PS: ``lower`` or ``upper``.
    """

    task: str
    x: int
    y: int
    x_value: int
    y_value: int
    fixed: tuple[tuple[int, int], ...] = ()
    bound: str | None = None


def structure_ok(parents: Sequence[Sequence[int]], task: str, x: int, y: int) -> bool:
    """Whether the graph suits ``task`` for the pair ``(x, y)``.

    Every task needs a directed path ``x -> ... -> y``; CDE needs one or two mediators and the edge
    ``x -> y``; NDE and NIE need exactly one mediator (NDE also the edge).
    """
    if not S.has_path(parents, x, y):
        return False
    med = S.mediators(parents, x, y)
    direct = x in parents[y]
    if task == "CDE":
        return 1 <= len(med) <= 2 and direct
    if task == "NDE":
        return len(med) == 1 and direct
    if task == "NIE":
        return len(med) == 1
    return True


# --- exact values by enumeration ----------------------------------------------------------------------


def exact_value(model: S.SCM, q: Query) -> float:
    """The estimand of ``q`` computed from the SCM by enumeration (no identification formula involved)."""
    x1, x0, y, yv = q.x_value, 1 - q.x_value, q.y, q.y_value
    if q.task == "ATE":
        return model.p({y: yv}, do={q.x: x1}) - model.p({y: yv}, do={q.x: x0})
    if q.task == "CDE":
        fixed = dict(q.fixed)
        return model.p({y: yv}, do={q.x: x1, **fixed}) - model.p({y: yv}, do={q.x: x0, **fixed})
    if q.task == "ETT":
        return _ett_counterfactual(model, q) - model.p({y: yv}, {q.x: x0})
    if q.task in ("NDE", "NIE"):
        (m,) = S.mediators(model.parents, q.x, y)
        m_reads, y_reads = (x0, x1) if q.task == "NDE" else (x1, x0)
        views = {(q.x, c): (m_reads if c == m else y_reads) for c in model.children(q.x)}
        nested = S.prob(model.joint(views=views), model.n, {y: yv})
        return nested - model.p({y: yv}, do={q.x: x0})
    return _pn_ps_bound(model, q)


def _ett_counterfactual(model: S.SCM, q: Query) -> float:
    """``P(Y_x = y | X = x')`` = ``sum_pa P(pa | x') P(y | do(x), pa)`` over the parents of X."""
    total = 0.0
    for config in S.configs(list(model.parents[q.x])):
        weight = model.p(config, {q.x: 1 - q.x_value})
        if weight > 0:
            total += weight * model.p({q.y: q.y_value}, config, do={q.x: q.x_value})
    return total


def _pn_ps_bound(model: S.SCM, q: Query) -> float:
    a, b, x, y = q.x_value, q.y_value, q.x, q.y
    p_ab = model.p({x: a, y: b})
    if q.bound == "lower":
        raw = (model.p({y: b}) - model.p({y: b}, do={x: 1 - a})) / p_ab
    else:
        raw = (model.p({y: 1 - b}, do={x: 1 - a}) - model.p({x: 1 - a, y: 1 - b})) / p_ab
    return clip_bound(raw, q.bound)


def clip_bound(raw: Any, bound: str | None) -> Any:
    """``max(0, raw)`` for a lower bound, ``min(1, raw)`` for an upper bound (type kept)."""
    if bound == "lower":
        return raw if raw > 0 else raw * 0
    return raw if raw < 1 else raw * 0 + 1


# --- identification -----------------------------------------------------------------------------------


def treatments(parents: Sequence[Sequence[int]], q: Query) -> list[int]:
    """The intervened nodes of the identifying formula: X, plus the held mediators for CDE."""
    return [q.x, *(m for m, _ in q.fixed)] if q.task == "CDE" else [q.x]


def is_valid(parents: Sequence[Sequence[int]], q: Query, zs: Sequence[int]) -> bool:
    """Whether ``zs`` identifies ``q``'s estimand by the formulas of :func:`formula`."""
    return _is_valid(S.frozen_graph(parents), q, tuple(zs))


@lru_cache(maxsize=16384)
def _is_valid(parents: tuple[tuple[int, ...], ...], q: Query, zs: tuple[int, ...]) -> bool:
    if q.task == "CDE":
        return S.valid_adjustment(parents, treatments(parents, q), q.y, zs)
    if q.task in ("NDE", "NIE"):
        (m,) = S.mediators(parents, q.x, q.y)
        return S.valid_adjustment(parents, [q.x, m], q.y, zs) and S.valid_adjustment(parents, [q.x], m, zs)
    return S.valid_adjustment(parents, [q.x], q.y, zs)


def adjustment_candidates(
    parents: Sequence[Sequence[int]], q: Query, names: Sequence[str]
) -> Iterator[tuple[int, ...]]:
    """Valid adjustment sets of at most :data:`MAX_ADJUSTMENT` nodes, in the canonical order.

    Candidates are non-descendants of the treatments; the order is size, then the sorted names.
    """
    banned = S.descendants(parents, treatments(parents, q))
    pool = [i for i in range(len(parents)) if not banned >> i & 1 and i != q.y]
    for size in range(MAX_ADJUSTMENT + 1):
        sets = sorted(combinations(pool, size), key=lambda zs: sorted(names[i] for i in zs))
        for zs in sets:
            if is_valid(parents, q, zs):
                yield tuple(sorted(zs, key=lambda i: names[i]))


Parts = dict[str, Term]
"""Named terms of one stratum (or of the whole formula): ``y1``, ``y0``, ``pz``, ``m0_1``, ..."""


@dataclass(frozen=True)
class Formula:
    """The identifying formula of a query for one adjustment set: its terms and how to combine them.

    Attributes:
        query: the question.
        zs: the adjustment set (ordered by name).
        mediator: NDE/NIE: the mediator node.
        terms: every probability the formula reads, in the order a problem states them.
        strata: per configuration of ``zs`` (in :func:`~cauarena.envs.caugym.scm.configs` order), its terms.
        overall: the terms outside the sum over strata.
    """

    query: Query
    zs: tuple[int, ...]
    mediator: int | None
    terms: tuple[Term, ...] = field(default=())
    strata: tuple[Parts, ...] = field(default=(), compare=False, repr=False)
    overall: Parts = field(default_factory=dict, compare=False, repr=False)


def formula(parents: Sequence[Sequence[int]], q: Query, zs: Sequence[int]) -> Formula:
    """The :class:`Formula` of ``q`` with adjustment set ``zs`` (terms listed stratum by stratum)."""
    mediator = S.mediators(parents, q.x, q.y)[0] if q.task in ("NDE", "NIE") else None
    strata = tuple(_stratum_parts(q, z, mediator) for z in S.configs(list(zs)))
    overall = _overall_parts(q)
    terms = list(dict.fromkeys(t for parts in (*strata, overall) for t in parts.values()))
    return Formula(q, tuple(zs), mediator, tuple(terms), strata, overall)


def _stratum_parts(q: Query, z: dict[int, int], m: int | None) -> Parts:
    x, y, x1, x0, yv = q.x, q.y, q.x_value, 1 - q.x_value, q.y_value
    pz = {"pz": term(z)} if z else {}
    if q.task in ("ATE", "CDE"):
        held = {**dict(q.fixed), **z}
        return {"y1": term({y: yv}, {x: x1, **held}), "y0": term({y: yv}, {x: x0, **held}), **pz}
    if q.task == "ETT":
        return {"y1": term({y: yv}, {x: x1, **z}), **({"zx": term(z, {x: x0})} if z else {})}
    if q.task in ("NDE", "NIE"):
        assert m is not None
        parts: Parts = {}
        for mv in (0, 1):
            if q.task == "NDE":
                parts[f"y1_{mv}"] = term({y: yv}, {x: x1, m: mv, **z})
            parts[f"y0_{mv}"] = term({y: yv}, {x: x0, m: mv, **z})
            if q.task == "NIE":
                parts[f"m1_{mv}"] = term({m: mv}, {x: x1, **z})
            parts[f"m0_{mv}"] = term({m: mv}, {x: x0, **z})
        return {**parts, **pz}
    b_do = q.y_value if q.bound == "lower" else 1 - q.y_value  # PN / PS: the do-term P(b* | do(a'))
    return {"do": term({y: b_do}, {x: 1 - q.x_value, **z}), **pz}


def _overall_parts(q: Query) -> Parts:
    x, y = q.x, q.y
    if q.task == "ETT":
        return {"fact": term({y: q.y_value}, {x: 1 - q.x_value})}
    if q.task in ("PN", "PS"):
        a, b = q.x_value, q.y_value
        if q.bound == "lower":
            return {"py": term({y: b}), "pab": term({x: a, y: b})}
        return {"pnn": term({x: 1 - a, y: 1 - b}), "pab": term({x: a, y: b})}
    return {}


def evaluate(f: Formula, value: Callable[[Term], Any]) -> Any:
    """Combine the formula's terms; ``value(term)`` gives each (exact fractions in, exact fraction out)."""
    task = f.query.task
    total: Any = 0
    for parts in f.strata:
        v = {name: value(t) for name, t in parts.items()}
        pz = v.get("pz", 1)
        if task in ("ATE", "CDE"):
            total += (v["y1"] - v["y0"]) * pz
        elif task == "ETT":
            total += v["y1"] * v.get("zx", 1)
        elif task == "NDE":
            total += pz * sum((v[f"y1_{mv}"] - v[f"y0_{mv}"]) * v[f"m0_{mv}"] for mv in (0, 1))
        elif task == "NIE":
            total += pz * sum(v[f"y0_{mv}"] * (v[f"m1_{mv}"] - v[f"m0_{mv}"]) for mv in (0, 1))
        else:
            total += v["do"] * pz
    g = {name: value(t) for name, t in f.overall.items()}
    if task == "ETT":
        return total - g["fact"]
    if task not in ("PN", "PS"):
        return total
    raw = (g["py"] - total) / g["pab"] if f.query.bound == "lower" else (total - g["pnn"]) / g["pab"]
    return clip_bound(raw, f.query.bound)


def exact_term(model: S.SCM, t: Term) -> float:
    """The probability of a :data:`Term` under the model's observational distribution."""
    return model.p_term(*t)


def solve(
    parents: Sequence[Sequence[int]], names: Sequence[str], q: Query, lookup: Callable[[Term], Any]
) -> tuple[Formula, Any] | None:
    """The estimand from stated probabilities: the first valid adjustment set whose terms are all available.

    Args:
        parents: the graph.
        names: variable names (they fix the canonical order of adjustment sets).
        q: the question.
        lookup: ``lookup(term)`` -> value, or None when the problem does not give it.

    Returns:
        ``(formula, value)``, or None when no valid identification can be evaluated (information lacking).
    """
    for zs in adjustment_candidates(parents, q, names):
        f = formula(parents, q, zs)
        if all(lookup(t) is not None for t in f.terms):
            return f, evaluate(f, lookup)
    return None
