import os
import signal
import subprocess
import sys
import time

import arenakit  # noqa: F401  (registers arenakit/Count-v0)
import cheaters  # noqa: F401  (registers cheaters/Die-v0)
import pytest

from cauarena.cli import main
from cauarena.errors import ConfigError, DependencyNotInstalled
from cauarena.leaderboards.runner import Runner
from cauarena.leaderboards.store import ResultsStore
from cauarena.leaderboards.suites import EnvSpec, Suite, plan

COUNT = "arenakit:arenakit/Count-v0"
BABYAI = "cauarena/BabyAI-GoToLocal-Text-v0"
HOST_MARK = "ray_executor import host_entry"


def _plan(agents, env=COUNT, seeds=2, **kw):
    return plan(Suite("test", envs=(EnvSpec(env),), agents=tuple(agents), seeds=seeds, **kw))


def _hosts_alive() -> list[int]:
    """Pids of agent hosts started by Ray actors (this module's own processes)."""
    pids = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                if HOST_MARK in fh.read().decode(errors="replace"):
                    pids.append(int(pid))
        except OSError:
            continue
    return pids


def _wait_gone(pids, seconds=10.0) -> list[int]:
    deadline = time.time() + seconds
    while time.time() < deadline:
        alive = [p for p in pids if os.path.exists(f"/proc/{p}") and _state(p) != "Z"]
        if not alive:
            return []
        time.sleep(0.1)
    return alive


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "X"


# --- without Ray running ------------------------------------------------------------------------------------------


def test_missing_ray_names_the_dist_extra(monkeypatch):
    from cauarena.leaderboards.ray_executor import import_ray

    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(DependencyNotInstalled, match=r"pip install 'cauarena\[dist\]'"):
        import_ray()


def test_ray_executor_needs_a_worker(tmp_path):
    from cauarena.leaderboards.ray_executor import RayExecutor

    with pytest.raises(ConfigError, match=r"--workers >= 1 .* got 0"):
        RayExecutor(Runner(ResultsStore(tmp_path), workers=0))


def test_cli_refuses_an_unknown_executor_and_a_lone_ray_address(capsys, tmp_path):
    base = ["run", "--env", COUNT, "--agent", "arenakit:GoAgent", "--out", str(tmp_path / "r"), "--no-preflight"]
    assert main([*base, "--executor", "spark"]) == 2
    assert "--executor takes local or ray, got 'spark'" in capsys.readouterr().err
    assert main([*base, "--ray-address", "10.0.0.1:6379"]) == 2
    assert "needs --executor ray" in capsys.readouterr().err
    assert main([*base, "--executor", "ray", "--pin-cpus"]) == 2
    assert "--pin-cpus places the local executor's worker processes" in capsys.readouterr().err
    assert main([*base, "--executor", "ray", "--lanes", "4"]) == 2
    assert "--lanes sets how many episodes a local worker plays at once" in capsys.readouterr().err
    assert main([*base, "--lanes", "0"]) == 2
    assert "--lanes must be >= 1 and <= 256 (each lane builds its own env and agent), got 0" in capsys.readouterr().err
    assert main([*base, "--lanes", "100000"]) == 2
    assert "got 100000" in capsys.readouterr().err
    assert main([*base, "--lanes", "4", "--workers", "0"]) == 2
    assert "--workers 0 plays one at a time in this process" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_lost_actors_and_memory_kills_become_rows_of_their_kind():
    import ray.exceptions as rex

    from cauarena.leaderboards.ray_executor import RayExecutor

    died = rex.ActorDiedError()
    assert RayExecutor._lost(died).kind == "worker_died"
    assert RayExecutor._lost(died).message.startswith("the Ray actor died (")
    assert RayExecutor._lost(rex.OutOfMemoryError("node over 95%")).kind == "oom"
    lost = RayExecutor._lost(rex.ObjectLostError("ab" * 14, None, "play"))
    assert lost.kind == "worker_died" and "ObjectLostError" in lost.message


@pytest.mark.slow
def test_actor_body_plays_in_its_agent_host_and_reports_the_host_s_death():
    from cauarena.leaderboards.ray_executor import EpisodeActor

    actor = EpisodeActor("r", True, {}, True, list(sys.path))
    try:
        going, dying = _plan(["arenakit:GoAgent"], seeds=1)[0], _plan(["arenakit:DyingAgent"], seeds=1)[0]
        own, host = actor.pids()
        assert own == os.getpid() and host != own
        result, trajectory, ended = actor.play(going)
        assert result.success and ended is None and [s.action for s in trajectory.steps] == ["go"] * 5
        result, _, ended = actor.play(dying)
        assert ended == "exit code 3" and result.error_kind == "agent_error"
        assert result.error_message == "the agent's process died during act() (exit code 3)"
    finally:
        actor.close()


@pytest.mark.slow
def test_agent_host_dies_with_the_actor_that_started_it():
    code = ("from cauarena.leaderboards.ray_executor import HostProcess; import time; "
            "h = HostProcess(); print(h.proc.pid, flush=True); time.sleep(600)")
    actor = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        host = int(actor.stdout.readline())
        assert _state(host) not in ("X", "Z")
    finally:
        os.kill(actor.pid, signal.SIGKILL)
        actor.wait()
    assert _wait_gone([host]) == []


