"""KGQA-v0: the episode (question, then probes), known & incorrect bookkeeping, sealed truth, invalid replies."""

import pytest

import cauarena
from cauarena.agents.kgqa import KGQAOracle, KGQARandom
from cauarena.envs.kgqa import MAX_INVALID


def _play(env, replies, seed=0):
    observation, info = env.reset(seed=seed)
    for reply in replies:
        observation, reward, terminated, truncated, info = env.step(reply(env, observation, info))
        if terminated:
            return reward, info
    raise AssertionError("the episode did not end")


def _gold(env, observation, info):
    question = env.unwrapped._questions[len(env.unwrapped._answers)]
    return f"Answer: {question.answer_letter}"


def _wrong(env, observation, info):
    question = env.unwrapped._questions[len(env.unwrapped._answers)]
    return "Answer: " + next(letter for letter in "ABCD" if letter != question.answer_letter)


def test_known_and_incorrect_when_the_hops_are_known_but_the_question_is_missed():
    env = cauarena.make("cauarena/KGQA-v0", hops=(2,))
    reward, info = _play(env, [_wrong, _gold, _gold])
    assert reward == 0.0 and info["known_hops"] == [True, True]
    assert info["metrics"]["known_incorrect"] == 1.0 and info["metrics"]["all_known"] == 1.0
    assert info["metrics"]["correct_2hop"] == 0.0


def test_right_answer_with_an_unknown_hop_is_not_known_and_incorrect():
    env = cauarena.make("cauarena/KGQA-v0", hops=(3,))
    reward, info = _play(env, [_gold, _gold, _wrong, _gold])
    assert reward == 1.0 and info["success"] and info["known_hops"] == [True, False, True]
    assert info["metrics"]["known_incorrect"] == 0.0 and info["metrics"]["known_hops"] == pytest.approx(2 / 3)


def test_probes_ask_each_hop_of_the_path_after_the_question():
    env = cauarena.make("cauarena/KGQA-v0", hops=(3,), choices=False)
    observation, info = env.reset(seed=3)
    question = env.unwrapped.question
    assert observation.startswith("Question 1 of 4: " + question.text) and "valid_actions" not in info
    seen = []
    for _ in range(4):
        observation, _, terminated, _, info = env.step(f"Answer: {question.answer}")
        seen.append((info.get("topic"), info.get("relations")))
    assert terminated and [t for t, _ in seen[:3]] == list(question.path[:3])
    assert [r for _, r in seen[:3]] == [[r] for r in question.relations]


def test_probe_false_ends_after_the_question():
    env = cauarena.make("cauarena/KGQA-v0", probe=False)
    reward, info = _play(env, [_gold])
    assert reward == 1.0 and info["known_hops"] == [] and "known_incorrect" not in info["metrics"]


def test_reasoning_before_the_answer_and_names_are_read():
    env = cauarena.make("cauarena/KGQA-v0", hops=(1,), probe=False)
    env.reset(seed=1)
    answer = env.unwrapped.question.answer
    _, reward, terminated, _, info = env.step(f"The fact is known. Answer: {answer.upper()}.")
    assert terminated and reward == 1.0 and not info["invalid_action"]


def test_invalid_replies_repeat_the_question_then_count_as_unanswered():
    env = cauarena.make("cauarena/KGQA-v0", hops=(1,), probe=False)
    env.reset(seed=0)
    for attempt in range(1, MAX_INVALID + 1):
        observation, reward, terminated, _, info = env.step("Answer: E")
        assert info["invalid_action"] and info["feedback"] in observation and reward == 0.0
        assert terminated == (attempt == MAX_INVALID)
    assert info["metrics"]["answered"] == 0.0 and info["answer"] is None


def test_episode_summary_counts_what_happened_so_far():
    env = cauarena.make("cauarena/KGQA-v0", hops=(2,))
    env.reset(seed=0)
    assert env.unwrapped.episode_summary()["metrics"]["answered"] == 0.0
    env.step(_wrong(env, None, None))
    env.step(_gold(env, None, None))
    summary = env.unwrapped.episode_summary()
    assert summary["metrics"]["known_hops"] == 0.5 and summary["metrics"]["known_incorrect"] == 0.0


def test_oracle_answers_everything_and_knows_every_hop_random_is_near_chance():
    env = cauarena.make("cauarena/KGQA-v0", world_size="small")
    for agent, low, high in ((KGQAOracle(), 1.0, 1.0), (KGQARandom(), 0.1, 0.45)):
        wins = 0
        for seed in range(60):
            observation, info = env.reset(seed=seed)
            agent.reset(seed=seed, info=info)
            terminated = False
            while not terminated:
                observation, reward, terminated, _, info = env.step(agent.act(observation, info))
            wins += reward
        assert low <= wins / 60 <= high


def test_oracle_plays_short_answers_on_a_loaded_tsv(tmp_path):
    path = tmp_path / "kg.tsv"
    path.write_text("".join(f"p{i}\tborn_in\tc{i % 5}\nc{i % 5}\tin_country\tk{i % 2}\n" for i in range(20)))
    env = cauarena.make("cauarena/KGQA-v0", triples_path=str(path), choices=False, split="all", hops=(1, 2))
    agent = KGQAOracle()
    for seed in range(10):
        observation, info = env.reset(seed=seed)
        terminated = False
        while not terminated:
            observation, reward, terminated, _, info = env.step(agent.act(observation, info))
        assert reward == 1.0


def test_bad_arguments_are_refused():
    with pytest.raises(Exception, match="hops must be a non-empty tuple"):
        cauarena.make("cauarena/KGQA-v0", hops=(4,))
    with pytest.raises(Exception, match="split must be one of"):
        cauarena.make("cauarena/KGQA-v0", split="dev")
