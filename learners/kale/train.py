"""The KALE pipeline on a tiny LM: learn the facts, then SFT or KALE on QA pairs, then evaluate held-out questions.

1. **Facts** (:func:`learn_facts`): a tiny Llama learns every single-hop fact of the world, as sentences and as
   one-hop questions, and reads facts put in its context; so the hops of every question are *known*.
2. **QA** (:func:`learn_qa`): from those weights, train-split questions (1 to 3 hops, no held-out composition)
   with SFT (``kl_weight = 0``) or KALE (KI rationales from the multi-path A* + the KA loss): the same rows, the
   same steps.
3. **Evaluation** (:func:`evaluate`): held-out (test-split) multiple-choice questions scored by the likelihood
   of each option, and each hop's probe, so accuracy by hop count and the known & incorrect rate come per item
   (paired across arms).
"""

from __future__ import annotations

import copy
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from cauarena.envs.kgqa import LETTERS, KnowledgeWorld, Question, QuestionSpace, build_world, make_question
from cauarena.learners.kale.backend import ENTRY_POINT
from cauarena.learners.kale.data import build_tokenizer, fact_rows, qa_prompt, qa_rows
from cauarena.learners.kale.kale_config import KALEConfig
from cauarena.learners.kale.scoring import best_option
from cauarena.learners.kale.synthesis import make_verbaliser, synthesise
from cauarena.learners.kale.trainer import make_trainer
from cauarena.learners.tinylm.backend import BACKEND_FILE


