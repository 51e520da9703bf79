"""Preflight time: ``preflight(suite)`` on built-in suites, each run in a fresh process (nothing cached).

Each run imports CauArena, loads the suite and runs the preflight (each played env built and closed once, each
(agent, guard, family) resolved once without loading a model). Prints the median and range of the import time and
of the preflight itself.

Usage: python benchmarks/bench_preflight.py [--suites default smoke] [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys

CHILD = """
import json, time
start = time.perf_counter()
from cauarena.leaderboards.preflight import preflight
from cauarena.leaderboards.suites import get_suite
suite = get_suite({suite!r})
loaded = time.perf_counter()
report = preflight(suite)
print(json.dumps({{"import_s": loaded - start, "preflight_s": report.seconds, "envs": len(report.envs),
                  "agents": len(report.agents), "guards": len(report.guards)}}))
"""


def once(suite: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD.format(suite=suite)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suites", nargs="+", default=["default", "smoke"])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"# {' '.join(sys.argv)} | {platform.platform()} | {os.cpu_count()} cores | {args.repeats} fresh processes")
    print("| suite | envs built | agents resolved | guards resolved | preflight s, median [min, max] | import s |")
    print("|---|---:|---:|---:|---:|---:|")
    for suite in args.suites:
        runs = [once(suite) for _ in range(args.repeats)]
        pre = [r["preflight_s"] for r in runs]
        imp = [r["import_s"] for r in runs]
        r = runs[0]
        print(f"| {suite} | {r['envs']} | {r['agents']} | {r['guards']} | {statistics.median(pre):.2f} "
              f"[{min(pre):.2f}, {max(pre):.2f}] | {statistics.median(imp):.2f} |")


if __name__ == "__main__":
    main()
