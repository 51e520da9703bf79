"""The seven CauGym estimands for a binary treatment ``X`` and outcome ``Y``: exact values and identification.

Each question names a value ``x`` of ``X`` (the other is ``x'``) and a value ``y`` of ``Y``. The estimands
(``P(y_x)`` is ``P(Y = y | do(X = x))``, ``Y_{x, M_{x'}}`` a nested counterfactual, ``M`` the mediators):

====  ======================================================  ===========================================
task  value                                                   question
====  ======================================================  ===========================================
ATE   ``P(y | do(x)) - P(y | do(x'))``                        if X is changed to x, is y more likely?
CDE   ``P(y | do(x, m)) - P(y | do(x', m))``, ``M = m`` fixed  holding the mediators at m, ...
ETT   ``P(y | x') - P(Y_x = y | X = x')`` (factual - cf.)         for those with X = x', had X been x, ...
NDE   ``P(Y_{x, M_{x'}} = y) - P(Y_{x'} = y)``                X changed to x, mediator kept as under x'
NIE   ``P(Y_{x', M_x} = y) - P(Y_{x'} = y)``                  X kept at x', mediator moved as under x
PN    Tian-Pearl bound on ``P(Y_{a'} = b' | X = a, Y = b)``   lower or upper bound
PS    the same bound, with the question's factual values      (PS: the factual values are the absent ones)
====  ======================================================  ===========================================

The answer to "is y more likely?" is **Yes iff the value is > 0**, except ETT: the published ETT is the factual
minus the counterfactual, ``E[Y_{x'} - Y_x | X = x']``, so Yes (y more likely had X been x) goes with a value
< 0 (:func:`yes_no`). PN and PS answer only the bound.

*Zero-effect* questions (the published sets hold many): when the treatment cannot reach the outcome in the
task's sense (:func:`zero_effect`: no directed path for ATE/ETT/PN/PS, no edge ``X -> Y`` for CDE/NDE, no
mediator for NIE) the value is exactly 0 and the answer "No"; nothing needs to be stated. NDE without a
mediator is the adjusted total effect (the ATE formula).
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
from fractions import Fraction
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


NEAR_ZERO = Fraction(1, 1000)
"""Published rule: a value with ``|value| < 0.001`` is "~= 0" and answers "No" (every published Reason agrees)."""


def yes_no(task: str, value: Any) -> str:
    """The published Yes/No for a value: "Yes" iff > 0 (ETT: iff < 0), and "No" when ``|value| < 0.001``.

    ETT is the factual minus the counterfactual, so "more likely had X been x" means a negative value;
    :data:`NEAR_ZERO` is the published "~= 0" rule.

    >>> yes_no("ATE", 0.2), yes_no("ETT", 0.2), yes_no("ETT", -0.2), yes_no("NDE", 0), yes_no("ATE", 0.0008)
    ('Yes', 'No', 'Yes', 'No', 'No')
    """
    if abs(Fraction(value)) < NEAR_ZERO:
        return "No"
    return "Yes" if (value < 0 if task == "ETT" else value > 0) else "No"


def round4(value: Any) -> Fraction:
    """Round half away from zero to 4 decimals, exactly (a float is taken at its exact binary value).

    The same rule as ``decimal.ROUND_HALF_UP``, in integer arithmetic.

    >>> round4(0.03125), round4(Fraction(-1, 3)), round4(-0.00005)
    (Fraction(313, 10000), Fraction(-3333, 10000), Fraction(-1, 10000))
    """
    exact = Fraction(value)
    num, den = exact.numerator, exact.denominator
    units = (2 * abs(num) * 10000 + den) // (2 * den)
    return Fraction(units if num >= 0 else -units, 10000)


def zero_effect(parents: Sequence[Sequence[int]], task: str, x: int, y: int) -> bool:
    """True when ``x`` cannot affect ``y`` in ``task``'s sense, so the estimand is exactly 0.

    ATE, ETT, PN, PS: no directed path ``x -> ... -> y``; CDE and NDE: no edge ``x -> y``; NIE: no mediator
    (no directed path through a third node).
    """
    if task in ("CDE", "NDE"):
        return x not in parents[y]
    if task == "NIE":
        return not S.mediators(parents, x, y)
    return not S.has_path(parents, x, y)


def structure_ok(parents: Sequence[Sequence[int]], task: str, x: int, y: int) -> bool:
    """Whether the graph suits a (non-zero-effect) ``task`` question on the pair ``(x, y)``.

    Every task needs a directed path ``x -> ... -> y``; CDE needs one to three mediators and the edge
    ``x -> y``; NDE the edge and at most one mediator; NIE exactly one mediator.
    """
    if not S.has_path(parents, x, y):
        return False
    med = S.mediators(parents, x, y)
    direct = x in parents[y]
    if task == "CDE":
        return 1 <= len(med) <= 3 and direct
    if task == "NDE":
        return len(med) <= 1 and direct
    if task == "NIE":
        return len(med) == 1
    return True


def posable(parents: Sequence[Sequence[int]], task: str, x: int, y: int) -> bool:
    """Whether our formulas answer ``task`` on ``(x, y)``: a zero effect, or a structure they identify."""
    if zero_effect(parents, task, x, y):
        return True
    if task in ("NDE", "NIE"):
        return len(S.mediators(parents, x, y)) <= 1
    return S.has_path(parents, x, y)


def _mediator(parents: Sequence[Sequence[int]], q: Query) -> int | None:
    """NDE/NIE: the one mediator, or None (NDE without a mediator); raises when there are several."""
    med = S.mediators(parents, q.x, q.y)
    if len(med) > 1:
        raise ValueError(f"{q.task} needs at most one mediator between {q.x} and {q.y}; the graph has {med}")
    return med[0] if med else None


# --- exact values by enumeration ----------------------------------------------------------------------


def exact_value(model: S.SCM, q: Query) -> float:
    """The estimand of ``q`` computed from the SCM by enumeration (no identification formula involved)."""
    x1, x0, y, yv = q.x_value, 1 - q.x_value, q.y, q.y_value
    if zero_effect(model.parents, q.task, q.x, y) and q.task not in ("PN", "PS"):
        return 0.0
    if q.task == "ATE":
        return model.p({y: yv}, do={q.x: x1}) - model.p({y: yv}, do={q.x: x0})
    if q.task == "CDE":
        fixed = dict(q.fixed)
        return model.p({y: yv}, do={q.x: x1, **fixed}) - model.p({y: yv}, do={q.x: x0, **fixed})
    if q.task == "ETT":
        return model.p({y: yv}, {q.x: x0}) - _ett_counterfactual(model, q)
    if q.task in ("NDE", "NIE"):
        m = _mediator(model.parents, q)
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
        m = _mediator(parents, q)
        if m is None:
            return S.valid_adjustment(parents, [q.x], q.y, zs)
        return S.valid_adjustment(parents, [q.x, m], q.y, zs) and S.valid_adjustment(parents, [q.x], m, zs)
    return S.valid_adjustment(parents, [q.x], q.y, zs)


def adjustment_candidates(
    parents: Sequence[Sequence[int]], q: Query, names: Sequence[str]
) -> Iterator[tuple[int, ...]]:
    """Valid adjustment sets of at most :data:`MAX_ADJUSTMENT` nodes, in the canonical order.

    Candidates are non-descendants of the treatments; the order is size, then the sorted names. A zero-effect
    question needs no adjustment: its only candidate is the empty set.
    """
    if zero_effect(parents, q.task, q.x, q.y) and q.task not in ("PN", "PS"):
        yield ()
        return
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
        mediator: NDE/NIE: the mediator node (None for NDE without one).
        zero: a zero-effect question: no terms, the value is 0.
        terms: every probability the formula reads, in the order a problem states them.
        strata: per configuration of ``zs`` (in :func:`~cauarena.envs.caugym.scm.configs` order), its terms.
        overall: the terms outside the sum over strata.
    """

    query: Query
    zs: tuple[int, ...]
    mediator: int | None
    zero: bool = False
    terms: tuple[Term, ...] = field(default=())
    strata: tuple[Parts, ...] = field(default=(), compare=False, repr=False)
    overall: Parts = field(default_factory=dict, compare=False, repr=False)


