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
from cauarena.registration import ENV_SPECS, ENVS, env_ids, make, register_env, register_envs
from cauarena.registry import Entry, Registry, load

__version__ = "0.1.0"

register_envs()

__all__ = [
    "ENVS",
    "ENV_SPECS",
    "CauArenaError",
    "ConfigError",
    "DependencyNotInstalled",
    "Entry",
    "EnvNotFound",
    "InvalidAction",
    "NameNotFound",
    "Registry",
    "__version__",
    "env_ids",
    "load",
    "make",
    "register_env",
    "register_envs",
]
