"""A byte-level BPE tokenizer trained here (``tokenizers``), wrapped for transformers with a chat template.

Pre-tokenization splits the text at newlines and at the matches of a regex (the config's ``split_pattern``),
then maps bytes to the byte-level alphabet without GPT-2's word splitting, so BPE merges whole phrases. With
the BabyAI pattern (:data:`~cauarena.learners.tinylm.tinylm_config.BABYAI_SPLIT`) an object line
``You see a red key 2 steps left and 1 step forward`` becomes the five tokens ``You see a`` `` red key``
`` 2 steps left`` `` and`` `` 1 step forward``, the system message a few tokens and each action one token:
prompts are ~60 tokens instead of ~180 with word-level BPE, and the object named by the mission is the very
token of its line (one attention lookup for a tiny model).

The chat template is the ``hf/`` backend's :data:`~cauarena.agents.llm.backends.hf.SIMPLE_CHAT_TEMPLATE`,
saved inside ``tokenizer_config.json`` (not as a separate ``.jinja`` file) so the checkpoint is plain JSON
and safetensors. The role tags ``<|system|>``, ``<|user|>`` and ``<|assistant|>`` are special tokens: one
token each, never produced by a reply that is decoded with ``skip_special_tokens``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

BOS, EOS, PAD, UNK = "<s>", "</s>", "<pad>", "<unk>"
ROLE_TOKENS = ("<|system|>", "<|user|>", "<|assistant|>")
SPECIAL_TOKENS = (UNK, BOS, EOS, PAD, *ROLE_TOKENS)
"""Special tokens, in id order (``<unk>`` is 0)."""


def train_tokenizer(texts: Iterable[str], vocab_size: int, split_pattern: str = "", lowercase: bool = False) -> Any:
    """Train a byte-level BPE on ``texts`` and wrap it as a ``PreTrainedTokenizerFast`` with the chat template.

    Args:
        texts: the training text (e.g. :func:`~cauarena.learners.tinylm.data.tokenizer_corpus`).
        vocab_size: the largest vocabulary; training stops earlier when no pair is left to merge.
        split_pattern: a regex whose matches become pre-tokens of their own (besides newlines); BPE never
            merges across pre-tokens. Empty: split at newlines only. It sees the lower-cased text when
            ``lowercase`` is on.
        lowercase: lower-case every text before it is split (a normaliser saved with the tokenizer, so
            prompts at play time are lower-cased too, and replies decode lower-case).

    Returns:
        A ``transformers.PreTrainedTokenizerFast`` (BOS ``<s>``, EOS ``</s>``, pad ``<pad>``).
    """
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    from cauarena.agents.llm.backends.hf import SIMPLE_CHAT_TEMPLATE

    bpe = Tokenizer(models.BPE(unk_token=UNK))
    if lowercase:
        bpe.normalizer = normalizers.Lowercase()
    pattern = "\n" + (f"|{split_pattern}" if split_pattern else "")
    bpe.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(pattern), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=2,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    bpe.train_from_iterator(texts, trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe,
        bos_token=BOS,
        eos_token=EOS,
        pad_token=PAD,
        unk_token=UNK,
    )  # no model_max_length: prompts are counted past the context while fit_history trims them
    tokenizer.chat_template = SIMPLE_CHAT_TEMPLATE
    return tokenizer


def save_tokenizer(tokenizer: Any, path: str | Path) -> None:
    """Save ``tokenizer`` to ``path`` with its chat template inside ``tokenizer_config.json``."""
    tokenizer.save_pretrained(str(path), save_jinja_files=False)


def load_tokenizer(path: str | Path) -> Any:
    """Load a tokenizer saved by :func:`save_tokenizer` (local files only)."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(path), local_files_only=True)
