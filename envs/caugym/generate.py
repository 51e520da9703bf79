"""The item generator: a random binary SCM, a question, its exact answer, and the problem in one of six variants.

:func:`generate_item` is a pure function of its arguments (the seed is the only randomness). The answer is the
SCM's exact estimand (:func:`~cauarena.envs.caugym.tasks.exact_value`, by enumeration) rounded half-up to 4
decimals, and every item is *checked* before it is returned: the identifying formula evaluated on the 4-decimal
numbers the text states must round to the same answer (and be no tie), so the text determines the answer;
``deconfounding`` items are kept only when the unadjusted route gives a different answer; ``insufficient``
items only when no valid identification can be evaluated from what is left.

Variants (the same SCM machinery, different statements):

- ``base``: the formula's inputs, stratum by stratum, in the base wording;
- ``rephrased``: the rephrased wording, shuffled edges, and some statements given as their complement;
- ``omitted``: the rephrased problem without its ``Instruction:`` line (as published);
- ``deconfounding``: a confounder that must be adjusted for, plus the unadjusted probabilities as a lure;
- ``redundant``: 3-5 true but irrelevant probabilities added;
- ``insufficient``: every statement of one needed quantity removed; the answer is ``LACK_CONDITION``.

The item types follow the published test sets: *zero-effect* questions (the treatment cannot reach the
outcome in the task's sense; nothing is stated, answer 0 and "No") are one Yes/No item in three of base,
rephrased and omitted and one in ten of redundant (by seed, :data:`ZERO_EFFECT_EVERY`); NDE questions mostly
have no mediator (:data:`NDE_MEDIATOR_SHARE`); graphs have the published sizes (:data:`PUBLISHED_NODES`)
unless ``nodes`` asks for others.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import islice
from typing import Any

import numpy as np

from cauarena.envs.caugym import scm as S
from cauarena.envs.caugym import tasks as T
from cauarena.envs.caugym import variants as V
from cauarena.envs.caugym.names import NAME_MODES, Variable, check_unambiguous, sample_variables
from cauarena.envs.caugym.store import Store
from cauarena.envs.caugym.tasks import round4
from cauarena.errors import ConfigError

VARIANTS = ("base", "rephrased", "omitted", "deconfounding", "redundant", "insufficient")
"""The six test variants (the published test-set names)."""

DIFFICULTIES = {"basic": (3, 5), "hard": (6, 9), "any": (3, 9)}
"""Named node-count ranges (CaLM: basic 3-5 nodes, hard 6-9); None means :data:`PUBLISHED_NODES`."""

_SMALL = ((3, 147), (4, 404), (5, 149))
_LARGE = ((8, 690), (9, 10))
PUBLISHED_NODES = {"base": _SMALL, "rephrased": _SMALL, "omitted": _SMALL,
                   "deconfounding": _LARGE, "redundant": _LARGE, "insufficient": _LARGE}
"""Graph sizes of the published test sets, ``(nodes, items)`` per variant (the default, ``difficulty=None``)."""

ZERO_EFFECT_EVERY = {"base": 3, "rephrased": 3, "omitted": 3, "redundant": 10}
"""Seeds ``s`` with ``s % k == 0`` pose a zero-effect Yes/No question (published: 165/700 base, 50/700
redundant items, all in the five Yes/No tasks); other variants have none."""

NDE_MEDIATOR_SHARE = {"deconfounding": 1.0, "redundant": 0.18, "insufficient": 0.17}
"""Share of (non-zero) NDE questions with a mediator; 0.13 elsewhere (published base: 9 of 67)."""

LACK = "LACK_CONDITION"
"""The answer of an insufficient item."""

_MAX_TRIES = 400


class GenerationError(RuntimeError):
    """The generator found no item for a feasible request in its try budget, or an internal check failed."""


@dataclass(frozen=True)
class Problem:
    """Everything about one generated item before it is written as text.

    Attributes:
        seed: the generator seed.
        variant: one of :data:`VARIANTS`.
        names_mode: the naming mode used.
        variables: the named variables, by node index.
        model: the SCM.
        query: the question.
        formula: the canonical identifying formula.
        truth: the exact estimand (float, from enumeration).
        gold: the answer at 4 decimals, or None for an insufficient item.
        statements: the stated probabilities, in text order.
        removed: insufficient: the terms taken out.
    """

    seed: int
    variant: str
    names_mode: str
    variables: tuple[Variable, ...]
    model: S.SCM
    query: T.Query
    formula: T.Formula
    truth: float
    gold: Fraction | None
    statements: tuple[tuple[T.Term, Fraction], ...]
    removed: tuple[T.Term, ...] = ()

    @property
    def names(self) -> list[str]:
        """The variable names, in order."""
        return [v.name for v in self.variables]

    def store(self) -> Store:
        """The statements as a :class:`Store` the reasoner reads."""
        return Store(dict(self.statements))


def _ratio(value: float | Fraction) -> tuple[int, int]:
    return (value.numerator, value.denominator) if isinstance(value, Fraction) else value.as_integer_ratio()


def near_tie(value: float | Fraction, margin: float = 1e-6) -> bool:
    """True when ``value`` is within ``margin`` (in units of 0.0001) of a rounding tie at 4 decimals.

    >>> near_tie(0.12345), near_tie(Fraction(1, 3))
    (True, False)
    """
    num, den = _ratio(value)
    rest = abs(num) * 10000 % den
    return abs(2 * rest - den) < 2 * margin * den


def node_range(nodes: int | str | None, variant: str = "base") -> tuple[int, int]:
    """The node-count range of a ``difficulty`` (an int 3-9, ``basic``, ``hard``, ``any``; None: published)."""
    if nodes is None:
        sizes = [n for n, _ in PUBLISHED_NODES.get(variant, _SMALL)]
        return min(sizes), max(sizes)
    if isinstance(nodes, str) and nodes in DIFFICULTIES:
        return DIFFICULTIES[nodes]
    if isinstance(nodes, int) and not isinstance(nodes, bool) and 3 <= nodes <= 9:
        return nodes, nodes
    raise ConfigError(f"difficulty is a node count 3-9, 'basic' (3-5), 'hard' (6-9) or None; got {nodes!r}.")


def min_nodes(task: str, variant: str) -> int:
    """Fewest nodes a (task, variant) needs: a mediator for CDE/NDE/NIE, a confounder for deconfounding."""
    return 3 + (variant == "deconfounding" and task in ("CDE", "NDE", "NIE"))


def check_request(task: str, variant: str, nodes: int | str | None, names: str) -> None:
    """Raise :class:`ConfigError` (with the fix) for an unknown or infeasible request."""
    if task not in T.TASKS:
        raise ConfigError(f"Unknown task {task!r}. Fix: one of {', '.join(T.TASKS)}.")
    if variant not in VARIANTS:
        raise ConfigError(f"Unknown variant {variant!r}. Fix: one of {', '.join(VARIANTS)}.")
    if nodes is not None and not isinstance(nodes, int | str):
        raise ConfigError(f"difficulty is a node count 3-9, 'basic' (3-5), 'hard' (6-9) or None; got {nodes!r}.")
    if names not in NAME_MODES:
        raise ConfigError(f"Unknown name mode {names!r}. Fix: one of {', '.join(NAME_MODES)}.")
    low, high = node_range(nodes, variant)
    if high < min_nodes(task, variant):
        raise ConfigError(
            f"{task} items of the {variant} variant need at least {min_nodes(task, variant)} nodes; "
            f"difficulty {nodes!r} allows at most {high}. Fix: a larger difficulty."
        )


# --- sampling the model and the question ----------------------------------------------------------------


def sample_graph(rng: np.random.Generator, n: int) -> tuple[tuple[int, ...], ...]:
    """A random DAG in topological order (about 1.1 edges per node), every node on at least one edge."""
    p = min(0.7, 2.2 / (n - 1))
    while True:
        edges = np.tril(rng.random((n, n)) < p, k=-1)  # edges[i, j]: j -> i, j < i
        if (edges.any(axis=0) | edges.any(axis=1)).all():
            return tuple(tuple(np.flatnonzero(row).tolist()) for row in edges)


def sample_model(rng: np.random.Generator, parents: Sequence[Sequence[int]]) -> S.SCM:
    """CPTs with every ``P(node = 1 | parents)`` uniform in [0.05, 0.95]."""
    cpts = tuple(tuple(float(p) for p in rng.uniform(0.05, 0.95, size=2 ** len(pa))) for pa in parents)
    return S.SCM(tuple(tuple(pa) for pa in parents), cpts)


def _pairs(rng: np.random.Generator, parents: Sequence[Sequence[int]], task: str, variant: str,
           zero: bool, mediated: bool) -> list[tuple]:
    """Up to 4 (x, y) pairs for ``task``, in random order.

    ``zero``: pairs where the effect is structurally zero (CDE: still with a mediator to hold); else pairs that
    suit the task (NDE: with one mediator when ``mediated``, else none) and, for deconfounding, are confounded.
    """
    n = len(parents)
    pairs = []
    for x in range(n):
        for y in range(n):
            if x == y:
                continue
            if zero:
                ok = T.zero_effect(parents, task, x, y) and (task != "CDE" or 1 <= len(S.mediators(parents, x, y)) <= 3)
            else:
                ok = T.structure_ok(parents, task, x, y) and (
                    task != "NDE" or len(S.mediators(parents, x, y)) == int(mediated))
            if ok:
                pairs.append((x, y))
    if variant == "deconfounding":
        pairs = [(x, y) for x, y in pairs if not T.is_valid(parents, _skeleton(parents, task, x, y), ())]
    return [pairs[int(k)] for k in rng.permutation(len(pairs))[:4]]


def _skeleton(parents: Sequence[Sequence[int]], task: str, x: int, y: int) -> T.Query:
    """A query with the structure of ``task`` on (x, y); validity of adjustment sets depends only on this."""
    fixed = tuple((m, 0) for m in S.mediators(parents, x, y)) if task == "CDE" else ()
    return T.Query(task, x, y, 0, 0, fixed=fixed)


def _queries(rng: np.random.Generator, model: S.SCM, task: str, pairs: list[tuple]) -> Iterator[T.Query]:
    """Queries of ``task`` on the chosen pairs, with random values (PN/PS: the informative bound first)."""
    for x, y in pairs:
        xv, yv = int(rng.integers(2)), int(rng.integers(2))
        if task == "CDE":
            fixed = tuple((m, int(rng.integers(2))) for m in S.mediators(model.parents, x, y))
            yield T.Query(task, x, y, xv, yv, fixed=fixed)
        elif task in ("PN", "PS"):
            yield from _bound_queries(rng, model, task, x, y)
        else:
            yield T.Query(task, x, y, xv, yv)


def _bound_queries(rng: np.random.Generator, model: S.SCM, task: str, x: int, y: int) -> list[T.Query]:
    """PN: factual (1, 1); PS: factual (0, 0). The bound whose raw value lies inside (0, 1) first."""
    a = 1 if task == "PN" else 0
    queries = [T.Query(task, x, y, a, a, bound=bound) for bound in ("lower", "upper")]
    if rng.random() < 0.5:
        queries.reverse()
    inside = [q for q in queries if 0.0005 < T.exact_value(model, q) < 0.9995]
    return inside or queries[:1]


def _variables(rng: np.random.Generator, mode: str, n: int) -> tuple[Variable, ...]:
    from cauarena.envs.caugym.text import TEMPLATE_WORDS

    while True:
        variables = sample_variables(mode, n, rng)
        words = {w for v in variables for w in v.name.split()}
        if check_unambiguous(variables) and not words & TEMPLATE_WORDS:
            return tuple(variables)


# --- assembling one item ----------------------------------------------------------------------------------


def _answer_ok(q: T.Query, value: Any, zero: bool = False) -> bool:
    """A usable gold value: not a rounding tie, and for Yes/No tasks not 0.0000 (no sign) unless a zero effect."""
    if zero:
        return value == 0
    if near_tie(value):
        return False
    return q.task not in T.YES_NO_TASKS or round4(value) != 0


def is_zero_effect(seed: int, task: str, variant: str) -> bool:
    """Whether the item of ``seed`` poses a zero-effect question (see :data:`ZERO_EFFECT_EVERY`)."""
    every = ZERO_EFFECT_EVERY.get(variant)
    return task in T.YES_NO_TASKS and every is not None and seed % every == 0


def _attempt(rng: np.random.Generator, seed: int, task: str, variant: str, n: int, mode: str) -> Problem | None:
    graph = sample_graph(rng, n)
    mediated = rng.random() < NDE_MEDIATOR_SHARE.get(variant, 0.13)
    pairs = _pairs(rng, graph, task, variant, is_zero_effect(seed, task, variant), mediated)
    if not pairs:
        return None
    model = sample_model(rng, graph)
    parents = model.parents
    variables = _variables(rng, mode, n)
    names = [v.name for v in variables]
    for q in islice(_queries(rng, model, task, pairs), 4):
        zs = next(T.adjustment_candidates(parents, q, names), None)
        if zs is None or (variant == "deconfounding" and not zs):
            continue
        problem = _build(rng, seed, variant, mode, variables, model, q, zs)
        if problem is not None:
            return problem
    return None


def _build(rng, seed, variant, mode, variables, model, q, zs) -> Problem | None:
    zero = T.zero_effect(model.parents, q.task, q.x, q.y) and q.task in T.YES_NO_TASKS
    truth = T.exact_value(model, q)
    if not _answer_ok(q, truth, zero):
        return None
    f = T.formula(model.parents, q, zs)
    exact = T.evaluate(f, lambda t: T.exact_term(model, t), published=False)
    if abs(exact - truth) > 1e-9:
        raise GenerationError(f"identification disagrees with enumeration ({exact} vs {truth}) for {q}, Z={zs}")
    statements = V.stated(model, list(f.terms))
    if variant in ("base", "deconfounding"):  # cheap float pre-check: most rejections are rounding mismatches
        stated = dict(statements)
        route = T.evaluate(f, lambda t: float(stated[t]))
        if near_tie(route) or round4(route) != round4(truth):
            return None
    removed: tuple[T.Term, ...] = ()
    if variant in ("rephrased", "omitted"):
        statements = V.rephrase(rng, statements)
    elif variant == "deconfounding":
        statements, naive = V.lure(model, f, statements)
        lure = T.evaluate(naive, Store(dict(statements)).get)
        if round4(lure) == round4(truth):
            return None
    elif variant == "redundant":
        statements = V.add_redundant(rng, model, statements)
    elif variant == "insufficient":
        statements, removed = V.remove_family(rng, statements)
    names = [v.name for v in variables]
    solved = T.solve(model.parents, names, q, Store(dict(statements)).get)
    if variant == "insufficient":
        if solved is not None:
            return None
        gold = None
    else:
        if solved is None or not _answer_ok(q, solved[1], zero) or round4(solved[1]) != round4(truth):
            return None
        gold = round4(truth)
    return Problem(seed, variant, mode, tuple(variables), model, q, f, truth, gold, tuple(statements), removed)


def _draw_nodes(rng: np.random.Generator, nodes: int | str | None, variant: str, low: int, high: int) -> int:
    if nodes is None:
        sizes, weights = zip(*PUBLISHED_NODES[variant], strict=True)
        return int(rng.choice(sizes, p=np.asarray(weights) / sum(weights)))
    return int(rng.integers(low, high + 1))


def generate_problem(
    seed: int, task: str, variant: str = "base", nodes: int | str | None = None, names: str | None = None
) -> Problem:
    """One checked :class:`Problem`, a pure function of the arguments.

    Args:
        seed: the only source of randomness (a non-negative int).
        task: one of :data:`~cauarena.envs.caugym.tasks.TASKS`.
        variant: one of :data:`VARIANTS`.
        nodes: the difficulty: a node count 3-9, ``basic`` (3-5), ``hard`` (6-9), ``any`` (3-9), or None for
            the published sizes of the variant (:data:`PUBLISHED_NODES`).
        names: ``real``, ``invented``, ``symbols``, or None to draw one per item.

    Raises:
        ConfigError: an unknown or infeasible request.
        GenerationError: no item within the try budget (should not happen for feasible requests).
    """
    rng = np.random.default_rng([int(seed), T.TASKS.index(task) if task in T.TASKS else 99, 7])
    mode = names if names is not None else NAME_MODES[int(rng.integers(len(NAME_MODES)))]
    check_request(task, variant, nodes, mode)
    low, high = node_range(nodes, variant)
    low = max(low, min_nodes(task, variant))
    for _ in range(_MAX_TRIES):
        n = _draw_nodes(rng, nodes, variant, low, high)
        problem = _attempt(rng, int(seed), task, variant, n, mode)
        if problem is not None:
            return problem
    raise GenerationError(f"no {task}/{variant} item with {low}-{high} nodes after {_MAX_TRIES} tries (seed {seed})")
