"""CauScientist's intervention-aware BIC with MLP likelihoods, for nonlinear continuous data.

``BIC(G) = sum_i [-2 sum_{k: I_ki = 0} log P_theta_i(x_ki | x_k,pa_i) + k_i log N_i]`` (REFERENCE 1.3, [sec]):
node ``i``'s term is fitted only on the ``N_i`` rows where ``i`` is not intervened on, ``P_theta_i`` is a
Gaussian whose mean is a small MLP of the parents, ``f(x) = b + x beta + tanh(x W + c) v`` (a linear skip
plus ``hidden`` tanh units), fitted by L-BFGS on the squared error from the least-squares solution (so it
never fits worse than the linear model), variance the mean squared residual. ``k_i`` counts every weight
plus the variance: ``2 + |pa_i| + hidden (|pa_i| + 2)``; a root is a plain Gaussian (2 parameters), as in
:class:`~cauarena.envs.causal.scores.LinearGaussianBIC`.

Fits are deterministic: the initial hidden weights come from a generator seeded by ``(seed, node, parents)``.

>>> rng = np.random.default_rng(0)
>>> x = rng.uniform(-2, 2, 800); y = np.sin(2 * x) + 0.1 * rng.normal(size=800)
>>> mlp, lin = MLPBIC(np.c_[x, y]), LinearGaussianBIC(np.c_[x, y])
>>> edge = np.array([[0, 1], [0, 0]])
>>> bool(mlp.local(1, (0,)) < lin.local(1, (0,))), mlp.score(edge) < mlp.score(np.zeros((2, 2)))
(True, True)
"""

from __future__ import annotations

import numpy as np

from cauarena.envs.causal.scores import BICVerifier, LinearGaussianBIC

_MIN_VARIANCE = 1e-12

__all__ = ["MLPBIC"]


def _unpack(theta: np.ndarray, k: int, hidden: int) -> tuple[float, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    b, beta = theta[0], theta[1 : 1 + k]
    w = theta[1 + k : 1 + k + k * hidden].reshape(k, hidden)
    c = theta[1 + k + k * hidden : 1 + k + k * hidden + hidden]
    v = theta[1 + k + k * hidden + hidden :]
    return b, beta, w, c, v


def _loss_and_grad(theta: np.ndarray, x: np.ndarray, y: np.ndarray, hidden: int) -> tuple[float, np.ndarray]:
    """Mean squared error of the MLP and its gradient in ``theta``."""
    n, k = x.shape
    b, beta, w, c, v = _unpack(theta, k, hidden)
    h = np.tanh(x @ w + c)
    residual = b + x @ beta + h @ v - y
    g = 2.0 * residual / n
    dh = np.outer(g, v) * (1.0 - h**2)
    grad = np.concatenate([[g.sum()], x.T @ g, (x.T @ dh).ravel(), dh.sum(axis=0), h.T @ g])
    return float(residual @ residual / n), grad


def fit_mlp(x: np.ndarray, y: np.ndarray, hidden: int, rng: np.random.Generator, max_iter: int = 200) -> float:
    """The mean squared residual of the MLP ``f(x) = b + x beta + tanh(x W + c) v`` fitted to ``y``.

    Inputs and target are standardised for the fit; the returned variance is in ``y``'s units.
    """
    from scipy.optimize import minimize

    std_y = float(y.std()) or 1.0
    target = (y - y.mean()) / std_y
    std_x = x.std(axis=0)
    inputs = (x - x.mean(axis=0)) / np.where(std_x > 0, std_x, 1.0)
    k = inputs.shape[1]
    design = np.column_stack([np.ones(len(target)), inputs])
    coef, *_ = np.linalg.lstsq(design, target, rcond=None)
    theta0 = np.concatenate([coef, rng.normal(0.0, 1.0 / np.sqrt(k), size=k * hidden),
                             rng.normal(0.0, 1.0, size=hidden), np.zeros(hidden)])
    result = minimize(_loss_and_grad, theta0, args=(inputs, target, hidden), jac=True, method="L-BFGS-B",
                      options={"maxiter": max_iter})
    start, _ = _loss_and_grad(theta0, inputs, target, hidden)
    return max(min(float(result.fun), start), _MIN_VARIANCE) * std_y**2


class MLPBIC(BICVerifier):
    """Intervention-aware BIC with Gaussian MLP likelihoods (continuous data); see the module docs.

    Args:
        data: ``[m, n]`` samples.
        interventions: ``[m, n]`` 0/1 mask; rows where node ``i`` is 1 are left out of ``i``'s term.
        hidden: tanh units of each node's MLP.
        seed: seeds the initial hidden weights of every fit.
        max_iter: L-BFGS iterations per fit.
    """

    kind = "MLP BIC"

    def __init__(
        self, data: np.ndarray, interventions: np.ndarray | None = None, *, hidden: int = 8, seed: int = 0,
        max_iter: int = 100,
    ) -> None:
        super().__init__(data, interventions)
        if isinstance(hidden, bool) or not isinstance(hidden, int) or hidden < 1:
            raise ValueError(f"hidden (tanh units per node) must be a positive int; got {hidden!r}")
        self.hidden, self.seed, self.max_iter = hidden, seed, max_iter
        self._root = LinearGaussianBIC(data, interventions)

    def _local(self, node: int, parents: tuple[int, ...], rows: np.ndarray) -> float:
        if not parents:
            return self._root.local(node, ())
        x, y = self.data[np.ix_(rows, list(parents))], self.data[rows, node]
        rng = np.random.default_rng([self.seed, node, *parents])
        variance = fit_mlp(x, y, self.hidden, rng, self.max_iter)
        k = 2 + len(parents) + self.hidden * (len(parents) + 2)
        return rows.size * (np.log(2 * np.pi * variance) + 1.0) + k * np.log(rows.size)
