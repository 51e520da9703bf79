import os
import signal
import subprocess
import sys
import time

import arenakit  # noqa: F401  (registers arenakit/Count-v0)
import lanekit  # noqa: F401  (registers lanekit/Big-v0)
import pytest

from cauarena.leaderboards.runner import Runner
from cauarena.leaderboards.store import ResultsStore
from cauarena.leaderboards.suites import EnvSpec, Suite, plan

COUNT = "arenakit:arenakit/Count-v0"


def _suite(agents, env=COUNT, seeds=3, **kw):
    return Suite("test", envs=(EnvSpec(env),), agents=tuple(agents), seeds=seeds, **kw)


def test_inline_run_stores_every_episode(tmp_path):
    store = ResultsStore(tmp_path)
    episodes = plan(_suite(["arenakit:GoAgent", "random"], seeds=4))
    summary = Runner(store, workers=0).run(episodes)
    assert summary.finished == 8 and store.count() == 8
    go = [r for r in store.results() if r.agent == "arenakit:GoAgent"]
    assert all(r.success and r.steps == 5 and r.episode_return == 5.0 and r.env_id == "arenakit/Count-v0"
               for r in go)
    assert go[0].metrics == {"progress": 1.0}
    assert store.trajectory(go[0].episode_key).steps[0].action == "go"


def test_rerun_skips_stored_episodes(tmp_path):
    store = ResultsStore(tmp_path)
    episodes = plan(_suite(["arenakit:GoAgent"]))
    Runner(store, workers=0).run(episodes)
    again = Runner(store, workers=0).run(episodes)
    assert again.skipped == 3 and again.finished == 0 and store.count() == 3


def test_agent_and_env_errors_are_recorded_and_the_run_goes_on(tmp_path):
    store = ResultsStore(tmp_path)
    episodes = plan(_suite(["arenakit:RaisingAgent", "arenakit:GoAgent"], seeds=2))
    episodes += plan(_suite(["arenakit:GoAgent"], env="arenakit:arenakit/Crash-v0", seeds=1))
    episodes += plan(_suite(["no.such.module:Agent"], seeds=1))
    summary = Runner(store, workers=0).run(episodes)
    kinds = {(r.agent, r.env_id): r for r in store.results()}
    assert summary.finished == 6
    raising = kinds[("arenakit:RaisingAgent", "arenakit/Count-v0")]
    assert raising.error_kind == "agent_error" and "fails on purpose" in raising.error_message
    assert not raising.success
    assert kinds[("arenakit:GoAgent", "arenakit/Crash-v0")].error_kind == "env_error"
    assert kinds[("no.such.module:Agent", "arenakit/Count-v0")].error_kind == "agent_error"
    assert kinds[("arenakit:GoAgent", "arenakit/Count-v0")].success


def test_step_limit_truncates(tmp_path):
    store = ResultsStore(tmp_path)
    Runner(store, workers=0).run(plan(_suite(["arenakit:GoAgent"], seeds=1, max_steps=2)))
    (row,) = store.results()
    assert row.steps == 2 and row.truncated and not row.success


@pytest.mark.slow
def test_pool_kills_hanging_and_dying_workers(tmp_path):
    store = ResultsStore(tmp_path)
    episodes = plan(_suite(["arenakit:HangingAgent", "arenakit:DyingAgent", "arenakit:GoAgent"], seeds=2,
                           timeout_s=2.0))
    start = time.perf_counter()
    summary = Runner(store, workers=2).run(episodes)
    assert time.perf_counter() - start < 60
    rows = {(r.agent, r.seed): r for r in store.results()}
    assert summary.finished == 6 and len(rows) == 6
    assert all(rows[("arenakit:HangingAgent", s)].error_kind == "timeout" for s in (0, 1))
    # the agent runs in its own host process: killing it is the agent's error, with its exit code
    assert all(rows[("arenakit:DyingAgent", s)].error_kind == "agent_error" for s in (0, 1))
    assert "exit code 3" in rows[("arenakit:DyingAgent", 0)].error_message
    assert all(rows[("arenakit:GoAgent", s)].success for s in (0, 1))


def test_pool_matches_inline_results(tmp_path):
    episodes = plan(_suite(["random"], env="cauarena/BabyAI-GoToLocal-Text-v0", seeds=3, max_steps=20))
    inline, pool = ResultsStore(tmp_path / "a"), ResultsStore(tmp_path / "b")
    Runner(inline, workers=0).run(episodes)
    Runner(pool, workers=2).run(episodes)

    def key(r):
        return (r.episode_key, r.episode_return, r.steps, r.success, r.invalid_actions)

    assert sorted(map(key, inline.results())) == sorted(map(key, pool.results()))


