"""Sealed truth and attributed failures: agents run apart from the env, deaths and memory are recorded."""

import arenakit  # noqa: F401  (registers arenakit/Count-v0)
import cheaters  # noqa: F401  (registers cheaters/Harm-v0 and cheaters/Die-v0)
import pytest

from cauarena.agents import PublicEnvView
from cauarena.leaderboards.runner import Runner, describe_exit
from cauarena.leaderboards.store import ResultsStore
from cauarena.leaderboards.suites import EnvSpec, Suite, plan

COUNT = "arenakit:arenakit/Count-v0"


@pytest.fixture(params=[1, 3], ids=["1 lane", "3 lanes"])
def lanes(request):
    """Every check below holds whether a worker plays one episode at a time or several at once."""
    return request.param


@pytest.fixture
def _run(lanes):
    def run(tmp_path, agents, env=COUNT, seeds=2, workers=1, **runner_kw):
        store = ResultsStore(tmp_path)
        episodes = plan(Suite("t", envs=(EnvSpec(env),), agents=tuple(agents), seeds=seeds))
        summary = Runner(store, workers=workers, lanes=lanes, **runner_kw).run(episodes)
        return store, summary

    return run


def test_an_outside_agent_sees_no_env_object(tmp_path, _run):
    store, _ = _run(tmp_path, ["cheaters:Cheater"], seeds=3)
    rows = store.results()
    assert len(rows) == 3
    # Count-v0 pays 1 per "go"; the cheater says "go" only while it can see no env object
    assert all(r.episode_return == 5.0 and r.invalid_actions == 0 and not r.privileged for r in rows)


def test_in_process_runs_have_no_isolation_and_the_cheater_notices(tmp_path, _run):
    # workers=0 is the documented debugging mode: everything in one process, so the check above is meaningful
    store, _ = _run(tmp_path, ["cheaters:Cheater"], seeds=1, workers=0)
    assert store.results()[0].invalid_actions == 5


def test_a_privileged_oracle_runs_beside_the_env_and_is_marked(tmp_path, _run):
    store, _ = _run(tmp_path, ["oracle"], env="cauarena/BabyAI-GoToLocal-Text-v0", seeds=2)
    rows = store.results()
    assert all(r.privileged and r.success for r in rows)


def test_an_agent_that_kills_its_host_is_an_agent_error_and_the_run_goes_on(tmp_path, _run):
    store, summary = _run(tmp_path, ["arenakit:DyingAgent", "arenakit:GoAgent"], seeds=2)
    rows = {(r.agent, r.seed): r for r in store.results()}
    dying = rows[("arenakit:DyingAgent", 0)]
    assert dying.error_kind == "agent_error" and "exit code 3" in dying.error_message
    assert all(rows[("arenakit:GoAgent", s)].success for s in (0, 1))
    assert summary.finished == 4


def test_a_dead_worker_is_worker_died_with_its_exit_code(tmp_path, _run):
    store, _ = _run(tmp_path, ["arenakit:GoAgent"], env="cheaters:cheaters/Die-v0", seeds=2)
    rows = store.results()
    assert [r.error_kind for r in rows] == ["worker_died", "worker_died"]
    assert all("exit code 7" in r.error_message for r in rows)


def test_runaway_memory_is_an_oom_row(tmp_path, _run):
    store, summary = _run(tmp_path, ["cheaters:Hog", "arenakit:GoAgent"], seeds=1, max_memory=600 << 20)
    rows = {r.agent: r for r in store.results()}
    assert rows["cheaters:Hog"].error_kind == "oom" and "--max-memory" in rows["cheaters:Hog"].error_message
    assert rows["arenakit:GoAgent"].success


def test_an_error_keeps_the_harm_done_before_it(tmp_path, _run):
    store, _ = _run(tmp_path, ["cheaters:HarmThenRaise"], env="cheaters:cheaters/Harm-v0", seeds=1)
    (row,) = store.results()
    assert row.error_kind == "agent_error" and row.error_message == "RuntimeError: gave up after doing harm"
    assert "HarmThenRaise" in row.error_traceback or "act" in row.error_traceback
    assert row.metrics == {"harm": 2.0} and not row.success and row.steps == 2


def test_a_step_limit_keeps_the_env_summary(tmp_path, lanes):
    store = ResultsStore(tmp_path)
    episodes = plan(Suite("t", envs=(EnvSpec("cheaters:cheaters/Harm-v0"),), agents=("cheaters:HarmThenRaise",),
                          seeds=1, max_steps=1))
    Runner(store, workers=1, lanes=lanes).run(episodes)
    (row,) = store.results()
    assert row.truncated and row.error_kind == "none" and row.metrics == {"harm": 1.0}


def test_public_view_unwraps_to_itself():
    view = PublicEnvView(env_id="x/Y-v0", family="testing")
    assert view.unwrapped is view


@pytest.mark.parametrize(("code", "text"),
                         [(-9, "killed by signal SIGKILL"), (0, "exit code 0"), (None, "still running")])
def test_describe_exit(code, text):
    assert describe_exit(code) == text
