"""``CauGymTrainConfig``: the fields every CauGym post-training recipe shares, validated when constructed.

Each method's config (``base_config``, ``sft_config``, ``dpo_config``, ``kto_config``, ``grpo_config``)
subclasses it and adds its own fields. Importing this module imports no model library.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from cauarena.errors import ConfigError
from cauarena.learners.config_io import reject_unknown_keys

METHODS = ("base", "sft", "dpo", "kto", "grpo")
"""``base`` builds the tiny LM from scratch (tokenizer, model, cold-start SFT); the others post-train it."""


@dataclass(frozen=True)
class CauGymTrainConfig:
    """Data and optimisation settings of a CauGym recipe.

    Attributes:
        items_per_cell: training items per (task, variant): 42 cells, so 10 gives 420 items.
        difficulty: node count of the training items (3-9, ``basic``, ``hard`` or None).
        names: name mode of the training items (None mixes the three).
        seed_start: first training seed (see :data:`~cauarena.learners.caugym.data.TRAIN_SEED_START`).
        epochs: passes over the training rows (online methods: see their ``max_steps``).
        batch_size: rows per optimisation step.
        learning_rate: AdamW peak learning rate (linear warm-up, cosine decay).
        warmup_ratio: fraction of the steps spent warming up.
        weight_decay: AdamW weight decay.
        max_length: truncation length of prompt + completion, in tokens.
        time_budget_s: training stops (and saves) after this many seconds; 0 disables it.
        threads: torch CPU threads (1: on a shared 2-core machine two threads ran slower).
        logging_steps: how often the trainer logs the loss.
        seed: seeds data order, negatives and initialisation.
    """

    items_per_cell: int = 10
    difficulty: int | str | None = "basic"
    names: str | None = None
    seed_start: int = 1_000_000
    epochs: float = 1.0
    batch_size: int = 8
    learning_rate: float = 5e-4
    warmup_ratio: float = 0.05
    weight_decay: float = 0.0
    max_length: int = 1024
    time_budget_s: float = 600.0
    threads: int = 1
    logging_steps: int = 10
    seed: int = 0

    method = "?"

    def __post_init__(self) -> None:
        self._check_common()

    def _check_common(self) -> None:
        from cauarena.envs.caugym.generate import node_range

        node_range(self.difficulty)  # raises ConfigError with the accepted values
        if self.names not in (None, "real", "invented", "symbols"):
            raise ConfigError(f"names must be None, 'real', 'invented' or 'symbols'; got {self.names!r}.")
        for key in ("items_per_cell", "batch_size", "max_length", "threads", "logging_steps"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{key} must be an int >= 1; got {value!r}.")
        if self.seed_start < 100_000:
            raise ConfigError(
                f"seed_start {self.seed_start} overlaps the test seeds (1000-99,999 are the benchmark's and the "
                "caugym suite's). Fix: seed_start >= 100000."
            )
        if self.epochs <= 0 or not 0 < self.learning_rate < 1:
            raise ConfigError(
                f"epochs > 0 and 0 < learning_rate < 1 are needed; got {self.epochs}, {self.learning_rate}."
            )
        if not 0 <= self.warmup_ratio < 1 or self.weight_decay < 0 or self.time_budget_s < 0:
            raise ConfigError(
                "warmup_ratio in [0, 1), weight_decay >= 0 and time_budget_s >= 0 are needed; got "
                f"{self.warmup_ratio}, {self.weight_decay}, {self.time_budget_s}."
            )

    def to_dict(self) -> dict[str, Any]:
        """The config as JSON-safe data, with its ``method``."""
        return {"method": self.method, **asdict(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CauGymTrainConfig:
        """Rebuild from :meth:`to_dict` output (``method`` ignored); unknown keys raise :class:`ConfigError`."""
        data = {k: v for k, v in data.items() if k != "method"}
        reject_unknown_keys(cls, data)
        return cls(**data)
