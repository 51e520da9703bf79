"""Issue 16, REG part: what the move to ``--doctest-modules`` costs, and how long the fast suite takes.

``doctests`` times, each in a fresh interpreter (imports included) and as the median of ``--runs``:
- ``hand``: ``doctest.testmod`` over the 64 modules that 31 tests used to call it on by hand;
- ``pytest``: ``pytest`` over the library folders, i.e. every docstring example of every library module
  (each module imported under its ``cauarena.`` name by the root conftest.py).
``fast-suite`` times one run of the whole default test selection (``pytest -q``: tests and doctests) and the
share of its library doctest items (setup and call, from a JUnit report; module imports count at collection).

    python benchmarks/bench_reg.py doctests --runs 3
    python benchmarks/bench_reg.py fast-suite
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ["cauarena", "envs", "agents", "guards", "learners", "leaderboards"]
HAND_CALLED = {  # the modules the removed tests passed to doctest.testmod, by package
    "cauarena.agents": ["webshop", "babyai", "random", "causal.baselines", "causal.prompts"],
    "cauarena.agents.magic": ["attackers", "defenders", "chat", "classifier"],
    "cauarena.envs": ["_actions", "babyai_text.actions", "babyai_text.describe", "causal.edits", "causal.causallearn",
                      "causal.graphs", "causal.metrics", "causal.scores", "magic.corpus", "magic.operators",
                      "magic.reader", "magic.judge", "webshop.actions", "webshop.instructions", "webshop.reward",
                      "webshop.search", *(f"caugym.{m}" for m in ("generate", "names", "reason", "scm", "scorer",
                                                                   "store", "tasks", "text"))],
    "cauarena.guards": ["llm_judge", "metrics", "taxonomy", "agentdog.behaviours", "agentdog.atbench",
                        *(f"mentor.{m}" for m in ("assess", "graph", "queries", "reframe", "rules"))],
    "cauarena.learners": ["config_io", "caugym.rewards", "caugym.data", "depo.loss", "depo.data", "depo.rollouts",
                          "magic.report", "magic.switch", "magic.llm", "causcale.causcale_config", "causcale.data",
                          "causcale.model", "tinylm.budget", *(f"grpo.{m}" for m in ("grpo_config", "rewards",
                                                                                       "rollout", "report", "train"))],
    "cauarena.leaderboards": ["configs", "headline", "plots", "render", "compare", "stats"],
}
HAND_SCRIPT = """
import doctest, importlib, sys
attempted = failed = 0
for name in sys.argv[1:]:
    try:
        module = importlib.import_module(name)
    except ImportError:
        continue  # moved since the tests were written
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    attempted, failed = attempted + result.attempted, failed + result.failed
print(attempted, failed)
"""


def _timed(argv: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{argv[:4]} exited {done.returncode}: {done.stderr[-2000:]}")
    return time.perf_counter() - start, done.stdout.strip().splitlines()[-1]


def doctests(runs: int) -> None:
    modules = [f"{package}.{m}" for package, names in HAND_CALLED.items() for m in names]
    hand = [_timed([sys.executable, "-c", HAND_SCRIPT, *modules]) for _ in range(runs)]
    lib = [_timed([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", *LIBRARY]) for _ in range(runs)]
    for label, timings in (("hand-called testmod (64 modules)", hand), ("pytest --doctest-modules (library)", lib)):
        seconds = [t for t, _ in timings]
        print(f"{label}: median {statistics.median(seconds):.1f} s of {[round(s, 1) for s in seconds]}; "
              f"last: {timings[-1][1]}")


def fast_suite() -> None:
    import tempfile
    import xml.etree.ElementTree as ET

    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "junit.xml"
        seconds, last = _timed([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", f"--junitxml={report}"])
        cases = list(ET.parse(report).getroot().iter("testcase"))
        doc = [float(c.get("time", 0)) for c in cases if not c.get("classname", "").startswith("tests.")]
        failed = [f"{c.get('classname')}::{c.get('name')}" for c in cases
                  if c.find("failure") is not None or c.find("error") is not None]
    print(f"fast suite: {seconds:.0f} s wall; {last}; {len(doc)} library doctest items took {sum(doc):.1f} s of it")
    for name in failed:
        print(f"failed: {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["doctests", "fast-suite"])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    doctests(args.runs) if args.what == "doctests" else fast_suite()
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
