"""The tiny LM's data: a word-level tokenizer of the world, fact and QA rows, the two views KALE trains on.

Every row is a prompt and an answer; only the answer tokens (and the end token) are labelled. A QA row in the
plain view is ``Q: <question> A: <answer>``; in the rationale view ``Facts: <rationale> Q: <question> A: <answer>``
(the same answer tokens, so the KA loss pairs them one to one). A fact row is the sentence itself, every token
labelled.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cauarena.envs.kgqa import KnowledgeWorld, Question, QuestionSpace, make_question
from cauarena.learners.kale.loss import IGNORE

SPECIALS = ("<unk>", "<s>", "</s>", "<pad>")
FIXED_WORDS = "Q : A Facts What is the of ? .".split()


def build_tokenizer(world: KnowledgeWorld) -> Any:
    """A word-level tokenizer over the world's names, relation nouns and fact sentences (one token per word)."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    texts = [world.fact_text(t) for t in world.triples] + [r.noun for r in world.relations.values()]
    texts += list(world.entities) + [" ".join(FIXED_WORDS)]
    core = Tokenizer(models.WordLevel(unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    core.train_from_iterator(_split_punctuation(texts), trainers.WordLevelTrainer(special_tokens=list(SPECIALS)))
    return PreTrainedTokenizerFast(tokenizer_object=core, unk_token="<unk>", bos_token="<s>", eos_token="</s>",
                                   pad_token="<pad>")


def _split_punctuation(texts: list[str]) -> list[str]:
    return [spaced(t) for t in texts]


def spaced(text: str) -> str:
    """Punctuation as words of its own (``Velmor.`` -> ``Velmor .``) so names stay one token each.

    >>> spaced("Q: What is the capital of Dora?")
    'Q : What is the capital of Dora ?'
    """
    for mark in ("?", ".", ":"):
        text = text.replace(mark, f" {mark}")
    return " ".join(text.split())


def qa_prompt(question: Question, rationale: str = "") -> str:
    """The prompt of a question, with the rationale in context when given."""
    facts = f"Facts: {rationale} " if rationale else ""
    return spaced(f"{facts}Q: {question.text} A:")


def encode(tokenizer: Any, prompt: str, answer: str, *, label_prompt: bool = False) -> dict[str, list[int]]:
    """``input_ids`` and ``labels`` of ``<s> prompt answer </s>`` (labels only on the answer unless asked)."""
    head = [tokenizer.bos_token_id] + tokenizer(prompt, add_special_tokens=False)["input_ids"]
    tail = tokenizer(spaced(answer), add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
    labels = (head if label_prompt else [IGNORE] * len(head)) + tail
    return {"input_ids": head + tail, "labels": labels}


def fact_rows(world: KnowledgeWorld, tokenizer: Any, space: QuestionSpace, rng: np.random.Generator) -> list[dict]:
    """Stage one: every fact as a sentence and as its one-hop question, and reading rows (the fact in context).

    Reading rows put the fact and two random others in front of its question, so the model learns to read a
    rationale as a pretrained LLM can (both the SFT and the KALE arm start from this stage).
    """
    rows = []
    for triple in world.triples:
        rows.append(encode(tokenizer, "", spaced(world.fact_text(triple)), label_prompt=True))
        question = make_question(world, triple.head, (triple.relation,), rng, choices=False, held=space.held)
        if question is None:
            continue
        rows.append(encode(tokenizer, qa_prompt(question), question.answer))
        others = [world.triples[int(i)] for i in rng.choice(len(world.triples), size=2, replace=False)]
        facts = [world.fact_text(t) for t in [*others, triple]]
        order = rng.permutation(3)
        rows.append(encode(tokenizer, qa_prompt(question, " ".join(facts[int(i)] for i in order)), question.answer))
    return rows


def qa_rows(tokenizer: Any, questions: list[Question], rationales: list[str]) -> list[dict]:
    """Stage two: each question in the plain view, with its rationale view beside it (``rationale_*`` columns)."""
    rows = []
    for question, rationale in zip(questions, rationales, strict=True):
        plain = encode(tokenizer, qa_prompt(question), question.answer)
        view = encode(tokenizer, qa_prompt(question, rationale), question.answer)
        rows.append({**plain, "rationale_input_ids": view["input_ids"], "rationale_labels": view["labels"]})
    return rows


__all__ = ["build_tokenizer", "encode", "fact_rows", "qa_prompt", "qa_rows", "spaced"]
