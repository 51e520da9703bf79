"""The symbolic ``Reason`` steps of an item (the published field).

Steps: variables, path and identification, formula, values, result, sign -> Yes/No. Nodes are lettered
``A, B, C, ...`` in topological order, as CaLM writes ``data_info_math``; the first step says which letter
is which variable and what 0 and 1 mean.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from cauarena.envs.caugym import tasks as T
from cauarena.envs.caugym.names import Variable
from cauarena.envs.caugym.store import Store, family
from cauarena.envs.caugym.text import fmt4

LACK = "LACK_CONDITION"


def letter(node: int) -> str:
    """``0 -> 'A'``, ``1 -> 'B'``, ..."""
    return chr(ord("A") + node)


def sym(t: T.Term) -> str:
    """A term in symbols: ``P(C=1|A=0,B=1)``.

    >>> sym((((2, 1),), ((0, 0), (1, 1))))
    'P(C=1|A=0,B=1)'
    """
    event, given = t
    inner = ",".join(f"{letter(n)}={v}" for n, v in event)
    cond = ",".join(f"{letter(n)}={v}" for n, v in given)
    return f"P({inner}|{cond})" if cond else f"P({inner})"


def _assign(items: Sequence[tuple[int, int]]) -> str:
    return ",".join(f"{letter(n)}={v}" for n, v in items)


def _path(parents: Sequence[Sequence[int]], x: int, y: int) -> list[int]:
    """A shortest directed path from ``x`` to ``y`` (breadth first)."""
    children = [[c for c in range(len(parents)) if p in parents[c]] for p in range(len(parents))]
    prev = {x: x}
    frontier = [x]
    while frontier and y not in prev:
        nxt = []
        for node in frontier:
            for c in children[node]:
                if c not in prev:
                    prev[c] = node
                    nxt.append(c)
        frontier = nxt
    path = [y]
    while path[-1] != x:
        path.append(prev[path[-1]])
    return path[::-1]


def estimand(q: T.Query, mediator: int | None) -> str:
    """The estimand in symbols, e.g. ``ATE = P(C=1|do(A=1)) - P(C=1|do(A=0))``."""
    X, Y, x1, x0, y = letter(q.x), letter(q.y), q.x_value, 1 - q.x_value, q.y_value
    if q.task == "ATE":
        return f"ATE = P({Y}={y}|do({X}={x1})) - P({Y}={y}|do({X}={x0}))"
    if q.task == "CDE":
        m = _assign(q.fixed)
        return f"CDE = P({Y}={y}|do({X}={x1},{m})) - P({Y}={y}|do({X}={x0},{m}))"
    if q.task == "ETT":
        return f"ETT = P({Y}={y}|{X}={x0}) - P({Y}_{{{X}={x1}}}={y}|{X}={x0})"
    if q.task == "NDE" and mediator is None:
        return f"NDE = P({Y}={y}|do({X}={x1})) - P({Y}={y}|do({X}={x0})) (no mediator)"
    if q.task in ("NDE", "NIE"):
        M = letter(mediator if mediator is not None else q.y)
        xy, xm = (x1, x0) if q.task == "NDE" else (x0, x1)
        return f"{q.task} = P({Y}_{{{X}={xy},{M}_{{{X}={xm}}}}}={y}) - P({Y}_{{{X}={x0}}}={y})"
    a, b = q.x_value, q.y_value
    return f"{q.task} = P({Y}_{{{X}={1 - a}}}={1 - b}|{X}={a},{Y}={b}), {q.bound} bound"


def formula_text(f: T.Formula) -> str:
    """The identifying formula in symbols, summing over the adjustment set."""
    q = f.query
    X, Y, x1, x0, y = letter(q.x), letter(q.y), q.x_value, 1 - q.x_value, q.y_value
    zs = ",".join(letter(z) for z in f.zs)
    z_cond = f",{zs}" if zs else ""
    total = f"sum_{{{zs}}} " if zs else ""
    pz = f" P({zs})" if zs else ""
    if q.task == "ATE":
        return f"{total}[P({Y}={y}|{X}={x1}{z_cond}) - P({Y}={y}|{X}={x0}{z_cond})]{pz}"
    if q.task == "CDE":
        m = "," + _assign(q.fixed)
        return f"{total}[P({Y}={y}|{X}={x1}{m}{z_cond}) - P({Y}={y}|{X}={x0}{m}{z_cond})]{pz}"
    if q.task == "ETT":
        pzx = f" P({zs}|{X}={x0})" if zs else ""
        return f"P({Y}={y}|{X}={x0}) - {total}P({Y}={y}|{X}={x1}{z_cond}){pzx}"
    if q.task == "NDE" and f.mediator is None:
        return f"{total}[P({Y}={y}|{X}={x1}{z_cond}) - P({Y}={y}|{X}={x0}{z_cond})]{pz}"
    if q.task in ("NDE", "NIE"):
        M = letter(f.mediator if f.mediator is not None else q.y)
        if q.task == "NDE":
            inner = f"[P({Y}={y}|{X}={x1},{M}{z_cond}) - P({Y}={y}|{X}={x0},{M}{z_cond})] P({M}|{X}={x0}{z_cond})"
        else:
            inner = f"P({Y}={y}|{X}={x0},{M}{z_cond}) [P({M}|{X}={x1}{z_cond}) - P({M}|{X}={x0}{z_cond})]"
        return f"{total}{pz.strip()} sum_{{{M}}} {inner}".replace("  ", " ").strip()
    a, b = q.x_value, q.y_value
    do = f"{total}P({Y}={b if q.bound == 'lower' else 1 - b}|{X}={1 - a}{z_cond}){pz}"
    if q.bound == "lower":
        return f"max(0, (P({Y}={b}) - {do}) / P({X}={a},{Y}={b}))"
    return f"min(1, ({do} - P({X}={1 - a},{Y}={1 - b})) / P({X}={a},{Y}={b}))"


def _identification(parents: Sequence[Sequence[int]], f: T.Formula) -> str:
    q = f.query
    if f.zs:
        zs = "{" + ", ".join(letter(z) for z in f.zs) + "}"
        why = f"the adjustment set {zs} blocks every back-door path"
    else:
        why = "no back-door path needs blocking, so no adjustment is needed"
    path = "->".join(letter(n) for n in _path(parents, q.x, q.y))
    return f"{estimand(q, f.mediator)}. Directed path {path}; {why}."


def reason_steps(
    variables: Sequence[Variable], parents: Sequence[Sequence[int]], f: T.Formula, store: Store,
    gold: Fraction | None,
) -> dict[str, str]:
    """The ``Reason`` dict (``Step 1`` ... ``Step k``) of an item; ``gold`` None means information lacks."""
    names = ", ".join(
        f"{letter(i)} = {v.name} (0 = {v.values[0]}, 1 = {v.values[1]})" for i, v in enumerate(variables)
    )
    if f.zero:
        verdict = f"{_no_effect(f.query)} So {f.query.task} = 0 and the answer is No."
        return {"Step 1": f"Let {names}.", "Step 2": verdict}
    steps = [f"Let {names}.", _identification(parents, f), f"Formula: {formula_text(f)}."]
    missing = [t for t in f.terms if store.get(t) is None]
    if gold is None or missing:
        lacking = ", ".join(sym(t) for t in missing) or "a needed probability"
        steps.append(f"{lacking} is needed but is neither given nor derivable, so the answer is {LACK}.")
    else:
        steps.append("Values: " + "; ".join(_value(t, store) for t in f.terms) + ".")
        steps.append(f"Result: {f.query.task} = {fmt4(gold)}.")
        if f.query.task in T.YES_NO_TASKS:
            sign = ">" if gold > 0 else "<"
            rule = " (ETT is factual minus counterfactual: Yes iff < 0)" if f.query.task == "ETT" else ""
            steps.append(f"{fmt4(gold)} {sign} 0{rule}, so the answer is {T.yes_no(f.query.task, gold)}.")
    return {f"Step {i}": text for i, text in enumerate(steps, 1)}


def _no_effect(q: T.Query) -> str:
    X, Y = letter(q.x), letter(q.y)
    if q.task in ("CDE", "NDE"):
        return f"The edge {X}->{Y} does not exist, so there is no direct effect."
    if q.task == "NIE":
        return f"No directed path from {X} to {Y} passes through a mediator, so there is no indirect effect."
    return f"{X} is not a cause of {Y}: no directed path leads from {X} to {Y}."


def _value(t: T.Term, store: Store) -> str:
    value = store.get(t)
    assert value is not None
    if store.derived(t):
        others = " - ".join(sym(o) for o in family(t) if o != t)
        return f"{sym(t)} = 1 - {others} = {fmt4(value)}"
    return f"{sym(t)} = {fmt4(value)}"

