"""The reader and the oracle on items written here in the published CauGym text format (every task and layout).

The published test sets carry no licence, so none of their text is here: these items are ours, written in the
published layout (base: spaced sentences; deconfounding/redundant/insufficient: sentences run together and
``(A=0)`` tags), with names that have spaces, apostrophes, brackets and a misspelling that differs between the
edge sentences and the statements, as the published files do. Answers are worked by hand in the comments.
"""

import json

import pytest

import cauarena
from cauarena.agents.caugym import CauGymOracle
from cauarena.envs.caugym import CauGymItem, gold_of, score_reply
from cauarena.envs.caugym.reader import ParseError, parse_problem, solve_text
from cauarena.envs.caugym.tasks import TASK_NAMES

INTRO = ("Input Info: Imagine a self-contained, hypothetical world with only the following conditions, and without "
         "any unmentioned factors or causal relationships:")
YES_NO = ('Provide the calculation result to four decimal places and a final "yes" or "no" answer in JSON format, '
          'like {"ANSWER": "Yes", "PROB": "0.1234"}:')
PROB = 'Provide the calculation result to four decimal places in JSON format, like {"PROB": "0.1234"}:'


def problem(edges, statements, task, x, y, question, packed=False):
    """A problem in the published layout; ``packed``: the deconfounding/redundant/insufficient spacing."""
    sep = "" if packed else " "
    edge_text = sep.join(f"{a[:1].upper()}{a[1:]} has a direct effect on {b}." for a, b in edges)
    fmt = PROB if task in ("PN", "PS") else YES_NO
    return (f"{INTRO}{sep}{edge_text}\n{' '.join(statements)} \n"
            f"Instruction: Consider the {TASK_NAMES[task]} ({task}) of {x} on {y}.\nQuestion: {question}\n{fmt}")


def given(pairs):
    return ", ".join(f"{n} being {v}" for n, v in pairs[:-1]) + (" and " if len(pairs) > 1 else "") + \
        f"{pairs[-1][0]} being {pairs[-1][1]}"


def cond(pairs, event, p):
    return f"For those with {given(pairs)}, the probability of {event[0]} being {event[1]} is {p}."


def marg(pairs, p):
    return f"The probability of {given(pairs)} is {p}."


