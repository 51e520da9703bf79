"""``python -m cauarena.learners.magic --out DIR [--set key=value ...]``: run MAGIC co-evolution and report it."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from cauarena.learners.config_io import parse_overrides
from cauarena.learners.magic.coevo import cross_play, train
from cauarena.learners.magic.coevo_config import CoevoConfig
from cauarena.learners.magic.report import write_report


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, train, play the cross-play matrix, write the report; print per-generation lines."""
    parser = argparse.ArgumentParser(prog="python -m cauarena.learners.magic", description=__doc__)
    parser.add_argument("--out", required=True, help="folder for coevo.jsonl, coevo.json, REPORT.md, the heatmap")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="CoevoConfig field, e.g. --set total_steps=60 --set switch_mode=\"metric\" (JSON values)")
    args = parser.parse_args(argv)
    config = CoevoConfig.from_dict(parse_overrides(args.overrides))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with (out / "coevo.jsonl").open("w") as stream:

        def log(record: dict) -> None:
            record = {**record, "elapsed_s": round(time.perf_counter() - start, 2)}
            stream.write(json.dumps(record) + "\n")
            stream.flush()
            if record["event"] == "llm_grpo":
                print(f"generation {record['generation']}: LLM {record['seat']} GRPO, {record['steps']} steps, "
                      f"{record['seconds_per_step']} s/step, return {record['return_first']} -> "
                      f"{record['return_last']}", file=sys.stderr)
                return
            harm = sum(record["harm"]) / len(record["harm"])
            print(f"{record['role']} generation {record['generation']}: steps {record['start_step']}-"
                  f"{record['start_step'] + record['steps'] - 1}, mean harm reward {harm:.2f}, ASR "
                  f"{record['asr']:.2f}, new successful {record['new_successful'] or '-'}", file=sys.stderr)

        run = train(config, log, out)
        cross_play(run)
        for i, row in enumerate(run.matrix):
            log_row = {"event": "cross_play", "attacker_generation": i, "asr": [c["asr"] for c in row],
                       "over_refusal": [c["over_refusal"] for c in row]}
            stream.write(json.dumps(log_row) + "\n")
    report = write_report(run, out)
    print(f"wrote {report} in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
