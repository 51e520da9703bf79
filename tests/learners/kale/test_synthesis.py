"""KI synthesis with the LLM verbaliser on the mock backend: the prompt holds the facts, the reply is the rationale."""

import numpy as np
import pytest

from cauarena.agents.llm.backends import BackendError, make_backend
from cauarena.envs.kgqa import QuestionSpace, build_world
from cauarena.learners.kale import ChatVerbaliser, synthesise
from cauarena.learners.kale.synthesis import make_verbaliser


@pytest.fixture(scope="module")
def world_and_question():
    world = build_world(0, "tiny")
    question = QuestionSpace(world).sample(np.random.default_rng(3), hops=(2,), split="train", choices=False)
    return world, question


def test_the_prompt_holds_every_fact_of_each_path_and_the_reply_becomes_the_rationale(world_and_question):
    world, question = world_and_question
    prompts = []

    def rewrite(messages):
        prompts.append(messages[-1]["content"])
        return f"  Rewrite {len(prompts)}.  "

    verbaliser = ChatVerbaliser(make_backend("mock/rewriter", replies=rewrite))
    rationale = synthesise(world, question, n_paths=2, verbaliser=verbaliser)
    assert rationale.paths and len(prompts) == len(rationale.paths)
    for prompt, path in zip(prompts, rationale.paths, strict=True):
        assert all(world.fact_text(triple) in prompt for triple in path.triples)
        assert question.answer in prompt and "Use only these facts" in prompt
    assert rationale.text == " ".join(f"Rewrite {i}." for i in range(1, len(prompts) + 1))


def test_an_empty_reply_falls_back_to_the_template_sentences(world_and_question):
    world, question = world_and_question
    chat = synthesise(world, question, verbaliser=ChatVerbaliser(make_backend("mock/silent", replies=["   "])))
    template = synthesise(world, question, verbaliser=make_verbaliser("template"))
    assert chat.text == template.text and question.answer in chat.text


def test_a_failing_backend_raises_a_backend_error_that_names_it_the_path_and_the_fix(world_and_question):
    world, question = world_and_question
    verbaliser = make_verbaliser("mock/raise")
    assert isinstance(verbaliser, ChatVerbaliser)
    with pytest.raises(BackendError, match=r"mock/raise failed on the path .+ -> .+verbaliser='template'"):
        synthesise(world, question, verbaliser=verbaliser)
