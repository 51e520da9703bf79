"""``CauGymGRPOConfig``: online RL with group-relative advantages and the CauGym scorer as the reward."""

from __future__ import annotations

from dataclasses import dataclass

from cauarena.errors import ConfigError
from cauarena.learners.caugym.common_config import CauGymTrainConfig


@dataclass(frozen=True)
class CauGymGRPOConfig(CauGymTrainConfig):
    """GRPO with TRL's ``GRPOTrainer`` (rewards: :mod:`cauarena.learners.caugym.rewards`).

    Attributes:
        max_steps: optimisation steps (online RL runs by steps, not epochs).
        num_generations: completions sampled per prompt (the group).
        max_completion_length: most tokens per sampled completion.
        temperature: sampling temperature.
        beta: KL strength against the starting model (0 drops the reference model, TRL's default).
        reward_weights: weights of (correctness, direction, format) rewards; the default is the published
            answer + format reward, ``(1.0, 0.5, 0.2)`` the shaped option.
    """

    items_per_cell: int = 3
    batch_size: int = 8
    learning_rate: float = 1e-4
    max_steps: int = 30
    num_generations: int = 4
    max_completion_length: int = 320
    temperature: float = 1.0
    beta: float = 0.0
    reward_weights: tuple[float, float, float] = (1.0, 0.0, 1.0)
    logging_steps: int = 5

    method = "grpo"

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "reward_weights", tuple(self.reward_weights))
        if self.max_steps < 1 or self.num_generations < 2 or self.max_completion_length < 1:
            raise ConfigError(
                f"max_steps >= 1, num_generations >= 2 (a group) and max_completion_length >= 1 are needed; got "
                f"{self.max_steps}, {self.num_generations}, {self.max_completion_length}."
            )
        if self.batch_size % self.num_generations:
            raise ConfigError(
                f"batch_size {self.batch_size} must be a multiple of num_generations {self.num_generations} "
                "(TRL samples whole groups per batch)."
            )
        if self.temperature <= 0 or self.beta < 0 or len(self.reward_weights) != 3:
            raise ConfigError(
                f"temperature > 0, beta >= 0 and three reward_weights are needed; got {self.temperature}, "
                f"{self.beta}, {self.reward_weights}."
            )
