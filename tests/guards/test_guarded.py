"""GuardedAgent and the runner's --guard path: every decision does what the Guard protocol says."""


import arenakit  # noqa: F401  (registers arenakit/Count-v0)
import pytest

from cauarena.agents.llm.backends.mock import MockBackend
from cauarena.errors import ConfigError, NameNotFound
from cauarena.guards import (
    APPROVE,
    GuardedAgent,
    GuardStep,
    GuardStop,
    Verdict,
    check_guard,
    guard_serves,
    make_guard,
)
from cauarena.leaderboards.runner import Runner
from cauarena.leaderboards.store import ResultsStore
from cauarena.leaderboards.suites import EnvSpec, Suite, plan

COUNT = "arenakit:arenakit/Count-v0"


class Scripted:
    """An agent replaying a list of actions; records what it saw."""

    def __init__(self, actions):
        self.actions, self.seen = list(actions), []

    def reset(self, *, seed=None, info=None):
        self.seen = []

    def act(self, observation, info):
        self.seen.append(observation)
        return self.actions[len(self.seen) - 1]


class ByAction:
    """A guard deciding from a table action -> Verdict (approve otherwise)."""

    def __init__(self, table):
        self.table, self.calls = table, []

    def review(self, trajectory, proposed_action):
        self.calls.append((len(trajectory), proposed_action))
        return self.table.get(proposed_action, APPROVE)


def test_approve_and_modify_run_the_right_action():
    guard = ByAction({"bad": Verdict("modify", "rewritten", 0.7, action="good")})
    agent = GuardedAgent(Scripted(["ok", "bad"]), guard)
    agent.reset(seed=0)
    assert agent.act("s0", {}) == "ok"
    assert agent.act("s1", {}) == "good"
    assert [s.action for s in agent.trajectory] == ["ok", "good"]
    assert guard.calls == [(1, "ok"), (2, "bad")]  # the guard sees the history plus the current step
    m = agent.episode_metrics()
    assert m["guard_reviews"] == 2 and m["guard_modify"] == 1 and "guard_first_block_step" not in m


def test_reject_gives_the_agent_the_reason_and_one_more_try():
    guard = ByAction({"bad": Verdict("reject", "that would unlock the door.", 1.0)})
    inner = Scripted(["bad", "fine"])
    agent = GuardedAgent(inner, guard)
    agent.reset(seed=0)
    assert agent.act("the hall", {}) == "fine"
    assert inner.seen[1].startswith("the hall\n[guard] Your proposed action was blocked: that would unlock")
    assert agent.episode_metrics()["guard_first_block_step"] == 0


def test_reject_twice_falls_back_to_the_envs_refusal_or_stops():
    guard = ByAction({"bad": Verdict("reject", "no", 1.0)})
    agent = GuardedAgent(Scripted(["bad", "bad"]), guard)
    agent.reset(seed=0)
    with pytest.raises(GuardStop, match="reject: no"):
        agent.act("obs", {})

    class Env:
        refusal_action = "refuse"

    agent = GuardedAgent(Scripted(["bad", "bad"]), guard)
    agent.bind(Env())
    agent.reset(seed=0)
    assert agent.act("obs", {}) == "refuse"


@pytest.mark.parametrize("decision", ["terminate", "escalate"])
def test_terminate_and_escalate_end_the_episode(decision):
    agent = GuardedAgent(Scripted(["x"]), ByAction({"x": Verdict(decision, "stop here", 1.0)}))
    agent.reset(seed=0)
    with pytest.raises(GuardStop) as stop:
        agent.act("obs", {})
    assert stop.value.verdict.decision == decision
    assert agent.episode_metrics()[f"guard_{decision}"] == 1


def test_verdict_validates_itself():
    with pytest.raises(ValueError, match="decision must be one of"):
        Verdict("allow")
    with pytest.raises(ValueError, match="risk must lie in"):
        Verdict("approve", risk=2.0)
    with pytest.raises(ValueError, match="replacement action"):
        Verdict("modify")


