"""CauArena: one Gymnasium-native arena for causal discovery, causal reasoning, agent efficiency and safety.

``import cauarena`` registers every environment id (``cauarena/Name-vN``) with Gymnasium through string
entry points, so nothing heavy is imported until an environment is made.
"""

from cauarena.errors import (
    CauArenaError,
    ConfigError,
    DependencyNotInstalled,
    EnvNotFound,
    InvalidAction,
    NameNotFound,
)
from cauarena.registration import ENV_SPECS, env_ids, make, register_env, register_envs

__version__ = "0.1.0"

register_envs()

__all__ = [
    "ENV_SPECS",
    "CauArenaError",
    "ConfigError",
    "DependencyNotInstalled",
    "EnvNotFound",
    "InvalidAction",
    "NameNotFound",
    "__version__",
    "env_ids",
    "make",
    "register_env",
    "register_envs",
]
