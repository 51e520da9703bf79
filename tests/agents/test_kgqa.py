"""KGQA agents: the registry picks them by family, the oracle is not privileged, the chat prompt plays the env."""

import json

import pytest

import cauarena
from cauarena.agents import AGENT_REGISTRY, make_agent
from cauarena.agents.kgqa import KGQAOracle, whole_reply
from cauarena.agents.llm.parsing import get_parser
from cauarena.agents.llm.prompts import get_prompt
from cauarena.agents.registry import resolve_agent
from cauarena.envs.kgqa import LETTERS, build_world
from cauarena.errors import ConfigError
from cauarena.learners.kale.scoring import question_prompt


def test_registry_serves_oracle_and_random_for_kgqa_and_the_oracle_is_not_privileged():
    entries = {e.name: e for e in AGENT_REGISTRY if "kgqa" in e.families}
    assert set(entries) >= {"oracle", "random"} and not entries["oracle"].privileged
    assert type(make_agent("oracle", family="kgqa")).__name__ == "KGQAOracle"


def test_the_oracle_needs_only_the_public_info():
    env = cauarena.make("cauarena/KGQA-v0", hops=(3,), choices=False)
    observation, info = env.reset(seed=2)
    public = {k: v for k, v in info.items() if k not in env.unwrapped.sealed_info_keys}
    assert KGQAOracle().act(observation, public) == f"Answer: {env.unwrapped.question.answer}"


def test_the_kgqa_prompt_and_parser_are_registered():
    assert get_prompt("kgqa", strict=True).name == "kgqa"
    assert get_parser("kgqa") is whole_reply


# ---------------------------------------------------------------- tiny/kgqa-sft and tiny/kgqa-kale (issue 24 item 5)

KALE_MODELS = ("tiny/kgqa-sft", "tiny/kgqa-kale")


@pytest.fixture(scope="module")
def tiny_world_env():
    """The world the KALE models learnt; torch on one thread meanwhile (the backend's own setting when it answers)."""
    torch = pytest.importorskip("torch")
    pytest.importorskip("transformers")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield cauarena.make("cauarena/KGQA-v0", world_size="tiny")
    torch.set_num_threads(threads)


@pytest.mark.parametrize("spec", KALE_MODELS)
def test_the_kale_models_resolve_and_build_a_chat_agent_that_scores_options(spec):
    pytest.importorskip("transformers")
    from cauarena.agents.llm import ChatAgent
    from cauarena.learners.kale.backend import KGQAScoringBackend

    resolution = resolve_agent(spec, "kgqa")
    assert resolution.kind == "backend" and not resolution.privileged  # it runs in the agent host
    agent = make_agent(spec, family="kgqa")
    assert isinstance(agent, ChatAgent) and isinstance(agent.backend, KGQAScoringBackend)
    assert agent.spec == spec and agent.template.name == "kgqa"


@pytest.mark.parametrize("spec", KALE_MODELS)
def test_the_agent_picks_the_option_the_experiment_scoring_picks(spec, tiny_world_env):
    from cauarena.learners.kale.train import choose

    env, agent = tiny_world_env, make_agent(spec, family="kgqa")
    model, tokenizer = agent.backend.load()
    for seed in range(1000, 1006):
        observation, info = env.reset(seed=seed)
        agent.reset(seed=seed, info=info)
        public = {k: v for k, v in info.items() if k not in env.unwrapped.sealed_info_keys}
        question = env.unwrapped.question  # the truth, read by the test only
        expected = question.options.index(choose(model, tokenizer, question))
        assert agent.act(observation, public) == f"Answer: {LETTERS[expected]}"
        assert agent.last_usage.prompt_tokens > 0 and agent.last_usage.completion_tokens >= 8


def test_a_kale_model_plays_whole_episodes_with_probes_and_short_answers(tiny_world_env):
    agent = make_agent("tiny/kgqa-kale", family="kgqa")
    for env in (tiny_world_env, cauarena.make("cauarena/KGQA-v0", world_size="tiny", choices=False)):
        observation, info = env.reset(seed=7)
        agent.reset(seed=7, info=info)
        done, steps = False, 0
        while not done:
            action = agent.act(observation, info)
            assert action.startswith("Answer:")
            observation, reward, done, _, info = env.step(action)
            steps += 1
        assert steps <= 3 * (1 + len(info["path"]) - 1) and len(info["known_hops"]) == len(info["path"]) - 1
        assert info["metrics"]["known_incorrect"] in (0.0, 1.0)


def test_the_scoring_backend_reads_only_the_messages_and_refuses_what_is_no_kgqa_question():
    pytest.importorskip("transformers")
    from cauarena.agents.llm import BackendError, make_backend

    backend = make_backend("tiny/kgqa-sft")
    world = build_world(0, "tiny")
    head = world.triples[0]
    names = [head.tail, *[e for e in world.of_type(world.entities[head.tail]) if e != head.tail][:3]]
    question = f"What is the {world.relations[head.relation].noun} of {head.head}?"
    options = "\n".join(f"{x}. {n}" for x, n in zip(LETTERS, names, strict=True))
    text = f"Observation:\nQuestion 1 of 2: {question}\n{options}"
    reply = backend.generate([{"role": "user", "content": text}]).text
    assert reply in {f"Answer: {letter}" for letter in LETTERS}
    assert backend.render_prompt([{"role": "user", "content": text}]) == question_prompt(question)
    with pytest.raises(BackendError, match="KGQA questions only.*Fix: play cauarena/KGQA-v0"):
        backend.generate([{"role": "user", "content": "Observation:\nYou see a red ball."}])


def test_a_checkpoint_naming_a_backend_outside_cauarena_is_refused(tmp_path):
    from cauarena.learners.tinylm.backend import BACKEND_FILE, backend_class

    (tmp_path / BACKEND_FILE).write_text(json.dumps({"entry_point": "os:system"}))
    with pytest.raises(ConfigError, match="must be a 'cauarena.' module:Class. Fix"):
        backend_class(tmp_path)


@pytest.mark.parametrize("spec", KALE_MODELS)
def test_the_shipped_model_reproduces_its_recorded_evaluation(spec, tiny_world_env):
    from cauarena.learners.kale import KALEConfig
    from cauarena.learners.kale.train import evaluate, sample_questions, setup
    from cauarena.learners.tinylm.backend import checkpoint_path

    recorded = json.loads((checkpoint_path(spec.split("/")[1]) / "kale_result.json").read_text())
    config = KALEConfig.from_dict(recorded["config"])
    world, space, _ = setup(config)
    test = sample_questions(space, len(recorded["records"]), split="test", hops=(1, 2, 3), seed=config.seed + 1,
                            choices=True)
    assert [[q.topic, list(q.relations)] for q in test] == recorded["test_questions"]
    model, tokenizer = make_agent(spec, family="kgqa").backend.load()
    assert evaluate(model, tokenizer, world, space, test[:12]) == recorded["records"][:12]


def test_the_default_suite_plays_the_kale_models_on_the_tiny_kgqa_world_only():
    from cauarena.leaderboards.suites import get_suite, plan

    episodes = [e for e in plan(get_suite("default")) if e.env_id == "cauarena/KGQA-v0" or "kgqa" in e.agent]
    assert {e.agent for e in episodes} == {"oracle", "random", *KALE_MODELS}
    assert all(e.env_id == "cauarena/KGQA-v0" and e.env_kwargs_dict == {"world_size": "tiny"} for e in episodes)
    assert len(episodes) == 4 * get_suite("default").seeds
