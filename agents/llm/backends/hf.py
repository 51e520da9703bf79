r"""``hf/<local dir>``: a transformers causal LM and its tokenizer, loaded from a local folder only.

Nothing is downloaded (``local_files_only=True``): the folder holds ``config.json``, the weights and the
tokenizer files. Prompts go through the tokenizer's chat template; a tokenizer without one uses
:data:`SIMPLE_CHAT_TEMPLATE`::

    <|system|>
    {system}
    <|user|>
    {user}
    <|assistant|>
    {reply}</s>
    <|user|>
    ...
    <|assistant|>

(``</s>`` stands for the tokenizer's EOS token, after assistant turns only; the BOS token, when the
tokenizer has one, comes first). A model trained here should save that template on its tokenizer
(``tokenizer.chat_template = SIMPLE_CHAT_TEMPLATE``) so training and inference render alike. With the
fallback template the backend also stops at ``\n<|``, in case the model never learned to end a turn.
Token counts are exact (the tokenizer's). Torch and transformers are imported when the backend is made.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Any

from cauarena.agents.llm.backends.base import (
    ChatBackend,
    ChatResponse,
    Message,
    require,
    require_installed,
    truncate_at_stop,
)
from cauarena.errors import ConfigError

SIMPLE_CHAT_TEMPLATE = (  # newlines as {{ '\n' }}: transformers renders templates with trim_blocks
    "{% if bos_token %}{{ bos_token }}{% endif %}"
    "{% for m in messages %}{{ '<|' + m['role'] + '|>' + '\\n' + m['content'] }}"
    "{% if m['role'] == 'assistant' and eos_token %}{{ eos_token }}{% endif %}{{ '\\n' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>' + '\\n' }}{% endif %}"
)
"""The documented fallback chat template (jinja, for ``tokenizer.chat_template``)."""

FALLBACK_STOP = "\n<|"
"""Extra stop sequence used with :data:`SIMPLE_CHAT_TEMPLATE`: the start of the next turn."""


def directory_fingerprint(path: Path) -> str:
    """A short hash of the names, sizes and modification times of the files in ``path`` (not recursive)."""
    entries = sorted(
        (p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in path.iterdir() if p.is_file()
    )
    return hashlib.sha1(repr(entries).encode()).hexdigest()[:12]


def checkpoint_folder(spec: str, path: str | os.PathLike[str]) -> Path:
    """The checkpoint folder ``path`` of backend ``spec``; raises :class:`ConfigError` unless it has a config.json."""
    folder = Path(path).expanduser()
    if not (folder / "config.json").is_file():
        raise ConfigError(
            f"{spec}: {str(folder)!r} is not a checkpoint folder (no config.json). The hf/ "
            "backend loads local folders only, never from a hub. Fix: give the folder that "
            "save_pretrained wrote, e.g. 'hf/runs/tinylm/checkpoint'."
        )
    return folder


def check_hf(model: str, *, path: str | os.PathLike[str] | None = None, prefix: str = "hf", **_: Any) -> None:
    """The preflight of ``hf/<folder>``: the folder is a checkpoint, torch and transformers are installed.

    Nothing is imported or loaded. Takes the :class:`HFBackend` arguments; those a check does not need are
    ignored.

    Raises:
        ConfigError: the folder holds no ``config.json``.
        DependencyNotInstalled: torch or transformers is missing (``pip install 'cauarena[llm]'``).
    """
    checkpoint_folder(f"{prefix}/{model}", model if path is None else path)
    for module in ("torch", "transformers"):
        require_installed(module, "llm", f"the {prefix}/ backend")


class HFBackend(ChatBackend):
    """A local transformers checkpoint as a chat backend.

    Args:
        model: the spec's model part: the folder of the checkpoint (unless ``path`` is given).
        path: the checkpoint folder when ``model`` is only a name (``tiny/babyai``).
        prefix: the spec prefix this backend reports (``tiny`` for the tiny-LM backend).
        device: torch device (``cpu``, ``cuda``, ``cuda:1``).
        dtype: torch dtype name (``float32``, ``bfloat16``); default: the checkpoint's.
        chat_template: a jinja chat template overriding the tokenizer's.

    Raises:
        DependencyNotInstalled: torch or transformers is missing (``pip install 'cauarena[llm]'``).
        ConfigError: the folder does not exist or holds no ``config.json``.
    """

    prefix = "hf"

    def __init__(
        self,
        model: str,
        *,
        path: str | os.PathLike[str] | None = None,
        prefix: str = "hf",
        device: str = "cpu",
        dtype: str | None = None,
        chat_template: str | None = None,
    ) -> None:
        super().__init__(model)
        self.prefix = prefix
        self.path = checkpoint_folder(self.spec, model if path is None else path)
        self._torch = require("torch", "llm", "the hf/ backend")
        self._transformers = require("transformers", "llm", "the hf/ backend")
        self.device = device
        self.dtype = dtype
        self._chat_template = chat_template
        self._model: Any = None
        self._tokenizer: Any = None

    def load(self) -> tuple[Any, Any]:
        """``(model, tokenizer)``, read from the local folder on first use (subclasses override :meth:`_load`)."""
        return self._load()

    def _load(self) -> tuple[Any, Any]:
        if self._model is None:
            tf = self._transformers
            self._tokenizer = tf.AutoTokenizer.from_pretrained(self.path, local_files_only=True)
            dtype = getattr(self._torch, self.dtype) if self.dtype else "auto"
            model = tf.AutoModelForCausalLM.from_pretrained(self.path, local_files_only=True, dtype=dtype)
            self._model = model.to(self.device).eval()
        return self._model, self._tokenizer

    @property
    def uses_fallback_template(self) -> bool:
        """True when prompts are rendered with :data:`SIMPLE_CHAT_TEMPLATE`."""
        return self._chat_template is None and not getattr(self._load()[1], "chat_template", None)

    @property
    def context_length(self) -> int | None:
        """The model's context window in tokens; ``None`` when unknown."""
        return getattr(self._load()[0].config, "max_position_embeddings", None)

    def render_prompt(self, messages: list[Message]) -> str:
        """The prompt text the model sees, ending with the assistant's generation prompt."""
        tokenizer = self._load()[1]
        template = self._chat_template or (SIMPLE_CHAT_TEMPLATE if self.uses_fallback_template else None)
        return tokenizer.apply_chat_template(
            messages, chat_template=template, add_generation_prompt=True, tokenize=False
        )

    def count_tokens(self, text: str) -> int:
        """How many tokens ``text`` is for this model."""
        return len(self._load()[1](text, add_special_tokens=False)["input_ids"])

    def count_message_tokens(self, messages: Any) -> int:
        """How many tokens ``messages`` are once rendered as this model's prompt."""
        return self.count_tokens(self.render_prompt(list(messages)))

    def _generate(
        self, messages: list[Message], *, max_tokens: int, temperature: float, seed: int | None, stop: list[str]
    ) -> ChatResponse:
        torch = self._torch
        model, tokenizer = self._load()
        if self.uses_fallback_template:
            stop = [*stop, FALLBACK_STOP]
        start = time.perf_counter()
        inputs = tokenizer(self.render_prompt(messages), add_special_tokens=False, return_tensors="pt")
        inputs = inputs.to(self.device)
        n_prompt = inputs["input_ids"].shape[1]
        config = self._generation_config(max_tokens, temperature)
        criteria = _stop_criteria(self._transformers, tokenizer, stop, n_prompt)
        devices = [torch.device(self.device).index or 0] if self.device.startswith("cuda") else []
        with torch.random.fork_rng(devices=devices), torch.inference_mode():
            if seed is not None:
                torch.manual_seed(seed)
            output = model.generate(**inputs, generation_config=config, stopping_criteria=criteria)
        new_ids = output[0, n_prompt:].tolist()
        text = truncate_at_stop(tokenizer.decode(new_ids, skip_special_tokens=True), stop)
        return ChatResponse(
            text=text.strip(),
            prompt_tokens=n_prompt,
            completion_tokens=len(new_ids),
            latency_s=time.perf_counter() - start,
        )

    def _generation_config(self, max_tokens: int, temperature: float) -> Any:
        tokenizer = self._tokenizer
        eos = tokenizer.eos_token_id
        sampling = {"do_sample": True, "temperature": temperature, "top_k": 0, "top_p": 1.0}
        return self._transformers.GenerationConfig(
            max_new_tokens=max_tokens,
            eos_token_id=eos,
            pad_token_id=tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos,
            **(sampling if temperature > 0 else {"do_sample": False}),
        )

    def cache_identity(self) -> str:
        """What identifies this model in the reply cache: the same identity gives the same replies."""
        return f"{self.spec}#{directory_fingerprint(self.path)}#{self._chat_template or ''}"

    def close(self) -> None:
        """Release the model or the connection."""
        self._model = self._tokenizer = None


def _stop_criteria(transformers: Any, tokenizer: Any, stop: list[str], n_prompt: int) -> Any:
    """Stopping criteria that end generation once the new text contains a stop sequence (None: no stop)."""
    if not stop:
        return None
    import torch

    class StopOnStrings(transformers.StoppingCriteria):
        def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
            done = [
                any(s in tokenizer.decode(row[n_prompt:], skip_special_tokens=True) for s in stop)
                for row in input_ids
            ]
            return torch.tensor(done, dtype=torch.bool, device=input_ids.device)

    return transformers.StoppingCriteriaList([StopOnStrings()])
