"""The CauGym oracle (text only) solves every generated task and variant; the guesser is a chance baseline."""

import json

import pytest

import cauarena
from cauarena.agents import check_agent, make_agent
from cauarena.agents.caugym import CauGymGuesser, CauGymOracle, ParseError, parse_problem, solve_text
from cauarena.agents.llm import get_parser, get_prompt
from cauarena.envs.caugym import TASKS, VARIANTS, generate_item, generate_problem, gold_of, score_reply


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("task", TASKS)
def test_oracle_solves_every_task_and_variant(task, variant):
    agent = CauGymOracle()
    for seed in range(1000, 1020):
        item = generate_item(seed, task, variant, names=("real", "invented", "symbols")[seed % 3])
        reply = agent.act(item.problem, {})
        assert score_reply(reply, gold_of(item)).success, (seed, reply, item.answer)


def test_oracle_reads_the_graph_back():
    p = generate_problem(5, "NDE", "rephrased")
    parsed = parse_problem(generate_item(5, "NDE", "rephrased").problem)
    assert sorted(parsed.names) == sorted(p.names)
    edges = {(p.names[a], p.names[b]) for a, b in p.model.edges}
    assert {(parsed.names[a], parsed.names[b]) for b, pa in enumerate(parsed.parents) for a in pa} == edges


def test_oracle_uses_only_the_text():
    with pytest.raises(ParseError):
        solve_text("Input Info: Imagine ...: The moon sings.\nQuestion: Why?")
    assert json.loads(CauGymOracle().act("not a problem", {})) == {"ANSWER": "LACK_CONDITION"}


def test_registered_agents_and_chat_pieces():
    oracle, guesser = make_agent("oracle", family="caugym"), make_agent("random", family="caugym")
    assert isinstance(oracle, CauGymOracle) and isinstance(guesser, CauGymGuesser)
    env = cauarena.make("cauarena/CauGym-v0")
    check_agent(oracle, env)
    check_agent(guesser, env)
    assert get_prompt("caugym", strict=True).name == "caugym"
    assert get_parser("caugym", strict=True)(" reply {} ", {}) == "reply {}"


def test_guesser_is_well_formed_and_seeded():
    env = cauarena.make("cauarena/CauGym-v0")
    agent = CauGymGuesser()
    replies = []
    for seed in range(30):
        observation, info = env.reset(seed=seed)
        agent.reset(seed=seed, info=info)
        reply = agent.act(observation, info)
        replies.append(reply)
        assert not env.step(reply)[-1]["invalid_action"]
    agent.reset(seed=0)
    assert agent.act(env.reset(seed=0)[0], {}) == replies[0]
