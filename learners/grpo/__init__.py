"""Multi-turn GRPO of chat LMs against any registered text env, on TRL's ``GRPOTrainer``.

``cauarena train grpo --env-ids cauarena/BabyAI-GoToLocal-Text-v0 --model tiny/babyai --max-steps 200 --out DIR``
plays whole episodes through the leaderboard's ``ChatAgent`` (same prompt template and parser), rewards each
with the env's return (plus optional format and efficiency terms), and saves a model that
``cauarena run --agent hf/DIR`` evaluates. Importing this package imports no model library: the trainer
(torch, TRL) is :mod:`cauarena.learners.grpo.train` (``train.train(config, out)``).
"""

from cauarena.learners.grpo.grpo_config import HELD_OUT_SEED_START, REWARD_NAMES, EnvGRPOConfig
from cauarena.learners.grpo.rewards import REWARD_FUNCS, efficiency_reward, env_return_reward, format_reward
from cauarena.learners.grpo.rollout import Episode, EpisodeKey, RolloutPlayer, episode_dataset_rows

__all__ = [
    "HELD_OUT_SEED_START",
    "REWARD_FUNCS",
    "REWARD_NAMES",
    "EnvGRPOConfig",
    "Episode",
    "EpisodeKey",
    "RolloutPlayer",
    "efficiency_reward",
    "env_return_reward",
    "episode_dataset_rows",
    "format_reward",
]
