"""Imports flow one way: leaderboards -> learners -> guards -> agents -> envs -> cauarena core.

Both import statements and ``"cauarena.module:attr"`` strings (the entry points registries import later) are
checked; a string must also name a module that exists, so a moved module cannot leave a registration behind.
"""

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["core", "envs", "agents", "guards", "learners", "leaderboards"]
BARE = {"envs", "agents", "guards", "learners", "leaderboards"}
# The CLI is the application on top of every layer.
EXEMPT = {"cauarena/cli.py", "cauarena/__main__.py"}
# Strings may point up only along these edges, each a registration DESIGN.md names.
STRING_EDGES = {
    ("core", "envs"): "the env registry lists every env by its entry point",
    ("agents", "learners"): "an agent that runs a model trained here joins the agent/backend registry by string",
}
SPEC = re.compile(r"cauarena(?:\.\w+)*:[\w.]+")


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "cauarena":
        return None
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else "core"


def _imports(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def _specs(tree: ast.AST):
    """Every string constant that is a whole ``cauarena.module:attr`` spec."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SPEC.fullmatch(node.value):
            yield node.value


def _module_exists(module: str) -> bool:
    parts = module.split(".")[1:]
    base = ROOT / "cauarena" if not parts or parts[0] not in BARE else ROOT
    path = base.joinpath(*parts)
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


@cache
def _sources() -> tuple[tuple[str, str, ast.AST], ...]:
    """(path, layer, syntax tree) of every library module, parsed once for both tests."""
    found = []
    for folder in ["cauarena", *BARE]:
        own = "core" if folder == "cauarena" else folder
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = str(path.relative_to(ROOT))
            if rel not in EXEMPT:
                found.append((rel, own, ast.parse(path.read_text(), filename=rel)))
    return tuple(found)


def test_layers_import_downward_only():
    bad = []
    for rel, own, tree in _sources():
        for module in _imports(tree):
            target = _layer(module)
            if module.split(".")[0] in BARE:
                bad.append(f"{rel}: bare import {module!r}; use 'cauarena.{module}'")
            elif target and LAYERS.index(target) > LAYERS.index(own):
                bad.append(f"{rel} ({own}) imports {module} ({target})")
    assert not bad, "\n".join(bad)


def test_module_attr_strings_point_downward_at_modules_that_exist():
    bad, seen = [], 0
    for rel, own, tree in _sources():
        for spec in _specs(tree):
            seen += 1
            module = spec.partition(":")[0]
            target = _layer(module)
            if LAYERS.index(target) > LAYERS.index(own) and (own, target) not in STRING_EDGES:
                bad.append(f"{rel} ({own}) names {spec!r} ({target}); register it from the {target} layer")
            if not _module_exists(module):
                bad.append(f"{rel} names {spec!r}, but no module {module} exists")
    assert seen > 20, "the scan found too few entry-point strings: the pattern no longer matches"
    assert not bad, "\n".join(bad)


def test_the_string_check_catches_an_upward_or_stale_spec():
    tree = ast.parse('X = "cauarena.leaderboards.runner:Runner"\nY = "cauarena.envs.no_such_module:Env"')
    assert list(_specs(tree)) == ["cauarena.leaderboards.runner:Runner", "cauarena.envs.no_such_module:Env"]
    assert _layer("cauarena.leaderboards.runner") == "leaderboards" and _module_exists("cauarena.leaderboards.runner")
    assert not _module_exists("cauarena.envs.no_such_module") and _module_exists("cauarena.registry")
