import json
import warnings

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import data_equivalence

import cauarena
from cauarena.agents.random import RandomAgent
from cauarena.envs import check_malformed_actions, check_text_env
from cauarena.envs.life_assist import FAMILIES, SETTINGS, TASKS, LifeAssistEnv, parse_call
from cauarena.errors import ConfigError


def _play(env, calls, seed=0):
    obs, info = env.reset(seed=seed)
    for action in calls:
        obs, reward, terminated, truncated, info = env.step(action)
    return obs, info


def test_made_through_the_registry_and_passes_the_checker():
    env = cauarena.make("cauarena/LifeAssist-v0", task="finance", surface="environment")
    assert isinstance(env.unwrapped, LifeAssistEnv)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_text_env(env)
    assert not caught, [str(w.message) for w in caught]


@pytest.mark.parametrize("surface", ["none", "user_instruction", "memory", "environment", "tool_output",
                                     "system_prompt"])
def test_malformed_actions_get_feedback_on_every_surface(surface):
    check_malformed_actions(LifeAssistEnv(surface=surface))


def test_same_seed_same_episode():
    env_a, env_b = LifeAssistEnv(surface="tool_output"), LifeAssistEnv(surface="tool_output")
    agent_a, agent_b = RandomAgent(), RandomAgent()
    for seed in (0, 7, 44):
        records = []
        for env, agent in ((env_a, agent_a), (env_b, agent_b)):
            obs, info = env.reset(seed=seed)
            agent.reset(seed=seed, info=info)
            rec = [(obs, info)]
            for _ in range(12):
                obs, reward, term, trunc, info = env.step(agent.act(obs, info))
                rec.append((obs, reward, term, trunc, info))
                if term or trunc:
                    break
            records.append(rec)
        assert data_equivalence(records[0], records[1], exact=True)
    assert env_a.reset(seed=3)[0] != env_a.reset(seed=4)[0]


def test_105_tasks_over_three_settings_with_long_plans():
    assert len(TASKS) >= 100
    assert {t.family for t in TASKS.values()} == set(FAMILIES)
    assert {t.setting for t in TASKS.values()} == set(SETTINGS)
    assert all(sum(t.setting == s for t in TASKS.values()) >= 30 for s in SETTINGS)
    for task_id in TASKS:
        env = LifeAssistEnv(task=task_id)
        for seed in (0, 1):
            env.reset(seed=seed)
            assert 5 <= len(env.plan) <= 20, (task_id, len(env.plan))


def test_task_selection_by_id_family_and_seed():
    env = LifeAssistEnv(task="health")
    assert len(env.pairs) == 9 * 7  # nine tasks, each with the seven goals of the parent's home
    seen = {env.reset(seed=s)[1]["task_id"] for s in range(len(env.pairs))}
    assert seen == {t for t in TASKS if t.startswith("health/")}
    office = LifeAssistEnv(task="home_office")
    assert {office.reset(seed=s)[1]["task_id"].split("/")[0] for s in range(20)} == {"office"}
    assert {t.id for t in LifeAssistEnv(goal="forward_mail").tasks} == {t for t in TASKS if t.startswith("office/")}
    assert LifeAssistEnv(task="home/groceries-2").reset(seed=5)[1]["task_id"] == "home/groceries-2"
    with pytest.raises(ConfigError, match="task must be"):
        LifeAssistEnv(task="gardening")
    with pytest.raises(ConfigError, match="surface must be one of"):
        LifeAssistEnv(surface="email")
    with pytest.raises(ConfigError, match="goal must be"):
        LifeAssistEnv(goal="steal")
    with pytest.raises(ConfigError, match="not a goal of the setting"):
        LifeAssistEnv(task="office", goal="overdose")


def test_a_malformed_action_is_a_counted_no_op():
    env = LifeAssistEnv(task="home/leave_home-0")
    env.reset(seed=2)
    before = env.world.model_copy(deep=True)
    obs, reward, term, trunc, info = env.step('{"name": "set_device", "arguments": {"device": "stove"}}')
    assert info["invalid_action"] and "value" in info["feedback"] and info["feedback"] in obs
    assert env.world == before and not term and reward == 0.0
    obs, reward, term, trunc, info = env.step("please turn off the stove")
    assert env.episode_summary()["metrics"]["invalid_calls"] == 2.0 and info["step"] == 2 and not env.violations


def test_actions_as_dict_string_fenced_or_labelled():
    assert parse_call({"name": "list_inbox"}) == (("list_inbox", {}), "")
    assert parse_call('```json\n{"name": "list_inbox", "arguments": {}}\n```')[0] == ("list_inbox", {})
    labelled = 'Thought: x\nAction: {"name": "view_calendar", "arguments": {"date": ""}}'
    assert parse_call(labelled)[0][0] == "view_calendar"
    assert parse_call({"name": "list_inbox", "extra": 1})[0] is None
    assert parse_call({"name": "list_inbox", "arguments": [1]})[0] is None
    env = LifeAssistEnv()
    env.reset(seed=0)
    assert not env.step({"name": "list_inbox", "arguments": {}})[4]["invalid_action"]


def test_step_before_reset_and_after_the_end():
    env = LifeAssistEnv()
    with pytest.raises(gym.error.ResetNeeded):
        env.step('{"name": "list_inbox"}')
    env.reset(seed=0)
    *_, term, _, info = env.step({"name": "refuse_task", "arguments": {"reason": "no"}})
    assert term and info["refused"] and info["metrics"]["over_refusal"] == 1.0
    assert env.step({"name": "list_inbox"})[4]["invalid_action"]


def test_truncated_at_max_steps():
    env = LifeAssistEnv(max_steps=3)
    env.reset(seed=0)
    results = [env.step({"name": "list_inbox"}) for _ in range(3)]
    assert [r[3] for r in results] == [False, False, True]


def test_benign_twin_has_the_same_task_and_world_but_the_payload():
    benign, attacked = LifeAssistEnv(), LifeAssistEnv(surface="environment", style="scam")
    _, info_b = benign.reset(seed=11)
    _, info_a = attacked.reset(seed=11)
    assert info_a["task_id"] == info_b["task_id"] and benign.plan == attacked.plan
    planted = attacked.world.model_copy(deep=True)
    planted.notes = [n for n in planted.notes if not n.hazard]
    planted.inbox = [m for m in planted.inbox if not m.hazard]
    assert benign.world == planted and benign.world != attacked.world
    assert "utility" in benign.episode_summary()["metrics"]
    assert "utility_under_attack" in attacked.episode_summary()["metrics"]


def test_valid_actions_are_accepted_json_calls():
    env = LifeAssistEnv()
    _, info = env.reset(seed=3)
    for action in info["valid_actions"][:-1]:
        assert json.loads(action)["name"] and not env.step(action)[4]["invalid_action"]


def test_setting_data_leaves_the_parent_home_as_it_was():
    from cauarena.envs.life_assist import generate_world

    full, bare = generate_world(7), generate_world(7, settings=())
    assert full.finances is not None and full.office is not None and bare.finances is None
    assert full.model_copy(update={"finances": None, "office": None}) == bare
    env = LifeAssistEnv(task="office/share_proposal-0")
    env.reset(seed=7)
    assert env.world.office == full.office and env.world.finances is None
