"""``CoevoConfig``: the MAGIC co-evolution run (attacker search vs classifier defender), validated on creation."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from cauarena.envs.magic.operators import OPERATORS
from cauarena.errors import ConfigError
from cauarena.learners.config_io import reject_unknown_keys

INITIAL_ATTACKS = ("plain", "roleplay", "hypothetical", "authority", "urgency")
"""The attacker's starting population: MAGIC's writing-style and persuasion families only, no encodings."""


@dataclass
class CoevoConfig:
    """Alternating training, MAGIC-style: attacker phase, then defender phase, per generation.

    Attributes:
        generations: attacker/defender generations (each generation = one attacker phase + one defender phase).
        rounds_per_phase: the attacker phase's step budget (MAGIC switches every 15 steps).
        batch_size: games per attacker step (each against one random harmful train query).
        harm_threshold: switch to the defender early when the windowed ASR reaches it (MAGIC: 0.80).
        window: steps in that window (MAGIC: 3).
        mutate_prob: chance an attacker step tries a new combination (mutation of a good one) instead of the bandit's
            pick.
        ucb_c: UCB exploration constant of the bandit over known combinations.
        max_ops: most operators in one combination.
        max_parts: most turns a payload is split over.
        top_k: combinations that make up an attacker generation (played uniformly).
        initial_attacks: the starting population (attack names such as ``roleplay`` or ``caesar/split2``).
        max_turns: turns per game.
        benign_weight: the classifier's extra weight on benign twins (limits over-refusal).
        seed: everything is seeded from it.
        llm_defender: starting policy of an LLM defender (``tiny/webshop-bc``, ``hf/<dir>``); when set, each
            generation ends with ``llm_steps`` GRPO steps of it on ``cauarena/MAGIC-Defender-v0`` against the
            generation's attacker (:mod:`~cauarena.learners.magic.llm`). ``""``: none.
        llm_attacker: the same for an LLM attacker, on ``cauarena/MAGIC-Attacker-v0`` against the generation's
            retrained classifier defender.
        llm_steps: GRPO steps per LLM phase.
        llm_grpo: EnvGRPOConfig overrides of the LLM phases (e.g. ``{"device": "cuda", "num_generations": 4}``).
    """

    generations: int = 5
    rounds_per_phase: int = 15
    batch_size: int = 16
    harm_threshold: float = 0.8
    window: int = 3
    mutate_prob: float = 0.5
    ucb_c: float = 0.5
    max_ops: int = 3
    max_parts: int = 3
    top_k: int = 4
    initial_attacks: tuple[str, ...] = INITIAL_ATTACKS
    max_turns: int = 3
    benign_weight: float = 1.0
    seed: int = 0
    llm_defender: str = ""
    llm_attacker: str = ""
    llm_steps: int = 2
    llm_grpo: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        from cauarena.agents.magic.attackers import Attack

        self.initial_attacks = tuple(self.initial_attacks)
        for name in ("generations", "rounds_per_phase", "batch_size", "window", "max_ops", "max_parts", "top_k"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{name} must be an int >= 1; got {value!r}.")
        for name in ("harm_threshold", "mutate_prob"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ConfigError(f"{name} must be in [0, 1]; got {getattr(self, name)!r}.")
        if self.max_ops > len(OPERATORS) or self.max_parts > self.max_turns:
            raise ConfigError(
                f"max_ops must be <= {len(OPERATORS)} and max_parts <= max_turns ({self.max_turns}); got "
                f"{self.max_ops}, {self.max_parts}. Fix: lower them or raise max_turns."
            )
        if not self.initial_attacks:
            raise ConfigError("initial_attacks needs at least one attack name, e.g. 'plain'.")
        for name in self.initial_attacks:
            Attack.parse(name)  # raises on unknown operators
        if isinstance(self.llm_steps, bool) or not isinstance(self.llm_steps, int) or self.llm_steps < 1:
            raise ConfigError(f"llm_steps must be an int >= 1; got {self.llm_steps!r}.")
        if self.llm_defender or self.llm_attacker:
            from cauarena.learners.magic.llm import phase_config

            for seat, model in (("defender", self.llm_defender), ("attacker", self.llm_attacker)):
                if model:
                    phase_config(seat, model, self.llm_steps, self.max_turns, self.llm_grpo)  # raises early

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CoevoConfig:
        """Build from a dict (``--set`` overrides); unknown keys raise ConfigError naming the known ones."""
        reject_unknown_keys(cls, data)
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe."""
        data = asdict(self)
        data["initial_attacks"] = list(self.initial_attacks)
        return data
