"""SIGKILL a ``cauarena run`` halfway, resume it, and count what was stored: every planned episode exactly once.

Usage: python benchmarks/bench_kill_resume.py [--suite smoke] [--out /tmp/killresume] [--kill-after 0.4] [--trials 3]

Each trial starts ``cauarena run --suite SUITE --workers 2`` in its own process group, waits until about
``--kill-after`` of the planned episodes are stored, kills the whole group with SIGKILL (parent, workers, agent
hosts), reruns the same command with ``--resume``, and checks the store: planned keys, stored keys, duplicates.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path


def planned(suite: str) -> int:
    from cauarena.leaderboards.suites import get_suite, plan

    return len(plan(get_suite(suite)))


def stored(out: Path) -> int:
    from cauarena.leaderboards.store import ResultsStore

    try:
        return ResultsStore(out).count()
    except Exception:  # noqa: BLE001 - the file may be half-created while the run starts
        return 0


def trial(suite: str, out: Path, kill_after: float, total: int) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "cauarena", "run", "--suite", suite, "--workers", "2", "--out", str(out),
           "--no-progress"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    while proc.poll() is None and stored(out) < kill_after * total:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    at_kill = stored(out)
    start = time.perf_counter()
    done = subprocess.run(cmd + ["--resume"], capture_output=True, text=True)
    from cauarena.leaderboards.store import ResultsStore

    rows = ResultsStore(out).results()
    keys = [r.episode_key for r in rows]
    return {"stored_at_kill": at_kill, "resume_rc": done.returncode, "resume_s": time.perf_counter() - start,
            "stored": len(keys), "unique": len(set(keys)), "planned": total}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", default="smoke")
    parser.add_argument("--out", default="/tmp/killresume")
    parser.add_argument("--kill-after", type=float, default=0.4)
    parser.add_argument("--trials", type=int, default=3)
    args = parser.parse_args()
    total = planned(args.suite)
    print(f"# {' '.join(sys.argv)} | {os.cpu_count()} cores | load {os.getloadavg()[0]:.1f} | {total} planned")
    for i in range(args.trials):
        r = trial(args.suite, Path(args.out), args.kill_after, total)
        ok = r["stored"] == r["unique"] == r["planned"]
        print(f"trial {i}: killed with {r['stored_at_kill']}/{total} stored; resume rc {r['resume_rc']} in "
              f"{r['resume_s']:.1f} s; stored {r['stored']}, unique {r['unique']} -> {'OK' if ok else 'MISMATCH'}")


if __name__ == "__main__":
    main()
