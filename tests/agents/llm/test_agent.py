import pytest

import cauarena
from cauarena.agents import Agent, StepUsage, make_agent
from cauarena.agents.llm import (
    BackendError,
    BackendTimeout,
    ChatAgent,
    ChatBackend,
    ChatResponse,
    get_parser,
    get_prompt,
    make_chat_agent,
)
from cauarena.errors import ConfigError

ACTIONS = ["left", "right", "forward"]


class CorridorEnv:
    """A corridor of ``length`` cells: 'forward' advances, anything else invalid (feedback, no move)."""

    def __init__(self, length=3):
        self.length = length

    def reset(self, seed=None):
        self.pos, self.invalid = 0, 0
        return self._obs(""), self._info(False)

    def step(self, action):
        valid = action in ACTIONS
        self.invalid += not valid
        self.pos += action == "forward"
        done = self.pos >= self.length
        feedback = "" if valid else f"\nYour last action {action!r} was not understood."
        return self._obs(feedback), float(done), done, False, self._info(not valid)

    def _obs(self, feedback):
        return f"You are {self.length - self.pos} steps from the exit.{feedback}"

    def _info(self, invalid):
        return {"valid_actions": list(ACTIONS), "mission": "leave the corridor", "invalid_action": invalid}


def run_episode(agent, env, seed=0, max_steps=10):
    obs, info = env.reset(seed=seed)
    agent.reset(seed=seed, info=info)
    usages, actions = [], []
    for _ in range(max_steps):
        action = agent.act(obs, info)
        actions.append(action)
        usages.append(agent.last_usage)
        obs, reward, terminated, truncated, info = env.step(action)
        if terminated or truncated:
            break
    return actions, usages


def test_scripted_mock_agent_drives_an_env_loop():
    replies = ["Thought: the exit is ahead.\nAction: forward", '{"action": "forward"}', "jump!", "Forward."]
    agent = make_chat_agent("mock/script", family="babyai", replies=replies)
    assert isinstance(agent, Agent)
    env = CorridorEnv(length=3)
    actions, usages = run_episode(agent, env)
    assert actions == ["forward", "forward", "jump!", "forward"]  # the garbage reply goes to the env raw
    assert env.invalid == 1
    assert len(agent.history) == 4
    assert all(isinstance(u, StepUsage) and not u.cached for u in usages)


def test_token_accounting_matches_the_backend_count():
    agent = make_chat_agent("mock/first-valid", family="babyai")
    backend = agent.backend
    env = CorridorEnv()
    obs, info = env.reset()
    agent.reset(seed=0, info=info)
    agent.act(obs, info)
    first = agent.last_usage
    rendered = agent.backend.count_message_tokens(
        [{"role": "system", "content": agent.template.system},
         {"role": "user", "content": agent.history[0].observation}]
    )
    assert first.prompt_tokens > rendered  # the current turn adds mission, actions and instruction
    assert first.completion_tokens == 1  # "left"
    obs, *_ , info = env.step("forward")
    agent.act(obs, info)
    assert agent.last_usage.prompt_tokens > first.prompt_tokens  # history grew
    assert agent.last_usage.latency_s >= 0
    assert backend.calls == 2
    agent.reset(seed=1)
    assert agent.history == [] and agent.last_usage == StepUsage()


def test_history_is_trimmed_to_the_prompt_budget():
    agent = make_chat_agent("mock/first-valid", family="babyai", max_prompt_tokens=150)
    env = CorridorEnv(length=100)
    obs, info = env.reset()
    agent.reset(info=info)
    for _ in range(30):
        obs, *_, info = env.step(agent.act(obs, info))
        assert agent.last_usage.prompt_tokens <= 150
    assert 0 < len(agent.history) < 30


