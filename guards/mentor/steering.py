"""Activation steering on transformers causal LMs through forward hooks (torch is imported when used).

A steering vector is the mean difference of residual-stream activations, at the output of one decoder layer,
between prompts that show the wanted behaviour and prompts that show the unwanted one (contrastive pairs, as in
contrastive activation addition). :class:`Steering` adds ``strength * vector`` to that layer's output at every
position of every forward pass, so it acts during ``generate`` too; it is removable (``remove()`` or leaving the
``with`` block) and leaves the model as it was. MENTOR turns retrieved rules into such vectors at inference, without
tuning; how it builds them is not published, so this construction is ours.

Works with any model whose decoder blocks sit at ``model.model.layers`` (Llama, Mistral, Qwen),
``model.transformer.h`` (GPT-2) or ``model.gpt_neox.layers``; with a ``(model, tokenizer)`` pair or an ``hf/`` /
``tiny/`` chat backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

_LAYER_PATHS = ("model.layers", "transformer.h", "gpt_neox.layers", "model.decoder.layers")


def model_and_tokenizer(target: Any) -> tuple[Any, Any]:
    """``(model, tokenizer)`` from a pair or from an ``hf/``/``tiny/`` chat backend (loads it)."""
    if isinstance(target, tuple) and len(target) == 2:
        return target
    load = getattr(target, "load", None)  # HFBackend.load: the hf/ and tiny/ backends
    if callable(load):
        return load()
    raise TypeError(f"expected a (model, tokenizer) pair or an hf/ or tiny/ chat backend; got {type(target).__name__}. "
                    "Steering needs a local transformers model: API backends cannot be steered.")


def decoder_layers(model: Any) -> Any:
    """The model's list of decoder blocks.

    Raises:
        ValueError: no known layer path; the message lists those tried.
    """
    for path in _LAYER_PATHS:
        obj = model
        for part in path.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                break
        if obj is not None:
            return obj
    raise ValueError(f"cannot find the decoder layers of {type(model).__name__}; tried {list(_LAYER_PATHS)}.")


def _check_layer(model: Any, layer: int) -> int:
    n = len(decoder_layers(model))
    if not -n <= layer < n:
        raise ValueError(f"layer {layer} is out of range for a model with {n} decoder layers (use 0..{n - 1}).")
    return layer % n


def residual_activations(target: Any, prompts: Sequence[str], layer: int, position: str = "last") -> Any:
    """Activations at the output of decoder block ``layer``, one row per prompt (shape ``[n, hidden]``).

    Args:
        target: a ``(model, tokenizer)`` pair or an ``hf/``/``tiny/`` backend.
        prompts: texts, tokenized without special tokens added.
        layer: the decoder block (0-based; negative counts from the end).
        position: ``last`` (the last token's activation) or ``mean`` (the mean over the prompt's tokens).
    """
    import torch

    if position not in ("last", "mean"):
        raise ValueError(f"position must be 'last' or 'mean'; got {position!r}.")
    model, tokenizer = model_and_tokenizer(target)
    layer = _check_layer(model, layer)
    rows = []
    with torch.inference_mode():
        for prompt in prompts:
            ids = tokenizer(prompt, add_special_tokens=False, return_tensors="pt").to(model.device)
            hidden = model(**ids, output_hidden_states=True).hidden_states[layer + 1][0]
            rows.append(hidden[-1] if position == "last" else hidden.mean(dim=0))
    return torch.stack(rows).float()


@dataclass(frozen=True)
class SteeringVector:
    """A direction in the residual stream of one layer.

    Attributes:
        vector: a 1-D float tensor of the model's hidden size.
        layer: the decoder block whose output it is added to.
        meta: how it was made (pair count, position, norm).
    """

    vector: Any
    layer: int
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the vector as a list of floats)."""
        return {"vector": [float(x) for x in self.vector.tolist()], "layer": self.layer, "meta": dict(self.meta)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SteeringVector:
        """The inverse of :meth:`to_dict`."""
        import torch

        return cls(torch.tensor(data["vector"], dtype=torch.float32), int(data["layer"]), dict(data.get("meta", {})))


def steering_vector(target: Any, positive: Sequence[str], negative: Sequence[str], layer: int,
                    position: str = "last", normalize: bool = False) -> SteeringVector:
    """Mean activation of ``positive`` prompts minus that of ``negative`` ones at ``layer``.

    Args:
        target: a ``(model, tokenizer)`` pair or an ``hf/``/``tiny/`` backend.
        positive: prompts showing the wanted behaviour.
        negative: prompts showing the unwanted behaviour (usually paired with ``positive``).
        layer: the decoder block.
        position: ``last`` or ``mean`` (see :func:`residual_activations`).
        normalize: scale the vector to unit norm (then ``strength`` is in activation units).

    Raises:
        ValueError: an empty side.
    """
    if not positive or not negative:
        raise ValueError("steering_vector needs at least one positive and one negative prompt.")
    diff = residual_activations(target, positive, layer, position).mean(0) - \
        residual_activations(target, negative, layer, position).mean(0)
    norm = float(diff.norm())
    if normalize and norm > 0:
        diff = diff / norm
    model = model_and_tokenizer(target)[0]
    return SteeringVector(diff, _check_layer(model, layer),
                          {"pairs": min(len(positive), len(negative)), "position": position, "norm": norm,
                           "normalized": normalize})


class Steering:
    """Adds ``strength * vector`` to a decoder layer's output while attached; a context manager.

    Args:
        target: a ``(model, tokenizer)`` pair, an ``hf/``/``tiny/`` backend, or a bare model.
        vector: the :class:`SteeringVector`.
        strength: the multiplier (negative steers the other way; 0 changes nothing).
        layer: override the vector's layer.

    >>> # with Steering(backend, vec, strength=4.0): backend.generate(messages)
    """

    def __init__(self, target: Any, vector: SteeringVector, strength: float = 1.0, layer: int | None = None) -> None:
        try:
            self.model = model_and_tokenizer(target)[0]
        except TypeError:
            self.model = target
        self.layer = _check_layer(self.model, vector.layer if layer is None else layer)
        self.vector, self.strength = vector, float(strength)
        self._handle: Any = None

    @property
    def active(self) -> bool:
        """Whether the hook is attached."""
        return self._handle is not None

    def _hook(self, module: Any, inputs: Any, output: Any) -> Any:
        hidden = output[0] if isinstance(output, tuple) else output
        shift = (self.strength * self.vector.vector).to(dtype=hidden.dtype, device=hidden.device)
        hidden = hidden + shift
        return (hidden, *output[1:]) if isinstance(output, tuple) else hidden

    def attach(self) -> Steering:
        """Register the forward hook (idempotent); returns self."""
        if self._handle is None:
            self._handle = decoder_layers(self.model)[self.layer].register_forward_hook(self._hook)
        return self

    def remove(self) -> None:
        """Remove the hook; the model computes exactly as before."""
        if self._handle is not None:
            self._handle.remove()
            self._handle = None

    def __enter__(self) -> Steering:
        return self.attach()

    def __exit__(self, *exc: Any) -> None:
        self.remove()


def next_token_logprobs(target: Any, prompt: str) -> Any:
    """Log-probabilities of the next token after ``prompt`` (1-D tensor over the vocabulary)."""
    import torch

    model, tokenizer = model_and_tokenizer(target)
    ids = tokenizer(prompt, add_special_tokens=False, return_tensors="pt").to(model.device)
    with torch.inference_mode():
        return torch.log_softmax(model(**ids).logits[0, -1].float(), dim=-1)


def continuation_logprob(target: Any, prompt: str, continuation: str) -> float:
    """Mean per-token log-probability of ``continuation`` after ``prompt`` (teacher forcing)."""
    import torch

    model, tokenizer = model_and_tokenizer(target)
    p = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    c = tokenizer(continuation, add_special_tokens=False)["input_ids"]
    ids = torch.tensor([p + c], device=model.device)
    with torch.inference_mode():
        logp = torch.log_softmax(model(input_ids=ids).logits[0].float(), dim=-1)
    picked = logp[len(p) - 1:len(p) + len(c) - 1].gather(1, torch.tensor(c, device=model.device)[:, None])
    return float(picked.mean())
