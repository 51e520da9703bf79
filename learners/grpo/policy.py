"""``PolicyBackend``: the model being trained, served to ``ChatAgent`` exactly as the ``hf/`` backend serves it.

It *is* an :class:`~cauarena.agents.llm.backends.hf.HFBackend` on the starting checkpoint's folder whose
model and tokenizer are the trainer's live objects: the chat template, the token counts (hence
``fit_history``'s trimming), the context length and the stop handling are the ``hf/`` backend's own code,
so a roll-out sees the prompts the leaderboard will send to the saved checkpoint. It differs in three ways:
replies are sampled with the seed ``ChatAgent`` passes; every call records a :class:`TurnSample` (the
prompt's token ids, the sampled ids and their log-probabilities) for the trainer; and the key/value cache of
the previous call is reused for the longest common token prefix (the system message and the history that
``fit_history`` kept), so a turn only pays for its new tokens. The weights must not change while one
``PolicyBackend`` is in use: make a new one after every optimisation step.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

from cauarena.agents.llm.backends.base import ChatResponse, Message, truncate_at_stop
from cauarena.agents.llm.backends.hf import FALLBACK_STOP, HFBackend, _stop_criteria

MIN_REUSED_TOKENS = 8
"""A cached prefix shorter than this is dropped rather than reused."""


@dataclass(frozen=True)
class TurnSample:
    """One reply as the policy produced it.

    Attributes:
        prompt_ids: the rendered prompt's token ids (what the model was conditioned on).
        completion_ids: the sampled token ids (EOS included when the model ended its turn).
        logprobs: log-probability of each sampled token under the sampling distribution.
    """

    prompt_ids: tuple[int, ...]
    completion_ids: tuple[int, ...]
    logprobs: tuple[float, ...]


class PolicyBackend(HFBackend):
    """The trainer's live model behind the ``hf/`` backend's rendering, recording each sampled reply.

    Args:
        model: the policy (a ``PreTrainedModel`` or a PEFT model around one).
        tokenizer: its tokenizer (with the chat template the checkpoint is saved with).
        path: the starting checkpoint folder (holds ``config.json``); names the backend.
        chat_template: a jinja template overriding the tokenizer's (as ``hf/`` takes one).
        reuse_prefix: reuse the previous call's key/value cache for the shared token prefix.
    """

    def __init__(self, model: Any, tokenizer: Any, path: str | os.PathLike[str], *,
                 chat_template: str | None = None, reuse_prefix: bool = True) -> None:
        device = str(next(model.parameters()).device)
        super().__init__(str(path), prefix="policy", device=device, chat_template=chat_template)
        self._model, self._tokenizer = model, tokenizer
        self.samples: list[TurnSample] = []
        self.reuse_prefix = reuse_prefix
        self._cache: Any = None
        self._cached_ids: list[int] = []

    def _load(self) -> tuple[Any, Any]:
        return self._model, self._tokenizer

    def take_samples(self) -> list[TurnSample]:
        """The samples recorded since the last call, oldest first (the list is emptied)."""
        samples, self.samples = self.samples, []
        return samples

    def _generate(
        self, messages: list[Message], *, max_tokens: int, temperature: float, seed: int | None, stop: list[str]
    ) -> ChatResponse:
        torch = self._torch
        model, tokenizer = self._model, self._tokenizer
        if self.uses_fallback_template:
            stop = [*stop, FALLBACK_STOP]
        start = time.perf_counter()
        prompt_ids = tokenizer(self.render_prompt(messages), add_special_tokens=False)["input_ids"]
        input_ids = torch.tensor([prompt_ids], device=self.device)
        config = self._generation_config(max_tokens, temperature)
        config.update(use_cache=True, return_dict_in_generate=True, output_scores=True)
        criteria = _stop_criteria(self._transformers, tokenizer, stop, len(prompt_ids))
        devices = [torch.device(self.device).index or 0] if self.device.startswith("cuda") else []
        cache = self._reusable_cache(prompt_ids)
        was_training = model.training
        model.eval()
        try:
            with torch.random.fork_rng(devices=devices), torch.inference_mode():
                if seed is not None:
                    torch.manual_seed(seed)
                output = model.generate(
                    input_ids=input_ids, attention_mask=torch.ones_like(input_ids), generation_config=config,
                    stopping_criteria=criteria, **({"cache": cache} if cache is not None else {}),
                )
        finally:
            model.train(was_training)
        new_ids = output.sequences[0, len(prompt_ids):].tolist()
        self._cache = getattr(output, "cache", None)
        self._cached_ids = (prompt_ids + new_ids)[: self._cache.get_seq_length()] if self._cache is not None else []
        scores = zip(output.scores, new_ids, strict=True)
        logprobs = [float(torch.log_softmax(score[0].float(), dim=-1)[token]) for score, token in scores]
        self.samples.append(TurnSample(tuple(prompt_ids), tuple(new_ids), tuple(logprobs)))
        text = truncate_at_stop(tokenizer.decode(new_ids, skip_special_tokens=True), stop)
        return ChatResponse(
            text=text.strip(), prompt_tokens=len(prompt_ids), completion_tokens=len(new_ids),
            latency_s=time.perf_counter() - start,
        )

    def _reusable_cache(self, prompt_ids: list[int]) -> Any:
        """The previous call's cache cropped to the prefix it shares with ``prompt_ids`` (None: nothing to reuse).

        At least the prompt's last token is left to compute, so that generation has logits to start from.
        """
        if self._cache is None or not self.reuse_prefix:
            return None
        shared = 0
        for a, b in zip(self._cached_ids, prompt_ids[:-1], strict=False):
            if a != b:
                break
            shared += 1
        if shared < MIN_REUSED_TOKENS:
            self._cache, self._cached_ids = None, []
            return None
        if shared < self._cache.get_seq_length():
            self._cache.crop(shared - self._cache.get_seq_length())
        return self._cache

    def cache_identity(self) -> str:
        return f"{self.spec}#live"  # the weights change every step: never cache a policy's replies