def _played(store):
    """What an episode did, independent of how it was scheduled: its row and every step of its trajectory."""
    rows = {}
    for r in store.results():
        steps = [(s.observation, s.action, s.reward, s.invalid) for s in store.trajectory(r.episode_key).steps]
        rows[r.episode_key] = (r.agent, r.guard, r.episode_return, r.steps, r.success, r.invalid_actions, r.truncated,
                               r.error_kind, r.error_message, r.prompt_tokens,
                               {k: v for k, v in r.metrics.items() if "latency" not in k}, steps)  # not timings
    return rows


def test_lanes_store_the_same_episodes_as_one_at_a_time(tmp_path):
    # several episodes in flight per worker: the same rows and trajectories, guards' stops and rewrites included
    episodes = plan(_suite(["random"], env="cauarena/BabyAI-GoToLocal-Text-v0", seeds=7, max_steps=30))
    episodes += plan(Suite("g", envs=(EnvSpec(COUNT),), agents=("arenakit:GoAgent", "arenakit:WaitAgent",
                                                                  "arenakit:RaisingAgent"),
                           seeds=3, guards=("none", "arenakit:StopGuard", "arenakit:FixGuard")))
    episodes += plan(Suite("m", envs=(EnvSpec("cauarena/MAGIC-v0", (("max_turns", 2),)),),
                           agents=("fixed[base64] vs defender-keyword", "fixed[plain] vs defender-none"), seeds=2))
    # observations bigger than a pipe's buffer in every lane at once, and an action that cannot cross the pipe
    episodes += plan(Suite("b", envs=(EnvSpec("lanekit:lanekit/Big-v0"),),
                           agents=("lanekit:EchoLength", "lanekit:Unsendable", "lanekit:FailingReset"), seeds=3))
    played = {}
    for lanes in (1, 4):
        store = ResultsStore(tmp_path / f"lanes{lanes}")
        summary = Runner(store, workers=1, lanes=lanes).run(episodes)
        assert summary.finished == len(episodes)
        played[lanes] = _played(store)
    assert played[4] == played[1]
    kinds = {row[7] for row in played[4].values()}
    assert kinds == {"none", "agent_error"}  # the raising agent's episodes, and nothing else failed
    assert any(row[1] == "arenakit:StopGuard" and row[6] and row[3] == 3 for row in played[4].values())
    unsendable = [row for row in played[4].values() if row[0] == "lanekit:Unsendable"]
    assert len(unsendable) == 3 and all("cannot be sent to the env" in row[8] for row in unsendable)
    assert all(row[4] for row in played[4].values() if row[0] == "lanekit:EchoLength")
    resets = [row for row in played[4].values() if row[0] == "lanekit:FailingReset"]
    assert {(row[7], row[3]) for row in resets} == {("agent_error", 0), ("none", 5)}  # seeds odd and even


@pytest.mark.parametrize("workers", [1, 2])
def test_each_worker_and_its_host_get_a_fair_share_of_the_cpus(tmp_path, monkeypatch, workers):
    # N workers each sizing torch's pool to every CPU fought over them (2 workers with a tiny LM: 4x slower)
    from cauarena.leaderboards.agent_host import THREAD_VARIABLES
    from cauarena.leaderboards.runner import default_workers

    for var in THREAD_VARIABLES:
        monkeypatch.delenv(var, raising=False)
    store = ResultsStore(tmp_path)
    Runner(store, workers=workers).run(plan(_suite(["lanekit:ThreadCount"], seeds=2)))
    share = max(1, default_workers() // workers)
    assert [r.metrics["torch_threads"] for r in store.results()] == [share, share]


def test_a_script_without_a_main_guard_gets_one_line_and_starts_no_worker(tmp_path, support_env):
    # each worker re-imports the main script: unguarded, every worker would start the run again and die
    script = tmp_path / "unguarded.py"
    script.write_text("import arenakit\n"
                      "from cauarena.leaderboards.runner import Runner\n"
                      "from cauarena.leaderboards.store import ResultsStore\n"
                      "from cauarena.leaderboards.suites import EnvSpec, Suite, plan\n"
                      f"store = ResultsStore({str(tmp_path / 'out')!r})\n"
                      f"suite = Suite('t', envs=(EnvSpec({COUNT!r}),), agents=('arenakit:GoAgent',), seeds=2)\n"
                      "Runner(store, workers=1).run(plan(suite))\n")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=support_env,
                          timeout=120)
    assert proc.returncode == 1
    assert "starts worker processes, and each imports it again" in proc.stderr
    assert "if __name__ == \"__main__\":" in proc.stderr
    assert proc.stderr.count("Traceback") == 1  # the script's own, not one per worker


