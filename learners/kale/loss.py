"""KALE's Knowledge-Aware loss: answer cross-entropy plus KL(p || q) over the answer tokens.

``p`` is the model's next-token distribution at each answer token *without* the rationale (the view that is
trained); ``q`` is the same model's distribution *with* the rationale in context, held fixed (no gradient). Both
views end with the same answer tokens, so the answer positions pair up one to one in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

IGNORE = -100
"""The label of a token outside the answer (as in transformers)."""


@dataclass(frozen=True)
class KALoss:
    """The loss and its parts (``ce`` and ``kl`` detached, for logging)."""

    loss: Any
    ce: Any
    kl: Any


def answer_positions(logits: Any, labels: Any) -> tuple[Any, Any]:
    """The logits that predict each answer token (shifted by one) and those tokens, flattened in reading order.

    Args:
        logits: ``[batch, time, vocab]``.
        labels: ``[batch, time]``, :data:`IGNORE` outside the answer.
    """
    shifted, targets = logits[:, :-1, :], labels[:, 1:]
    mask = targets != IGNORE
    return shifted[mask], targets[mask]


def ka_loss(plain_logits: Any, plain_labels: Any, rationale_logits: Any | None = None,
            rationale_labels: Any | None = None, *, kl_weight: float = 1.0, ce_weight: float = 1.0) -> KALoss:
    """``ce_weight * CE(p, answer) + kl_weight * KL(p || q)``, each averaged over answer tokens.

    With ``kl_weight == 0`` (or no rationale view) it is SFT's answer cross-entropy.

    Raises:
        ValueError: the two views do not hold the same answer tokens (a collator bug).
    """
    import torch.nn.functional as F  # noqa: N812

    p_logits, targets = answer_positions(plain_logits, plain_labels)
    ce = F.cross_entropy(p_logits.float(), targets)
    if kl_weight == 0 or rationale_logits is None:
        return KALoss(ce_weight * ce, ce.detach(), ce.detach() * 0)
    q_logits, q_targets = answer_positions(rationale_logits, rationale_labels)
    if q_targets.shape != targets.shape or not bool((q_targets == targets).all()):
        raise ValueError(f"the views hold different answer tokens ({tuple(targets.shape)} without the rationale, "
                         f"{tuple(q_targets.shape)} with it). Fix: end both views with the same answer tokens.")
    log_p = F.log_softmax(p_logits.float(), dim=-1)
    log_q = F.log_softmax(q_logits.detach().float(), dim=-1)
    kl = (log_p.exp() * (log_p - log_q)).sum(-1).mean()
    return KALoss(ce_weight * ce + kl_weight * kl, ce.detach(), kl.detach())


__all__ = ["IGNORE", "KALoss", "answer_positions", "ka_loss"]
