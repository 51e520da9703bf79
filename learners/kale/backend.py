"""``tiny/kgqa-sft`` and ``tiny/kgqa-kale``: the KALE experiment's tiny LMs as a chat backend that scores options.

The tiny LMs were trained on ``Q: <question> A: <answer>`` rows with a word-level tokenizer of the world; they never
saw a chat template, a system prompt or an option letter. So, as in the experiment, the backend does not sample a
reply: it reads the question and its options from the last user message (the env's observation), scores each
option by its likelihood after ``Q: <question> A:`` (:func:`~cauarena.learners.kale.scoring.option_scores`) and
replies ``Answer: <letter>``; a short-answer question (no options) is answered greedily. It sits behind the
normal agent protocol (``ChatAgent`` with the ``kgqa`` prompt and parser, in the agent host) and sees only the
messages, never the env. A checkpoint folder names this class in its ``backend.json``, which the ``tiny/`` backend
reads (:func:`cauarena.learners.tinylm.backend.make_tiny_backend`).

Token accounting: ``prompt_tokens`` is the question prompt's length; ``completion_tokens`` counts the tokens the
model scored after it (every option and its end token) or generated (short answer).
"""

from __future__ import annotations

import re
import time
from typing import Any

from cauarena.agents.llm.backends import BackendError, ChatResponse, Message
from cauarena.agents.llm.backends.hf import HFBackend
from cauarena.envs.kgqa import LETTERS
from cauarena.errors import ConfigError
from cauarena.learners.kale.scoring import best_option, greedy_answer, question_prompt

ENTRY_POINT = "cauarena.learners.kale.backend:KGQAScoringBackend"
"""What ``train`` writes into a checkpoint's ``backend.json``."""

_QUESTION = re.compile(r"^Question \d+ of \d+: (.+)$", re.MULTILINE)
_OPTION = re.compile(r"^([A-D])\. (.+)$", re.MULTILINE)


def read_question(content: str) -> tuple[str, list[str]]:
    r"""The question sentence and its options (empty: short answer) in a KGQA observation.

    Raises:
        BackendError: the text holds no ``Question i of n:`` line.

    >>> read_question("Observation:\nQuestion 1 of 2: What is the capital of Dora?\nA. Ton\nB. Lis")
    ('What is the capital of Dora?', ['Ton', 'Lis'])
    """
    found = _QUESTION.findall(content)
    if not found:
        raise BackendError("The tiny/kgqa-* models answer KGQA questions only; the last user message holds no "
                           f"'Question i of n: ...' line (it starts {content[:80]!r}). Fix: play cauarena/KGQA-v0.")
    return found[-1].strip(), [name.strip() for _, name in _OPTION.findall(content)][: len(LETTERS)]


def last_user(messages: list[Message]) -> str:
    """The content of the last user message (``""`` when there is none)."""
    return next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")


class KGQAScoringBackend(HFBackend):
    """A KALE tiny LM that answers KGQA questions by option likelihood (see the module docstring).

    Args:
        model: the spec's model part (``kgqa-kale``).
        threads: torch CPU threads while answering (restored after each reply). A 141k-parameter model gains
            nothing from more, and on a busy CPU more threads wait on each other: one act took 0.3 s with torch's
            default of 2 threads beside a training job, 0.02 s with 1.
        **kwargs: :class:`~cauarena.agents.llm.backends.hf.HFBackend` options (``path``, ``prefix``, ``device``).
    """

    def __init__(self, model: str, *, threads: int = 1, **kwargs: Any) -> None:
        if threads < 1:
            raise ConfigError(f"threads must be >= 1; got {threads}. Fix: threads=1 (the default).")
        super().__init__(model, **kwargs)
        self.threads = threads

    def render_prompt(self, messages: list[Message]) -> str:
        """What the model reads: ``Q : <question> A :`` of the last user message (the system prompt is not used)."""
        content = last_user(list(messages))
        try:
            return question_prompt(read_question(content)[0])
        except BackendError:
            return content

    def _generate(self, messages: list[Message], *, max_tokens: int, temperature: float, seed: int | None,
                  stop: list[str]) -> ChatResponse:
        torch = self._torch
        before = torch.get_num_threads()
        torch.set_num_threads(self.threads)
        try:
            return self._answer(messages, max_tokens)
        finally:
            torch.set_num_threads(before)

    def _answer(self, messages: list[Message], max_tokens: int) -> ChatResponse:
        model, tokenizer = self._load()
        start = time.perf_counter()
        text, options = read_question(last_user(messages))
        prompt = question_prompt(text)
        n_prompt = 1 + self.count_tokens(prompt)
        if options:
            pick = best_option(model, tokenizer, prompt, options)
            scored = sum(self.count_tokens(option) + 1 for option in options)
            reply, n_completion = f"Answer: {LETTERS[pick]}", scored
        else:
            answer, n_completion = greedy_answer(model, tokenizer, prompt, max_tokens)
            reply = f"Answer: {answer}"
        return ChatResponse(text=reply, prompt_tokens=n_prompt, completion_tokens=n_completion,
                            latency_s=time.perf_counter() - start)


__all__ = ["ENTRY_POINT", "KGQAScoringBackend", "last_user", "read_question"]