# --- on Ray -------------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_cli_runs_on_a_local_ray_runtime_and_resumes_locally(tmp_path):
    out = tmp_path / "run"
    args = [sys.executable, "-m", "cauarena", "run", "--env", BABYAI, "--agent", "random", "--seeds", "3",
            "--max-steps", "20", "--workers", "1", "--out", str(out), "--no-progress", "--no-preflight"]
    ray_run = subprocess.run([*args, "--executor", "ray"], capture_output=True, text=True, timeout=300)
    assert ray_run.returncode == 0, ray_run.stderr[-2000:]
    assert "3 episodes played" in ray_run.stderr
    again = subprocess.run([*args, "--resume"], capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and "0 episodes played, 3 already stored" in again.stderr
    assert ResultsStore(out).count() == 3


@pytest.fixture(scope="module")
def ray_runtime():
    from cauarena.leaderboards.ray_executor import start_local_ray

    ray = pytest.importorskip("ray")
    start_local_ray(ray, 2)
    yield ray
    ray.shutdown()


def _ray_run(store, episodes, **kw):
    from cauarena.leaderboards.ray_executor import RayExecutor

    seen = []
    summary = RayExecutor(Runner(store, workers=2, on_result=seen.append, **kw)).run(episodes)
    return summary, seen


def _row(store, r):
    trajectory = store.trajectory(r.episode_key)
    return (r.episode_return, r.steps, r.metrics, r.success, r.invalid_actions, r.error_kind, r.privileged,
            r.truncated, [s.action for s in trajectory.steps])


@pytest.mark.slow
def test_ray_stores_what_the_local_executor_stores(ray_runtime, tmp_path):
    episodes = _plan(["random", "oracle"], env=BABYAI, seeds=4, max_steps=20) + _plan(["arenakit:GoAgent"])
    local, on_ray = ResultsStore(tmp_path / "local"), ResultsStore(tmp_path / "ray")
    Runner(local, workers=2).run(episodes)
    summary, seen = _ray_run(on_ray, episodes)
    assert summary.finished == len(episodes) == on_ray.count() and summary.errors == {}
    assert sorted(r.episode_key for r in seen) == sorted(e.key for e in episodes)
    mine = {r.episode_key: _row(on_ray, r) for r in on_ray.results()}
    theirs = {r.episode_key: _row(local, r) for r in local.results()}
    assert mine == theirs
    assert any(r.privileged for r in on_ray.results()) and any(not r.success for r in on_ray.results())


@pytest.mark.slow
def test_resume_from_a_local_run_on_ray_stores_every_key_once(ray_runtime, tmp_path):
    episodes = _plan(["random"], env=BABYAI, seeds=8, max_steps=20)
    store = ResultsStore(tmp_path)
    first = Runner(store, workers=1).run(episodes[:4])
    summary, seen = _ray_run(store, episodes)
    assert first.finished == 4 and summary.skipped == 4 and summary.finished == 4 and len(seen) == 4
    keys = [r.episode_key for r in store.results()]
    assert sorted(keys) == sorted(e.key for e in episodes) and len(set(keys)) == len(episodes)
    assert _ray_run(store, episodes)[0].finished == 0


@pytest.mark.slow
def test_a_lost_actor_and_a_dead_agent_are_rows_and_the_run_goes_on(ray_runtime, tmp_path):
    episodes = (_plan(["arenakit:GoAgent"], env="cheaters:cheaters/Die-v0")
                + _plan(["arenakit:DyingAgent", "arenakit:GoAgent"], seeds=3))
    store = ResultsStore(tmp_path)
    summary, _ = _ray_run(store, episodes)
    rows = {(r.env_id, r.agent, r.seed): r for r in store.results()}
    assert summary.finished == len(episodes) == len(rows)
    died = [rows[("cheaters/Die-v0", "arenakit:GoAgent", s)] for s in (0, 1)]
    assert all(r.error_kind == "worker_died" and r.error_message.startswith("the Ray actor died") for r in died)
    assert all(r.error_traceback for r in died)
    dead_agent = [rows[("arenakit/Count-v0", "arenakit:DyingAgent", s)] for s in range(3)]
    assert all(r.error_kind == "agent_error" and "(exit code 3)" in r.error_message for r in dead_agent)
    assert all(rows[("arenakit/Count-v0", "arenakit:GoAgent", s)].success for s in range(3))
    assert summary.errors == {"worker_died": 2, "agent_error": 3}


@pytest.mark.slow
def test_an_actor_that_does_not_start_in_time_is_worker_died(ray_runtime, tmp_path):
    from cauarena.leaderboards.ray_executor import RayExecutor

    store = ResultsStore(tmp_path)
    summary = RayExecutor(Runner(store, workers=1), startup_timeout_s=0.01).run(_plan(["arenakit:GoAgent"]))
    assert summary.errors == {"worker_died": 2}
    assert all("did not start within 0.01 s" in r.error_message for r in store.results())


@pytest.mark.slow
def test_a_hanging_agent_is_a_timeout_row_and_its_host_is_killed(ray_runtime, tmp_path):
    episodes = _plan(["arenakit:HangingAgent", "arenakit:GoAgent"], timeout_s=4.0)
    store = ResultsStore(tmp_path)
    start = time.perf_counter()
    summary, _ = _ray_run(store, episodes)
    assert time.perf_counter() - start < 120
    rows = {(r.agent, r.seed): r for r in store.results()}
    assert summary.finished == 4
    hanging = [rows[("arenakit:HangingAgent", s)] for s in (0, 1)]
    assert all(r.error_kind == "timeout" and "wall-clock limit of 4 s" in r.error_message for r in hanging)
    assert all(4.0 <= r.wall_time_s < 30 for r in hanging)
    assert all(rows[("arenakit:GoAgent", s)].success for s in (0, 1))
    assert _wait_gone(_hosts_alive()) == []
