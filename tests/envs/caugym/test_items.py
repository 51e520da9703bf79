"""Items and the loader: our files and published-format files load alike, round trip, and are scored alike."""

import json

import pytest

import cauarena
from cauarena.envs.caugym import CauGymItem, generate_item, gold_of, load_items, save_items
from cauarena.errors import ConfigError

# Published-format items (fields as in OpenCausaLab/CauGym eval/test_datasets), written by hand.
PUBLISHED = [
    {
        "problem": "Input Info: Imagine a self-contained, hypothetical world with only the following conditions, "
        "and without any unmentioned factors or causal relationships: Xyz has a direct effect on abc. For those "
        "with xyz being low, the probability of abc being high is 0.3000. For those with xyz being high, the "
        "probability of abc being high is 0.7000.\nInstruction: Consider the average treatment effect (ATE) of "
        "xyz on abc.\nQuestion: If xyz is changed to be high, will abc be more likely to be high?",
        "answer": '{"ANSWER": "Yes", "PROB": "0.4000"}',
        "Reason": {"Step 1": "ATE = P(B=1|A=1) - P(B=1|A=0)", "Step 2": "0.7 - 0.3 = 0.4 > 0 so the answer is Yes"},
        "Type": "ATE",
    },
    {  # a label that contradicts its own Reason (the published ETT noise)
        "problem": "Question: ...", "answer": '{"ANSWER": "Yes", "PROB": "0.3847"}', "Type": "ETT",
        "Reason": {"Step 1": "...", "Step 2": "0.3847 > 0 so the answer is No"},
    },
    {"problem": "Question: ...", "answer": "LACK_CONDITION", "Type": "NIE", "idx": 17},
    {"problem": "Question: ...", "answer": {"PROB": "0.2500"}, "Type": "PN"},
]


def test_published_format_loads_and_golds_parse(tmp_path):
    path = tmp_path / "base_dataset.json"
    path.write_text(json.dumps(PUBLISHED))
    items = load_items(path)
    assert [i.Type for i in items] == ["ATE", "ETT", "NIE", "PN"] and items[2].idx == 17
    ate, ett, nie, pn = (gold_of(i) for i in items)
    assert (str(ate.prob), ate.yesno, ate.lack) == ("2/5", "Yes", False)
    assert ett.yesno == "No" and ett.relabelled
    assert gold_of(items[1], relabel=False).yesno == "Yes"
    assert nie.lack and nie.prob is None
    assert pn.yesno is None and str(pn.prob) == "1/4"


def test_our_items_round_trip_through_a_file(tmp_path):
    items = [generate_item(s, task, variant) for s, (task, variant) in
             enumerate([("ATE", "base"), ("NDE", "omitted"), ("PS", "redundant"), ("CDE", "insufficient")])]
    path = save_items(items, tmp_path / "mine.json")
    assert load_items(path) == items
    jsonl = tmp_path / "mine.jsonl"
    jsonl.write_text("\n".join(json.dumps(i.model_dump()) for i in items))
    assert load_items(jsonl) == items


def test_env_serves_a_file_in_order_one_item_per_seed(tmp_path):
    path = save_items([generate_item(s, "ATE", "base") for s in range(3)], tmp_path / "three.json")
    env = cauarena.make("cauarena/CauGym-v0", items_path=str(path))
    texts = [env.reset(seed=s)[0] for s in range(4)]
    assert texts[3] == texts[0] and len(set(texts[:3])) == 3
    assert env.reset()[1]["item"] == 1  # no seed: the next item
    observation, info = env.reset(seed=2)
    from cauarena.agents.caugym import CauGymOracle

    _, reward, terminated, _, info = env.step(CauGymOracle().act(observation, info))
    assert reward == 1.0 and terminated and info["gold"] == load_items(path)[2].answer


def test_published_items_are_scored_like_ours(tmp_path):
    path = tmp_path / "pub.json"
    path.write_text(json.dumps(PUBLISHED))
    env = cauarena.make("cauarena/CauGym-v0", items_path=str(path))
    env.reset(seed=0)
    assert env.step('{"ANSWER": "Yes", "PROB": "0.4"}')[1] == 1.0
    env.reset(seed=1)
    info = env.step('{"ANSWER": "Yes", "PROB": "0.3847"}')[-1]  # right PROB, label relabelled to No
    assert info["metrics"]["prob_correct"] == 1.0 and info["metrics"]["yesno_correct"] == 0.0 and info["relabelled"]
    env.reset(seed=2)
    assert env.step('{"ANSWER": "LACK_CONDITION"}')[1] == 1.0
    only_ett = cauarena.make("cauarena/CauGym-v0", items_path=str(path), task="ETT")
    assert len(only_ett.unwrapped.items) == 1


def test_bad_files_say_what_is_wrong(tmp_path):
    with pytest.raises(ConfigError, match="Cannot read CauGym items"):
        load_items(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"problem": "p", "answer": "{}"}]))
    with pytest.raises(ConfigError, match="item 0 .*Type"):
        load_items(bad)
    bad.write_text("[")
    with pytest.raises(ConfigError, match="not valid JSON"):
        load_items(bad)
    with pytest.raises(ConfigError, match="not LACK_CONDITION or JSON with a PROB"):
        gold_of(CauGymItem(problem="p", answer="yes", Type="ATE"))
    with pytest.raises(ConfigError, match="no items of Type"):
        good = tmp_path / "good.json"
        good.write_text(json.dumps(PUBLISHED[:1]))
        cauarena.make("cauarena/CauGym-v0", items_path=str(good), task="PS")


def test_generate_items_in_worker_processes_equals_one_process():
    from cauarena.envs.caugym import generate_items

    requests = [(3000 + k, task, variant) for k, (task, variant) in
                enumerate([("ATE", "base"), ("PS", "insufficient"), ("NDE", "deconfounding")] * 4)]
    serial = generate_items(requests)
    parallel = generate_items(requests, workers=2, chunk_size=5)
    assert [item.model_dump() for item in parallel] == [item.model_dump() for item in serial]
    assert [item.Type for item in serial] == [task for _, task, _ in requests]
