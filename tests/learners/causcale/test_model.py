import dataclasses

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


PUBLISHED = CauScaleConfig(**{**TINY.to_dict(), "architecture": "published", "prior_source": "raw", "prior_clip": 0.0,
                              "interventional_prob": 1.0, "intervention_fraction": (1.0, 1.0)})


def test_published_architecture_shapes_equivariance_and_modules():
    torch.manual_seed(0)
    model = CauScale(PUBLISHED).eval()
    data, mask, prior = _inputs(n=6)
    perm = torch.tensor([3, 0, 5, 1, 4, 2])
    with torch.no_grad():
        out = edge_probabilities(model(data, mask, prior))
        permuted = edge_probabilities(model(data[..., perm], mask[..., perm], prior[:, perm][:, :, perm]))
    assert out.shape == (2, 6, 6)
    torch.testing.assert_close(permuted, out[:, perm][:, :, perm], atol=1e-5, rtol=1e-4)
    head = [type(m).__name__ for m in model.head.mlp]
    assert head == ["Linear", "GELU", "LayerNorm", "Linear"] and model.head.mlp[0].out_features == 2 * TINY.dim
    block = model.blocks[0]
    assert not block.graph_layer.row.scaled and block.data_layer.row.scaled  # unscaled graph-stream logits
    assert hasattr(block.to_graph, "axial")  # Data2Graph runs its own axial layer first
    assert sum(p.numel() for p in model.parameters()) != sum(p.numel() for p in CauScale(TINY).parameters())


def test_published_prior_is_raw_and_unclipped():
    from cauarena.learners.causcale.data import featurize

    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 3)) * np.array([100.0, 1.0, 0.01])  # scales far apart: a raw precision spans 1e-4..1e4
    _, _, raw = featurize(x, np.zeros(x.shape), PUBLISHED, np.random.default_rng(1), None)
    standardized = dataclasses.replace(TINY, prior_source="standardized", prior_clip=10.0)  # the first checkpoint's
    _, _, clipped = featurize(x, np.zeros(x.shape), standardized, np.random.default_rng(1), None)
    assert raw[2, 2] > 1000 and raw[0, 0] < 1e-3  # the precision of the raw data, no clip
    assert np.abs(clipped).max() <= 10 and abs(clipped[0, 0] - 1) < 0.2  # standardised, clipped to +-10
    _, _, default = featurize(x, np.zeros(x.shape), TINY, np.random.default_rng(1), None)
    np.testing.assert_allclose(default, featurize(x, np.zeros(x.shape), PUBLISHED, np.random.default_rng(1), None)[2])


def test_published_architecture_trains_on_all_node_interventions():
    """A few steps on the published data mix lower the loss on a fixed batch (the sign of the update is right)."""
    torch.manual_seed(0)
    config = CauScaleConfig(**{**PUBLISHED.to_dict(), "rows": PUBLISHED.sim_rows})  # the stream keeps every row
    model = CauScale(config)
    batch = sample_batch(config, 0, np.random.default_rng(0))
    assert (batch.mask.sum(axis=1) > 0).all()  # every node of every graph was intervened on
    tensors = [torch.from_numpy(a) for a in (batch.data, batch.mask, batch.prior, batch.adjacency)]
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    before = [p.detach().clone() for p in model.parameters()]
    losses = []
    for _ in range(40):
        loss = pair_loss(model(*tensors[:3]), tensors[3])
        losses.append(float(loss.detach()))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert losses[-1] < 0.5 * losses[0]
    assert all(not torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
