"""Exact estimands on hand-worked SCMs, and the graph criteria behind the identifying formulas."""

from fractions import Fraction

import pytest

from cauarena.envs.caugym import scm as S
from cauarena.envs.caugym import tasks as T

# Z -> X, Z -> Y, X -> Y (nodes Z=0, X=1, Y=2). P(Z=1)=0.5, P(X=1|Z)=0.2/0.8,
# P(Y=1|Z,X): (0,0)=0.1 (1,0)=0.4 (0,1)=0.5 (1,1)=0.9 (cpt index: bit0 = Z, bit1 = X).
CONFOUNDED = S.SCM(((), (0,), (0, 1)), ((0.5,), (0.2, 0.8), (0.1, 0.4, 0.5, 0.9)))
# X -> M -> Y, X -> Y (X=0, M=1, Y=2). P(M=1|X)=0.3/0.7; P(Y=1|X,M): (0,0)=0.2 (1,0)=0.5 (0,1)=0.4 (1,1)=0.9.
MEDIATED = S.SCM(((), (0,), (0, 1)), ((0.5,), (0.3, 0.7), (0.2, 0.5, 0.4, 0.9)))


def test_ate_by_hand_on_a_confounded_triangle():
    # P(y|do(x=1)) = 0.5*0.5 + 0.9*0.5 = 0.70; P(y|do(x=0)) = 0.1*0.5 + 0.4*0.5 = 0.25
    q = T.Query("ATE", x=1, y=2, x_value=1, y_value=1)
    assert T.exact_value(CONFOUNDED, q) == pytest.approx(0.45)
    assert T.exact_value(CONFOUNDED, T.Query("ATE", 1, 2, 0, 1)) == pytest.approx(-0.45)
    assert T.exact_value(CONFOUNDED, T.Query("ATE", 1, 2, 1, 0)) == pytest.approx(-0.45)
    # the unadjusted contrast is wrong: P(y|x=1) - P(y|x=0) = 0.82 - 0.16
    obs = CONFOUNDED.joint()
    naive = S.prob(obs, 3, {2: 1}, {1: 1}) - S.prob(obs, 3, {2: 1}, {1: 0})
    assert naive == pytest.approx(0.66)


def test_ett_and_pn_ps_bounds_by_hand():
    # ETT (published sign: factual minus counterfactual), for those with X=0, had X been 1:
    # P(y|x0) - sum_z P(y|x1,z) P(z|x0) = 0.16 - (0.5*0.8 + 0.9*0.2); negative, so "Yes" (more likely under x1)
    ett = T.exact_value(CONFOUNDED, T.Query("ETT", 1, 2, 1, 1))
    assert ett == pytest.approx(-0.42) and T.yes_no("ETT", ett) == "Yes" and T.yes_no("ATE", ett) == "No"
    # PN with X=1, Y=1 observed: P(y)=0.49, P(y|do(x0))=0.25, P(x1,y1)=0.41, P(x0,y0)=0.42
    lower = T.Query("PN", 1, 2, 1, 1, bound="lower")
    upper = T.Query("PN", 1, 2, 1, 1, bound="upper")
    assert T.exact_value(CONFOUNDED, lower) == pytest.approx((0.49 - 0.25) / 0.41)
    assert T.exact_value(CONFOUNDED, upper) == pytest.approx((0.75 - 0.42) / 0.41)
    # PS with X=0, Y=0 observed: lower = max(0, (P(y|do(x1)) - P(y)) / P(x0, y0)) = (0.70 - 0.49) / 0.42
    assert T.exact_value(CONFOUNDED, T.Query("PS", 1, 2, 0, 0, bound="lower")) == pytest.approx(0.21 / 0.42)


def test_mediation_effects_by_hand():
    nde = T.Query("NDE", 0, 2, 1, 1)  # sum_m [P(y|x1,m) - P(y|x0,m)] P(m|x0) = 0.3*0.7 + 0.5*0.3
    nie = T.Query("NIE", 0, 2, 1, 1)  # sum_m P(y|x0,m) [P(m|x1) - P(m|x0)] = 0.2*(-0.4) + 0.4*0.4
    cde = T.Query("CDE", 0, 2, 1, 1, fixed=((1, 1),))  # P(y|x1,m1) - P(y|x0,m1)
    assert T.exact_value(MEDIATED, nde) == pytest.approx(0.36)
    assert T.exact_value(MEDIATED, nie) == pytest.approx(0.08)
    assert T.exact_value(MEDIATED, cde) == pytest.approx(0.5)
    total = T.exact_value(MEDIATED, T.Query("ATE", 0, 2, 1, 1))
    reverse_nie = 0.5 * -0.4 + 0.9 * 0.4  # NIE at x=1: total = NDE(0->1) + NIE_reverse
    assert total == pytest.approx(0.36 + reverse_nie)


