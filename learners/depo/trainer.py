"""``DEPOTrainer``: TRL's ``KTOTrainer`` with DEPO's efficiency bonus added to the desirable log-ratios.

Where the bonus goes: ``KTOTrainer._compute_loss`` forms the chosen log-ratio inline, as
``chosen_logps - ref_chosen_logps`` with ``ref_chosen_logps = batch["ref_logps"][chosen]`` when the reference
log-probabilities are precomputed. So :meth:`DEPOTrainer._compute_loss`, the narrowest method that sees both the
batch and the loss, subtracts ``bonus`` from ``ref_logps`` on desirable rows and calls TRL's own loss: the chosen
log-ratio grows by exactly ``bonus``, undesirable rows and the KL estimate (``ref_KL_logps``) are untouched. The
bonus arrives as a dataset column: kept by :meth:`_set_signature_columns_if_needed`, batched by
:class:`DEPOCollator`. ``bonus = 0`` (the KTO stage) is TRL's KTO unchanged.

Trainer modules import torch, transformers and TRL inside functions; the classes are built on first use.
"""

from __future__ import annotations

import json
import random
import time
from functools import cache
from pathlib import Path
from typing import Any

from cauarena.errors import ConfigError
from cauarena.learners.callbacks import time_budget_callback
from cauarena.learners.depo.depo_config import DEPOConfig

BONUS = "bonus"
"""The dataset column carrying each row's efficiency bonus."""


@cache
def _classes() -> tuple[type, type]:
    import torch
    from trl import KTOTrainer
    from trl.trainer.kto_trainer import DataCollatorForUnpairedPreference

    class DEPOCollator(DataCollatorForUnpairedPreference):
        """TRL's unpaired-preference collator, plus a float ``bonus`` tensor when the rows carry one."""

        def torch_call(self, examples: list[dict[str, Any]]) -> dict[str, Any]:
            output = super().torch_call(examples)
            if BONUS in examples[0]:
                output[BONUS] = torch.tensor([float(example[BONUS]) for example in examples], dtype=torch.float32)
            return output

    class DEPOTrainer(KTOTrainer):
        """KTO whose desirable log-ratios get each row's ``bonus`` (see the module docstring)."""

        def _set_signature_columns_if_needed(self) -> None:
            super()._set_signature_columns_if_needed()
            if BONUS not in self._signature_columns:
                self._signature_columns = [*self._signature_columns, BONUS]

        def _compute_loss(self, model: Any, inputs: dict[str, Any], return_outputs: bool) -> Any:
            inputs = dict(inputs)
            bonus = inputs.pop(BONUS, None)
            if bonus is not None:
                if "ref_logps" not in inputs:
                    raise ConfigError(
                        "DEPOTrainer adds the bonus through the precomputed reference log-probs. Fix: set "
                        "precompute_ref_log_probs=True (depo_arguments does)."
                    )
                desirable = inputs["label"].to(torch.bool)
                shift = torch.where(desirable, bonus.to(inputs["ref_logps"].dtype), 0.0)
                inputs["ref_logps"] = inputs["ref_logps"] - shift.to(inputs["ref_logps"].device)
            return super()._compute_loss(model, inputs, return_outputs)

    return DEPOCollator, DEPOTrainer


def depo_collator_class() -> type:
    """:class:`DEPOCollator` (TRL's ``DataCollatorForUnpairedPreference`` carrying ``bonus``)."""
    return _classes()[0]


def depo_trainer_class() -> type:
    """:class:`DEPOTrainer` (a ``KTOTrainer`` subclass)."""
    return _classes()[1]


def depo_arguments(config: DEPOConfig, work_dir: Path, progress: bool = False, logging_steps: int = 25) -> Any:
    """TRL ``KTOConfig`` (CPU unless ``config.device`` is ``cuda``; float32), reference log-probs precomputed."""
    from trl import KTOConfig

    return KTOConfig(
        output_dir=str(work_dir),
        num_train_epochs=config.epochs,
        per_device_train_batch_size=config.batch_size,
        learning_rate=config.learning_rate,
        lr_scheduler_type="cosine",
        warmup_steps=config.warmup_ratio,
        weight_decay=config.weight_decay,
        max_grad_norm=1.0,
        max_length=config.max_length,
        beta=config.beta,
        desirable_weight=config.desirable_weight,
        undesirable_weight=config.undesirable_weight,
        precompute_ref_log_probs=True,
        logging_steps=logging_steps,
        save_strategy="no",
        seed=config.seed,
        data_seed=config.seed,
        bf16=False,
        use_cpu=config.device == "cpu",
        report_to="none",
        disable_tqdm=not progress,
        dataloader_num_workers=0,
    )