S, E = "sleep qualty", "exam score"  # a misspelt name, used consistently
ITEMS = {
    # ATE = P(e=high|s=good) - P(e=high|s=poor) = 0.7000 - 0.4000
    "ATE": (problem([(S, E)], [cond([(S, "good")], (E, "high"), "0.7000"), cond([(S, "poor")], (E, "high"), "0.4000")],
                    "ATE", S, E, f"If {S} is changed to be good, will {E} be more likely to be high?"),
            {"ANSWER": "Yes", "PROB": "0.3000"}),
    # CDE holding the mediator: P(y|x1,m) - P(y|x0,m) = 0.5500 - 0.6000 (multi-word value "on time")
    "CDE": (problem([("flight departure", "crew's mood"), ("crew's mood", "flight arrival"),
                     ("flight departure", "flight arrival")],
                    [cond([("crew's mood", "calm"), ("flight departure", "on time")], ("flight arrival", "late"),
                          "0.5500"),
                     cond([("crew's mood", "calm"), ("flight departure", "delayed")], ("flight arrival", "late"),
                          "0.6000")],
                    "CDE", "flight departure", "flight arrival",
                    "Conditioned on crew's mood being calm, if the flight departure had been on time, would the "
                    "flight arrival have been more likely to be late?"),
            {"ANSWER": "No", "PROB": "-0.0500"}),
    # ETT (factual - counterfactual) with a confounder z: P(y|x') - sum_z P(y|x,z) P(z|x')
    # = 0.3000 - (0.6000 * 0.5000 + 0.8000 * 0.5000) = -0.4000 < 0: more likely had X been high -> Yes
    "ETT": (problem([("zyx", "alpha"), ("zyx", "beta"), ("alpha", "beta")],
                    [cond([("alpha", "low")], ("beta", "high"), "0.3000"),
                     cond([("alpha", "high"), ("zyx", "low")], ("beta", "high"), "0.6000"),
                     cond([("alpha", "low")], ("zyx", "low"), "0.5000"),
                     cond([("alpha", "high"), ("zyx", "high")], ("beta", "high"), "0.8000"),
                     cond([("alpha", "low")], ("zyx", "high"), "0.5000")],
                    "ETT", "alpha", "beta", "For those with alpha being low, if their alpha had been high, would the "
                    "beta have been more likely to be high?"),
            {"ANSWER": "Yes", "PROB": "-0.4000"}),
    # NDE without a mediator: the total effect, 0.6000 - 0.4500
    "NDE": (problem([("the number of buses", "the number of cars"), ("fuel price", "the number of cars")],
                    [cond([("the number of buses", "few")], ("the number of cars", "many"), "0.6000"),
                     cond([("the number of buses", "many")], ("the number of cars", "many"), "0.4500")],
                    "NDE", "the number of buses", "the number of cars",
                    "Suppose the mediator keeps constant when the number of buses is changed to be few, would the "
                    "the number of cars have been more likely to be many?"),
            {"ANSWER": "Yes", "PROB": "0.1500"}),
    # NIE, x = low, x' = high: sum_m P(y|x',m) [P(m|x) - P(m|x')] = 0.2*(0.7-0.4) + 0.6*(0.3-0.6) = -0.1200
    "NIE": (problem([("qwer", "tyui"), ("tyui", "opas"), ("qwer", "opas")],
                    [cond([("tyui", "low"), ("qwer", "high")], ("opas", "high"), "0.2000"),
                     cond([("qwer", "low")], ("tyui", "low"), "0.7000"),
                     cond([("qwer", "high")], ("tyui", "low"), "0.4000"),
                     cond([("tyui", "high"), ("qwer", "high")], ("opas", "high"), "0.6000")],
                    "NIE", "qwer", "opas", "Suppose qwer is held constant and the mediator changes to whatever value "
                    "it would have attained under qwer changing to be low, would opas have been more likely to be "
                    "high?"),
            {"ANSWER": "No", "PROB": "-0.1200"}),
    # PN upper, factual (high, high): (P(y'|x') - P(x',y')) / P(x,y) = (0.6000 - 0.3000) / 0.4000
    "PN": (problem([("income", "happiness")],
                   [cond([("income", "low")], ("happiness", "low"), "0.6000"),
                    marg([("income", "low"), ("happiness", "low")], "0.3000"),
                    marg([("income", "high"), ("happiness", "high")], "0.4000")],
                   "PN", "income", "happiness", "Given that income was high and happiness was high, what is the upper "
                   "bound of the probability of the happiness would have been low if the income had been low?"),
           {"PROB": "0.7500"}),
    # PS lower, factual (low, low): (P(y=low) - P(y=low|x=high)) / P(x=low, y=low) = (0.5 - 0.3) / 0.25
    "PS": (problem([("income", "happiness")],
                   [cond([("income", "high")], ("happiness", "low"), "0.3000"),
                    marg([("happiness", "low")], "0.5000"),
                    marg([("income", "low"), ("happiness", "low")], "0.2500")],
                   "PS", "income", "happiness", "Given that income was low and happiness was low, what is the lower "
                   "bound of the probability that happiness would have been high if the income had been high?"),
           {"PROB": "0.8000"}),
}

