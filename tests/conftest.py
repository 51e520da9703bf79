"""Shared test set-up: every test runs inside a snapshot of every plug-in registry.

The test kit in ``tests/_support`` is importable in this process through pytest's ``pythonpath`` setting
(pyproject.toml); worker processes get the parent's ``sys.path`` (multiprocessing's spawn and the Ray executor
pass it on). A test that starts ``python -m cauarena`` itself naming the kit passes ``env=support_env``.
"""

import os
import sys
from contextlib import ExitStack
from pathlib import Path

import gymnasium as gym
import pytest

from cauarena.agents.llm.backends.registry import BACKEND_REGISTRY
from cauarena.agents.llm.parsing import PARSER_REGISTRY
from cauarena.agents.llm.prompts import PROMPT_REGISTRY
from cauarena.agents.registry import AGENTS
from cauarena.guards.registry import GUARDS
from cauarena.leaderboards.suites import SUITES
from cauarena.learners.methods import TRAIN_METHODS
from cauarena.registration import ENVS, register_envs

SUPPORT = Path(__file__).parent / "_support"
REGISTRIES = (ENVS, AGENTS, GUARDS, BACKEND_REGISTRY, PROMPT_REGISTRY, PARSER_REGISTRY, SUITES, TRAIN_METHODS)


@pytest.fixture(autouse=True)
def _restore_registries():
    """Whatever a test registers or removes is undone, in Gymnasium's registry too (``register_env`` writes it).

    Ids other packages register in Gymnasium meanwhile (minigrid's, on its first import) stay. A test-kit module
    (``tests/_support``) first imported during the test is forgotten too, so that the next test's import registers
    its entries again instead of finding the module cached and its entries gone.
    """
    before = set(ENVS.view())
    modules = set(sys.modules)
    with ExitStack() as stack:
        for registry in REGISTRIES:
            stack.enter_context(registry.snapshot())
        yield
        added = set(ENVS.view()) - before
    for env_id in added:
        gym.registry.pop(env_id, None)
    register_envs()  # Gymnasium follows the restored entries
    for name in set(sys.modules) - modules:
        if str(getattr(sys.modules[name], "__file__", None) or "").startswith(str(SUPPORT)):
            del sys.modules[name]


@pytest.fixture
def support_env():
    """The environment for a ``python -m cauarena`` subprocess that imports the test kit (``arenakit:...``)."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(SUPPORT), os.environ.get("PYTHONPATH")) if p)}
