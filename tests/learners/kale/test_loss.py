"""The KA loss against a hand computation, and that q gets no gradient."""

import math

import pytest

torch = pytest.importorskip("torch")

from cauarena.learners.kale.loss import IGNORE, ka_loss  # noqa: E402


def _logits(probabilities):
    """``[1, 2, V]`` logits whose first position (which predicts token 2) has the given softmax."""
    row = torch.log(torch.tensor(probabilities))
    return torch.stack([row, torch.zeros_like(row)]).unsqueeze(0).requires_grad_(True)


def test_ka_loss_matches_the_hand_computation():
    # p = (1/4, 1/2, 1/4) without the rationale, q = (1/4, 1/4, 1/2) with it; the answer token is 1.
    # CE = -ln(1/2) = ln 2; KL(p||q) = 1/4 ln 1 + 1/2 ln 2 + 1/4 ln(1/2) = (1/4) ln 2.
    plain, view = _logits([0.25, 0.5, 0.25]), _logits([0.25, 0.25, 0.5])
    labels_answer = torch.tensor([[IGNORE, 1]])  # token 2 is the answer (id 1), predicted at position 1
    parts = ka_loss(plain, labels_answer, view, labels_answer, kl_weight=1.0, ce_weight=1.0)
    assert float(parts.ce) == pytest.approx(math.log(2), abs=1e-6)
    assert float(parts.kl) == pytest.approx(0.25 * math.log(2), abs=1e-6)
    assert float(parts.loss) == pytest.approx(1.25 * math.log(2), abs=1e-6)
    weighted = ka_loss(plain, labels_answer, view, labels_answer, kl_weight=2.0, ce_weight=0.5)
    assert float(weighted.loss) == pytest.approx(0.5 * math.log(2) + 2 * 0.25 * math.log(2), abs=1e-6)
    parts.loss.backward()
    assert view.grad is None and plain.grad is not None and plain.grad.abs().sum() > 0


def test_kl_weight_zero_is_the_answer_cross_entropy():
    logits = torch.randn(2, 5, 7)
    labels = torch.tensor([[IGNORE, IGNORE, IGNORE, 3, 4], [IGNORE, IGNORE, 2, 2, 0]])
    expected = torch.nn.functional.cross_entropy(logits[:, :-1][labels[:, 1:] != IGNORE],
                                                 labels[:, 1:][labels[:, 1:] != IGNORE])
    assert float(ka_loss(logits, labels, kl_weight=0.0).loss) == pytest.approx(float(expected), abs=1e-6)


def test_identical_views_give_zero_kl_and_mismatched_views_are_refused():
    logits = torch.randn(1, 4, 6)
    labels = torch.tensor([[IGNORE, IGNORE, 5, 1]])
    assert float(ka_loss(logits, labels, logits.clone(), labels).kl) == pytest.approx(0.0, abs=1e-6)
    with pytest.raises(ValueError, match="the views hold different answer tokens"):
        ka_loss(logits, labels, logits, torch.tensor([[IGNORE, IGNORE, IGNORE, 1]]))
