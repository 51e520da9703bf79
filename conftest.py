"""Doctests of the library run under the modules' installed names.

The top-level folders install as ``cauarena.*`` (``envs/`` is ``cauarena.envs``). pytest would import
``envs/babyai_text/env.py`` as a module of its own, a second copy whose registrations collide with the real
ones; here each library file's doctests are collected from ``importlib.import_module("cauarena.<...>")``.
"""

import importlib
from pathlib import Path

import pytest
from _pytest.doctest import DoctestModule

ROOT = Path(__file__).parent
PACKAGES = {"cauarena": "cauarena", "envs": "cauarena.envs", "agents": "cauarena.agents",
            "guards": "cauarena.guards", "learners": "cauarena.learners", "leaderboards": "cauarena.leaderboards"}


def module_name(path: Path) -> str | None:
    """``cauarena.envs.babyai_text.env`` for ``envs/babyai_text/env.py``; ``None`` outside the library."""
    try:
        parts = path.resolve().relative_to(ROOT).with_suffix("").parts
    except ValueError:
        return None
    if len(parts) < 2 or parts[0] not in PACKAGES:
        return None
    inner = parts[1:-1] if parts[-1] == "__init__" else parts[1:]
    return ".".join((PACKAGES[parts[0]], *inner))


class LibraryDoctests(DoctestModule):
    """A library file's doctests, its module imported under its installed ``cauarena.`` name."""

    def _getobj(self):
        return importlib.import_module(module_name(self.path))


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(file_path, parent):
    """Swap pytest's doctest collector of a library file for :class:`LibraryDoctests`."""
    collected = yield
    if module_name(file_path) is None:
        return collected
    return [LibraryDoctests.from_parent(parent, path=file_path) if type(item) is DoctestModule else item
            for item in collected]
