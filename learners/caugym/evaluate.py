"""Evaluate a trained model on held-out CauGym items: batched greedy replies, scored by the env's scorer.

The prompt is exactly what a ``ChatAgent`` on a ``caugym`` env sends (same template, same chat template), and
the score is the env's (:func:`~cauarena.envs.caugym.scorer.score_reply`), so the numbers match
``cauarena run --suite caugym --agent hf/<dir>``; batching only makes it faster on a CPU.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cauarena.envs.caugym import TASKS, VARIANTS, CauGymItem, generate_item, gold_of, score_reply
from cauarena.learners.caugym.data import prompt_messages

TEST_SEED_START = 1000
"""Test items use seeds 1000-99,999 (training uses 1,000,000 and up)."""


def test_items(per_cell: int, difficulty: int | str | None = "basic", seed_start: int = TEST_SEED_START,
               tasks: Sequence[str] = TASKS, variants: Sequence[str] = VARIANTS) -> list[CauGymItem]:
    """``per_cell`` held-out items per (task, variant)."""
    return [generate_item(seed_start + k, task, variant, difficulty)
            for task in tasks for variant in variants for k in range(per_cell)]


def generate_replies(model_dir: str | Path, items: Sequence[CauGymItem], batch_size: int = 16,
                     max_new_tokens: int = 384, threads: int = 1) -> list[str]:
    """Greedy replies of the checkpoint in ``model_dir`` to ``items`` (left-padded batches, shortest first)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.set_num_threads(threads)
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
    tokenizer.padding_side = "left"
    model = AutoModelForCausalLM.from_pretrained(str(model_dir), local_files_only=True).eval()
    prompts = [tokenizer.apply_chat_template(prompt_messages(i), add_generation_prompt=True, tokenize=False)
               for i in items]
    order = sorted(range(len(prompts)), key=lambda k: len(prompts[k]))
    replies: list[str] = [""] * len(prompts)
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        enc = tokenizer([prompts[k] for k in batch], add_special_tokens=False, return_tensors="pt", padding=True)
        with torch.inference_mode():
            out = model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=False,
                                 pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id)
        for row, k in enumerate(batch):
            replies[k] = tokenizer.decode(out[row, enc["input_ids"].shape[1] :], skip_special_tokens=True).strip()
    return replies


def score_items(items: Sequence[CauGymItem], replies: Sequence[str]) -> list[dict[str, Any]]:
    """One record per item: task, variant, seed and the scorer's verdicts (floats; NaN where not defined)."""
    nan = float("nan")
    records = []
    for item, reply in zip(items, replies, strict=True):
        gold = gold_of(item)
        score = score_reply(reply, gold)
        records.append({
            "task": item.Type, "variant": item.variant, "seed": item.meta.get("seed"),
            "success": float(score.success), "answered": float(score.answered),
            "prob_correct": nan if score.prob_correct is None else float(score.prob_correct),
            "yesno_correct": nan if score.yesno_correct is None else float(score.yesno_correct),
            "lack_hit": float(score.lack_declared) if gold.lack else nan,
            "false_alarm": nan if gold.lack else float(score.lack_declared),
            "reply": reply,
        })
    return records


def evaluate_model(model_dir: str | Path, items: Sequence[CauGymItem], batch_size: int = 16,
                   max_new_tokens: int = 384) -> tuple[list[dict[str, Any]], float]:
    """Records of ``model_dir`` on ``items`` and the wall seconds it took."""
    start = time.perf_counter()
    replies = generate_replies(model_dir, items, batch_size, max_new_tokens)
    return score_items(items, replies), time.perf_counter() - start
