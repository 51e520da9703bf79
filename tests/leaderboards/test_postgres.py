"""The results store against a real PostgreSQL server (started from the Debian package by the fixture)."""

import multiprocessing as mp
import os
import random
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
import sqlalchemy as sa
from postgres import PASSWORD, postgres_server, postgres_url  # noqa: F401  (fixtures)

from cauarena.errors import ConfigError
from cauarena.leaderboards.report import build_leaderboard
from cauarena.leaderboards.schema import EpisodeResult, StepRecord, Trajectory
from cauarena.leaderboards.store import ResultsStore
from cauarena.leaderboards.suites import get_suite, plan

pytestmark = pytest.mark.slow


def _row(key, **kw):
    base = dict(run_id="r1", suite="s", episode_key=key, env_id="cauarena/X-v2", env_version=2, agent="a",
                seed=1, episode_return=0.5, success=True, steps=3, metrics={"m": 1.0})
    return EpisodeResult(**{**base, **kw})


def _raw_text(url):
    """Every stored text cell of every table, concatenated (to look for the password)."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        cells = [str(v) for table in ("episodes", "runs") for row in conn.execute(sa.text(f"SELECT * FROM {table}"))
                 for v in row]
    engine.dispose()
    return " ".join(cells)


def test_roundtrip_long_names_and_masked_password(postgres_url):  # noqa: F811
    store = ResultsStore(postgres_url)
    assert PASSWORD not in store.url and PASSWORD not in repr(store) and ":***@" in store.url
    agent = "mypkg.agents:Agent?" + "a" * 10_000
    traj = Trajectory(episode_key="k1", steps=[StepRecord(observation="o", action="go", reward=1.0)])
    assert store.add(_row("k1", agent=agent, guard="g" * 3_000), traj) is True
    assert store.add(_row("k1", episode_return=9.0), traj) is False
    assert store.add(_row("k0", error_kind="env_error", error_message=f"lost {postgres_url}")) is True
    store.record_run("r1", {"argv": ["run", "--out", postgres_url], "suite": "s"})
    rows = store.results()
    assert [r.episode_key for r in rows] == ["k0", "k1"]
    assert rows[1].agent == agent and len(rows[1].guard) == 3_000 and rows[1].metrics == {"m": 1.0}
    assert store.trajectory("k1").steps[0].action == "go"
    df = store.dataframe()
    assert list(df["episode_key"]) == ["k0", "k1"] and df["success"].dtype == bool
    assert [e.kind for e in store.errors()] == ["env_error"]
    assert PASSWORD not in _raw_text(postgres_url), "a password reached a stored row"
    assert ResultsStore(postgres_url).count() == 2  # reopening an existing schema
    with store.engine.connect() as conn:  # like SQLite's synchronous=NORMAL; resume replays a lost commit
        assert conn.execute(sa.text("SHOW synchronous_commit")).scalar_one() == "off"


def test_other_episodes_table_is_refused_untouched(postgres_url):  # noqa: F811
    engine = sa.create_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE episodes (id integer primary key, name text)"))
    with pytest.raises(ConfigError, match="not a CauArena results table") as info:
        ResultsStore(postgres_url)
    assert PASSWORD not in str(info.value)
    assert sa.inspect(engine).get_table_names() == ["episodes"], "nothing may be created in a refused store"
    engine.dispose()


def test_user_without_create_rights_gets_one_line(postgres_url):  # noqa: F811
    engine = sa.create_engine(postgres_url)
    with engine.begin() as conn:  # PostgreSQL 15 grants no CREATE on schema public to other users
        conn.execute(sa.text("CREATE ROLE reader LOGIN PASSWORD 'reader-pw-123'"))
    engine.dispose()
    url = sa.make_url(postgres_url).set(username="reader", password="reader-pw-123")
    with pytest.raises(ConfigError, match="Cannot set up the results store.*permission denied.*Fix") as info:
        ResultsStore(url.render_as_string(hide_password=False))
    assert "reader-pw-123" not in str(info.value) and "\n" not in str(info.value)


def _write_keys(url, keys, barrier, inserted):
    barrier.wait()
    store = ResultsStore(url)
    inserted.put(sum(store.add(_row(k), Trajectory(episode_key=k)) for k in keys))
    store.close()


@pytest.mark.parametrize("writers", [2, 8])
def test_concurrent_writers_store_each_key_once(postgres_url, writers):  # noqa: F811
    keys = [f"k{i:03d}" for i in range(120)]
    key_sets = [random.Random(w).sample(keys, 60) for w in range(writers)]  # overlapping and distinct keys
    ctx = mp.get_context("fork")
    barrier, inserted = ctx.Barrier(writers), ctx.Queue()
    procs = [ctx.Process(target=_write_keys, args=(postgres_url, ks, barrier, inserted)) for ks in key_sets]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * writers
    expected = set().union(*map(set, key_sets))
    assert sum(inserted.get(timeout=5) for _ in procs) == len(expected)
    store = ResultsStore(postgres_url)
    assert store.stored_keys() == expected and store.count() == len(expected)
    assert sum(1 for _ in store.iter_trajectories()) == len(expected)


def _synthetic_rows():
    rng = random.Random(7)
    for env in ("cauarena/A-v0", "cauarena/B-v1"):
        for agent in ("oracle", "random", "mine"):
            for seed in range(12):
                failed = agent == "mine" and seed % 5 == 0
                yield EpisodeResult(
                    run_id="r", suite="s", env_id=env, env_version=int(env[-1]), agent=agent, seed=seed,
                    episode_key=f"{env}|{agent}|{seed:02d}", privileged=agent == "oracle",
                    success=rng.random() < 0.6, episode_return=rng.uniform(-1, 1), steps=rng.randint(1, 30),
                    metrics={"m_cost": rng.random()}, error_kind="agent_error" if failed else "none",
                    error_message="boom" if failed else "")


def test_leaderboard_from_postgres_equals_sqlite(postgres_url, tmp_path):  # noqa: F811
    rows = list(_synthetic_rows())
    pg, lite = ResultsStore(postgres_url), ResultsStore(tmp_path)
    for row in random.Random(1).sample(rows, len(rows)):  # storage order differs from key order
        pg.add(row)
    for row in rows:
        lite.add(row)
    board = build_leaderboard(pg.dataframe())
    assert set(board["env_id"]) == {"cauarena/A-v0", "cauarena/B-v1", "ALL"} and len(board) == 9
    pd.testing.assert_frame_equal(board, build_leaderboard(lite.dataframe()))


def test_sigkill_then_resume_stores_every_planned_key_once(postgres_url):  # noqa: F811
    planned = {e.key for e in plan(get_suite("smoke"))}
    args = [sys.executable, "-m", "cauarena", "run", "--suite", "smoke", "--out", postgres_url, "--workers", "2",
            "--no-progress"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    store = ResultsStore(postgres_url)
    deadline = time.time() + 240
    while time.time() < deadline and store.count() < 5 and proc.poll() is None:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    _, err = proc.communicate()
    halfway = store.count()
    assert 5 <= halfway < len(planned), f"the run must be killed after a few episodes: {err.decode()[-2000:]}"
    done = subprocess.run(args + ["--resume"], capture_output=True, text=True, timeout=600)
    assert PASSWORD not in done.stdout + done.stderr, "the password was printed"
    keys = [r.episode_key for r in store.results()]
    assert len(keys) == len(set(keys)) and set(keys) == planned, done.stderr[-3000:]
    assert done.returncode == 0, done.stderr[-3000:]
    assert PASSWORD not in _raw_text(postgres_url), "a password reached a stored row"