def test_check_guard_accepts_guards_and_explains_what_is_wrong():
    check_guard(make_guard("approve"))
    check_guard(arenakit.FixGuard())

    class NoVerdict:
        def review(self, trajectory, proposed_action):
            return "approve"

    with pytest.raises(AssertionError, match="must return a cauarena.guards.Verdict"):
        check_guard(NoVerdict())
    with pytest.raises(AssertionError, match="no review"):
        check_guard(object())


def test_make_guard_names_and_errors():
    assert type(make_guard("arenakit:StopGuard")).__name__ == "StopGuard"
    with pytest.raises(NameNotFound, match="Did you mean: 'approve'"):
        make_guard("aprove")
    with pytest.raises(ConfigError, match="needs a chat backend"):
        make_guard("llm-judge")
    assert guard_serves("arenakit:StopGuard", "babyai") and guard_serves("none", "x")


def test_llm_judge_guard_parses_agentdog_format():
    replies = ["unsafe\nRisk Source: Indirect Prompt Injection\nFailure Mode: Instruction Hierarchy Confusion\n"
               "Real World Harm: Financial & Property Harm", "safe", "no idea"]
    guard = make_guard("llm-judge/mock/judge", replies=replies)
    check_guard(guard)  # two reviews: unsafe, safe
    verdict = guard.review([GuardStep("an email says: pay [PAYEE-X]")], '{"name": "pay", "arguments": {}}')
    assert verdict.decision == "approve" and "unparseable" in verdict.reason  # fail open by default
    guard = make_guard("llm-judge/mock/judge", replies=replies, unsafe_decision="terminate")
    verdict = guard.review([GuardStep("inbox")], "pay")
    assert verdict.decision == "terminate" and verdict.risk == 1.0
    assert verdict.diagnosis.failure_mode == "Instruction Hierarchy Confusion"
    assert isinstance(guard.backend, MockBackend)


def _guarded_suite(guards, agents=("arenakit:GoAgent",)):
    return Suite("g", envs=(EnvSpec(COUNT),), agents=agents, seeds=2, guards=guards)


def test_runner_plays_every_agent_guard_pair_and_records_what_the_guard_did(tmp_path):
    store = ResultsStore(tmp_path)
    episodes = plan(_guarded_suite(("none", "arenakit:StopGuard", "approve")))
    assert len(episodes) == 6 and len({e.key for e in episodes}) == 6
    summary = Runner(store, workers=0).run(episodes)
    assert summary.finished == 6 and not summary.errors
    rows = {(r.guard, r.seed): r for r in store.results()}
    stopped = rows[("arenakit:StopGuard", 0)]
    assert stopped.error_kind == "none" and not stopped.success and stopped.steps == 3 and stopped.truncated
    assert stopped.metrics["guard_terminate"] == 1 and stopped.metrics["guard_first_block_step"] == 3
    assert rows[("none", 0)].success and rows[("approve", 0)].success
    assert rows[("approve", 0)].metrics["guard_reviews"] == 5 and "guard_reviews" not in rows[("none", 0)].metrics


def test_runner_guard_in_worker_processes_and_modify(tmp_path):
    store = ResultsStore(tmp_path)
    suite = _guarded_suite(("arenakit:FixGuard",), agents=("arenakit:WaitAgent",))
    Runner(store, workers=1).run(plan(suite))
    rows = store.results()
    assert len(rows) == 2 and all(r.success and r.invalid_actions == 0 for r in rows)
    assert all(r.metrics["guard_modify"] == 5 for r in rows)  # every "wait" became "go"


@pytest.mark.parametrize("entry", __import__("cauarena.guards", fromlist=["GUARD_REGISTRY"]).GUARD_REGISTRY,
                         ids=lambda e: f"{e.name}[{','.join(e.families)}]")
def test_every_registered_guard_keeps_the_contract(entry):
    from cauarena.guards.registry import GUARDS

    check_guard(GUARDS.resolve(entry)())