def test_formulas_on_exact_probabilities_match_enumeration():
    obs = CONFOUNDED.joint()
    exact = lambda t: Fraction(S.prob(obs, 3, dict(t[0]), dict(t[1]) or None))  # noqa: E731
    names = ["z", "x", "y"]
    for q in (T.Query("ATE", 1, 2, 1, 1), T.Query("ETT", 1, 2, 0, 0),
              T.Query("PN", 1, 2, 1, 1, bound="upper"), T.Query("PS", 1, 2, 0, 0, bound="lower")):
        zs = next(T.adjustment_candidates(CONFOUNDED.parents, q, names))
        assert zs == (0,)
        value = T.evaluate(T.formula(CONFOUNDED.parents, q, zs), exact, published=False)
        assert float(value) == pytest.approx(T.exact_value(CONFOUNDED, q))
        published = T.evaluate(T.formula(CONFOUNDED.parents, q, zs), exact)  # PN/PS: do-term at 4 decimals
        assert float(published) == pytest.approx(T.exact_value(CONFOUNDED, q), abs=1e-3)


def test_zero_effects_and_nde_without_a_mediator():
    # X -> Y only, plus W -> Y (X=0, W=1, Y=2): NDE has no mediator, so it is the total effect
    direct = S.SCM(((), (), (0, 1)), ((0.5,), (0.4,), (0.1, 0.6, 0.3, 0.8)))
    nde, ate = T.Query("NDE", 0, 2, 1, 1), T.Query("ATE", 0, 2, 1, 1)
    assert T.exact_value(direct, nde) == pytest.approx(T.exact_value(direct, ate)) == pytest.approx(0.5)
    f = T.formula(direct.parents, nde, ())
    assert f.mediator is None and not f.zero and len(f.terms) == 2
    # NIE there has no mediator: a zero effect; so do ATE/ETT from Y to X and CDE/NDE without the edge
    for q in (T.Query("NIE", 0, 2, 1, 1), T.Query("ATE", 2, 0, 1, 1), T.Query("ETT", 1, 0, 1, 1),
              T.Query("NDE", 1, 0, 1, 1)):
        assert T.zero_effect(direct.parents, q.task, q.x, q.y) and T.exact_value(direct, q) == 0.0
        f = T.formula(direct.parents, q, ())
        assert f.zero and f.terms == () and T.solve(direct.parents, ["x", "w", "y"], q, lambda t: None) == (f, 0)
    chain = S.SCM(((), (0,), (1,)), ((0.5,), (0.3, 0.7), (0.2, 0.9)))  # X -> M -> Y: no direct edge
    cde = T.Query("CDE", 0, 2, 1, 1, fixed=((1, 1),))
    assert T.zero_effect(chain.parents, "CDE", 0, 2) and T.exact_value(chain, cde) == 0.0
    assert T.yes_no("CDE", 0) == "No" and T.yes_no("ATE", 0.0009) == "No" and T.yes_no("ATE", 0.001) == "Yes"


def test_adjustment_criterion():
    confounded = [[], [0], [0, 1]]
    assert not S.valid_adjustment(confounded, [1], 2, [])
    assert S.valid_adjustment(confounded, [1], 2, [0])
    # M-bias: X <- A -> M <- B -> Y, X -> Y (A=0, B=1, M=2, X=3, Y=4)
    mbias = [[], [], [0, 1], [0], [1, 3]]
    assert S.valid_adjustment(mbias, [3], 4, [])
    assert not S.valid_adjustment(mbias, [3], 4, [2])
    assert S.valid_adjustment(mbias, [3], 4, [0, 2])
    assert not S.valid_adjustment(mediator_chain := [[], [0], [1]], [0], 2, [1]) and mediator_chain


def test_graph_helpers():
    chain = [[], [0], [1], [0]]
    assert S.mediators(chain, 0, 2) == [1]
    assert S.has_path(chain, 0, 2) and not S.has_path(chain, 2, 0)
    assert S.d_separated(chain, [0], [2], [1]) and not S.d_separated(chain, [0], [2], [])
    with pytest.raises(ValueError, match="topological order"):
        S.SCM(((1,), ()), ((0.5, 0.5), (0.5,)))
    with pytest.raises(ValueError, match="strictly inside"):
        S.SCM(((),), ((1.0,),))
