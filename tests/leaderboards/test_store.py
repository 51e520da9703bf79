import hashlib
import multiprocessing as mp
import os
import random
import socket
import sqlite3

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


# --- concurrent runs into one store -------------------------------------------------------------------------


def _write_keys(url, keys, barrier, inserted):
    barrier.wait()  # both open the (new) store at the same moment: the schema is created concurrently
    store = ResultsStore(url)
    inserted.put(sum(store.add(_row(k, agent=f"writer-{keys[0]}")) for k in keys))
    store.close()


def concurrent_writes(url, key_sets):
    """Each key set written by its own process, all started at once; returns how many each inserted."""
    ctx = mp.get_context("fork")
    barrier, inserted = ctx.Barrier(len(key_sets)), ctx.Queue()
    procs = [ctx.Process(target=_write_keys, args=(url, keys, barrier, inserted)) for keys in key_sets]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * len(procs), "a writer crashed"
    return [inserted.get(timeout=5) for _ in procs]


@pytest.mark.parametrize("trial", range(3))
def test_two_processes_write_same_and_different_keys_at_once(tmp_path, trial):
    shared = [f"k{i:02d}" for i in range(20, 40)]
    a = [f"k{i:02d}" for i in range(0, 20)] + shared
    b = shared + [f"k{i:02d}" for i in range(40, 60)]
    counts = concurrent_writes(str(tmp_path / "out"), [a, b])
    store = ResultsStore(tmp_path / "out")
    assert sum(counts) == 60, "each key is inserted by exactly one writer"
    assert store.count() == 60 and store.stored_keys() == set(a) | set(b)


# --- stores that cannot be used: one line, the fix, the file untouched -----------------------------------------


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _refused(target, match):
    with pytest.raises(ConfigError, match=match) as info:
        ResultsStore(target)
    message = str(info.value)
    assert "\n" not in message and "Fix:" in message
    return message


def _filled_store(out):
    store = ResultsStore(out)
    for i in range(200):
        store.add(_row(f"k{i:03d}", error_message="x" * 200), Trajectory(episode_key=f"k{i:03d}"))
    store.close()
    return out / "results.sqlite"


def test_random_bytes_are_refused_untouched(tmp_path):
    db = tmp_path / "results.sqlite"
    db.write_bytes(random.Random(0).randbytes(8192))
    before = _digest(db)
    assert str(db) in _refused(tmp_path, "not a SQLite database")
    assert _digest(db) == before


def test_corrupt_pages_are_refused_untouched(tmp_path):
    db = _filled_store(tmp_path)
    data = bytearray(db.read_bytes())
    data[100:4096] = random.Random(1).randbytes(4096 - 100)  # the schema page, header kept
    db.write_bytes(bytes(data))
    before = _digest(db)
    _refused(tmp_path, "corrupt")
    assert _digest(db) == before


@pytest.mark.parametrize(("keep", "match"), [(0.5, "is truncated"), (0.0, "not a SQLite database")])
def test_truncated_store_is_refused_untouched(tmp_path, keep, match):
    db = _filled_store(tmp_path)
    db.write_bytes(db.read_bytes()[: int(db.stat().st_size * keep) or 50])  # 0.0: within the header
    before = _digest(db)
    _refused(tmp_path, match)
    assert _digest(db) == before


def test_read_only_file_is_refused_untouched(tmp_path):
    db = _filled_store(tmp_path)
    before = _digest(db)
    db.chmod(0o444)
    try:
        _refused(tmp_path, "is read-only.*chmod")
    finally:
        db.chmod(0o644)
    assert _digest(db) == before


@pytest.mark.parametrize("existing", [True, False])
def test_read_only_folder_is_refused_untouched(tmp_path, existing):
    out = tmp_path / "out"
    out.mkdir()
    db = _filled_store(out) if existing else out / "results.sqlite"
    before = _digest(db) if existing else None
    out.chmod(0o555)
    try:
        _refused(out, "read-only folder")
    finally:
        out.chmod(0o755)
    assert (_digest(db) if existing else None) == before
    assert db.exists() == existing


