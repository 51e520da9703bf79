"""``TinyLMConfig``: everything that rebuilds a tiny chat LM, validated when constructed.

Importing this module imports no model library (configs are checked in tests that must stay fast).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from cauarena.errors import ConfigError
from cauarena.learners.config_io import reject_unknown_keys

HELD_OUT_SEED_START = 1000
"""Seeds from here on are the benchmark's held-out test seeds; training and validation never use them."""

KNOWN_LEVELS = ("GoToLocal", "PickupLoc", "GoTo", "PutNextLocal", "BossLevel", "GoToObj", "Pickup")
"""BabyAI levels registered as ``cauarena/BabyAI-<Level>-Text-v0`` (the trainer makes envs by those ids)."""

BABYAI_SPLIT = (
    r" ?\b(?:red|green|blue|purple|yellow|grey) (?:ball|box|key|door)\b"
    r"| \d+ steps? (?:left|right|forward)"
    r"| and\b"
)
"""Pre-token boundaries of BabyAI-Text: an object (`` red key``), a distance (`` 2 steps left``), `` and``."""

WEBSHOP_SPLIT = r" \[sep\] |\[|\]|\$?\d+(?:\.\d+)?"
"""Pre-token boundaries of lower-cased WebShop text: `` [sep] ``, brackets (``click[`` + value + ``]``), numbers.

With the tokenizer's lower-casing (``lowercase=True``) a product id reads the same on the results page
(``B0BQEP7Z05``) and in the action (``click[b0bqep7z05]``): the digits are pre-tokens of their own and the
letters between them merge the same way in both places, so buying a product is copying the tokens of its id.
"""

NOISE_ACTIONS = ("turn left", "turn right", "go forward")
"""Actions a noisy roll-out may take instead of the expert's (moves only: they never break a level)."""

FAMILIES = ("babyai", "webshop")
"""Env families the recipe can collect oracle roll-outs of (the ``prompt`` field picks one; other learners, such as
CauGym's, build their model from a config with their own prompt and never collect roll-outs)."""


