"""Every built-in suite plans exactly the episode keys recorded in ``golden/suite_keys.json``.

A refactor must not move a single planned episode. A change that means to (a new family's rows, a grown world)
regenerates the file and says so in its commit::

    python -m tests.leaderboards.test_suite_keys   # from the repo root, writes golden/suite_keys.json
"""

import hashlib
import json
from pathlib import Path

import pytest

from cauarena.leaderboards.suites import BUILTIN_SUITES, get_suite, plan

GOLDEN = Path(__file__).with_name("golden") / "suite_keys.json"


def digest(name: str) -> dict[str, object]:
    """Count and sha256 prefix of the sorted planned keys of suite ``name``, per env id and overall."""
    episodes = plan(get_suite(name))
    keys = sorted(e.key for e in episodes)
    per_env: dict[str, list[str]] = {}
    for e in episodes:
        per_env.setdefault(e.env_id, []).append(e.key)

    def sha(items: list[str]) -> str:
        return hashlib.sha256("\n".join(sorted(items)).encode()).hexdigest()[:16]

    return {"count": len(keys), "sha": sha(keys), "envs": {env: [len(k), sha(k)] for env, k in sorted(per_env.items())}}


@pytest.mark.parametrize("name", sorted(BUILTIN_SUITES))
def test_suite_plans_the_recorded_keys(name):
    golden = json.loads(GOLDEN.read_text())
    assert name in golden, f"suite {name!r} has no recorded keys; regenerate {GOLDEN.name} (see the docstring)"
    assert digest(name) == golden[name]


if __name__ == "__main__":
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps({n: digest(n) for n in sorted(BUILTIN_SUITES)}, indent=1) + "\n")
    print(f"wrote {GOLDEN}")