W1, W2 = "weather conditions (e.g. wind, humidity)", "weather conditions (e.g. wind and humidity)"  # misspelt
DECONF_STATEMENTS = [  # adjusted ATE over W: (0.9-0.5)*0.3 + (0.6-0.2)*0.7 = 0.4000; the lure P(y|x) differs
    cond([("fire size", "large (B=1)")], ("damage", "high (C=1)"), "0.9000"),
    cond([("fire size", "large (B=1)"), (W2, "dry (A=0)")], ("damage", "high (C=1)"), "0.9000"),
    cond([("fire size", "small (B=0)"), (W2, "dry (A=0)")], ("damage", "high (C=1)"), "0.5000"),
    marg([(W2, "dry (A=0)")], "0.3000"),
    cond([("fire size", "large (B=1)"), (W2, "wet (A=1)")], ("damage", "high (C=1)"), "0.6000"),
    cond([("fire size", "small (B=0)"), (W2, "wet (A=1)")], ("damage", "high (C=1)"), "0.2000"),
    marg([(W2, "wet (A=1)")], "0.7000"),
]
DECONF_EDGES = [(W1, "fire size"), (W1, "damage"), ("fire size", "damage"), ("damage", "insurance claims")]
DECONF_Q = "If fire size is changed to be large, will damage be more likely to be high?"
PACKED = {
    "deconfounding": (problem(DECONF_EDGES, DECONF_STATEMENTS, "ATE", "fire size", "damage", DECONF_Q, packed=True),
                      {"ANSWER": "Yes", "PROB": "0.4000"}),
    "redundant": (problem(DECONF_EDGES, [*DECONF_STATEMENTS, marg([("insurance claims", "many (D=1)")], "0.1234")],
                          "ATE", "fire size", "damage", DECONF_Q, packed=True), {"ANSWER": "Yes", "PROB": "0.4000"}),
    "insufficient": (problem(DECONF_EDGES, DECONF_STATEMENTS[:3] + DECONF_STATEMENTS[4:6], "ATE", "fire size",
                             "damage", DECONF_Q, packed=True), "LACK_CONDITION"),
    # zero effects: nothing stated, the answer is 0 and No
    "zero ATE": (problem([("exam score", "sleep quality")], [], "ATE", "sleep quality", "exam score",
                         "If sleep quality is changed to be good, will exam score be more likely to be high?"),
                 {"ANSWER": "No", "PROB": "0"}),
    "zero CDE": (problem([("a b", "c d"), ("c d", "e f")], [], "CDE", "a b", "e f",
                         "Conditioned on c d being low, if the a b had been high, would the e f have been more likely "
                         "to be high?"), {"ANSWER": "No", "PROB": "0"}),
}


def _item(task, text, answer):
    return CauGymItem(problem=text, answer=answer if isinstance(answer, str) else json.dumps(answer), Type=task)


@pytest.mark.parametrize("task", sorted(ITEMS))
def test_oracle_solves_hand_written_published_format_items(task):
    text, answer = ITEMS[task]
    reply = CauGymOracle().act(text, {})
    assert score_reply(reply, gold_of(_item(task, text, answer))).success, reply


@pytest.mark.parametrize("key", sorted(PACKED))
def test_oracle_on_packed_layout_tags_misspelt_names_and_zero_effects(key):
    text, answer = PACKED[key]
    task = key.split()[-1] if key.startswith("zero") else "ATE"
    reply = CauGymOracle().act(text, {})
    assert score_reply(reply, gold_of(_item(task, text, answer))).success, reply


def test_reader_learns_names_from_the_edges_and_resolves_misspellings():
    parsed = parse_problem(PACKED["deconfounding"][0])
    assert sorted(parsed.names) == sorted([W1, "fire size", "damage", "insurance claims"])
    assert parsed.values[W1] == ["dry", "wet"] and parsed.values["fire size"] == ["large", "small"]
    assert parsed.skipped == [] and len(parsed.stated) == 7
    cde = parse_problem(ITEMS["CDE"][0])
    assert cde.values["flight departure"] == ["on time", "delayed"] and cde.query.fixed == ((cde.names.index(
        "crew's mood"), 0),)


def test_an_unreadable_sentence_is_skipped_not_guessed():
    text = ITEMS["ATE"][0].replace("The probability", "Blah").replace(
        f"For those with {S} being poor", "Garbled 0.1 text. For those with nobody being poor")
    parsed = parse_problem(text)
    assert parsed.skipped and solve_text(text)[1] is None  # the missing number makes it LACK_CONDITION
    with pytest.raises(ParseError, match="Question"):
        parse_problem("Input Info: a has a direct effect on b.")
    with pytest.raises(ParseError, match="unknown question"):
        solve_text(ITEMS["ATE"][0].replace("Question: If", "Question: Suppose, if"))


def test_env_refuses_items_it_cannot_pose_at_load_time(tmp_path):
    good = _item("ATE", *ITEMS["ATE"]).model_dump(exclude_none=True)
    records = [good, {**good, "Type": "ATT"}, {**good, "answer": "maybe"}, {**good, "problem": " "}]
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps(records))
    with pytest.warns(UserWarning, match=r"3 item\(s\) refused.*item 1: Type 'ATT'"):
        env = cauarena.make("cauarena/CauGym-v0", items_path=str(path))
    assert len(env.unwrapped.items) == 1 and [i for i, _ in env.unwrapped.refused] == [1, 2, 3]
    assert "LACK_CONDITION or JSON" in env.unwrapped.refused[1][1] and "empty" in env.unwrapped.refused[2][1]
    observation, info = env.reset(seed=5)
    assert env.step(CauGymOracle().act(observation, info))[1] == 1.0
