"""``CauScaleConfig``: everything that rebuilds a CauScale network and its training run, validated when built.

Importing this module imports no model library (configs are checked in tests that must stay fast).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from cauarena.errors import ConfigError
from cauarena.learners.config_io import reject_unknown_keys

ARCHITECTURES = ("compact", "published")
"""``compact``: the shipped network; ``published``: OpenCausaLab/CauScale's Data2Graph, fusion, head, unscaled graph
attention (see :mod:`cauarena.learners.causcale.model`)."""
PRIOR_SOURCES = ("standardized", "raw")
"""Data the precision prior is estimated from: the standardised columns or the raw values (published, and shipped)."""
ATTENTION_KINDS = ("tied", "untied")
"""``tied``: one attention map per head shared across the other axis (CauScale); ``untied``: AVICI-style."""

TRAIN_MECHANISMS = ("linear", "nn_add", "nn")
"""In-distribution mechanisms the simulator offers for training (CauScale's ``linear``, ``nn_add``, ``nn``)."""


@dataclass(frozen=True)
class CauScaleConfig:
    """The network (published defaults in brackets) and how it is trained on fresh simulator batches.

    The defaults are the shipped ``default`` checkpoint's settings.

    Attributes:
        dim: stream width d [128].
        heads: attention heads [16].
        ffn_dim: feed-forward width [512].
        blocks: DataGraphBlocks [10].
        dropout: dropout in attention and FFN [0.1].
        attention: ``tied`` [CauScale] or ``untied`` (AVICI-style; a map per row, for the memory comparison).
        reduce_from: first block after which the reduction unit halves the sample axis [2].
        reduce_every: the unit runs after block ``b`` when ``b >= reduce_from`` and ``b % reduce_every == 0``
            [2]; never after the last block.
        prior_rows: rows the precision-matrix prior is estimated from [500].
        ledoit_wolf_from: from this many variables the prior uses Ledoit-Wolf shrinkage, else pinv [100].
        prior_clip: the prior's entries are clipped to +-this; 0 disables the clip [published: no clip].
        prior_source: ``standardized`` or ``raw`` [published] data for the prior.
        architecture: ``compact`` (shipped) or ``published`` (Data2Graph, fusion, head, graph-attention scaling).
        head_hidden: hidden width of the pairwise 3-class head.
        learning_rate: AdamW learning rate [1e-4].
        anneal_steps: the last this many steps (all of them in a shorter run) decay the learning rate along a
            cosine from ``learning_rate`` to ``min_learning_rate`` (0: constant throughout).
        min_learning_rate: the learning rate at the last step of the anneal.
        weight_decay: AdamW weight decay [1e-5].
        grad_clip: gradient-norm clip (0 disables).
        steps: optimiser steps.
        batch_pairs: graphs per batch are ``max(1, batch_pairs // n**2)`` (capped by ``max_batch``).
        max_batch: most graphs per batch.
        rows: rows the data stream reads per training graph (a random subset, in order, of ``sim_rows``);
            also the agent's default at inference. The prior reads up to ``prior_rows`` of all rows.
        sim_rows: rows simulated per training graph [1000].
        curriculum: ``(fraction of steps, n_min, n_max, mechanisms)`` stages; a stage runs until that
            fraction of the steps is done; mechanisms are drawn uniformly per graph (list one twice to weight it).
        degree_range: expected edges per node, drawn uniformly (capped at ``(n - 1) / 2``).
        graph_kinds: graph families drawn per graph (``er``, ``sf``).
        interventional_prob: probability that a graph gets interventional rows.
        intervention_fraction: ``(low, high)``: an interventional graph intervenes on a U(low, high) fraction of its
            nodes, one regime each [published: (1.0, 1.0), every node once plus the observational regime].
        validation_graphs: graphs per validation setting (linear ER and SF, n = ``validation_n``).
        validation_n: variables of the validation graphs.
        validate_every: steps between validations and checkpoints.
        seed: seeds the initial weights and every training graph.
    """

    dim: int = 32
    heads: int = 4
    ffn_dim: int = 64
    blocks: int = 4
    dropout: float = 0.0
    attention: str = "tied"
    reduce_from: int = 1
    reduce_every: int = 1
    prior_rows: int = 500
    ledoit_wolf_from: int = 100
    prior_clip: float = 0.0
    prior_source: str = "raw"
    architecture: str = "compact"
    head_hidden: int = 64
    learning_rate: float = 1e-3
    anneal_steps: int = 3000
    min_learning_rate: float = 1e-5
    weight_decay: float = 1e-5
    grad_clip: float = 1.0
    steps: int = 33000
    batch_pairs: int = 2400
    max_batch: int = 16
    rows: int = 64
    sim_rows: int = 1000
    # Stage ends at steps 4,000 / 9,600 / 16,000 / 22,000 / 28,000 / 33,000 (each fraction written just below its
    # step's exact fraction: the shipped run trained to 16,000 on the first three stages, then resumed three times);
    # the last stage draws n from 5 to 200 so that the small graphs the later stages skip are not forgotten, and
    # its last 3,000 steps anneal the learning rate.
    curriculum: tuple[tuple[float, int, int, tuple[str, ...]], ...] = (
        (0.1212121, 5, 15, ("linear",)),
        (0.290909, 10, 30, ("linear", "nn_add")),
        (0.4848484, 10, 50, ("linear", "linear", "nn_add", "nn")),
        (0.6666666, 20, 100, ("linear", "linear", "nn_add", "nn")),
        (0.8484848, 50, 150, ("linear", "linear", "nn_add", "nn")),
        (1.0, 5, 200, ("linear", "linear", "nn_add", "nn")),
    )
    degree_range: tuple[float, float] = (1.0, 4.0)
    graph_kinds: tuple[str, ...] = ("er", "sf")
    interventional_prob: float = 1.0
    intervention_fraction: tuple[float, float] = (1.0, 1.0)
    validation_graphs: int = 8
    validation_n: int = 20
    validate_every: int = 500
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("dim", "heads", "ffn_dim", "blocks", "head_hidden", "steps", "batch_pairs", "max_batch",
                     "validate_every", "reduce_every"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{name} must be a positive int; got {value!r}.")
        if self.dim % self.heads:
            raise ConfigError(f"dim ({self.dim}) must be divisible by heads ({self.heads}); e.g. dim=32, heads=4.")
        if self.attention not in ATTENTION_KINDS:
            raise ConfigError(f"attention must be one of {', '.join(ATTENTION_KINDS)}; got {self.attention!r}.")
        if not 0.0 <= self.dropout < 1.0:
            raise ConfigError(f"dropout must be in [0, 1); got {self.dropout!r}.")
        if self.reduce_from < 0:
            raise ConfigError(f"reduce_from must be >= 0; got {self.reduce_from!r}.")
        if min(self.rows, self.prior_rows, self.sim_rows) < 8:
            raise ConfigError(f"rows, sim_rows and prior_rows must be >= 8; got {self.rows!r}, {self.sim_rows!r} "
                              f"and {self.prior_rows!r}.")
        if self.learning_rate <= 0 or self.weight_decay < 0 or self.grad_clip < 0 or self.prior_clip < 0:
            raise ConfigError("learning_rate must be > 0, weight_decay, grad_clip and prior_clip >= 0 (0: no clip).")
        if isinstance(self.anneal_steps, bool) or not isinstance(self.anneal_steps, int) or self.anneal_steps < 0 \
                or not 0 < self.min_learning_rate <= self.learning_rate:
            raise ConfigError(f"anneal_steps must be an int >= 0 and 0 < min_learning_rate <= learning_rate; "
                              f"got {self.anneal_steps!r}, {self.min_learning_rate!r}.")
        if self.architecture not in ARCHITECTURES:
            raise ConfigError(f"architecture must be one of {', '.join(ARCHITECTURES)}; got {self.architecture!r}.")
        if self.prior_source not in PRIOR_SOURCES:
            raise ConfigError(f"prior_source must be one of {', '.join(PRIOR_SOURCES)}; got {self.prior_source!r}.")
        if not 0.0 <= self.interventional_prob <= 1.0:
            raise ConfigError(f"interventional_prob must be in [0, 1]; got {self.interventional_prob!r}.")
        f_low, f_high = self.intervention_fraction
        if not 0 < f_low <= f_high <= 1:
            raise ConfigError(f"intervention_fraction must be (low, high) with 0 < low <= high <= 1; "
                              f"got {self.intervention_fraction!r}.")
        low, high = self.degree_range
        if not 0 < low <= high:
            raise ConfigError(f"degree_range must be (low, high) with 0 < low <= high; got {self.degree_range!r}.")
        if not self.graph_kinds or not set(self.graph_kinds) <= {"er", "sf"}:
            raise ConfigError(f"graph_kinds must be a non-empty subset of ('er', 'sf'); got {self.graph_kinds!r}.")
        if self.validation_n < 3 or self.validation_graphs < 1:
            raise ConfigError("validation_n must be >= 3 and validation_graphs >= 1.")
        self._check_curriculum()

    def _check_curriculum(self) -> None:
        if not self.curriculum:
            raise ConfigError("curriculum needs at least one (fraction, n_min, n_max, mechanisms) stage.")
        last = 0.0
        for stage in self.curriculum:
            if len(stage) != 4:
                raise ConfigError(f"a curriculum stage is (fraction, n_min, n_max, mechanisms); got {stage!r}.")
            fraction, n_min, n_max, mechanisms = stage
            if not last < fraction <= 1.0:
                raise ConfigError(f"curriculum fractions must increase within (0, 1]; got {fraction!r} after {last}.")
            if not 3 <= n_min <= n_max:
                raise ConfigError(f"a stage needs 3 <= n_min <= n_max; got {n_min!r}, {n_max!r}.")
            if not mechanisms or not set(mechanisms) <= set(TRAIN_MECHANISMS):
                raise ConfigError(f"stage mechanisms must be a non-empty subset of {TRAIN_MECHANISMS}; "
                                  f"got {mechanisms!r}.")
            last = fraction
        if last != 1.0:
            raise ConfigError(f"the last curriculum stage must end at fraction 1.0; got {last}.")

    def stage(self, step: int) -> tuple[int, int, tuple[str, ...]]:
        """``(n_min, n_max, mechanisms)`` of the curriculum stage that ``step`` (0-based) falls in.

        >>> CauScaleConfig(steps=10).stage(0), CauScaleConfig(steps=10).stage(8)[:2]
        ((5, 15, ('linear',)), (50, 150))
        """
        done = step / self.steps
        for fraction, n_min, n_max, mechanisms in self.curriculum:
            if done < fraction:
                return int(n_min), int(n_max), tuple(mechanisms)
        _, n_min, n_max, mechanisms = self.curriculum[-1]
        return int(n_min), int(n_max), tuple(mechanisms)

    def reduces_after(self, block: int) -> bool:
        """Whether the reduction unit halves the sample axis after ``block`` (0-based).

        >>> [CauScaleConfig(blocks=10, reduce_from=2, reduce_every=2).reduces_after(b) for b in range(10)].count(True)
        4
        """
        return block < self.blocks - 1 and block >= self.reduce_from and block % self.reduce_every == 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (tuples become lists)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CauScaleConfig:
        """Build from :meth:`to_dict` output (lists back to tuples); unknown keys raise ConfigError."""
        reject_unknown_keys(cls, data)
        data = dict(data)
        if "curriculum" in data:
            data["curriculum"] = tuple((float(f), int(a), int(b), tuple(m)) for f, a, b, m in data["curriculum"])
        for key in ("degree_range", "graph_kinds", "intervention_fraction"):
            if key in data:
                data[key] = tuple(data[key])
        return cls(**data)
