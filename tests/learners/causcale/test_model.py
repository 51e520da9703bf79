import numpy as np
import pytest

torch = pytest.importorskip("torch")

from cauarena.learners.causcale import CauScaleConfig  # noqa: E402
from cauarena.learners.causcale.data import sample_batch  # noqa: E402
from cauarena.learners.causcale.model import CauScale, edge_probabilities, pair_loss, reduce_samples  # noqa: E402

TINY = CauScaleConfig(dim=16, heads=2, ffn_dim=32, blocks=2, head_hidden=16, rows=16, sim_rows=64, steps=10,
                      batch_pairs=200, max_batch=4, curriculum=((1.0, 4, 6, ("linear",)),))


def _inputs(b=2, m=12, n=5, seed=0):
    g = torch.Generator().manual_seed(seed)
    prior = torch.randn(b, n, n, generator=g)
    return torch.randn(b, m, n, generator=g), (torch.rand(b, m, n, generator=g) < 0.2).float(), prior + prior.mT


@pytest.mark.parametrize("attention", ["tied", "untied"])
def test_shapes_and_probabilities(attention):
    model = CauScale(CauScaleConfig(**{**TINY.to_dict(), "attention": attention})).eval()
    logits = model(*_inputs())
    assert logits.shape == (2, 5, 5, 3)
    probs = edge_probabilities(logits)
    assert probs.shape == (2, 5, 5) and torch.all(probs.diagonal(dim1=1, dim2=2) == 0)
    assert torch.all((probs >= 0) & (probs + probs.mT <= 1 + 1e-6))  # i->j and j->i are exclusive classes


def test_permuting_the_variables_permutes_the_output():
    torch.manual_seed(0)
    model = CauScale(TINY).eval()
    data, mask, prior = _inputs(n=6)
    perm = torch.tensor([3, 0, 5, 1, 4, 2])
    with torch.no_grad():
        out = edge_probabilities(model(data, mask, prior))
        permuted = edge_probabilities(model(data[..., perm], mask[..., perm], prior[:, perm][:, :, perm]))
    torch.testing.assert_close(permuted, out[:, perm][:, :, perm], atol=1e-5, rtol=1e-4)


def test_reduction_halves_the_sample_axis():
    assert reduce_samples(torch.zeros(2, 9, 3, 4)).shape == (2, 4, 3, 4)


def test_a_tiny_model_overfits_a_fixed_small_batch():
    torch.manual_seed(0)
    model = CauScale(TINY)
    batch = sample_batch(TINY, 0, np.random.default_rng(0))
    tensors = [torch.from_numpy(a) for a in (batch.data, batch.mask, batch.prior, batch.adjacency)]
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    before = [p.detach().clone() for p in model.parameters()]
    first = None
    for _ in range(60):
        loss = pair_loss(model(*tensors[:3]), tensors[3])
        first = first if first is not None else float(loss.detach())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert float(loss.detach()) < 0.1 * first
    assert all(not torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
