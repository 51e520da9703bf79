"""Two identical runs, compared byte for byte: ``cauarena run --suite smoke --workers 2`` into fresh stores.

Each run is a separate ``cauarena run`` process with the same suite and seeds into its own ``--out`` folder (the
CLI writes ``leaderboard.md``, ``.csv`` and ``.html`` there). Every later run's three files are compared with the
first run's, twice:

- raw: the files as written, byte for byte (lines that differ are counted);
- normalised: with what legitimately differs between two runs taken out, and nothing else. That is the wall-time
  column (``wall_time_s`` in the CSV, ``wall s`` in the Markdown and HTML tables, removed cell by cell), the
  HTML's ``Generated <timestamp>`` line, and the store path in the run metadata (each run has its own ``--out``;
  the path is replaced by ``<out>``). Everything else, every statistic and interval included, must be equal.

It also checks the statistics alone, without the runner: the first store's rows are shuffled ``--shuffles``
times and the leaderboard is rebuilt from each order; the CSV, Markdown and HTML (fixed timestamp) must be
byte-identical to the unshuffled ones (the report puts rows in episode-key order before any statistic).

Usage: python benchmarks/bench_repro.py [--suite smoke] [--runs 3] [--workers 2] [--shuffles 5] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

FILES = ("leaderboard.md", "leaderboard.csv", "leaderboard.html")
WALL_CSV = "wall_time_s"
WALL_HEADER = "wall s"
CLI = [sys.executable, "-c", "from cauarena.cli import main; main()"]


def run_once(suite: str, out: Path, workers: int) -> float:
    """One ``cauarena run`` into ``out``; its wall seconds. Raises when the command fails."""
    start = time.perf_counter()
    done = subprocess.run([*CLI, "run", "--suite", suite, "--out", str(out), "--workers", str(workers),
                           "--no-progress"], capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"cauarena run --out {out} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return time.perf_counter() - start


def _drop_md_column(text: str, header: str) -> str:
    """The Markdown text with the column named ``header`` removed from every table that has it."""
    out, drop = [], None
    for line in text.splitlines(keepends=True):
        if not line.startswith("|"):
            drop = None
            out.append(line)
            continue
        cells = re.split(r"(?<!\\)\|", line.rstrip("\n"))
        if drop is None:
            names = [c.strip() for c in cells]
            drop = names.index(header) if header in names else -1
        if drop >= 0:
            del cells[drop]
        out.append("|".join(cells) + "\n")
    return "".join(out)


def _drop_html_column(text: str, header: str) -> str:
    """The HTML text with the column named ``header`` removed from every ``<table>`` that has it."""

    def table(match: re.Match[str]) -> str:
        body = match.group(0)
        heads = re.findall(r"<th[^>]*>(.*?)</th>", body)
        if header not in heads:
            return body
        index = heads.index(header)

        def row(r: re.Match[str]) -> str:
            cells = re.findall(r"<t[hd][^>]*>.*?</t[hd]>", r.group(2))
            del cells[index]
            return r.group(1) + "".join(cells) + "</tr>"

        return re.sub(r"(<tr[^>]*>)(.*?)</tr>", row, body)

    return re.sub(r"<table>.*?</table>", table, text, flags=re.S)


def _drop_csv_column(text: str, name: str) -> str:
    rows = list(csv.reader(io.StringIO(text)))
    index = rows[0].index(name)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([r[:index] + r[index + 1 :] for r in rows])
    return buffer.getvalue()


def normalise(name: str, text: str, out: Path) -> str:
    """``text`` of leaderboard file ``name`` without wall times, the generation time and the store path."""
    text = re.sub(r"(\*\*store\*\*: |<dt>store</dt><dd>)[^<\n]*", r"\1<out>", text)  # the Markdown escapes it
    if name.endswith(".csv"):
        return _drop_csv_column(text, WALL_CSV)
    if name.endswith(".md"):
        return _drop_md_column(text, WALL_HEADER)
    text = re.sub(r"Generated \S+ &middot;", "Generated <time> &middot;", text)
    return _drop_html_column(text, WALL_HEADER)


def compare_runs(first: Path, other: Path) -> dict[str, tuple[int, bool, str]]:
    """Per file: (lines that differ as written, whether the normalised texts are identical, first difference)."""
    result = {}
    for name in FILES:
        a, b = (first / name).read_text(encoding="utf-8"), (other / name).read_text(encoding="utf-8")
        differing = sum(x != y for x, y in zip(a.splitlines(), b.splitlines(), strict=False))
        differing += abs(len(a.splitlines()) - len(b.splitlines()))
        na, nb = normalise(name, a, first), normalise(name, b, other)
        first_diff = next((f"{x[:160]!r} vs {y[:160]!r}" for x, y in zip(na.splitlines(), nb.splitlines(),
                                                                      strict=False) if x != y), "")  # fmt: skip
        result[name] = (differing, na == nb, first_diff)
    return result


OUTCOME = ["episode_return", "success", "steps", "invalid_actions", "error_kind", "metrics"]
"""What two runs of one planned episode must agree on (wall time, run id and trajectory id aside)."""


def differing_episodes(first: Path, other: Path) -> list[str]:
    """``env agent seed`` of the planned episodes whose stored outcome differs between two stores."""
    from cauarena.leaderboards.store import ResultsStore

    a, b = (ResultsStore(str(p)).dataframe().set_index("episode_key") for p in (first, other))
    out = []
    for key in sorted(set(a.index) | set(b.index)):
        if key not in a.index or key not in b.index:
            out.append(f"{key} (stored in one run only)")
        elif any(str(a.at[key, c]) != str(b.at[key, c]) for c in OUTCOME):
            out.append(f"{a.at[key, 'env_id']} {a.at[key, 'agent']} seed {a.at[key, 'seed']}")
    return out


def shuffled_statistics(store_dir: Path, shuffles: int) -> tuple[int, int]:
    """(orders tried, orders whose CSV, Markdown and HTML equal the unshuffled ones byte for byte)."""
    from cauarena.leaderboards.html import to_html
    from cauarena.leaderboards.report import build_leaderboard, to_csv, to_markdown
    from cauarena.leaderboards.store import ResultsStore

    df = ResultsStore(str(store_dir)).dataframe()
    when = datetime(2026, 12, 7, tzinfo=UTC)

    def files(frame):  # noqa: ANN001, ANN202
        lb = build_leaderboard(frame)
        return to_csv(lb), to_markdown(lb), to_html(lb, generated_at=when)

    reference = files(df)
    same = sum(files(df.sample(frac=1.0, random_state=i).reset_index(drop=True)) == reference for i in range(shuffles))
    return shuffles, same


def main() -> None:
    """Run the suite ``--runs`` times, compare the leaderboard files and print a Markdown report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", default="smoke")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--shuffles", type=int, default=5)
    parser.add_argument("--keep", default=None, help="keep the run folders under this directory")
    args = parser.parse_args()
    if args.runs < 2:
        raise SystemExit(f"--runs must be at least 2 to compare runs, got {args.runs}; use e.g. --runs 3")
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_repro_"))
    outs = [root / f"run{i}" for i in range(args.runs)]
    for out in outs:
        shutil.rmtree(out, ignore_errors=True)
    seconds = [run_once(args.suite, out, args.workers) for out in outs]
    print(f"# {' '.join(sys.argv)} | {platform.platform()} | {os.cpu_count()} cores")
    print(f"runs: {args.runs} x `cauarena run --suite {args.suite} --workers {args.workers}`, wall s median "
          f"{statistics.median(seconds):.1f} [{min(seconds):.1f}, {max(seconds):.1f}]\n")
    print("| run vs run0 | file | lines differing as written | identical without wall time, timestamp, path |")
    print("|---|---|---:|---|")
    notes = []
    for i, out in enumerate(outs[1:], start=1):
        for name, (differing, same, first_diff) in compare_runs(outs[0], out).items():
            print(f"| run{i} | {name} | {differing} | {'yes' if same else 'NO'} |")
            if not same:
                notes.append(f"run{i} {name}, first difference: {first_diff}")
        episodes = differing_episodes(outs[0], out)
        notes.append(f"run{i}: {len(episodes)} stored episodes differ from run0's: {'; '.join(episodes) or '-'}")
    print("", *notes, sep="\n")
    tried, same = shuffled_statistics(outs[0], args.shuffles)
    print(f"\nshuffled stored rows: {same}/{tried} orders give byte-identical CSV, Markdown and HTML")
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
