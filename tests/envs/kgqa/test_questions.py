"""Questions from paths: chains, held-out compositions, splits, options."""

import numpy as np
import pytest

from cauarena.envs.kgqa import QuestionSpace, build_world


@pytest.fixture(scope="module")
def space():
    return QuestionSpace(build_world(0))


def test_a_question_follows_its_path(space):
    rng = np.random.default_rng(0)
    for hops in (1, 2, 3):
        question = space.sample(rng, hops=(hops,), split="all", choices=True)
        assert question.hops == hops and len(question.path) == hops + 1
        for head, relation, tail in zip(question.path, question.relations, question.path[1:], strict=False):
            assert space.world.tails(head, relation) == (tail,)
        assert question.topic in question.text and question.answer not in question.text
        assert len(set(question.options)) == 4 and question.answer in question.options
        assert question.options[ord(question.answer_letter) - ord("A")] == question.answer


def test_train_questions_never_compose_a_heldout_pair(space):
    rng = np.random.default_rng(1)
    for _ in range(200):
        question = space.sample(rng, hops=(2, 3), split="train", choices=False)
        pairs = set(zip(question.relations, question.relations[1:], strict=False))
        assert not pairs & space.held and not question.heldout and question.options == ()
        test = space.sample(rng, hops=(2, 3), split="test", choices=False)
        assert set(zip(test.relations, test.relations[1:], strict=False)) & space.held and test.heldout


def test_about_a_third_of_the_compositions_are_held_out(space):
    assert 0.2 <= len(space.held) / len(space.pairs) <= 0.4
    assert ("capital", "located_in") not in space.pairs  # returns to the start: no question


def test_distractors_share_the_answer_type(space):
    rng = np.random.default_rng(2)
    for _ in range(50):
        question = space.sample(rng, hops=(1, 2, 3), split="test", choices=True)
        kinds = {space.world.entities[option] for option in question.options}
        assert kinds == {space.world.entities[question.answer]}
