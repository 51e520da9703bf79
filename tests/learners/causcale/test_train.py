import dataclasses
import json

import pytest

pytest.importorskip("torch")

from cauarena.cli import main  # noqa: E402
from cauarena.learners.causcale import CauScaleConfig, load_model  # noqa: E402
from cauarena.learners.causcale.train import train  # noqa: E402

TINY = CauScaleConfig(dim=8, heads=2, ffn_dim=16, blocks=2, head_hidden=8, rows=16, sim_rows=32, steps=4,
                      batch_pairs=100, max_batch=2, validate_every=2, validation_graphs=1, validation_n=5,
                      curriculum=((0.5, 4, 5, ("linear",)), (1.0, 4, 6, ("linear", "nn"))))


def test_train_writes_a_loadable_checkpoint_and_resumes(tmp_path):
    metrics = train(TINY, tmp_path, device="cpu", progress=False)
    assert metrics["step"] == 4 and [row["step"] for row in metrics["history"]] == [2, 4]
    assert {"config.json", "model.safetensors", "metrics.json", "state.pt"} <= {p.name for p in tmp_path.iterdir()}
    first = load_model(tmp_path)
    metrics = train(dataclasses.replace(TINY, steps=6), tmp_path, device="cpu", progress=False)
    assert [row["step"] for row in metrics["history"]] == [2, 4, 6]  # resumed at step 4, not restarted
    times = [row["train_s"] for row in metrics["history"]]
    assert times == sorted(times)  # the resumed run's clock starts where the first one stopped
    second = load_model(tmp_path)
    assert any(not a.equal(b) for a, b in zip(first.parameters(), second.parameters(), strict=True))


def test_the_command_line_rejects_an_unknown_key(tmp_path, capsys):
    assert main(["train", "causcale", "--out", str(tmp_path), "--set", "widht=3"]) == 2
    assert "Unknown CauScaleConfig keys ['widht']" in capsys.readouterr().err


def test_the_command_line_trains_from_overrides(tmp_path):
    config = tmp_path / "tiny.json"
    config.write_text(json.dumps(TINY.to_dict()))
    assert main(["train", "causcale", "--out", str(tmp_path / "out"), "--config", str(config), "--steps", "2",
                 "--no-progress", "--device", "cpu"]) == 0
    assert json.loads((tmp_path / "out" / "metrics.json").read_text())["step"] == 2
