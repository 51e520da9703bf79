import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.slow
def test_bench_guard_part_runs_and_reports_rates(tmp_path):
    out = tmp_path / "mentor.json"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_mentor.py"), "--skip-model", "--out", str(out)],
                   check=True, capture_output=True, cwd=tmp_path, timeout=1800)
    data = json.loads(out.read_text())
    assert data["guard"]["no guard"]["risk_rate"]["rate"] == 1.0
    assert data["guard"]["static rule trees"]["risk_rate"]["rate"] < 0.5
    assert data["meta"]["test_pairs"] == 288 and data["meta"]["validation_pairs"] == 192
    assert data["assessor"]["forced choice"]["train"]["assessed"] > 0
