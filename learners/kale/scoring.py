"""How the KALE tiny LMs answer: multiple choice by the likelihood of each option, short answer greedily.

The experiment (:func:`cauarena.learners.kale.train.evaluate`) and the ``tiny/kgqa-*`` agents
(:mod:`cauarena.learners.kale.backend`) share these functions, so a leaderboard row scores a question exactly as
the experiment did. The prompt is ``Q: <question> A:`` (:func:`~cauarena.learners.kale.data.qa_prompt`); torch is
imported inside the functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cauarena.learners.kale.data import encode, spaced
from cauarena.learners.kale.loss import IGNORE


def question_prompt(text: str) -> str:
    """The model's prompt for a question sentence (as :func:`~cauarena.learners.kale.data.qa_prompt` builds it).

    >>> question_prompt("What is the capital of Dora?")
    'Q : What is the capital of Dora ? A :'
    """
    return spaced(f"Q: {text} A:")


def option_scores(model: Any, tokenizer: Any, prompt: str, options: Sequence[str]) -> list[float]:
    """The total log-likelihood of each option's tokens and the end token after ``prompt`` (one batch)."""
    import torch

    rows = [encode(tokenizer, prompt, option) for option in options]
    width = max(len(r["input_ids"]) for r in rows)
    ids = torch.tensor([r["input_ids"] + [tokenizer.pad_token_id] * (width - len(r["input_ids"])) for r in rows])
    labels = torch.tensor([r["labels"] + [IGNORE] * (width - len(r["labels"])) for r in rows])
    with torch.no_grad():
        logits = model(input_ids=ids, attention_mask=(labels != IGNORE) | (ids != tokenizer.pad_token_id)).logits
    logp = torch.log_softmax(logits[:, :-1].float(), -1)
    targets = labels[:, 1:]
    picked = logp.gather(-1, targets.clamp(min=0).unsqueeze(-1)).squeeze(-1) * (targets != IGNORE)
    return [float(x) for x in picked.sum(-1)]


def best_option(model: Any, tokenizer: Any, prompt: str, options: Sequence[str]) -> int:
    """The index of the most likely option (the first on a tie)."""
    scores = option_scores(model, tokenizer, prompt, options)
    return scores.index(max(scores))


def greedy_answer(model: Any, tokenizer: Any, prompt: str, max_tokens: int) -> tuple[str, int]:
    """The greedy continuation of ``prompt`` up to the end token (short answer), and how many tokens it took."""
    import torch

    head = [tokenizer.bos_token_id] + tokenizer(prompt, add_special_tokens=False)["input_ids"]
    room = model.config.max_position_embeddings - len(head)
    with torch.no_grad():
        output = model.generate(torch.tensor([head]), attention_mask=torch.ones(1, len(head), dtype=torch.long),
                                max_new_tokens=max(1, min(max_tokens, room)), do_sample=False,
                                eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    new = output[0, len(head):].tolist()
    return tokenizer.decode(new, skip_special_tokens=True).strip(), len(new)


__all__ = ["best_option", "greedy_answer", "option_scores", "question_prompt"]
