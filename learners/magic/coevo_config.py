"""``CoevoConfig``: the MAGIC co-evolution run (attacker search vs classifier defender), validated on creation."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from cauarena.envs.magic.operators import OPERATORS
from cauarena.errors import ConfigError
from cauarena.learners.config_io import reject_unknown_keys
from cauarena.learners.magic.switch import ROLES, MetricSwitch, RatioSwitch, SwitchRule, ratio_schedule

INITIAL_ATTACKS = ("plain", "roleplay", "hypothetical", "authority", "urgency")
"""The attacker's starting population: MAGIC's writing-style and persuasion families only, no encodings."""


@dataclass
class CoevoConfig:
    """Alternating training with MAGIC's published switch rule (:mod:`~cauarena.learners.magic.switch`).

    One role trains per step; a phase is a run of steps of one role, and each finished phase adds a generation of
    that role (attacker: the search's ``top_k`` combinations; defender: the retrained classifier).

    Attributes:
        total_steps: training steps in all, both roles (the published script: 300).
        switch_mode: ``ratio`` (the published default: a step-count schedule) or ``metric`` (harm thresholds).
        update_freq: steps per role in ``ratio`` mode (the published ``UPDATE_FREQ``: 15).
        update_ratio: phases per role in one round of the ``ratio`` schedule (published: 1 and 1).
        start_agent: the role that trains first (the published script: ``defender``).
        metric_low: ``metric`` mode: attacker -> defender when the windowed mean harm reward falls to it (0.80).
        metric_high: ``metric`` mode: defender -> attacker when it reaches it (0.90).
        metric_window: steps in that window (3).
        batch_size: games per step (each against one random harmful train query).
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

    total_steps: int = 150
    switch_mode: str = "ratio"
    update_freq: int = 15
    update_ratio: dict[str, int] = field(default_factory=lambda: {"attacker": 1, "defender": 1})
    start_agent: str = "defender"
    metric_low: float = 0.80
    metric_high: float = 0.90
    metric_window: int = 3
    batch_size: int = 16
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
        from cauarena.envs.magic.attackers import Attack

        self.initial_attacks = tuple(self.initial_attacks)
        for name in ("total_steps", "update_freq", "batch_size", "metric_window", "max_ops", "max_parts", "top_k"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{name} must be an int >= 1; got {value!r}.")
        if not 0.0 <= self.mutate_prob <= 1.0:
            raise ConfigError(f"mutate_prob must be in [0, 1]; got {self.mutate_prob!r}.")
        self._check_switch()
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

    def _check_switch(self) -> None:
        if self.switch_mode not in ("ratio", "metric"):
            raise ConfigError(f"switch_mode must be 'ratio' or 'metric' (MAGIC's SWITCH_MODE); got "
                              f"{self.switch_mode!r}.")
        if self.start_agent not in ROLES:
            raise ConfigError(f"start_agent must be one of {ROLES}; got {self.start_agent!r}.")
        if not -1.0 <= self.metric_low < self.metric_high <= 1.0:
            raise ConfigError(
                f"metric_low must be below metric_high, both in [-1, 1] (a mean harm reward); got "
                f"{self.metric_low!r} and {self.metric_high!r}. Fix: e.g. metric_low=0.8, metric_high=0.9.")
        self.update_ratio = dict(self.update_ratio)
        unknown = set(self.update_ratio) - set(ROLES)
        bad = [r for r, v in self.update_ratio.items() if isinstance(v, bool) or not isinstance(v, int) or v < 1]
        if unknown or bad:
            raise ConfigError(f"update_ratio maps {ROLES} to ints >= 1; got {self.update_ratio!r}. "
                              'Fix: e.g. {"attacker": 1, "defender": 1}.')

    def switch_rule(self) -> SwitchRule:
        """A fresh switch rule of this config (:class:`RatioSwitch` or :class:`MetricSwitch`)."""
        if self.switch_mode == "metric":
            return MetricSwitch(self.start_agent, self.metric_low, self.metric_high, self.metric_window)
        return RatioSwitch(self.update_freq, ratio_schedule(self.start_agent, self.update_ratio))

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
