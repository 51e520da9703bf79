"""Imports flow one way: leaderboards -> learners -> guards -> agents -> envs -> cauarena core."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["core", "envs", "agents", "guards", "learners", "leaderboards"]
BARE = {"envs", "agents", "guards", "learners", "leaderboards"}
# The CLI is the application on top of every layer; registration lists env entry points as strings only.
EXEMPT = {"cauarena/cli.py", "cauarena/__main__.py"}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "cauarena":
        return None
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else "core"


def _imports(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_layers_import_downward_only():
    bad = []
    for folder in ["cauarena", *BARE]:
        own = "core" if folder == "cauarena" else folder
        for path in (ROOT / folder).rglob("*.py"):
            rel = str(path.relative_to(ROOT))
            if rel in EXEMPT:
                continue
            for module in _imports(path):
                target = _layer(module)
                if module.split(".")[0] in BARE:
                    bad.append(f"{rel}: bare import {module!r}; use 'cauarena.{module}'")
                elif target and LAYERS.index(target) > LAYERS.index(own):
                    bad.append(f"{rel} ({own}) imports {module} ({target})")
    assert not bad, "\n".join(bad)