def test_read_only_filesystem_is_refused(tmp_path, monkeypatch):
    real = os.statvfs
    result = real(tmp_path)
    fake = os.statvfs_result((*result[:8], result.f_flag | os.ST_RDONLY, result.f_namemax))
    monkeypatch.setattr(os, "statvfs", lambda p: fake if str(p).startswith(str(tmp_path)) else real(p))
    _refused(tmp_path, "read-only folder")


def test_other_episodes_table_is_refused_untouched(tmp_path):
    db = tmp_path / "results.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE episodes (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO episodes VALUES (1, 'mine')")
    conn.close()
    before = _digest(db)
    _refused(tmp_path, "not a CauArena results table")
    assert _digest(db) == before
    with sqlite3.connect(db) as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["episodes"]
    conn.close()


def test_schema_version_1_rows_are_refused_untouched(tmp_path):
    db = _filled_store(tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE episodes SET schema_version = 1 WHERE episode_key < 'k010'")
    conn.close()
    before = _digest(db)
    _refused(tmp_path, r"schema versions \[1, 2\].*fresh --out")
    assert _digest(db) == before


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "sqlite:///file::memory:?uri=true"])
def test_in_memory_store_is_refused(url):
    _refused(url, "in memory")


def test_out_under_a_file_is_refused(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(ConfigError, match="must be a directory.*Fix"):
        store_url(tmp_path / "f" / "run")


def test_unreachable_postgres_is_one_line_without_the_password():
    pytest.importorskip("psycopg")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql://arena:hunter2-secret@127.0.0.1:{port}/results"
    message = _refused(url, "Cannot connect.*start the server")
    assert "hunter2-secret" not in message and "arena:***@127.0.0.1" in message


def test_missing_driver_names_the_driver():
    with pytest.raises(ConfigError, match="'pg8000'.*not installed.*cauarena\\[postgres\\]"):
        ResultsStore("postgresql+pg8000://u:p@127.0.0.1:1/db")


# --- names stored whole, rows and errors ordered by key ---------------------------------------------------------


def test_long_names_roundtrip(tmp_path):
    agent, guard = "mypkg.agents:Agent?" + "a" * 10_000, "g" * 5_000
    store = ResultsStore(tmp_path)
    store.add(_row("k", agent=agent, guard=guard, suite="s" * 3_000, env_id="cauarena/" + "E" * 2_000 + "-v2"))
    row = store.results()[0]
    assert (row.agent, row.guard, len(row.suite), len(row.env_id)) == (agent, guard, 3_000, 2_012)
    assert store.dataframe()["agent"].iloc[0] == agent


def test_rows_and_errors_are_ordered_by_episode_key(tmp_path):
    store = ResultsStore(tmp_path)
    keys = [f"k{i:02d}" for i in range(30)]
    random.Random(3).shuffle(keys)
    for key in keys:
        failed = int(key[1:]) % 3 == 0
        store.add(_row(key, seed=int(key[1:]), error_kind="agent_error" if failed else "none",
                       error_message=f"boom {key}" if failed else "", error_traceback="tb" if failed else ""))
    assert list(store.dataframe()["episode_key"]) == sorted(keys)
    assert [r.episode_key for r in store.results()] == sorted(keys)
    errors = store.errors()
    assert [e.episode_key for e in errors] == [f"k{i:02d}" for i in range(0, 30, 3)]
    first = errors[0]
    assert (first.env_id, first.agent, first.guard, first.seed, first.kind, first.message, first.traceback) == (
        "cauarena/X-v2", "a", "none", 0, "agent_error", "boom k00", "tb")
    assert [e.episode_key for e in store.errors(limit=2)] == ["k00", "k03"]
