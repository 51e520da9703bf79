"""``vllm/<model>``: vLLM's offline ``LLM`` engine on a CUDA GPU (a local folder or a name vLLM resolves).

vLLM pins its own torch and transformers, so it lives in its own GPU-only environment
(``pip install 'cauarena[vllm]'``); CI never installs it. The engine is built on the first call.
"""

from __future__ import annotations

import time
from typing import Any

from cauarena.agents.llm.backends.base import ChatBackend, ChatResponse, Message, require, require_installed
from cauarena.errors import ConfigError


def check_vllm(model: str, **_: Any) -> None:
    """The preflight of ``vllm/<model>``: vllm is installed (nothing is imported; the GPU is checked when built).

    Raises:
        DependencyNotInstalled: vllm is missing (``pip install 'cauarena[vllm]'``).
    """
    require_installed("vllm", "vllm", f"the vllm/ backend ({model})")


class VLLMBackend(ChatBackend):
    """A vLLM offline engine.

    Args:
        model: the model folder (or a name vLLM can resolve from its own cache).
        **engine_kwargs: passed to ``vllm.LLM`` (``dtype``, ``gpu_memory_utilization``, ``max_model_len``...).

    Raises:
        DependencyNotInstalled: vllm is missing (``pip install 'cauarena[vllm]'``).
        ConfigError: no CUDA GPU is visible.
    """

    prefix = "vllm"

    def __init__(self, model: str, **engine_kwargs: Any) -> None:
        super().__init__(model)
        self._vllm = require("vllm", "vllm", "the vllm/ backend")
        torch = require("torch", "vllm", "the vllm/ backend")
        if not torch.cuda.is_available():
            raise ConfigError(
                f"{self.spec}: vLLM needs a CUDA GPU and none is visible. Fix: run on a GPU machine, or "
                "use the hf/ backend on CPU."
            )
        self.engine_kwargs = engine_kwargs
        self._llm: Any = None

    def _engine(self) -> Any:
        if self._llm is None:
            self._llm = self._vllm.LLM(model=self.model, **self.engine_kwargs)
        return self._llm

    @property
    def context_length(self) -> int | None:
        """The model's context window in tokens; ``None`` when unknown."""
        config = getattr(getattr(self._engine(), "llm_engine", None), "model_config", None)
        return getattr(config, "max_model_len", None)

    def _tokenizer(self) -> Any:
        return self._engine().get_tokenizer()

    def count_tokens(self, text: str) -> int:
        """How many tokens ``text`` is for this model."""
        return len(self._tokenizer().encode(text, add_special_tokens=False))

    def count_message_tokens(self, messages: Any) -> int:
        """How many tokens ``messages`` are once rendered as this model's prompt."""
        ids = self._tokenizer().apply_chat_template(list(messages), add_generation_prompt=True, tokenize=True)
        return len(ids["input_ids"] if isinstance(ids, dict) else ids)

    def _generate(
        self, messages: list[Message], *, max_tokens: int, temperature: float, seed: int | None, stop: list[str]
    ) -> ChatResponse:
        params = self._vllm.SamplingParams(
            max_tokens=max_tokens, temperature=temperature, seed=seed, stop=stop or None
        )
        start = time.perf_counter()
        output = self._engine().chat(messages, params, use_tqdm=False)[0]
        completion = output.outputs[0]
        return ChatResponse(
            text=completion.text,
            prompt_tokens=len(output.prompt_token_ids),
            completion_tokens=len(completion.token_ids),
            latency_s=time.perf_counter() - start,
        )

    def cache_identity(self) -> str:
        """What identifies this model in the reply cache: the same identity gives the same replies."""
        return f"{self.spec}#{sorted(self.engine_kwargs.items())}"

    def close(self) -> None:
        """Release the model or the connection."""
        self._llm = None
