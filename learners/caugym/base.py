"""The starting model: a byte-level BPE and a small Llama trained from scratch, then a short cold-start SFT.

Reuses the ``tinylm`` learner's recipe (:func:`~cauarena.learners.tinylm.tokenizer.train_tokenizer`,
:func:`~cauarena.learners.tinylm.model.build_model`) rather than a second one.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from cauarena.learners.caugym import data
from cauarena.learners.caugym.base_config import BaseLMConfig
from cauarena.learners.caugym.common import save_result, set_threads, train_and_time
from cauarena.learners.caugym.sft import sft_trainer

SPLIT_PATTERN = r"\d"
"""Extra pre-token boundaries: every digit stands alone, so numbers are read and written digit by digit."""


def tinylm_config(config: BaseLMConfig) -> Any:
    """The ``TinyLMConfig`` carrying this config's model sizes (what ``tinylm``'s ``build_model`` reads)."""
    from dataclasses import replace

    from cauarena.learners.tinylm.tinylm_config import TinyLMConfig

    return replace(
        TinyLMConfig(), name="caugym", prompt="caugym", vocab_size=config.vocab_size, split_pattern=SPLIT_PATTERN,
        hidden_size=config.hidden_size, intermediate_size=config.intermediate_size, num_layers=config.num_layers,
        num_heads=config.num_heads, context_length=config.context_length, seed=config.seed,
    )


def build_tokenizer(config: BaseLMConfig) -> Any:
    """Train the BPE on prompts and replies of items disjoint from every training and test set."""
    from cauarena.learners.tinylm.tokenizer import train_tokenizer

    items = data.training_items(config.tokenizer_items_per_cell, difficulty=config.difficulty, names=config.names,
                                seed_start=config.seed_start + 500_000)
    return train_tokenizer(data.tokenizer_corpus(items), config.vocab_size, split_pattern=SPLIT_PATTERN)


def train(config: BaseLMConfig, out: Path, work_dir: Path, init: Path | None = None,
          progress: bool = True) -> dict[str, Any]:
    """Build the tokenizer and model, cold-start them with SFT, save to ``out``; returns the metrics.

    ``init`` is unused (the base model starts from scratch); it is accepted so every method has one signature.
    """
    from cauarena.learners.tinylm.model import build_model, count_parameters

    set_threads(config)
    start = time.perf_counter()
    tokenizer = build_tokenizer(config)
    model = build_model(tinylm_config(config), tokenizer)
    model.generation_config.max_new_tokens = 384
    items = data.training_items(config.items_per_cell, difficulty=config.difficulty, names=config.names,
                                seed_start=config.seed_start)
    trainer, budget = sft_trainer(config, model, tokenizer, data.sft_rows(items), work_dir, progress)
    stats = train_and_time(trainer, budget)
    metrics = {"data": {"items": len(items), "vocab_size": len(tokenizer)},
               "training": {"parameters": count_parameters(model), **stats},
               "total_wall_s": round(time.perf_counter() - start, 1)}
    save_result(trainer.model, tokenizer, config, out, metrics)
    return metrics
