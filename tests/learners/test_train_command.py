"""``cauarena train``: every method's ``--help`` lists its fields; tiny runs write under ``--out`` and nowhere else."""

import dataclasses
from pathlib import Path

import pytest

import cauarena
from cauarena.cli import main
from cauarena.learners.command import build_config, method_options, summary
from cauarena.learners.config_io import field_docs
from cauarena.learners.methods import TRAIN_METHODS, register_method
from cauarena.registry import load

METHODS = sorted(TRAIN_METHODS.names())
ROOT = Path(cauarena.__file__).resolve().parent.parent
PACKAGES = ("cauarena", "envs", "agents", "guards", "learners", "leaderboards")


def _flat(text: str) -> str:
    return "".join(text.split())  # click wraps lines, and may break a long word


def test_the_train_help_lists_every_method_with_its_description(capsys):
    assert main(["train", "--help"]) == 0
    out = _flat(capsys.readouterr().out)
    for method in TRAIN_METHODS:
        assert f"{method.name}{_flat(method.description)}" in out


@pytest.mark.parametrize("name", METHODS)
def test_method_help_lists_every_field_with_type_default_and_doc(name, capsys):
    method = TRAIN_METHODS.find(name)
    assert all(field_docs(load(method.config)).values()), "every config field is documented under Attributes:"
    assert main(["train", name, "--help"]) == 0
    out = _flat(capsys.readouterr().out)
    for option in method_options(method):
        assert option.flag in out and _flat(option.help()) in out


def test_an_unknown_method_or_field_is_refused_with_the_fix(tmp_path, capsys):
    assert main(["train", "causcal", "--out", str(tmp_path)]) == 2
    assert "causcale" in capsys.readouterr().err
    assert main(["train", "causcale", "--out", str(tmp_path), "--set", "widht=3"]) == 2
    assert "Unknown CauScaleConfig keys ['widht']" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_config_layers_apply_in_order(tmp_path):
    method = TRAIN_METHODS.find("depo")
    file = tmp_path / "c.json"
    file.write_text('{"seeds": 700, "eval_seeds": 3}')
    config = build_config(method, "webshop", str(file), ("eval_seeds=4",), {"beta": 0.5})
    got = (config.env, config.vocab_size, config.seeds, config.eval_seeds, config.beta)
    assert got == ("webshop", 2048, 700, 4, 0.5)
    assert '"records": "(3 items' in summary({"config": {}, "records": [1, 2, 3]}, width=3)


def _tree() -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(ROOT)): (p.stat().st_size, p.stat().st_mtime_ns) for package in PACKAGES
            for p in (ROOT / package).rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def test_tiny_runs_write_under_out_and_nowhere_else(tmp_path, monkeypatch):
    pytest.importorskip("torch")
    before = _tree()
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    causcale = ["--dim", "8", "--heads", "2", "--ffn-dim", "16", "--blocks", "2", "--head-hidden", "8", "--rows", "16",
                "--sim-rows", "32", "--steps", "2", "--batch-pairs", "100", "--max-batch", "2", "--validate-every",
                "2", "--validation-graphs", "1", "--validation-n", "5", "--curriculum", '[[1.0, 4, 5, ["linear"]]]',
                "--device", "cpu", "--threads", "1", "--no-progress"]
    assert main(["train", "causcale", "--out", str(tmp_path / "causcale"), *causcale]) == 0
    magic = ["--total-steps", "1", "--batch-size", "1", "--top-k", "1", "--initial-attacks", "plain", "--max-turns",
             "1", "--max-parts", "1", "--no-progress"]
    assert main(["train", "magic", "--out", str(tmp_path / "magic"), *magic]) == 0
    assert {p.name for p in (tmp_path / "causcale").iterdir()} == {"config.json", "model.safetensors", "metrics.json",
                                                                   "state.pt"}
    assert {"coevo.json", "coevo.jsonl", "REPORT.md"} <= {p.name for p in (tmp_path / "magic").iterdir()}
    assert not any(cwd.iterdir()) and _tree() == before


@dataclasses.dataclass(frozen=True)
class ToyConfig:
    """A toy learner's config.

    Attributes:
        steps: how many lines to write.
        word: what each line says.
    """

    steps: int = 1
    word: str = "hi"


def toy_train(config: ToyConfig, out: Path, shout: bool = False) -> dict:
    """Write ``config.steps`` lines.

    Args:
        config: the toy config.
        out: the folder.
        shout: upper-case the word.
    """
    out.mkdir(parents=True, exist_ok=True)
    word = config.word.upper() if shout else config.word
    (out / "toy.txt").write_text("\n".join([word] * config.steps))
    return {"lines": config.steps}


def test_a_registered_method_gets_the_generic_command(tmp_path, capsys):
    with TRAIN_METHODS.snapshot():
        register_method("toy", toy_train, ToyConfig, "a toy learner")
        assert main(["train", "toy", "--help"]) == 0
        assert "how many lines to write. (int; default: 1)" in capsys.readouterr().out
        assert main(["train", "toy", "--out", str(tmp_path), "--steps", "3", "--word", "yo", "--shout"]) == 0
        assert '"lines": 3' in capsys.readouterr().out
    assert (tmp_path / "toy.txt").read_text() == "YO\nYO\nYO" and "toy" not in TRAIN_METHODS
