"""The DEPO loss, framework-free: KTO with an efficiency bonus on the desirable log-ratios (pure torch).

Torch is imported by the functions that need it, so :func:`efficiency_bonus` (used when labelling data) is light.

DEPO (Dual-Efficiency Preference Optimisation, arXiv 2511.15392) is KTO (Ethayarajh et al., 2024) where a
desirable trajectory's implied reward gets a bonus for being efficient:

    r(x, y) = log pi(y | x) - log pi_ref(y | x) + b,   b = a1 / T_tok + a2 / T_step  (desirable rows; 0 otherwise)
    z0      = max(0, mean(log pi(y' | x) - log pi_ref(y' | x)))   over mismatched pairs, no gradient
    loss    = mean over rows of  w_D (1 - sigmoid(beta (r - z0)))   for desirable rows
                                 w_U (1 - sigmoid(beta (z0 - r)))   for undesirable rows (no bonus)

with ``T_tok`` the trajectory's mean generated tokens per step and ``T_step`` its steps. This module is the
reference: :class:`~cauarena.learners.depo.trainer.DEPOTrainer` must agree with it (a test checks), and
``bonus = 0`` is KTO exactly, term for term, as TRL's ``KTOTrainer`` computes it.

A note on what the bonus does: it is a constant shift of the desirable log-ratio, so it lowers the desirable
loss and scales that row's gradient by ``s(beta (r + b - z0)) / s(beta (r - z0))`` with
``s = sigmoid * (1 - sigmoid)``: above the reference point it damps efficient rows, below it boosts them.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import torch

BonusScale = Literal["raw", "log"]


def efficiency_bonus(
    tokens_per_step: float, steps: int, alpha_tokens: float, alpha_steps: float, scale: BonusScale = "raw"
) -> float:
    """DEPO's bonus ``a1 / T_tok + a2 / T_step`` (``scale="raw"``, the paper's formula).

    ``scale="log"`` uses ``a1 / ln(1 + T_tok) + a2 / ln(1 + T_step)``: the paper notes the step term dominates
    in raw scale (tens of tokens per step against a few steps); logs bring the two terms closer.

    Args:
        tokens_per_step: mean generated tokens per step of the trajectory (> 0).
        steps: the trajectory's steps (>= 1).
        alpha_tokens: weight of the token term (a1).
        alpha_steps: weight of the step term (a2).
        scale: ``raw`` or ``log``.

    >>> efficiency_bonus(10.0, 4, 3.0, 2.0)  # 3 / 10 + 2 / 4
    0.8
    >>> efficiency_bonus(10.0, 5, 0.0, 0.0)
    0.0
    >>> round(efficiency_bonus(math.e - 1, 1, 1.0, 0.0, scale="log"), 6)
    1.0

    Raises:
        ValueError: non-positive tokens per step or steps, negative weights, or an unknown scale.
    """
    if not tokens_per_step > 0 or steps < 1:
        raise ValueError(f"tokens_per_step must be > 0 and steps >= 1; got {tokens_per_step}, {steps}.")
    if alpha_tokens < 0 or alpha_steps < 0:
        raise ValueError(f"alpha_tokens and alpha_steps must be >= 0; got {alpha_tokens}, {alpha_steps}.")
    if scale == "raw":
        return alpha_tokens / tokens_per_step + alpha_steps / steps
    if scale == "log":
        return alpha_tokens / math.log1p(tokens_per_step) + alpha_steps / math.log1p(steps)
    raise ValueError(f"scale must be 'raw' or 'log'; got {scale!r}.")


def kl_estimate(policy_kl_logps: torch.Tensor, reference_kl_logps: torch.Tensor) -> torch.Tensor:
    """KTO's reference point ``z0``: the mean mismatched log-ratio, clamped at 0, without gradient."""
    return (policy_kl_logps - reference_kl_logps).mean().detach().clamp(min=0)


def depo_losses(
    policy_logps: torch.Tensor,
    reference_logps: torch.Tensor,
    labels: torch.Tensor,
    kl: torch.Tensor | float,
    *,
    beta: float,
    bonus: torch.Tensor | None = None,
    desirable_weight: float = 1.0,
    undesirable_weight: float = 1.0,
) -> torch.Tensor:
    """Per-row DEPO losses (KTO's when ``bonus`` is None or 0), weights applied.

    Args:
        policy_logps: summed completion log-probabilities under the policy, shape ``(n,)``.
        reference_logps: the same under the reference (the BC model), shape ``(n,)``.
        labels: True for desirable rows, shape ``(n,)``.
        kl: the reference point ``z0`` (see :func:`kl_estimate`).
        beta: KTO's temperature.
        bonus: per-row bonus, shape ``(n,)``; read on desirable rows only (undesirable rows never get one).
        desirable_weight: ``w_D``.
        undesirable_weight: ``w_U``.
    """
    import torch

    labels = labels.to(torch.bool)
    logratios = policy_logps - reference_logps
    if bonus is not None:
        logratios = logratios + torch.where(labels, bonus.to(logratios.dtype), torch.zeros_like(logratios))
    chosen = desirable_weight * (1 - torch.sigmoid(beta * (logratios - kl)))
    rejected = undesirable_weight * (1 - torch.sigmoid(beta * (kl - logratios)))
    return torch.where(labels, chosen, rejected)


def depo_loss(
    policy_logps: torch.Tensor,
    reference_logps: torch.Tensor,
    labels: torch.Tensor,
    kl: torch.Tensor | float,
    *,
    beta: float,
    bonus: torch.Tensor | None = None,
    desirable_weight: float = 1.0,
    undesirable_weight: float = 1.0,
) -> torch.Tensor:
    """The batch DEPO loss: the mean of :func:`depo_losses` (as TRL's ``losses.nanmean()``)."""
    return depo_losses(
        policy_logps, reference_logps, labels, kl, beta=beta, bonus=bonus,
        desirable_weight=desirable_weight, undesirable_weight=undesirable_weight,
    ).mean()
