"""``PipelineConfig``: everything that rebuilds the BC -> KTO -> DEPO checkpoints of one env, validated.

Importing this module imports no model library.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from cauarena.errors import ConfigError
from cauarena.learners.config_io import reject_unknown_keys
from cauarena.learners.depo.depo_config import DEPOConfig

HELD_OUT_SEED_START = 1000
"""Evaluation seeds start here; BabyAI training seeds stay below (WebShop trains on its ``train`` split)."""

BABYAI_SPLIT = (
    r" ?\b(?:red|green|blue|purple|yellow|grey) (?:ball|box|key|door)\b"
    r"| \d+ steps? (?:left|right|forward)"
    r"| and\b"
)
"""BabyAI-Text pre-token boundaries (tinylm's): an object (`` red key``), a distance (`` 2 steps left``), `` and``."""

WEBSHOP_SPLIT = r" \[SEP\] |\[|\]|\$?\d+(?:\.\d+)?"
"""WebShop pre-token boundaries: `` [SEP] ``, brackets (so ``click[`` + value + ``]``), numbers and prices."""


@dataclass(frozen=True)
class ModelSpec:
    """The tiny Llama's sizes (the fields tinylm's ``build_model`` reads) and its initialisation seed."""

    hidden_size: int
    intermediate_size: int
    num_layers: int
    num_heads: int
    context_length: int
    seed: int


@dataclass(frozen=True)
class PipelineConfig:
    """One env's DEPO experiment: data, tokenizer, model, the three training stages and the evaluation.

    Attributes:
        env: ``babyai`` (BabyAI-GoToLocal-Text) or ``webshop`` (WebShop-v0).
        seeds: training seeds (``0 .. seeds-1``; WebShop instructions of its ``train`` split).
        pref_seeds: the KTO and DEPO stages train on the roll-outs of the first ``pref_seeds`` seeds only (the
            same roll-outs BC saw: seeds are played in order from one generator); None: all of them.
        styles_per_seed: roll-outs per training seed, each with its own sampled style.
        thought_probs: probabilities of the thought styles ``none``, ``short``, ``verbose``.
        habit_prob: probability of the detour habit (BabyAI: look around first; WebShop: read two sub-pages).
        sloppy_prob: probability of a sloppy roll-out (BabyAI: noise; WebShop: one option skipped).
        num_products: WebShop catalog size (training and evaluation).
        vocab_size: byte-level BPE vocabulary (upper bound).
        split_pattern: extra pre-token boundaries of the tokenizer.
        hidden_size: model width.
        intermediate_size: MLP width.
        num_layers: transformer blocks.
        num_heads: attention heads.
        context_length: the model's context (prompt budget = context - the template's ``max_tokens``).
        bc_data: ``desirable`` (as published: BC learns from the desirable trajectories, their thoughts
            shortened as DEPO trains on them) or ``kept`` (every kept trajectory as played: verbose thoughts,
            detours and slow successes included; the pipeline's behaviour before issue 23).
        bc_epochs: behaviour-cloning epochs.
        bc_learning_rate: BC learning rate.
        bc_batch_size: BC rows per step.
        pref_epochs: KTO and DEPO epochs.
        pref_learning_rate: KTO and DEPO learning rate.
        pref_batch_size: KTO and DEPO rows per step.
        beta: KTO's temperature.
        balance_rows: weight desirable rows by (undesirable rows / desirable rows), the low end of the range KTO
            recommends (its Eq. 8; TRL warns outside it). Off by default: the paper uses lambda_D = lambda_U = 1.
        alpha_tokens: DEPO's a1.
        alpha_steps: DEPO's a2.
        bonus_scale: ``raw`` or ``log`` (see :func:`~cauarena.learners.depo.loss.efficiency_bonus`).
        eval_seeds: evaluation episodes per stage (seeds from 1000; WebShop's ``test`` split).
        eval_max_steps: step limit of an evaluation episode (None, the default and the presets': the env's own,
            so a policy can show fewer steps). BabyAI: the runner stops the episode there (the reward keeps
            GoToLocal's 64-step scale); WebShop: the env's ``max_steps``.
        eval_workers: runner worker processes.
        time_budget_s: per training stage wall-clock limit (0: none).
        save_dtype: dtype of the saved weights.
        threads: torch CPU threads while training.
        device: ``cpu`` (default) or ``cuda`` for the three training stages (evaluation always runs on CPU).
        seed: data, initialisation and order seed.
    """

    env: str = "babyai"
    seeds: int = 600
    pref_seeds: int | None = None
    styles_per_seed: int = 1
    thought_probs: tuple[float, float, float] = (0.3, 0.2, 0.5)
    habit_prob: float = 0.6
    sloppy_prob: float = 0.15
    num_products: int = 1000
    vocab_size: int = 1024
    split_pattern: str = ""
    hidden_size: int = 128
    intermediate_size: int = 384
    num_layers: int = 3
    num_heads: int = 4
    context_length: int = 512
    bc_data: str = "desirable"
    bc_epochs: float = 3.0
    bc_learning_rate: float = 2e-3
    bc_batch_size: int = 16
    pref_epochs: float = 1.0
    pref_learning_rate: float = 1e-4
    pref_batch_size: int = 8
    beta: float = 0.2
    balance_rows: bool = False
    alpha_tokens: float = 3.0
    alpha_steps: float = 3.0
    bonus_scale: str = "raw"
    eval_seeds: int = 100
    eval_max_steps: int | None = None
    eval_workers: int = 2
    time_budget_s: float = 0.0
    save_dtype: str = "float32"
    threads: int = 1
    device: str = "cpu"
    seed: int = 0

    def __post_init__(self) -> None:
        if self.env not in ("babyai", "webshop"):
            raise ConfigError(f"env must be 'babyai' or 'webshop'; got {self.env!r}.")
        if self.seeds < 1 or self.styles_per_seed < 1 or self.eval_seeds < 1:
            raise ConfigError(
                f"seeds, styles_per_seed and eval_seeds must be >= 1; got {self.seeds}, {self.styles_per_seed}, "
                f"{self.eval_seeds}."
            )
        if self.pref_seeds is not None and not 1 <= self.pref_seeds <= self.seeds:
            raise ConfigError(f"pref_seeds must be in [1, seeds={self.seeds}] or None; got {self.pref_seeds}.")
        if self.env == "babyai" and self.seeds > HELD_OUT_SEED_START:
            raise ConfigError(f"BabyAI training seeds must stay below {HELD_OUT_SEED_START} (the held-out seeds); "
                              f"got seeds={self.seeds}.")
        if len(self.thought_probs) != 3 or min(self.thought_probs) < 0 or sum(self.thought_probs) <= 0:
            raise ConfigError(f"thought_probs are three weights >= 0 (none, short, verbose); got {self.thought_probs}.")
        for name in ("habit_prob", "sloppy_prob"):
            if not 0 <= getattr(self, name) <= 1:
                raise ConfigError(f"{name} is a probability; got {getattr(self, name)}.")
        if self.eval_max_steps is not None and self.eval_max_steps < 1:
            raise ConfigError(f"eval_max_steps must be >= 1 or None; got {self.eval_max_steps}.")
        if self.bc_data not in ("desirable", "kept"):
            raise ConfigError(
                f"bc_data must be 'desirable' (the published BC) or 'kept' (every kept trajectory as played); "
                f"got {self.bc_data!r}."
            )
        if self.bc_epochs <= 0 or not 0 < self.bc_learning_rate < 1 or self.bc_batch_size < 1:
            raise ConfigError("bc_epochs > 0, bc_learning_rate in (0, 1) and bc_batch_size >= 1 are needed.")
        if self.eval_workers < 0:
            raise ConfigError(f"eval_workers must be >= 0 (0: in-process); got {self.eval_workers}.")
        self.preference_config(kto=False)  # validates the KTO/DEPO fields with DEPOConfig's own checks
        self._check_model()

    def _check_model(self) -> None:
        sizes = {"vocab_size": self.vocab_size, "hidden_size": self.hidden_size, "num_layers": self.num_layers,
                 "intermediate_size": self.intermediate_size, "num_heads": self.num_heads,
                 "context_length": self.context_length, "bc_batch_size": self.bc_batch_size}
        for key, value in sizes.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{key} must be an int >= 1; got {value!r}.")
        if self.vocab_size < 300:
            raise ConfigError(f"vocab_size must be >= 300 (256 bytes, special tokens, merges); got {self.vocab_size}.")
        if self.hidden_size % self.num_heads or (self.hidden_size // self.num_heads) % 2:
            raise ConfigError(
                f"hidden_size {self.hidden_size} must split into {self.num_heads} heads of an even size (RoPE). "
                "Fix: e.g. hidden_size=128, num_heads=4."
            )
        if self.save_dtype not in ("float32", "bfloat16", "float16"):
            raise ConfigError(f"save_dtype must be float32, bfloat16 or float16; got {self.save_dtype!r}.")

    @property
    def family(self) -> str:
        """The env family (prompt template and parser name)."""
        return self.env

    def preference_config(self, kto: bool) -> DEPOConfig:
        """The :class:`DEPOConfig` of the KTO stage (no bonus) or the DEPO stage."""
        return DEPOConfig(
            beta=self.beta, alpha_tokens=0.0 if kto else self.alpha_tokens,
            alpha_steps=0.0 if kto else self.alpha_steps, bonus_scale=self.bonus_scale,
            learning_rate=self.pref_learning_rate, epochs=self.pref_epochs, batch_size=self.pref_batch_size,
            max_length=self.context_length, time_budget_s=self.time_budget_s, threads=self.threads,
            device=self.device, seed=self.seed,
        )

    def model_spec(self) -> ModelSpec:
        """The model sizes, as tinylm's ``build_model`` reads them."""
        return ModelSpec(self.hidden_size, self.intermediate_size, self.num_layers, self.num_heads,
                         self.context_length, self.seed)

    def to_dict(self) -> dict[str, Any]:
        """The config as JSON-safe data."""
        data = asdict(self)
        data["thought_probs"] = list(self.thought_probs)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PipelineConfig:
        """Rebuild from :meth:`to_dict` output; unknown keys raise :class:`ConfigError`."""
        reject_unknown_keys(cls, data)
        data = dict(data)
        if "thought_probs" in data:
            data["thought_probs"] = tuple(float(p) for p in data["thought_probs"])
        return cls(**data)


PRESETS: dict[str, PipelineConfig] = {
    "babyai": PipelineConfig(env="babyai", seeds=600, pref_seeds=300, split_pattern=BABYAI_SPLIT, eval_seeds=100),
    "webshop": PipelineConfig(env="webshop", seeds=400, pref_seeds=100, vocab_size=2048, split_pattern=WEBSHOP_SPLIT,
                              context_length=768, bc_batch_size=8, eval_seeds=100),
}
"""The shipped experiments: ``--env babyai`` and ``--env webshop`` rebuild ``tiny/<env>-bc|kto|depo``."""
