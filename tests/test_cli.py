import csv
import subprocess
import sys

import pytest

from cauarena.cli import main


def test_list_prints_every_env(capsys):
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.split()
    assert "cauarena/BabyAI-GoToLocal-Text-v0" in lines and len(lines) >= 5


def test_wrong_env_id_says_did_you_mean(capsys, tmp_path):
    assert main(["run", "--env", "cauarena/BabyAI-GoToLokal-Text-v0", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "Did you mean: 'cauarena/BabyAI-GoToLocal-Text-v0'" in err


def test_unknown_agent_and_bad_kwargs_are_clear(capsys, tmp_path):
    assert main(["run", "--env", "cauarena/BabyAI-GoTo-Text-v0", "--env-kwargs", "{nope", "--out", str(tmp_path)]) == 2
    assert "--env-kwargs must be a JSON object" in capsys.readouterr().err
    assert main(["run", "--suite", "nosuch", "--out", str(tmp_path)]) == 2
    assert "No suite named 'nosuch'" in capsys.readouterr().err


def test_a_run_with_nothing_to_play_says_why_and_writes_nothing(capsys, tmp_path):
    out = tmp_path / "empty"
    assert main(["run", "--env", "cauarena/CauGym-v0", "--agent", "heuristic", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "No episode to play" in err and "'caugym'" in err and "oracle" in err
    assert not out.exists()


def test_run_env_directly_then_resume_and_leaderboard(capsys, tmp_path):
    out = tmp_path / "c"
    args = ["run", "--env", "cauarena/BabyAI-GoToLocal-Text-v0", "--agent", "random", "--agent", "heuristic",
            "--seeds", "3", "--max-steps", "30", "--workers", "0", "--out", str(out), "--no-progress"]
    assert main(args) == 0
    for name in ("results.sqlite", "leaderboard.md", "leaderboard.csv", "leaderboard.html"):
        assert (out / name).exists(), name
    rows = list(csv.DictReader((out / "leaderboard.csv").open()))
    assert {"env_id", "agent", "guard", "episodes", "success_rate", "mean_return", "steps", "tokens_per_step",
            "error_rate"} <= set(rows[0])
    assert main(args) == 2
    assert "--resume" in capsys.readouterr().err
    assert main(args + ["--resume"]) == 0
    assert "0 episodes played, 6 already stored" in capsys.readouterr().err
    (out / "leaderboard.md").unlink()
    assert main(["leaderboard", "--out", str(out)]) == 0
    assert (out / "leaderboard.md").exists()


def test_leaderboard_without_results_says_how(capsys, tmp_path):
    assert main(["leaderboard", "--out", str(tmp_path / "none")]) == 2
    assert "cauarena run --out" in capsys.readouterr().err


@pytest.mark.slow
def test_agent_from_outside_the_repo(tmp_path):
    pkg = tmp_path / "mypkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "mod.py").write_text(
        "class MyAgent:\n"
        "    def reset(self, *, seed=None, info=None):\n        pass\n"
        "    def act(self, observation, info):\n        return 'turn left'\n"
    )
    out = tmp_path / "b"
    done = subprocess.run(
        [sys.executable, "-m", "cauarena", "run", "--suite", "smoke", "--agent", "mypkg.mod:MyAgent", "--seeds", "1",
         "--workers", "2", "--out", str(out), "--no-progress"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    text = (out / "leaderboard.csv").read_text()
    assert "mypkg.mod:MyAgent" in text and "error_kind" not in text


def test_chat_agent_beside_scripted_agents_uses_the_cache(capsys, tmp_path):
    out = tmp_path / "d"
    args = ["run", "--env", "cauarena/BabyAI-GoToLocal-Text-v0", "--agent", "mock/first-valid", "--agent", "oracle",
            "--seeds", "2", "--max-steps", "5", "--workers", "0", "--out", str(out), "--no-progress"]
    assert main(args) == 0
    assert "errors none" in capsys.readouterr().err
    assert (out / "cache").is_dir()
    rows = list(csv.DictReader((out / "leaderboard.csv").open()))
    mock = next(r for r in rows if r["agent"] == "mock/first-valid" and r["env_id"] != "ALL")
    assert float(mock["tokens_per_step"]) > 0


@pytest.mark.parametrize(("argv", "expected"), [
    (["run", "--seed", "3"], "No such option: --seed"),
    (["run", "--seeds", "x"], "Invalid value for '--seeds'"),
    (["nosuchcommand"], "No such command 'nosuchcommand'"),
])
def test_usage_errors_are_one_line_with_exit_code_2(capsys, argv, expected):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert expected in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_a_misspelt_agent_exits_2_before_playing(capsys, tmp_path):
    out = tmp_path / "o"
    assert main(["run", "--env", "cauarena/BabyAI-GoToLocal-Text-v0", "--agent", "oracel", "--out", str(out)]) == 2
    assert "Did you mean: 'oracle'" in capsys.readouterr().err
    assert not (out / "results.sqlite").exists()


def test_a_row_of_errors_is_printed_and_fails_the_command(capsys, tmp_path):
    out = tmp_path / "e"
    args = ["run", "--env", "arenakit:arenakit/Count-v0", "--agent", "arenakit:RaisingAgent", "--agent",
            "arenakit:GoAgent", "--seeds", "2", "--workers", "0", "--out", str(out), "--no-progress"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "agent_error on arenakit/Count-v0 by arenakit:RaisingAgent: ValueError: RaisingAgent fails on purpose" in err
    assert "100% of the episodes of arenakit:RaisingAgent" in err
    assert main(["errors", "--out", str(out)]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 2 and all("RaisingAgent fails on purpose" in line for line in listed)


def test_max_error_rate_sets_the_bar(capsys, tmp_path):
    import arenakit  # noqa: F401

    out = tmp_path / "m"
    args = ["run", "--env", "arenakit:arenakit/Count-v0", "--agent", "arenakit:GoAgent", "--seeds", "2",
            "--workers", "0", "--out", str(out), "--no-progress", "--max-error-rate", "0"]
    assert main(args) == 0  # no errors: under any bar
    assert main(["run", "--env", "arenakit:arenakit/Count-v0", "--max-error-rate", "2", "--out", str(out)]) == 2


def test_max_memory_takes_sizes():
    from cauarena.cli import parse_size

    assert parse_size("4G") == 4 << 30 and parse_size("512M") == 512 << 20 and parse_size("100") == 100
    with pytest.raises(Exception, match="512M or 4G"):
        parse_size("lots")
