"""``cauarena train magic --out DIR``: MAGIC co-evolution, the cross-play matrix and its report, all under ``out``.

``out`` receives ``coevo.jsonl`` (one line per phase, LLM phase and cross-play row), ``coevo.json``, ``REPORT.md``
and the ASR heatmap (see :mod:`~cauarena.learners.magic.report`); LLM phases write their checkpoints under
``out/llm``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import IO, Any

from cauarena.learners.magic.coevo import cross_play
from cauarena.learners.magic.coevo import train as coevolve
from cauarena.learners.magic.coevo_config import CoevoConfig
from cauarena.learners.magic.report import write_report

__all__ = ["train"]


def _progress_line(record: dict[str, Any]) -> str:
    """One human line per logged phase."""
    if record["event"] == "llm_grpo":
        return (f"generation {record['generation']}: LLM {record['seat']} GRPO, {record['steps']} steps, "
                f"{record['seconds_per_step']} s/step, return {record['return_first']} -> {record['return_last']}")
    harm = sum(record["harm"]) / len(record["harm"])
    return (f"{record['role']} generation {record['generation']}: steps {record['start_step']}-"
            f"{record['start_step'] + record['steps'] - 1}, mean harm reward {harm:.2f}, ASR {record['asr']:.2f}, "
            f"new successful {record['new_successful'] or '-'}")


def _logger(stream: IO[str], start: float, progress: bool) -> Any:
    def log(record: dict[str, Any]) -> None:
        record = {**record, "elapsed_s": round(time.perf_counter() - start, 2)}
        stream.write(json.dumps(record) + "\n")
        stream.flush()
        if progress:
            print(_progress_line(record), file=sys.stderr)

    return log


def train(config: CoevoConfig, out: Path, progress: bool = True) -> dict[str, Any]:
    """Co-evolve, play every attacker generation against every defender generation, write the report.

    Args:
        config: the co-evolution run.
        out: folder for ``coevo.jsonl``, ``coevo.json``, ``REPORT.md`` and the heatmap.
        progress: print one line per phase on stderr.

    Returns:
        The roles played, the cross-play ASR matrix, the report's path and the wall time.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with (out / "coevo.jsonl").open("w") as stream:
        run = coevolve(config, _logger(stream, start, progress), out)
        cross_play(run)
        for i, row in enumerate(run.matrix):
            stream.write(json.dumps({"event": "cross_play", "attacker_generation": i, "asr": [c["asr"] for c in row],
                                     "over_refusal": [c["over_refusal"] for c in row]}) + "\n")
    report = write_report(run, out)
    return {"report": str(report), "generations": {"attacker": len(run.attackers), "defender": len(run.defenders)},
            "asr": [[c["asr"] for c in row] for row in run.matrix], "wall_s": round(time.perf_counter() - start, 1)}
