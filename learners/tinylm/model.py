"""A small Llama-style causal LM built from a transformers ``LlamaConfig`` (random init, no download)."""

from __future__ import annotations

from typing import Any

from cauarena.learners.tinylm.tinylm_config import TinyLMConfig


def llama_config(config: TinyLMConfig, tokenizer: Any) -> Any:
    """The ``LlamaConfig`` of ``config`` for ``tokenizer`` (tied embeddings, no biases, RoPE).

    ``max_position_embeddings`` is ``config.context_length``: the ``hf/`` backend reports it as the model's
    context, and a ``ChatAgent`` caps its prompt budget by it.
    """
    from transformers import LlamaConfig

    return LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=config.hidden_size,
        intermediate_size=config.intermediate_size,
        num_hidden_layers=config.num_layers,
        num_attention_heads=config.num_heads,
        num_key_value_heads=config.num_heads,
        max_position_embeddings=config.context_length,
        rms_norm_eps=1e-5,
        tie_word_embeddings=True,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )


def build_model(config: TinyLMConfig, tokenizer: Any) -> Any:
    """A randomly initialised ``LlamaForCausalLM`` (seeded by ``config.seed``) with greedy generation defaults."""
    import torch
    from transformers import GenerationConfig, LlamaForCausalLM

    torch.manual_seed(config.seed)
    model = LlamaForCausalLM(llama_config(config, tokenizer))
    model.generation_config = GenerationConfig(
        do_sample=False,
        max_new_tokens=16,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    return model


def count_parameters(model: Any) -> int:
    """Distinct parameters of ``model`` (tied embeddings counted once)."""
    return sum(p.numel() for p in model.parameters())