def formula(parents: Sequence[Sequence[int]], q: Query, zs: Sequence[int]) -> Formula:
    """The :class:`Formula` of ``q`` with adjustment set ``zs`` (terms listed stratum by stratum)."""
    if zero_effect(parents, q.task, q.x, q.y) and q.task not in ("PN", "PS"):
        return Formula(q, (), None, zero=True)
    mediator = _mediator(parents, q) if q.task in ("NDE", "NIE") else None
    strata = tuple(_stratum_parts(q, z, mediator) for z in S.configs(list(zs)))
    overall = _overall_parts(q)
    groups = (overall, *strata) if q.task == "ETT" else (*strata, overall)  # ETT: the factual term first
    terms = list(dict.fromkeys(t for parts in groups for t in parts.values()))
    return Formula(q, tuple(zs), mediator, terms=tuple(terms), strata=strata, overall=overall)


def _stratum_parts(q: Query, z: dict[int, int], m: int | None) -> Parts:
    x, y, x1, x0, yv = q.x, q.y, q.x_value, 1 - q.x_value, q.y_value
    pz = {"pz": term(z)} if z else {}
    if q.task in ("ATE", "CDE") or (q.task == "NDE" and m is None):
        held = {**dict(q.fixed), **z}
        return {"y1": term({y: yv}, {x: x1, **held}), "y0": term({y: yv}, {x: x0, **held}), **pz}
    if q.task == "ETT":
        return {"y1": term({y: yv}, {x: x1, **z}), **({"zx": term(z, {x: x0})} if z else {})}
    if q.task in ("NDE", "NIE"):
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


def evaluate(f: Formula, value: Callable[[Term], Any], published: bool = True) -> Any:
    """Combine the formula's terms; ``value(term)`` gives each (exact fractions in, exact fraction out).

    With ``published`` (the default), PN/PS follow the published Reason: the adjusted do-term
    ``P(b* | do(a'))`` is rounded to 4 decimals before the bound is taken (a no-op without adjustment, where it
    is a stated number). ``published=False`` keeps it exact (to check identification against enumeration).
    """
    task = f.query.task
    if f.zero:
        return 0
    total: Any = 0
    for parts in f.strata:
        v = {name: value(t) for name, t in parts.items()}
        pz = v.get("pz", 1)
        if task in ("ATE", "CDE") or (task == "NDE" and f.mediator is None):
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
        return g["fact"] - total
    if task not in ("PN", "PS"):
        return total
    if published and f.zs:
        total = round4(total)
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