def make_trainer(config: DEPOConfig, model: Any, tokenizer: Any, rows: list[dict[str, Any]], work_dir: Path,
                 progress: bool = False, callbacks: list[Any] | None = None) -> Any:
    """A :class:`DEPOTrainer` on ``rows`` (``prompt``, ``completion``, ``label``, ``bonus``), shuffled by seed.

    TRL reads KTO data in order (each row's KL completion is its batch neighbour's), so the rows are shuffled
    here, once, so that batches mix trajectories and labels.
    """
    import datasets

    if not rows or not any(r["label"] for r in rows) or all(r["label"] for r in rows):
        raise ConfigError("DEPO needs both desirable and undesirable rows. Fix: more or more varied roll-outs.")
    if not progress:
        datasets.disable_progress_bars()
    shuffled = list(rows)
    random.Random(config.seed).shuffle(shuffled)
    collator = depo_collator_class()(pad_token_id=tokenizer.pad_token_id, max_length=config.max_length)
    return depo_trainer_class()(
        model=model,
        args=depo_arguments(config, work_dir, progress),
        train_dataset=datasets.Dataset.from_list(shuffled),
        processing_class=tokenizer,
        data_collator=collator,
        callbacks=callbacks,
    )


def load_policy(path: Path) -> tuple[Any, Any]:
    """The model (float32, train mode) and tokenizer saved in ``path``.

    Raises:
        ConfigError: ``path`` holds no checkpoint.
    """
    from transformers import AutoModelForCausalLM

    from cauarena.learners.tinylm.tokenizer import load_tokenizer

    if not (path / "config.json").is_file():
        raise ConfigError(f"{path} holds no checkpoint (no config.json). Fix: run the BC stage first.")
    model = AutoModelForCausalLM.from_pretrained(str(path), local_files_only=True, dtype="float32")
    model.config.use_cache = False
    return model.train(), load_tokenizer(path)


def save_policy(model: Any, tokenizer: Any, out: Path, dtype: str = "float32") -> None:
    """Write ``model`` (in ``dtype``) and ``tokenizer`` to ``out``, as the ``hf/`` and ``tiny/`` backends read."""
    import torch

    from cauarena.learners.tinylm.tokenizer import save_tokenizer

    out.mkdir(parents=True, exist_ok=True)
    model = model.to(getattr(torch, dtype))
    model.config.use_cache = True
    model.save_pretrained(str(out))
    save_tokenizer(tokenizer, out)


def train(config: DEPOConfig, init: Path, rows: list[dict[str, Any]], out: Path, work_dir: Path,
          progress: bool = False, save_dtype: str = "float32") -> dict[str, Any]:
    """Fine-tune the checkpoint in ``init`` with DEPO (KTO when the alphas are 0); save to ``out``."""
    import torch

    torch.set_num_threads(config.threads)
    start = time.perf_counter()
    model, tokenizer = load_policy(init)
    budget = time_budget_callback(config.time_budget_s)
    trainer = make_trainer(config, model, tokenizer, rows, work_dir, progress, [budget])
    result = trainer.train()
    losses = [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]
    stats = {
        "rows": len(rows),
        "desirable_rows": sum(bool(r["label"]) for r in rows),
        "optimizer_steps": trainer.state.global_step,
        "train_loss": round(float(result.training_loss), 4),
        "first_loss": round(float(losses[0]), 4) if losses else None,
        "final_loss": round(float(losses[-1]), 4) if losses else None,
        "train_s": round(time.perf_counter() - start, 1),
        "stopped_by_time_budget": bool(getattr(budget, "hit", False)),
    }
    save_policy(trainer.model, tokenizer, out, save_dtype)
    (out / "metrics.json").write_text(json.dumps({"config": config.to_dict(), "training": stats}, indent=2) + "\n")
    return stats
