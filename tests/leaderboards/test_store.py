import pytest
import sqlalchemy as sa

from cauarena.errors import ConfigError
from cauarena.leaderboards.schema import SCHEMA_VERSION, EpisodeResult, StepRecord, Trajectory
from cauarena.leaderboards.store import ResultsStore, store_url


def _row(key: str, **kw) -> EpisodeResult:
    base = dict(run_id="r1", suite="s", episode_key=key, env_id="cauarena/X-v2", env_version=2, agent="a",
                seed=1, episode_return=0.5, success=True, steps=3, metrics={"m": 1.0})
    return EpisodeResult(**{**base, **kw})


def test_directory_becomes_sqlite_file(tmp_path):
    url = store_url(tmp_path / "out")
    assert url.startswith("sqlite:///") and url.endswith("out/results.sqlite")
    assert (tmp_path / "out").is_dir()


def test_add_is_idempotent_and_roundtrips(tmp_path):
    store = ResultsStore(tmp_path)
    traj = Trajectory(episode_key="k1", steps=[StepRecord(observation="o", action="go", reward=1.0)])
    assert store.add(_row("k1"), traj) is True
    assert store.add(_row("k1", episode_return=9.0), traj) is False
    rows = store.results()
    assert len(rows) == 1 and rows[0].episode_return == 0.5 and rows[0].metrics == {"m": 1.0}
    assert rows[0].trajectory_id == "k1"
    assert store.trajectory("k1").steps[0].action == "go"
    assert store.stored_keys(["k1", "k2"]) == {"k1"}
    df = store.dataframe()
    assert list(df["metrics"]) == [{"m": 1.0}] and df["success"].dtype == bool


def test_any_sqlalchemy_url(tmp_path):
    store = ResultsStore(f"sqlite:///{tmp_path / 'other.db'}")
    store.add(_row("k"))
    assert ResultsStore(f"sqlite:///{tmp_path / 'other.db'}").count() == 1


def test_bad_url_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="Cannot open results store"):
        ResultsStore("nosuchdialect://x/y")


def test_other_schema_version_is_refused(tmp_path):
    store = ResultsStore(tmp_path)
    store.add(_row("k"))
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE episodes SET schema_version = :v"), {"v": SCHEMA_VERSION + 1})
    with pytest.raises(ConfigError, match="fresh --out"):
        ResultsStore(tmp_path)
