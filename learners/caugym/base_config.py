"""``BaseLMConfig``: the tiny LM built from scratch for CauGym (tokenizer, Llama, cold-start SFT).

The "before" model of every post-training method: a byte-level BPE and a small Llama (the ``tinylm`` recipe)
fine-tuned briefly on a few solved items so that it answers in the expected format (the published CauGym
also cold-starts its online-RL runs with SFT). Post-training methods start from this checkpoint.
"""

from __future__ import annotations

from dataclasses import dataclass

from cauarena.errors import ConfigError
from cauarena.learners.caugym.common_config import CauGymTrainConfig


@dataclass(frozen=True)
class BaseLMConfig(CauGymTrainConfig):
    """Model, tokenizer and cold-start settings.

    Attributes:
        tokenizer_items_per_cell: items per (task, variant) whose text trains the tokenizer.
        vocab_size: byte-level BPE vocabulary size (an upper bound).
        hidden_size: model width.
        intermediate_size: MLP width.
        num_layers: transformer blocks.
        num_heads: attention heads (``hidden_size`` must split into heads of an even size, for RoPE).
        context_length: ``max_position_embeddings``; prompts plus replies must fit.
    """

    items_per_cell: int = 8
    epochs: float = 5.0
    learning_rate: float = 2e-3
    seed_start: int = 2_000_000
    max_length: int = 1024
    tokenizer_items_per_cell: int = 20
    vocab_size: int = 2048
    hidden_size: int = 128
    intermediate_size: int = 384
    num_layers: int = 4
    num_heads: int = 4
    context_length: int = 1536

    method = "base"

    def __post_init__(self) -> None:
        super().__post_init__()
        sizes = ("tokenizer_items_per_cell", "vocab_size", "hidden_size", "intermediate_size", "num_layers",
                 "num_heads", "context_length")
        for key in sizes:
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{key} must be an int >= 1; got {value!r}.")
        if self.vocab_size < 300:
            raise ConfigError(f"vocab_size must be >= 300 (bytes, special tokens, merges); got {self.vocab_size}.")
        if self.hidden_size % self.num_heads or (self.hidden_size // self.num_heads) % 2:
            raise ConfigError(
                f"hidden_size {self.hidden_size} must split into {self.num_heads} heads of an even size (RoPE)."
            )
        if self.max_length > self.context_length:
            raise ConfigError(
                f"max_length {self.max_length} exceeds context_length {self.context_length}. Fix: raise "
                "context_length or lower max_length."
            )
