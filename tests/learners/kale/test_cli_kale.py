"""``cauarena train kale`` runs the pipeline end to end and writes the model and its evaluation."""

import json

import pytest

pytest.importorskip("trl")


@pytest.mark.slow
def test_train_kale_writes_model_and_result(tmp_path, capsys):
    from cauarena.cli import main

    code = main(["train", "kale", "--out", str(tmp_path), "--set", "fact_steps=2", "--set", "qa_steps=2",
                 "--set", "hidden_size=16", "--set", "heads=2", "--set", "qa_questions=8", "--eval-questions", "4"])
    assert code == 0
    result = json.loads((tmp_path / "kale_result.json").read_text())
    assert result["summary"]["n"] == 4 and 0 <= result["summary"]["accuracy"] <= 1
    assert (tmp_path / "config.json").is_file() and '"accuracy"' in capsys.readouterr().out


def test_train_kale_refuses_an_unknown_setting(tmp_path):
    from cauarena.cli import main

    assert main(["train", "kale", "--out", str(tmp_path), "--set", "klweight=1"]) == 2
