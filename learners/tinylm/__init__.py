"""The tiny chat LM: a byte-level BPE and a small Llama trained from scratch on oracle roll-outs.

``tiny/<name>`` (e.g. ``tiny/babyai``) is a shipped checkpoint, served by the ``hf/`` backend; rebuild it with
``cauarena train tinylm --preset babyai --out runs/tinylm/babyai``, then copy it in (see ``train.py``).
Importing this package imports no model library (trainer modules import torch/transformers/trl lazily).
"""

from cauarena.learners.tinylm.backend import checkpoint_path, make_tiny_backend, shipped_models
from cauarena.learners.tinylm.tinylm_config import HELD_OUT_SEED_START, PRESETS, TinyLMConfig

__all__ = [
    "HELD_OUT_SEED_START",
    "PRESETS",
    "TinyLMConfig",
    "checkpoint_path",
    "make_tiny_backend",
    "shipped_models",
]
