"""The scorer: the last answer only, exact at 4 decimals, Yes/No apart, LACK_CONDITION only where it belongs."""

from fractions import Fraction

import pytest

from cauarena.envs.caugym import Gold, find_answers, last_answer, score_reply

YES = Gold(Fraction("0.1234"), "Yes", False)
BOUND = Gold(Fraction("0.6000"), None, False)
LACK = Gold(None, None, True)


def test_right_answer_in_any_reasonable_format():
    for reply in (
        '{"ANSWER": "Yes", "PROB": "0.1234"}',
        'Step 1: ... so\n```json\n{"answer": "yes", "prob": 0.1234}\n```',
        "{'ANSWER': 'Yes', 'PROB': '0.1234'}",
        '{"result": {"ANSWER": "Yes", "PROB": "0.12340"}}',
        '{"ANSWER": "Yes", "PROB": "0.12344"}',  # rounds to 0.1234
    ):
        assert score_reply(reply, YES).success, reply


def test_printing_many_answers_does_not_game_it():
    many = " ".join(f'{{"ANSWER": "Yes", "PROB": "{k / 10000:.4f}"}}' for k in range(0, 10000, 2))
    assert '"PROB": "0.1234"' in many
    assert not score_reply(many, YES).success  # the last blob is 0.9998
    right_then_wrong = '{"ANSWER": "Yes", "PROB": "0.1234"} Wait, I recompute: {"ANSWER": "Yes", "PROB": "0.1235"}'
    assert not score_reply(right_then_wrong, YES).prob_correct
    wrong_then_right = '{"ANSWER": "No", "PROB": "0.5"} Correction: {"ANSWER": "Yes", "PROB": "0.1234"}'
    assert score_reply(wrong_then_right, YES).success


def test_probability_is_exact_at_four_decimals():
    assert not score_reply('{"ANSWER": "Yes", "PROB": "0.1233"}', YES).prob_correct
    assert not score_reply('{"ANSWER": "Yes", "PROB": "0.1239"}', YES).prob_correct  # published 5e-4 passes this
    assert score_reply('{"ANSWER": "Yes", "PROB": "0.1239"}', YES, Fraction("0.0005")).prob_correct
    assert score_reply('{"PROB": "0.6"}', BOUND).success
    not_a_number = score_reply('{"PROB": "abc"}', BOUND)
    assert not_a_number.answered and not not_a_number.success


def test_yes_no_is_scored_separately():
    score = score_reply('{"ANSWER": "No", "PROB": "0.1234"}', YES)
    assert score.prob_correct and score.yesno_correct is False and not score.success
    score = score_reply('{"ANSWER": "Yes", "PROB": "0.2"}', YES)
    assert score.yesno_correct and not score.prob_correct
    assert score_reply('{"PROB": "0.6"}', BOUND).yesno_correct is None


def test_insufficient_items_need_the_declaration_and_no_number():
    assert score_reply('{"ANSWER": "LACK_CONDITION"}', LACK).success
    assert score_reply("The probability of B is missing. LACK_CONDITION", LACK).success
    assert not score_reply('{"ANSWER": "LACK_CONDITION", "PROB": "0.2"}', LACK).success
    # the published flaw: LACK_CONDITION written beside a JSON passed both item kinds; here the last one counts
    assert not score_reply('LACK_CONDITION {"ANSWER": "Yes", "PROB": "0.1234"}', LACK).success
    hedge = score_reply('{"ANSWER": "Yes", "PROB": "0.1234"} or LACK_CONDITION', YES)
    assert hedge.lack_declared and not hedge.success
    assert not score_reply('{"ANSWER": "Yes", "PROB": "0.1"}', LACK).success


@pytest.mark.parametrize("reply", ["", "no json here", "{not json", "Action:", "{}", '{"action": "x"}'])
def test_replies_without_an_answer(reply):
    assert last_answer(reply) is None
    score = score_reply(reply, YES)
    assert not score.answered and not score.success


def test_nested_braces_and_strings_with_braces():
    answers = find_answers('{"note": "a } brace", "ANSWER": "No", "PROB": "-0.5"} {"outer": {"PROB": "0.3"}}')
    assert [str(a.prob) for a in answers] == ["-0.5", "0.3"]


def test_last_answer_agrees_with_the_full_scan_and_is_fast_on_junk():
    import time

    for reply in ('a {"PROB": "0.1"} b {"x": {"ANSWER": "No", "PROB": "0.2"}} LACK_CONDITION c',
                  '{"ANSWER": "Yes", "PROB": "0.3"} then {"ANSWER": "LACK_CONDITION"}', "nothing", "LACK_CONDITION {}"):
        full = find_answers(reply)
        assert (last_answer(reply) is None) == (not full)
        if full:
            assert (last_answer(reply).lack, last_answer(reply).prob) == (full[-1].lack, full[-1].prob)
    start = time.perf_counter()
    assert last_answer("{" * 200_000) is None
    assert score_reply('{"ANSWER": "Yes", "PROB": "0.1234"}' + "{" * 50_000, YES).success is False
    assert time.perf_counter() - start < 5
