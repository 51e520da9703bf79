"""The CauScale network in torch: a data stream [B, m, n, d] and a graph stream [B, n, n, d].

- **Embedding**: each cell's standardised value and intervention flag -> ``Linear(2, d)``; the graph stream
  starts from the precision-matrix prior, ``Linear(1, d)`` per entry.
- **Block** (:class:`DataGraphBlock`): a pre-LayerNorm axial layer on the data stream (attention along the
  variables, then along the samples, then an FFN); a data-to-graph unit (mean over samples, ``u, v``
  projections, the ``[n, n]`` map ``u v^T / sqrt(d)`` appended as a channel, ``Linear(d + 1, d)``); an axial
  layer on the graph stream.
- **Tied attention** (:class:`AxialAttention` with ``tied=True``): the QK^T logits of all rows of the other
  axis are summed into one map per head (MSA-Transformer), scaled by ``head_dim^-1/2 / sqrt(rows)``: memory
  O(h (n^2 + m^2)) instead of O(h (m n^2 + n m^2)) untied (AVICI-style).
- **Reduction unit** (:func:`reduce_samples`): a parameter-free mean of consecutive sample pairs.
- **Head** (:class:`PairHead`): per pair, ``[g_ij || g_ji]`` -> MLP -> 3 logits (none, i->j, j->i),
  symmetrised over the two orders so that permuting the variables permutes the output exactly.
- ``architecture="published"`` follows OpenCausaLab/CauScale's modules instead: Data2Graph runs an axial
  layer (FFN width d) then a pooling FFN per side (mean, Linear, GELU, LayerNorm, Linear), the map ``u v^T``
  unscaled, fused by a plain (non-residual) ``Linear(d + 1, d)``; the graph stream's attention logits are
  unscaled; the head is ``Linear(2d, 2d) -> GELU -> LayerNorm -> Linear(2d, 3)`` (still symmetrised).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from cauarena.learners.causcale.causcale_config import CauScaleConfig


class AxialAttention(nn.Module):
    """Multi-head attention along axis 2 of ``[B, R, C, d]``, for every index of axis 1.

    Args:
        dim: model width.
        heads: attention heads.
        dropout: on the attention weights.
        tied: one ``[C, C]`` map per head shared by all R rows (else one map per row).
    """

    def __init__(self, dim: int, heads: int, dropout: float, tied: bool, scaled: bool = True) -> None:
        super().__init__()
        self.heads, self.head_dim, self.tied, self.scaled = heads, dim // heads, tied, scaled
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, r, c, d = x.shape
        q, k, v = self.qkv(x).view(b, r, c, 3, self.heads, self.head_dim).unbind(dim=3)
        if self.tied:
            logits = torch.einsum("brihd,brjhd->bhij", q, k)
            if self.scaled:
                logits = logits * (self.head_dim**-0.5 / math.sqrt(r))
            attn = self.dropout(logits.softmax(dim=-1))
            out = torch.einsum("bhij,brjhd->brihd", attn, v)
        else:
            logits = torch.einsum("brihd,brjhd->brhij", q, k) * (self.head_dim**-0.5 if self.scaled else 1.0)
            attn = self.dropout(logits.softmax(dim=-1))
            out = torch.einsum("brhij,brjhd->brihd", attn, v)
        return self.out(out.reshape(b, r, c, d))


class AxialLayer(nn.Module):
    """Pre-LayerNorm axial layer on ``[B, R, C, d]``: attention along C, then along R, then an FFN."""

    def __init__(self, dim: int, heads: int, ffn_dim: int, dropout: float, tied: bool, scaled: bool = True) -> None:
        super().__init__()
        self.norm_row, self.norm_col, self.norm_ffn = nn.LayerNorm(dim), nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.row = AxialAttention(dim, heads, dropout, tied, scaled)
        self.col = AxialAttention(dim, heads, dropout, tied, scaled)
        self.ffn = nn.Sequential(nn.Linear(dim, ffn_dim), nn.GELU(), nn.Dropout(dropout), nn.Linear(ffn_dim, dim))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.dropout(self.row(self.norm_row(x)))
        x = x + self.dropout(self.col(self.norm_col(x).transpose(1, 2)).transpose(1, 2))
        return x + self.dropout(self.ffn(self.norm_ffn(x)))


class DataToGraph(nn.Module):
    """Pool the data stream over samples into ``u, v`` and add the map ``u v^T / sqrt(d)`` to the graph."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.norm_data, self.norm_graph = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.u, self.v = nn.Linear(dim, dim), nn.Linear(dim, dim)
        self.mix = nn.Linear(dim + 1, dim)

    def forward(self, x: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        pooled = self.norm_data(x.mean(dim=1))  # [B, n, d]
        summary = torch.einsum("bid,bjd->bij", self.u(pooled), self.v(pooled)) / math.sqrt(pooled.shape[-1])
        return g + self.mix(torch.cat([self.norm_graph(g), summary.unsqueeze(-1)], dim=-1))


def _pooling_ffn(dim: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(dim, dim), nn.GELU(), nn.LayerNorm(dim), nn.Linear(dim, dim))


class PublishedDataToGraph(nn.Module):
    """The published Data2Graph: axial layer, pooling FFNs ``u, v``, unscaled ``u v^T``, plain fusion."""

    def __init__(self, config: CauScaleConfig) -> None:
        super().__init__()
        dim = config.dim
        self.axial = AxialLayer(dim, config.heads, dim, config.dropout, config.attention == "tied")
        self.u, self.v = _pooling_ffn(dim), _pooling_ffn(dim)
        self.mix = nn.Linear(dim + 1, dim)

    def forward(self, x: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        pooled = self.axial(x).mean(dim=1)  # [B, n, d]
        summary = torch.einsum("bid,bjd->bij", self.u(pooled), self.v(pooled))
        return self.mix(torch.cat([g, summary.unsqueeze(-1)], dim=-1))


class DataGraphBlock(nn.Module):
    """Data axial layer -> data-to-graph summary -> graph axial layer."""

    def __init__(self, config: CauScaleConfig) -> None:
        super().__init__()
        tied = config.attention == "tied"
        args = (config.dim, config.heads, config.ffn_dim, config.dropout, tied)
        published = config.architecture == "published"
        self.data_layer = AxialLayer(*args)
        self.to_graph = PublishedDataToGraph(config) if published else DataToGraph(config.dim)
        self.graph_layer = AxialLayer(*args, scaled=not published)

    def forward(self, x: torch.Tensor, g: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = self.data_layer(x)
        return x, self.graph_layer(self.to_graph(x, g))


def reduce_samples(x: torch.Tensor) -> torch.Tensor:
    """Halve the sample axis (1) of ``[B, m, n, d]`` by averaging consecutive pairs (an odd last row is dropped).

    >>> reduce_samples(torch.arange(6.0).view(1, 3, 2, 1)).flatten().tolist()
    [1.0, 2.0]
    """
    b, m, n, d = x.shape
    if m < 2:
        return x
    return x[:, : m - m % 2].reshape(b, m // 2, 2, n, d).mean(dim=2)


class PairHead(nn.Module):
    """Three logits (none, i->j, j->i) per ordered pair, equal (with the two directions swapped) for (j, i)."""

    def __init__(self, dim: int, hidden: int, published: bool = False) -> None:
        super().__init__()
        self.norm = nn.Identity() if published else nn.LayerNorm(dim)
        if published:  # Linear(2d, 2d) -> GELU -> LayerNorm -> Linear(2d, 3)
            self.mlp = nn.Sequential(nn.Linear(2 * dim, 2 * dim), nn.GELU(), nn.LayerNorm(2 * dim),
                                     nn.Linear(2 * dim, 3))
        else:
            self.mlp = nn.Sequential(nn.Linear(2 * dim, hidden), nn.GELU(), nn.Linear(hidden, 3))

    def forward(self, g: torch.Tensor) -> torch.Tensor:
        g = self.norm(g)
        raw = self.mlp(torch.cat([g, g.transpose(1, 2)], dim=-1))  # [B, n, n, 3] from (g_ij, g_ji)
        flipped = raw.transpose(1, 2)  # the (j, i) reading: its class 1 is j->i, its class 2 is i->j
        return 0.5 * (raw + flipped[..., [0, 2, 1]])


class CauScale(nn.Module):
    """The network: ``(data, mask, prior) -> [B, n, n, 3]`` logits (none, i->j, j->i) for every ordered pair.

    Args:
        config: widths, depth, attention kind and reduction schedule.
    """

    def __init__(self, config: CauScaleConfig) -> None:
        super().__init__()
        self.config = config
        self.embed_data = nn.Linear(2, config.dim)
        self.embed_graph = nn.Linear(1, config.dim)
        self.blocks = nn.ModuleList(DataGraphBlock(config) for _ in range(config.blocks))
        self.head = PairHead(config.dim, config.head_hidden, published=config.architecture == "published")

    def forward(self, data: torch.Tensor, mask: torch.Tensor, prior: torch.Tensor) -> torch.Tensor:
        """Logits for every ordered pair.

        Args:
            data: ``[B, m, n]`` standardised samples.
            mask: ``[B, m, n]`` intervention flags (0/1).
            prior: ``[B, n, n]`` precision-matrix prior.

        Returns:
            ``[B, n, n, 3]``: entry ``[b, i, j]`` scores (no edge, i -> j, j -> i).
        """
        x = self.embed_data(torch.stack([data, mask.to(data.dtype)], dim=-1))
        g = self.embed_graph(prior.unsqueeze(-1))
        for index, block in enumerate(self.blocks):
            x, g = block(x, g)
            if self.config.reduces_after(index):
                x = reduce_samples(x)
        return self.head(g)


def edge_probabilities(logits: torch.Tensor) -> torch.Tensor:
    """``[B, n, n]`` probability of ``i -> j`` (softmax over the three classes; zero diagonal)."""
    probs = logits.softmax(dim=-1)[..., 1]
    return probs * (1 - torch.eye(probs.shape[-1], dtype=probs.dtype, device=probs.device))


def pair_targets(adjacency: torch.Tensor) -> torch.Tensor:
    """Class per ordered pair: 0 none, 1 ``i -> j``, 2 ``j -> i`` (the diagonal is 0).

    >>> pair_targets(torch.tensor([[[0, 1], [0, 0]]])).tolist()
    [[[0, 1], [2, 0]]]
    """
    a = (adjacency != 0).long()
    return a + 2 * a.transpose(-1, -2) * (1 - a)


def pair_loss(logits: torch.Tensor, adjacency: torch.Tensor) -> torch.Tensor:
    """Cross-entropy over the unordered pairs ``i < j`` (CauScale's loss)."""
    n = logits.shape[1]
    rows, cols = torch.triu_indices(n, n, offset=1, device=logits.device)
    targets = pair_targets(adjacency)[:, rows, cols]
    return nn.functional.cross_entropy(logits[:, rows, cols].reshape(-1, 3), targets.reshape(-1))
