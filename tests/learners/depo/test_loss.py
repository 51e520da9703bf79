import math

import pytest
import torch

from cauarena.learners.depo.loss import depo_loss, depo_losses, efficiency_bonus, kl_estimate


def kto_reference(policy, reference, labels, kl, beta, wd=1.0, wu=1.0):
    """TRL KTOTrainer's loss, as written there: chosen then rejected losses, concatenated, nanmean."""
    logratios = policy - reference
    chosen = 1 - torch.sigmoid(beta * (logratios[labels] - kl))
    rejected = 1 - torch.sigmoid(beta * (kl - logratios[~labels]))
    return torch.cat((wd * chosen, wu * rejected)), torch.cat((wd * chosen, wu * rejected)).nanmean()


@pytest.fixture
def batch():
    gen = torch.Generator().manual_seed(0)
    policy, reference = -torch.rand(8, generator=gen) * 20, -torch.rand(8, generator=gen) * 20
    labels = torch.tensor([True, False, True, True, False, False, True, False])
    kl = kl_estimate(-torch.rand(8, generator=gen) * 5, -torch.rand(8, generator=gen) * 5)
    return policy, reference, labels, kl


def test_bonus_zero_is_kto_exactly(batch):
    policy, reference, labels, kl = batch
    expected_rows, expected = kto_reference(policy, reference, labels, kl, 0.2, 1.0, 1.3)
    for bonus in (None, torch.zeros(8)):
        rows = depo_losses(policy, reference, labels, kl, beta=0.2, bonus=bonus, undesirable_weight=1.3)
        assert torch.equal(torch.cat((rows[labels], rows[~labels])), expected_rows)
        mean = depo_loss(policy, reference, labels, kl, beta=0.2, bonus=bonus, undesirable_weight=1.3)
        torch.testing.assert_close(mean, expected, rtol=1e-7, atol=0)


def test_bonus_moves_only_desirable_terms(batch):
    policy, reference, labels, kl = batch
    base = depo_losses(policy, reference, labels, kl, beta=0.2)
    bonus = torch.linspace(0.5, 2.0, 8)
    shifted = depo_losses(policy, reference, labels, kl, beta=0.2, bonus=bonus)
    assert torch.equal(shifted[~labels], base[~labels])  # undesirable rows never get a bonus
    assert torch.all(shifted[labels] < base[labels])  # a bonus lowers every desirable loss
    expected = 1 - torch.sigmoid(0.2 * (policy - reference + bonus - kl))
    torch.testing.assert_close(shifted[labels], expected[labels])


def test_loss_is_monotone_in_tokens_and_steps(batch):
    policy, reference, labels, kl = batch

    def loss_of(tokens, steps):
        bonus = torch.full((8,), efficiency_bonus(tokens, steps, 3.0, 3.0))
        return depo_loss(policy, reference, labels, kl, beta=0.2, bonus=bonus).item()

    by_tokens = [loss_of(t, 5) for t in (1, 2, 5, 10, 50, 200)]
    by_steps = [loss_of(10, s) for s in (1, 2, 4, 8, 16, 64)]
    assert by_tokens == sorted(by_tokens) and len(set(by_tokens)) == len(by_tokens)
    assert by_steps == sorted(by_steps) and len(set(by_steps)) == len(by_steps)


def test_bonus_formula_and_validation():
    assert efficiency_bonus(4.0, 2, 2.0, 3.0) == pytest.approx(2.0)
    expected = 2 / math.log1p(4.0) + 3 / math.log1p(2.0)
    assert efficiency_bonus(4.0, 2, 2.0, 3.0, scale="log") == pytest.approx(expected)
    for args, match in (((0.0, 3), "tokens_per_step"), ((3.0, 0), "steps >= 1")):
        with pytest.raises(ValueError, match=match):
            efficiency_bonus(*args, 1.0, 1.0)
    with pytest.raises(ValueError, match="alpha"):
        efficiency_bonus(3.0, 3, -1.0, 1.0)
    with pytest.raises(ValueError, match="scale"):
        efficiency_bonus(3.0, 3, 1.0, 1.0, scale="sqrt")


def test_kl_estimate_is_clamped_and_detached():
    policy = torch.tensor([-1.0, -2.0], requires_grad=True)
    assert kl_estimate(policy, torch.tensor([0.0, 0.0])).item() == 0.0
    kl = kl_estimate(policy, torch.tensor([-3.0, -3.0]))
    assert kl.item() == pytest.approx(1.5) and not kl.requires_grad