class CountingBackend(ChatBackend):
    prefix = "test"

    def __init__(self, context=None, fail=None):
        super().__init__("counting")
        self.context, self.fail, self.seeds = context, fail, []

    @property
    def context_length(self):
        return self.context

    def _generate(self, messages, *, max_tokens, temperature, seed, stop):
        self.seeds.append(seed)
        if self.fail:
            raise self.fail
        return ChatResponse("left", 10, 1, 0.0)


def test_sampling_seed_follows_episode_seed_and_step():
    backend = CountingBackend()
    agent = ChatAgent(backend, get_prompt("default"), get_parser("default"), temperature=0.7, seed=5)
    agent.reset(seed=100)
    agent.act("o", {})
    agent.act("o", {})
    agent.reset()  # no seed: the constructor's
    agent.act("o", {})
    assert backend.seeds == [100, 101, 5]


def test_context_length_caps_the_prompt_budget():
    agent = ChatAgent(CountingBackend(context=512), get_prompt("babyai"), get_parser("babyai"))
    assert agent.max_prompt_tokens == 512 - 48
    with pytest.raises(ConfigError, match="lower max_tokens"):
        ChatAgent(CountingBackend(context=40), get_prompt("babyai"), get_parser("babyai"))
    with pytest.raises(ConfigError, match="temperature"):
        ChatAgent(CountingBackend(), get_prompt("babyai"), get_parser("babyai"), temperature=-0.1)


@pytest.mark.parametrize(
    "failure, kind, message",
    [
        (RuntimeError("connection refused"), BackendError, r"test/counting \(step 0\) failed: RuntimeError"),
        (TimeoutError("read timed out"), BackendTimeout, r"test/counting \(step 0\) timed out"),
        (BackendError("server said no"), BackendError, "server said no"),
    ],
)
def test_backend_failures_surface_from_act_with_a_readable_message(failure, kind, message):
    agent = ChatAgent(CountingBackend(fail=failure), get_prompt("default"), get_parser("default"))
    agent.reset(seed=0)
    with pytest.raises(kind, match=message):
        agent.act("obs", {})


def test_make_chat_agent_options_and_routing():
    agent = make_chat_agent("mock/first-valid", family="babyai")
    assert agent.template.name == "babyai" and agent.max_tokens == 48 and agent.temperature == 0.0
    assert make_chat_agent("mock/first-valid", family="no-such-family").template.name == "default"
    custom = make_chat_agent("mock/first-valid", prompt="babyai", temperature=0.5, max_tokens=8, stop=["\n"])
    assert (custom.template.name, custom.temperature, custom.max_tokens, custom.stop) == ("babyai", 0.5, 8, ["\n"])
    routed = make_agent("mock/first-valid", family="babyai")  # the agent registry sends specs with '/' here
    assert isinstance(routed, ChatAgent) and routed.spec == "mock/first-valid"
    with pytest.raises(cauarena.NameNotFound, match="Did you mean: 'openai'"):
        make_chat_agent("opnai/gpt")


def test_mock_agent_plays_babyai_text():
    if "cauarena/BabyAI-GoToLocal-Text-v0" not in cauarena.env_ids():
        pytest.skip("BabyAI-Text is not registered")
    env = cauarena.make("cauarena/BabyAI-GoToLocal-Text-v0")
    agent = make_agent("mock/react", family="babyai")
    obs, info = env.reset(seed=0)
    agent.reset(seed=0, info=info)
    for _ in range(3):
        action = agent.act(obs, info)
        assert action == "turn left"
        obs, _, terminated, truncated, info = env.step(action)
        assert not info["invalid_action"]
        if terminated or truncated:
            break
    env.close()


def test_a_bare_prompt_over_the_context_is_an_error_not_a_silent_overflow():
    agent = ChatAgent(CountingBackend(context=120), get_prompt("babyai"), get_parser("babyai"))
    agent.reset(seed=0)
    with pytest.raises(BackendError, match=r"overflows the model's context of 120\. Fix:"):
        agent.act("obs", {"valid_actions": ACTIONS})
