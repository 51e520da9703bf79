"""``KALETrainer``: TRL's ``SFTTrainer`` whose loss is KALE's knowledge-aware loss.

TRL's ``SFTTrainer`` runs the loop (optimiser, schedule, logging, saving); :meth:`KALETrainer.compute_loss`, the
one method that sees both the batch and the loss, replaces SFT's loss with
:func:`~cauarena.learners.kale.loss.ka_loss`: the answer cross-entropy of the plain view, plus ``kl_weight``
times KL(p || q) against the rationale view run without gradient. Rows arrive tokenised (``skip_prepare_dataset``)
with ``rationale_*`` columns, batched by :class:`KALECollator`. ``kl_weight = 0`` is SFT on the answer tokens.

Trainer modules import torch, transformers and TRL inside functions; the classes are built on first use.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from cauarena.learners.kale.loss import IGNORE, ka_loss

VIEW = "rationale_"
"""Prefix of the rationale view's columns."""


@cache
def _classes() -> tuple[type, type]:
    import torch
    from trl import SFTTrainer

    class KALECollator:
        """Right-pads ``input_ids``/``labels`` (and the ``rationale_`` view when present) into tensors."""

        def __init__(self, pad_id: int) -> None:
            self.pad_id = pad_id

        def _pad(self, rows: list[list[int]], value: int) -> Any:
            width = max(len(r) for r in rows)
            return torch.tensor([r + [value] * (width - len(r)) for r in rows], dtype=torch.long)

        def __call__(self, examples: list[dict[str, Any]]) -> dict[str, Any]:
            batch = {}
            for prefix in ("", VIEW) if f"{VIEW}input_ids" in examples[0] else ("",):
                ids = [e[f"{prefix}input_ids"] for e in examples]
                batch[f"{prefix}input_ids"] = self._pad(ids, self.pad_id)
                batch[f"{prefix}labels"] = self._pad([e[f"{prefix}labels"] for e in examples], IGNORE)
                batch[f"{prefix}attention_mask"] = self._pad([[1] * len(i) for i in ids], 0)
            return batch

    class KALETrainer(SFTTrainer):
        """SFT's loop with the KA loss (see the module docstring)."""

        def __init__(self, *args: Any, kl_weight: float = 1.0, ce_weight: float = 1.0, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.kl_weight, self.ce_weight = kl_weight, ce_weight
            self.parts: list[tuple[float, float]] = []
            """``(ce, kl)`` of every training step, for the report."""

        def compute_loss(self, model: Any, inputs: dict[str, Any], return_outputs: bool = False,
                         num_items_in_batch: Any = None) -> Any:
            plain = model(input_ids=inputs["input_ids"], attention_mask=inputs["attention_mask"])
            teacher = None
            if self.kl_weight and f"{VIEW}input_ids" in inputs:
                with torch.no_grad():
                    teacher = model(input_ids=inputs[f"{VIEW}input_ids"],
                                    attention_mask=inputs[f"{VIEW}attention_mask"]).logits
            parts = ka_loss(plain.logits, inputs["labels"], teacher, inputs.get(f"{VIEW}labels"),
                            kl_weight=self.kl_weight, ce_weight=self.ce_weight)
            if model.training:
                self.parts.append((float(parts.ce), float(parts.kl)))
            return (parts.loss, plain) if return_outputs else parts.loss

    return KALECollator, KALETrainer


def make_trainer(model: Any, tokenizer: Any, rows: list[dict[str, Any]], *, out_dir: str, steps: int,
                 batch_size: int, learning_rate: float, kl_weight: float, ce_weight: float = 1.0,
                 seed: int = 0) -> Any:
    """A :class:`KALETrainer` over tokenised ``rows`` (CPU, no saving, no reports)."""
    from datasets import Dataset
    from trl import SFTConfig

    collator_class, trainer_class = _classes()
    args = SFTConfig(
        output_dir=out_dir, max_steps=steps, per_device_train_batch_size=batch_size, learning_rate=learning_rate,
        lr_scheduler_type="constant_with_warmup", warmup_steps=min(20, steps // 10), logging_steps=max(steps, 1),
        save_strategy="no", report_to=[], seed=seed, data_seed=seed, use_cpu=True, disable_tqdm=True,
        remove_unused_columns=False, dataset_kwargs={"skip_prepare_dataset": True}, weight_decay=0.0,
    )
    return trainer_class(model=model, args=args, train_dataset=Dataset.from_list(rows), processing_class=tokenizer,
                         data_collator=collator_class(tokenizer.pad_token_id), kl_weight=kl_weight,
                         ce_weight=ce_weight)


__all__ = ["VIEW", "make_trainer"]