def build_model(config: KALEConfig, tokenizer: Any) -> Any:
    """A randomly initialised tiny ``LlamaForCausalLM`` for ``tokenizer`` (seeded by ``config.seed``)."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(config.seed)
    return LlamaForCausalLM(LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=config.hidden_size, intermediate_size=config.hidden_size * 4,
        num_hidden_layers=config.layers, num_attention_heads=config.heads, num_key_value_heads=config.heads,
        max_position_embeddings=256, tie_word_embeddings=True, bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
    ))


def setup(config: KALEConfig) -> tuple[KnowledgeWorld, QuestionSpace, Any]:
    """The world, its question space and the tokenizer of ``config``."""
    import torch

    torch.set_num_threads(config.threads)
    world = build_world(config.world_seed, config.world_size)
    return world, QuestionSpace(world, config.heldout_seed), build_tokenizer(world)


def sample_questions(space: QuestionSpace, n: int, *, split: str, hops: tuple[int, ...], seed: int,
                     choices: bool) -> list[Question]:
    """Up to ``n`` distinct questions of the split (fewer when the world has fewer)."""
    rng = np.random.default_rng([seed, 7])
    found: dict[tuple[str, tuple[str, ...]], Question] = {}
    for _ in range(n * 20):
        question = space.sample(rng, hops=hops, split=split, choices=choices)
        found.setdefault((question.topic, question.relations), question)
        if len(found) == n:
            break
    return list(found.values())


def learn_facts(config: KALEConfig, world: KnowledgeWorld, space: QuestionSpace, tokenizer: Any,
                work_dir: Path) -> Any:
    """Stage one: a fresh tiny LM trained ``fact_steps`` steps on the facts (see :func:`fact_rows`)."""
    model = build_model(config, tokenizer)
    rows = fact_rows(world, tokenizer, space, np.random.default_rng([config.seed, 1]))
    if config.fact_steps:
        make_trainer(model, tokenizer, rows, out_dir=str(work_dir / "facts"), steps=config.fact_steps,
                     batch_size=config.batch_size, learning_rate=config.learning_rate, kl_weight=0.0,
                     seed=config.seed).train()
    return model


def learn_qa(config: KALEConfig, model: Any, world: KnowledgeWorld, space: QuestionSpace, tokenizer: Any,
             work_dir: Path) -> tuple[Any, dict[str, float]]:
    """Stage two on a copy of ``model``: train-split QA with the KA loss (``kl_weight = 0``: SFT).

    Returns:
        The trained copy and ``{"ce": ..., "kl": ...}`` averaged over the last tenth of the steps.
    """
    questions = sample_questions(space, config.qa_questions, split="train", hops=(1, 2, 3), seed=config.seed,
                                 choices=False)
    verbaliser = make_verbaliser(config.verbaliser)
    rationales = [synthesise(world, q, n_paths=config.n_paths, max_hops=config.max_hops, anchors=config.anchors,
                             neighbourhood=config.neighbourhood, verbaliser=verbaliser, seed=config.seed).text
                  for q in questions] if config.kl_weight else [""] * len(questions)
    student = build_model(config, tokenizer)  # a fresh copy: a deep copy of a model a Trainer ran gets no gradient
    student.load_state_dict(copy.deepcopy(model.state_dict()))
    trainer = make_trainer(student, tokenizer, qa_rows(tokenizer, questions, rationales),
                           out_dir=str(work_dir / "qa"), steps=config.qa_steps, batch_size=config.batch_size,
                           learning_rate=config.learning_rate, kl_weight=config.kl_weight,
                           ce_weight=config.ce_weight, seed=config.seed)
    if config.qa_steps:
        trainer.train()
    tail = trainer.parts[-max(1, len(trainer.parts) // 10):] or [(float("nan"), float("nan"))]
    return student, {"ce": float(np.mean([c for c, _ in tail])), "kl": float(np.mean([k for _, k in tail]))}


def choose(model: Any, tokenizer: Any, question: Question) -> str:
    """The option with the highest total log-likelihood (answer tokens and the end token) after the prompt."""
    return question.options[best_option(model, tokenizer, qa_prompt(question), question.options)]


def evaluate(model: Any, tokenizer: Any, world: KnowledgeWorld, space: QuestionSpace,
             questions: list[Question]) -> list[dict[str, Any]]:
    """Per question: hops, correct, known hops (each probe answered right), known & incorrect."""
    model.eval()
    rng = np.random.default_rng(99)
    records = []
    for question in questions:
        correct = choose(model, tokenizer, question) == question.answer
        known = []
        for i, relation in enumerate(question.relations):
            probe = make_question(world, question.path[i], (relation,), rng, choices=True, held=space.held)
            known.append(probe is not None and choose(model, tokenizer, probe) == probe.answer)
        records.append({"hops": question.hops, "correct": correct, "all_known": all(known),
                        "known_incorrect": all(known) and not correct})
    return records


def summarise(records: list[dict[str, Any]]) -> dict[str, float]:
    """Accuracy overall and by hop count, known & incorrect (share of items, and among all-known items)."""
    def mean(values: list[bool]) -> float:
        return float(np.mean(values)) if values else float("nan")

    known = [r for r in records if r["all_known"]]
    summary = {"n": float(len(records)), "accuracy": mean([r["correct"] for r in records]),
               "known_incorrect": mean([r["known_incorrect"] for r in records]),
               "ki_given_known": mean([not r["correct"] for r in known]), "all_known": mean([r["all_known"]
                                                                                              for r in records])}
    for hops in sorted({r["hops"] for r in records}):
        summary[f"accuracy_{hops}hop"] = mean([r["correct"] for r in records if r["hops"] == hops])
    return summary


def train(config: KALEConfig, out_dir: Path, *, eval_questions: int = 150) -> dict[str, Any]:
    """Run the whole pipeline for one arm (``config.kl_weight``), save the model, return its evaluation.

    ``out_dir`` receives only the checkpoint (safetensors, config, tokenizer, ``backend.json`` naming the backend
    that scores options) and ``kale_result.json`` (config, losses, summary, per-question records); the trainers'
    scratch folders live in a temporary directory.
    """
    world, space, tokenizer = setup(config)
    out_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kale-") as scratch:
        base = learn_facts(config, world, space, tokenizer, Path(scratch))
        model, losses = learn_qa(config, base, world, space, tokenizer, Path(scratch))
    seconds = time.perf_counter() - start
    test = sample_questions(space, eval_questions, split="test", hops=(1, 2, 3), seed=config.seed + 1, choices=True)
    records = evaluate(model, tokenizer, world, space, test)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    # tiny/<name> scores options, as evaluate does
    (out_dir / BACKEND_FILE).write_text(json.dumps({"entry_point": ENTRY_POINT}) + "\n")
    result = {"config": config.to_dict(), "losses": losses, "train_s": seconds, "summary": summarise(records),
              "test_questions": [[q.topic, list(q.relations)] for q in test], "records": records}
    (out_dir / "kale_result.json").write_text(json.dumps(result, indent=1))
    (out_dir / "TRAINING.md").write_text(model_card(result))
    return result


def model_card(result: dict[str, Any]) -> str:
    """``TRAINING.md`` of a checkpoint: what it is, the command that rebuilds it, its held-out evaluation."""
    config, summary = result["config"], result["summary"]
    arm = "KALE (KI rationales + KA loss)" if config["kl_weight"] else "SFT (answer cross-entropy only)"
    changed = {k: v for k, v in config.items() if v != KALEConfig.__dataclass_fields__[k].default}
    sets = "".join(f" --set {k}={json.dumps(v)}" for k, v in changed.items())
    hops = ", ".join(f"{h}-hop {summary[f'accuracy_{h}hop']:.3f}" for h in (1, 2, 3) if f"accuracy_{h}hop" in summary)
    return (
        f"# {arm}, tiny LM of the KALE experiment\n\n"
        f"A word-level tiny Llama (hidden {config['hidden_size']}, {config['layers']} layers) on the "
        f"`{config['world_size']}` knowledge world (seed {config['world_seed']}): {config['fact_steps']} steps on "
        f"the facts, then {config['qa_steps']} steps of {arm} on {config['qa_questions']} train-split questions "
        f"(batch {config['batch_size']}, lr {config['learning_rate']}, seed {config['seed']}). As an agent "
        "(`tiny/<name>`), it answers each KGQA option by likelihood (`backend.json`: "
        "`cauarena.learners.kale.backend`). Rebuild:\n\n"
        f"    cauarena train kale --out <dir>{sets}\n\n"
        f"- held-out evaluation ({int(summary['n'])} multiple-choice questions): accuracy {summary['accuracy']:.3f} "
        f"({hops}); all hops known {summary['all_known']:.3f}; known & incorrect {summary['known_incorrect']:.3f}\n"
        f"- final losses (last tenth of the QA steps): CE {result['losses']['ce']:.3f}, "
        f"KL {result['losses']['kl']:.3f}; training {result.get('train_s', float('nan')):.0f} s\n\n"
        "Per-question records: `kale_result.json`.\n"
    )


__all__ = ["LETTERS", "build_model", "choose", "evaluate", "learn_facts", "learn_qa", "model_card", "sample_questions",
           "setup", "summarise", "train"]