@dataclass(frozen=True)
class TinyLMConfig:
    """How to build the ``tiny/<name>`` checkpoint: data, tokenizer, model, SFT and DAgger settings.

    Data are oracle roll-outs: BabyAIBot on BabyAI-Text (``prompt="babyai"``) or the WebShop ``oracle`` buyer on
    ``cauarena/WebShop-v0`` (``prompt="webshop"``). Each training seed is played once as the expert would, then
    ``noisy_rollouts`` more times where each step, with probability ``noise_prob``, a random move from
    :data:`NOISE_ACTIONS` is taken instead of the expert's (DART-style noise injection; the bot replans
    from any state; on WebShop the noise is a random click other than ``buy now``, never a search, and the
    oracle replans from the page it lands on). Every visited state is labelled with the oracle's action; the
    history the model sees holds the actions actually taken, as at inference. After ``max_steps`` of SFT the
    model itself plays ``dagger_episodes`` training seeds (BabyAI only), the bot labels every state it reaches,
    and SFT continues for ``dagger_steps`` on the oracle and DAgger rows together.

    Attributes:
        name: the checkpoint name (``tiny/<name>``).
        prompt: the env family and its ChatAgent prompt template (``babyai`` or ``webshop``).
        levels: ``(level, episodes)`` pairs; level seeds are ``seed_start, seed_start + 1, ...``. WebShop:
            ``(("train", instructions),)``, instruction seeds of its ``train`` split.
        seed_start: the first training seed of every level.
        validation_level: the level whose validation seeds measure success after training (WebShop: ``eval``,
            its eval split; the test split is never seen before the benchmark).
        validation_seed_start: first validation seed (BabyAI: disjoint from the training seeds, below 1000).
        validation_episodes: validation episodes (0 skips validation).
        noisy_rollouts: extra noisy roll-outs per training seed.
        noise_prob: per-step probability of a random move in a noisy roll-out.
        noise_actions: the moves noise picks from (a subset of :data:`NOISE_ACTIONS`).
        max_episode_steps: most steps kept per oracle roll-out.
        num_products: WebShop's catalog size (the env's default, 1,000; BabyAI ignores it).
        vocab_size: the byte-level BPE vocabulary size (an upper bound: training stops when nothing merges).
        split_pattern: regex of extra pre-token boundaries (see :mod:`~cauarena.learners.tinylm.tokenizer`).
        lowercase: the tokenizer lower-cases text before splitting it (replies come out lower-case); WebShop
            needs it so that an id on the page and in ``click[...]`` are the same tokens.
        hidden_size: the model width.
        intermediate_size: the MLP width.
        num_layers: transformer blocks.
        num_heads: attention heads (``hidden_size`` must split into heads of an even size).
        context_length: ``max_position_embeddings`` and the SFT truncation length. The ChatAgent's prompt
            budget is this minus the template's ``max_tokens`` (the oldest turns are dropped to fit), so it
            also sets how much history the model sees; the longest bare prompt must fit in it.
        max_steps: most SFT optimisation steps before DAgger (the time slot may end the phase first).
        batch_size: rows per optimisation step.
        learning_rate: AdamW peak learning rate (cosine decay after a linear warm-up).
        warmup_ratio: fraction of steps spent warming up.
        weight_decay: AdamW weight decay.
        dagger_episodes: training seeds (of the first level) the model plays for DAgger per round; 0 (the
            default) skips DAgger. On the reactive model (context 144) one round did not raise validation success
            (56% against 62% without, 50 seeds); with three turns of history, three rounds of 300 took held-out
            success from 0.56 to 0.60 (the ``babyai`` preset; BENCHMARKS.md).
        dagger_max_steps: most steps per DAgger episode (a looping model is cut there).
        dagger_steps: SFT steps on the oracle and DAgger rows together (per round).
        dagger_rounds: DAgger rounds (the default 1). Round ``r`` (from 0) lets the model trained so far play the
            next ``dagger_episodes`` seeds of the first level (``seed_start + r * dagger_episodes`` on), so each
            round labels the states the latest policy reaches; then ``dagger_steps`` SFT steps on the oracle rows and
            every round's rows together.
        dagger_learning_rate: peak learning rate of the DAgger SFT.
        time_budget_s: wall-clock budget of the whole build. The SFT phases get time slots from what is left
            after the data and an estimate of the rest, and anneal the learning rate over their step cap or
            their slot, whichever ends first (see :mod:`~cauarena.learners.tinylm.budget`); 0: steps only.
        save_steps: trainer checkpoint interval in optimisation steps.
        save_dtype: dtype of the shipped weights (``float32``, ``bfloat16`` or ``float16``).
        threads: torch CPU threads while training. 1 by default: on a shared 2-core machine two OpenMP
            threads ran a training step 3x slower than one (spin-waiting on a busy core).
        seed: seeds data noise, model init and data order.
    """

    name: str = "babyai"
    prompt: str = "babyai"
    levels: tuple[tuple[str, int], ...] = (("GoToLocal", 900),)
    seed_start: int = 0
    validation_level: str = "GoToLocal"
    validation_seed_start: int = 950
    validation_episodes: int = 50
    noisy_rollouts: int = 2
    noise_prob: float = 0.3
    noise_actions: tuple[str, ...] = NOISE_ACTIONS
    max_episode_steps: int = 64
    num_products: int = 1000
    vocab_size: int = 1024
    split_pattern: str = BABYAI_SPLIT
    lowercase: bool = False
    hidden_size: int = 128
    intermediate_size: int = 384
    num_layers: int = 2
    num_heads: int = 8
    context_length: int = 144
    max_steps: int = 2500
    batch_size: int = 32
    learning_rate: float = 1e-3
    warmup_ratio: float = 0.05
    weight_decay: float = 0.01
    dagger_episodes: int = 0
    dagger_max_steps: int = 40
    dagger_steps: int = 400
    dagger_rounds: int = 1
    dagger_learning_rate: float = 5e-4
    time_budget_s: float = 840.0
    save_steps: int = 500
    save_dtype: str = "float32"
    threads: int = 1
    seed: int = 0

    def __post_init__(self) -> None:
        self._check_data()
        self._check_seeds()
        self._check_model()
        self._check_training()

    def _check_data(self) -> None:
        if not self.name or "/" in self.name:
            raise ConfigError(f"name is a plain checkpoint name such as 'babyai' (no '/'); got {self.name!r}.")
        if not self.levels:
            raise ConfigError("levels needs at least one (level, episodes) pair, e.g. (('GoToLocal', 500),).")
        if self.prompt == "webshop":
            self._check_webshop()
        else:
            for level, _ in self.levels:
                if level not in KNOWN_LEVELS:
                    raise ConfigError(f"Unknown level {level!r} in levels. Fix: use one of {', '.join(KNOWN_LEVELS)}.")
            if self.validation_level not in KNOWN_LEVELS:
                raise ConfigError(
                    f"Unknown validation_level {self.validation_level!r}. Fix: use one of {', '.join(KNOWN_LEVELS)}."
                )
        for level, episodes in self.levels:
            if isinstance(episodes, bool) or not isinstance(episodes, int) or episodes < 1:
                raise ConfigError(f"Episodes of {level!r} must be an int >= 1; got {episodes!r}.")
        if self.noisy_rollouts < 0 or self.validation_episodes < 0:
            raise ConfigError(
                f"noisy_rollouts and validation_episodes must be >= 0; got {self.noisy_rollouts}, "
                f"{self.validation_episodes}."
            )
        if not self.noise_actions or not set(self.noise_actions) <= set(NOISE_ACTIONS):
            raise ConfigError(
                f"noise_actions must be a non-empty subset of {NOISE_ACTIONS}; got {self.noise_actions!r}."
            )
        if not 0.0 <= self.noise_prob <= 1.0:
            raise ConfigError(f"noise_prob is a probability in [0, 1]; got {self.noise_prob}.")
        if self.max_episode_steps < 1:
            raise ConfigError(f"max_episode_steps must be >= 1; got {self.max_episode_steps}.")

    def _check_webshop(self) -> None:
        if [level for level, _ in self.levels] != ["train"] or self.validation_level != "eval":
            raise ConfigError(
                f"WebShop trains on its train split and validates on its eval split: levels=[['train', N]] and "
                f"validation_level='eval'; got levels={[list(p) for p in self.levels]}, validation_level="
                f"{self.validation_level!r}."
            )
        if self.dagger_episodes:
            raise ConfigError("DAgger plays BabyAI levels only. Fix: dagger_episodes=0 for WebShop.")
        if isinstance(self.num_products, bool) or not isinstance(self.num_products, int) or self.num_products < 20:
            raise ConfigError(f"num_products must be an int >= 20 (WebShop's smallest catalog); got "
                              f"{self.num_products!r}.")

    def _check_seeds(self) -> None:
        if self.seed_start < 0 or self.validation_seed_start < 0:
            raise ConfigError("Seeds are >= 0; got a negative seed_start or validation_seed_start.")
        if self.prompt == "webshop":  # train, eval and test instructions target disjoint products
            return
        last_train = self.seed_start + max(episodes for _, episodes in self.levels) - 1
        last_validation = self.validation_seed_start + self.validation_episodes - 1
        if max(last_train, last_validation) >= HELD_OUT_SEED_START:
            raise ConfigError(
                f"Training seeds end at {last_train} and validation seeds at {last_validation}, but seeds >= "
                f"{HELD_OUT_SEED_START} are the held-out test seeds. Fix: fewer episodes or a lower seed_start."
            )
        same_level = [n for level, n in self.levels if level == self.validation_level]
        if self.validation_episodes and same_level:
            last_same = self.seed_start + max(same_level) - 1
            if not (last_validation < self.seed_start or self.validation_seed_start > last_same):
                raise ConfigError(
                    f"Validation seeds {self.validation_seed_start}..{last_validation} of {self.validation_level} "
                    f"overlap its training seeds {self.seed_start}..{last_same}. Fix: move validation_seed_start "
                    "past the training seeds."
                )

    def _check_model(self) -> None:
        sizes = {
            "vocab_size": self.vocab_size, "hidden_size": self.hidden_size,
            "intermediate_size": self.intermediate_size, "num_layers": self.num_layers,
            "num_heads": self.num_heads, "context_length": self.context_length,
        }
        for key, value in sizes.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{key} must be an int >= 1; got {value!r}.")
        if self.vocab_size < 300:
            raise ConfigError(f"vocab_size must be >= 300 (256 bytes, special tokens, merges); got {self.vocab_size}.")
        if self.hidden_size % self.num_heads or (self.hidden_size // self.num_heads) % 2:
            raise ConfigError(
                f"hidden_size {self.hidden_size} must split into {self.num_heads} heads of an even size (RoPE). "
                "Fix: e.g. hidden_size=192, num_heads=4."
            )
        try:
            re.compile(self.split_pattern)
        except re.error as exc:
            raise ConfigError(f"split_pattern is not a valid regex ({exc}): {self.split_pattern!r}.") from None

    def _check_training(self) -> None:
        counts = {
            "max_steps": self.max_steps, "batch_size": self.batch_size, "save_steps": self.save_steps,
            "dagger_max_steps": self.dagger_max_steps, "dagger_rounds": self.dagger_rounds,
        }
        for key, value in counts.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{key} must be an int >= 1; got {value!r}.")
        if self.dagger_episodes < 0 or self.dagger_steps < 0:
            raise ConfigError(
                f"dagger_episodes and dagger_steps must be >= 0 (0 skips DAgger); got {self.dagger_episodes}, "
                f"{self.dagger_steps}."
            )
        if self.dagger_episodes * self.dagger_rounds > self.levels[0][1]:
            raise ConfigError(
                f"dagger_episodes x dagger_rounds ({self.dagger_episodes} x {self.dagger_rounds}) replays training "
                f"seeds of the first level, which has {self.levels[0][1]}. Fix: dagger_episodes x dagger_rounds <= "
                "its episodes."
            )
        for key in ("learning_rate", "dagger_learning_rate"):
            if not 0 < getattr(self, key) < 1:
                raise ConfigError(f"{key} must be in (0, 1); got {getattr(self, key)}.")
        if not 0 <= self.warmup_ratio < 1 or self.weight_decay < 0:
            raise ConfigError(
                f"warmup_ratio must be in [0, 1) and weight_decay >= 0; got {self.warmup_ratio}, {self.weight_decay}."
            )
        if self.time_budget_s < 0:
            raise ConfigError(f"time_budget_s must be >= 0 (0 disables it); got {self.time_budget_s}.")
        if isinstance(self.threads, bool) or not isinstance(self.threads, int) or self.threads < 1:
            raise ConfigError(f"threads must be an int >= 1; got {self.threads!r}.")
        if self.save_dtype not in ("float32", "bfloat16", "float16"):
            raise ConfigError(f"save_dtype must be float32, bfloat16 or float16; got {self.save_dtype!r}.")

    def to_dict(self) -> dict[str, Any]:
        """The config as JSON-safe data (``levels`` as lists)."""
        data = asdict(self)
        data["levels"] = [list(pair) for pair in self.levels]
        data["noise_actions"] = list(self.noise_actions)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TinyLMConfig:
        """Rebuild a config from :meth:`to_dict` output; unknown keys raise :class:`ConfigError`."""
        reject_unknown_keys(cls, data)
        data = dict(data)
        if "levels" in data:
            data["levels"] = tuple((str(level), int(n)) for level, n in data["levels"])
        if "noise_actions" in data:
            data["noise_actions"] = tuple(data["noise_actions"])
        return cls(**data)


PRESETS: dict[str, TinyLMConfig] = {
    # tiny/babyai: about three turns of history (context 256) and three DAgger rounds (issue 23); ~90 min on one core
    "babyai": TinyLMConfig(
        levels=(("GoToLocal", 940),), noisy_rollouts=3, context_length=256, max_steps=2555, time_budget_s=0.0,
        dagger_episodes=300, dagger_max_steps=64, dagger_steps=1000, dagger_rounds=3,
    ),
    # tiny/babyai-reactive: tiny/babyai until issue 23 (no history, no DAgger; these are TinyLMConfig's defaults)
    "babyai-reactive": TinyLMConfig(name="babyai-reactive"),
    "webshop": TinyLMConfig(
        name="webshop", prompt="webshop", levels=(("train", 1500),), validation_level="eval",
        validation_seed_start=0, validation_episodes=50, noisy_rollouts=1, noise_prob=0.2, max_episode_steps=30,
        vocab_size=2048, split_pattern=WEBSHOP_SPLIT, lowercase=True, hidden_size=128, intermediate_size=384,
        num_layers=4, num_heads=4, context_length=768, max_steps=4000, batch_size=16, learning_rate=1e-3,
        time_budget_s=3600.0,
    ),
}
"""The shipped checkpoints' configs by name: ``--preset babyai`` rebuilds ``tiny/babyai``, ``--preset babyai-reactive``
``tiny/babyai-reactive``, ``--preset webshop`` ``tiny/webshop``."""
