"""The one rollout loop: single- and multi-agent by the env's kind, steps as records, failures named by side."""

import pytest
from arenakit import GenericTestEnv, GoAgent, RaisingAgent

from cauarena.agents.base import StepUsage
from cauarena.agents.magic import KeywordDefender, ScriptedAttacker, play_game
from cauarena.agents.rollout import SINGLE, Rollout, RolloutError, is_multi_agent
from cauarena.envs.magic import ATTACKER, DEFENDER, parallel_env


class CountingAgent(GoAgent):
    """Says "go" and reports 3 prompt + 1 completion tokens per step; remembers its reset seed."""

    def reset(self, *, seed=None, info=None):
        self.seed, self.last_usage = seed, None

    def act(self, observation, info):
        self.last_usage = StepUsage(prompt_tokens=3, completion_tokens=1)
        return "go"


def test_single_agent_steps_totals_and_usage():
    agent = CountingAgent()
    rollout = Rollout(GenericTestEnv(length=4), agent, seed=5, agent_seed=9)
    steps = list(rollout)
    assert [s.index for s in steps] == [0, 1, 2, 3] and steps[0].observation == "count 0 of 4"
    assert [s.action for s in steps] == ["go"] * 4 and steps[-1].terminated and not steps[-1].invalid
    assert rollout.ended and not rollout.truncated and rollout.n_steps == 4 and rollout.episode_return() == 4.0
    assert rollout.usage[SINGLE] == [12, 4] and steps[0].usage.prompt_tokens == 3 and agent.seed == 9
    assert rollout.info["success"] and rollout.observation == "count 4 of 4"


def test_max_steps_cuts_and_invalid_actions_are_counted():
    class Bad(GoAgent):
        def act(self, observation, info):
            return "stay"

    rollout = Rollout(GenericTestEnv(length=10), Bad(), seed=0, max_steps=3).run()
    assert rollout.n_steps == 3 and rollout.truncated and not rollout.ended and rollout.invalid == 3


@pytest.mark.parametrize("env, agent, side, phase", [
    (GenericTestEnv(), RaisingAgent(), "agent", "act"),
    (GenericTestEnv(crash_at=2), GoAgent(), "env", "step"),
])
def test_failures_name_their_side_and_call(env, agent, side, phase):
    rollout = Rollout(env, agent, seed=0)
    with pytest.raises(RolloutError, match=f"{side} {phase} raised") as caught:
        rollout.run()
    assert (caught.value.side, caught.value.phase) == (side, phase)
    assert isinstance(caught.value.error, ValueError | RuntimeError) and caught.value.__cause__ is caught.value.error
    assert rollout.n_steps == (0 if side == "agent" else 1)


def test_the_env_kind_decides_the_path():
    assert is_multi_agent(parallel_env()) and not is_multi_agent(GenericTestEnv())
    with pytest.raises(TypeError, match="multi-agent .* takes \\{seat: agent\\}"):
        Rollout(parallel_env(), GoAgent())
    with pytest.raises(TypeError, match="single-agent .* takes one agent"):
        Rollout(GenericTestEnv(), {"a": GoAgent()})


def test_multi_agent_only_the_seat_on_turn_acts():
    game = parallel_env(max_turns=2)
    rollout = Rollout(game, {ATTACKER: ScriptedAttacker("caesar"), DEFENDER: KeywordDefender()}, seed=3)
    steps = list(rollout)
    assert [set(s.action) for s in steps] == [{ATTACKER}, {DEFENDER}] * (len(steps) // 2)
    assert rollout.ended and rollout.n_steps == len(steps) == 2 * int(rollout.seat_info(DEFENDER)["metrics"]["turns"])
    out = play_game(parallel_env(max_turns=2), ScriptedAttacker("caesar"), KeywordDefender(), seed=3)
    assert out["rewards"] == rollout.returns and out["steps"] == rollout.n_steps