def test_lanes_must_be_positive(tmp_path):
    from cauarena.errors import ConfigError

    for lanes in (0, 257):
        with pytest.raises(ConfigError, match=f"lanes must be >= 1 and <= 256 .* got {lanes}"):
            Runner(ResultsStore(tmp_path), lanes=lanes)


@pytest.mark.slow
def test_lanes_attribute_hangs_and_deaths_to_their_own_episode(tmp_path):
    # several episodes lost at once (a hang, a killed host) are played again alone: only the culprit gets the row
    store = ResultsStore(tmp_path)
    episodes = plan(_suite(["arenakit:HangingAgent", "arenakit:DyingAgent", "arenakit:GoAgent"], seeds=3,
                           timeout_s=2.0))
    summary = Runner(store, workers=2, lanes=4).run(episodes)
    rows = {(r.agent, r.seed): r for r in store.results()}
    assert summary.finished == 9 and len(rows) == 9
    assert all(rows[("arenakit:HangingAgent", s)].error_kind == "timeout" for s in range(3))
    assert all(rows[("arenakit:DyingAgent", s)].error_kind == "agent_error" and
               "exit code 3" in rows[("arenakit:DyingAgent", s)].error_message for s in range(3))
    assert all(rows[("arenakit:GoAgent", s)].success for s in range(3))


@pytest.mark.slow
def test_sigkill_halfway_then_resume_stores_each_episode_once(tmp_path, support_env):
    out = tmp_path / "run"
    args = [sys.executable, "-m", "cauarena", "run", "--env", COUNT, "--agent", "arenakit:SlowAgent",
            "--agent", "arenakit:GoAgent", "--seeds", "30", "--workers", "2", "--out", str(out), "--no-progress"]
    planned = 60
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                            env=support_env)
    db = out / "results.sqlite"
    deadline = time.time() + 120
    stored = 0
    while time.time() < deadline:
        time.sleep(0.2)
        if db.exists():
            try:
                stored = ResultsStore(out).count()
            except Exception:  # the file may be half-created
                continue
            if stored >= 15:
                break
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    halfway = ResultsStore(out).count()
    assert 15 <= halfway < planned, "the run must be killed halfway"
    done = subprocess.run(args + ["--resume"], capture_output=True, text=True, timeout=300, env=support_env)
    assert done.returncode == 0, done.stderr
    rows = ResultsStore(out).results()
    assert len(rows) == planned
    assert len({(r.agent, r.seed) for r in rows}) == planned
    assert all(r.error_kind == "none" and r.success for r in rows)


_SCRIPT = '''
import os

from cauarena.agents.registry import register_agent

with open(os.environ["CAUARENA_TEST_MARK"], "a") as fh:  # one line per process that imports this script
    fh.write(f"{os.getpid()}\\n")


class ScriptAgent:
    def bind(self, env): pass
    def reset(self, *, seed=None, info=None): pass
    def act(self, observation, info): return "go"


register_agent("script-go", "__main__:ScriptAgent")

if __name__ == "__main__":
    import sys

    import arenakit  # noqa: F401

    from cauarena.leaderboards.runner import Runner
    from cauarena.leaderboards.store import ResultsStore
    from cauarena.leaderboards.suites import EnvSpec, Suite, plan

    suite = Suite("t", envs=(EnvSpec("arenakit:arenakit/Count-v0"),), agents=("script-go",), seeds=4)
    summary = Runner(ResultsStore(sys.argv[1]), workers=2, pin_cpus=len(sys.argv) > 2).run(plan(suite))
    print(summary.finished, summary.errors)
'''


@pytest.mark.parametrize("pinned", [False, True])
def test_workers_inherit_the_main_script_the_fork_server_imported_once(tmp_path, support_env, pinned):
    """A script that registers its own agent runs it in every agent host, importing itself twice in all: in the
    parent and in the fork server, not again in each of the two workers and two hosts (0.3-0.45 s each)."""
    script, mark = tmp_path / "script.py", tmp_path / "imports.txt"
    script.write_text(_SCRIPT)
    argv = [sys.executable, str(script), str(tmp_path / "out")] + (["--pin"] if pinned else [])
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120,
                          env={**support_env, "CAUARENA_TEST_MARK": str(mark)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["4", "{}"], done.stdout + done.stderr
    assert len(mark.read_text().split()) == 2
    assert "CAUARENA_FORK_MAIN" not in os.environ


def test_pin_keeps_a_process_on_one_cpu():
    from cauarena.leaderboards.runner import pin

    cpu = max(os.sched_getaffinity(0))
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        pin([proc], cpu)
        assert os.sched_getaffinity(proc.pid) == {cpu}
    finally:
        proc.kill()
        proc.wait()
    pin([proc], cpu)  # a process that is gone is left alone, not an error
