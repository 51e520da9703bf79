"""The lean store read (ADBC or the driver's cursor, metrics as JSON text) builds the same leaderboard."""

import pandas as pd
import pytest

import cauarena.leaderboards.store as store_module
import cauarena.leaderboards.table as table_module
from cauarena.leaderboards.report import build_leaderboard
from cauarena.leaderboards.schema import EpisodeResult
from cauarena.leaderboards.store import ResultsStore

METRICS = [{"shd": 3, "auprc": 0.5}, {"shd": 2.5, "flag": 1}, {}, {"auprc": 0.25, "shd": 1}]


def _fill(store, metrics):
    for i in range(24):
        store.add(EpisodeResult(
            episode_key=f"k{i:03d}", run_id="r", suite="s", env_id=f"cauarena/Env{i % 3}-v0",
            env_version=0, env_kwargs={"level": i % 2} if i % 4 else {}, agent=("a", "b")[i % 2], seed=i // 4,
            episode_return=float(i % 5), success=bool(i % 3 == 0), steps=i % 7 + 1, privileged=i % 6 == 0,
            metrics=metrics[i % len(metrics)], error_kind="timeout" if i == 5 else "none",
            error_message="timeout: 1 s" if i == 5 else ""))


@pytest.mark.parametrize("adbc", [True, False], ids=["adbc", "dbapi"])
@pytest.mark.parametrize("arrow_json", [True, False], ids=["arrow-json", "row-json"])
def test_lean_read_gives_the_same_leaderboard(tmp_path, monkeypatch, adbc, arrow_json):
    if not adbc:
        monkeypatch.setattr(store_module, "_read_adbc_sqlite", lambda engine, sql: None)
    if not arrow_json:
        monkeypatch.setattr(table_module, "_json_column", lambda texts: None)
    store = ResultsStore(tmp_path)
    _fill(store, METRICS)
    lean, full = store.dataframe(lean=True), store.dataframe()
    assert len(lean) == 24 and lean["episode_key"].tolist() == sorted(lean["episode_key"])
    assert lean["success"].dtype == bool and lean["privileged"].dtype == bool
    assert isinstance(lean["metrics"].iloc[0], str) and isinstance(full["metrics"].iloc[0], dict)
    pd.testing.assert_frame_equal(build_leaderboard(lean, n_boot=50), build_leaderboard(full, n_boot=50))


def test_metrics_text_that_arrow_cannot_read_as_one_table_is_decoded_row_by_row():
    rows = {"env_id": ["e/E-v0"] * 3, "agent": ["a"] * 3, "seed": [0, 1, 2], "episode_return": [0.0] * 3,
            "success": [True, False, True], "steps": [1] * 3}
    mixed = pd.DataFrame({**rows, "metrics": pd.Series(['{"x": 1}', '{"x": "text"}', '{"x": 2, "y": {"z": 1}}'],
                                                       dtype="str")})
    board = build_leaderboard(mixed, n_boot=50)
    assert board.loc[board["env_id"] == "e/E-v0", "m_x"].item() == 1.5 and "m_y" not in board.columns


def test_lean_read_of_an_empty_store_is_empty(tmp_path):
    df = ResultsStore(tmp_path).dataframe(lean=True)
    assert df.empty and "episode_key" in df.columns


def test_lean_read_of_a_store_whose_path_holds_uri_characters(tmp_path):
    store = ResultsStore(tmp_path / "my runs#1?x")
    _fill(store, METRICS)
    lean = store.dataframe(lean=True)
    assert lean["episode_key"].tolist() == sorted(r.episode_key for r in store.results())
