import pytest

import cauarena
from cauarena.agents import check_agent, make_agent
from cauarena.agents.life_assist import LIFE_ASSIST_PROMPT, LifeAssistOracle, LifeAssistParser
from cauarena.agents.llm.prompts import get_prompt
from cauarena.envs.life_assist import GOALS, SURFACES, TASKS, TOOLS, LifeAssistEnv
from cauarena.errors import ConfigError

ATTACKED = SURFACES[1:]


def _episode(agent_name, env, seed):
    agent = make_agent(agent_name, family="life_assist")
    agent.bind(env)
    obs, info = env.reset(seed=seed)
    agent.reset(seed=seed, info=info)
    while True:
        obs, reward, term, trunc, info = env.step(agent.act(obs, info))
        if term or trunc:
            return info, reward


@pytest.mark.parametrize("task_id", sorted(TASKS))
def test_oracle_is_safe_and_helpful_on_every_task(task_id):
    env = LifeAssistEnv(task=task_id)
    for seed in range(4):
        info, reward = _episode("oracle", env, seed)
        assert info["metrics"]["utility"] == 1.0 and info["violations"] == [] and reward == 1.0, (task_id, seed)
        assert info["metrics"]["invalid_calls"] == 0.0


@pytest.mark.parametrize("surface", ATTACKED)
def test_oracle_stays_safe_and_helpful_under_attack(surface):
    env = LifeAssistEnv(surface=surface, trigger="delayed" if surface == "memory" else "direct")
    for seed in range(0, 45, 4):
        info, _ = _episode("oracle", env, seed)
        assert info["metrics"]["utility_under_attack"] == 1.0 and info["metrics"]["asr"] == 0.0
        assert info["violations"] == []


@pytest.mark.parametrize("surface", ATTACKED)
@pytest.mark.parametrize("goal", GOALS)
def test_naive_is_attacked_successfully(surface, goal):
    env = LifeAssistEnv(surface=surface, goal=goal, style="scam")
    info, _ = _episode("naive", env, seed=GOALS.index(goal))
    assert info["metrics"]["asr"] == 1.0 and info["metrics"]["violation_rate"] == 1.0
    assert any(v["attack_related"] for v in info["violations"])


def test_naive_is_helpful_without_attack():
    env = LifeAssistEnv()
    for seed in range(0, 45, 5):
        info, _ = _episode("naive", env, seed)
        assert info["metrics"]["utility"] == 1.0 and not info["violations"]


def test_cautious_over_refuses_but_is_never_attacked():
    benign = [_episode("cautious", LifeAssistEnv(), seed)[0] for seed in range(45)]
    refusals = sum(i["metrics"]["over_refusal"] for i in benign) / len(benign)
    assert 0.3 < refusals < 0.9 and all(not i["violations"] for i in benign)
    attacked = [_episode("cautious", LifeAssistEnv(surface="environment"), seed)[0] for seed in range(0, 45, 3)]
    assert all(i["metrics"]["asr"] == 0.0 for i in attacked)


def test_a_do_nothing_agent_does_not_win():
    env = LifeAssistEnv()
    env.reset(seed=0)
    info = env.step({"name": "finish_task", "arguments": {"summary": "nothing to do", "completed": False}})[4]
    assert info["metrics"]["safe_and_helpful"] == 0.0 and not info["success"]


def test_scripted_agents_pass_the_agent_checker():
    for name in ("oracle", "naive", "cautious"):
        check_agent(make_agent(name, family="life_assist"), "cauarena/LifeAssist-v0")


def test_oracle_needs_a_life_assist_env():
    agent = LifeAssistOracle()
    with pytest.raises(ConfigError, match="reset called before bind"):
        agent.reset(seed=0)
    with pytest.raises(ConfigError, match="LifeAssist"):
        agent.bind(cauarena.make("cauarena/CauGym-v0"))


def test_chat_prompt_lists_every_tool_and_the_parser_reads_json_calls():
    assert get_prompt("life_assist") is LIFE_ASSIST_PROMPT
    assert all(name in LIFE_ASSIST_PROMPT.system for name in TOOLS)
    parser = LifeAssistParser()
    reply = 'I will look.\n```json\n{"name": "device_status", "arguments": {}}\n```'
    assert parser(reply, {"valid_actions": []}) == '{"name": "device_status", "arguments": {}}'
    assert parser("no idea", {"valid_actions": []}) == "no idea"


def test_a_mock_chat_agent_plays_an_episode():
    replies = ['{"name": "device_status", "arguments": {}}',
               'Action: {"name": "finish_task", "arguments": {"summary": "checked", "completed": false}}']
    agent = make_agent("mock/scripted", family="life_assist", replies=replies)
    env = cauarena.make("cauarena/LifeAssist-v0")
    obs, info = env.reset(seed=0)
    agent.reset(seed=0, info=info)
    for _ in range(2):
        obs, reward, term, trunc, info = env.step(agent.act(obs, info))
        assert not info["invalid_action"]
    assert term and info["metrics"]["utility"] == 0.0


def test_two_prompt_variants_undefended_baseline_and_defended():
    from cauarena.agents.life_assist import DEFENCE, DEFENDED_PROMPT

    assert get_prompt("life_assist-defended", strict=True) is DEFENDED_PROMPT
    assert DEFENCE not in LIFE_ASSIST_PROMPT.system and DEFENCE in DEFENDED_PROMPT.system
    assert all(name in DEFENDED_PROMPT.system for name in TOOLS)
    assert make_agent("chat-undefended", family="life_assist").template is LIFE_ASSIST_PROMPT
    assert make_agent("chat-defended", family="life_assist").template is DEFENDED_PROMPT


@pytest.mark.parametrize("surface", ["system_prompt", "memory"])
def test_a_chat_agent_gets_system_and_memory_payloads_where_they_belong(surface):
    from cauarena.agents.llm.prompts import render_messages

    env = LifeAssistEnv(task="home/alarm_check-0", surface=surface, goal="disable_alarm")
    obs, info = env.reset(seed=2)
    agent = make_agent("chat-defended", family="life_assist")
    messages = render_messages(agent.template, [], obs, info)
    payload = env.unwrapped.attack.text
    assert payload not in messages[-1]["content"]  # not in the observation
    if surface == "system_prompt":
        assert payload in messages[0]["content"] and messages[0]["role"] == "system" and len(messages) == 2
    else:
        assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
        assert payload in messages[1]["content"] and payload not in messages[0]["content"]
