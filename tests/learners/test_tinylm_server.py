"""tiny/babyai served over real HTTP on 127.0.0.1 (an ephemeral port), played through the openai/ backend."""

import pytest

pytest.importorskip("transformers")
pytest.importorskip("httpx")

import cauarena  # noqa: E402
from cauarena.agents.llm import make_backend, make_chat_agent  # noqa: E402
from cauarena.agents.llm.serve import serve_backend  # noqa: E402

GOTO_LOCAL = "cauarena/BabyAI-GoToLocal-Text-v0"


def test_tiny_model_served_and_played_through_the_openai_backend():
    tiny = make_backend("tiny/babyai")
    with serve_backend(tiny, "127.0.0.1", 0, background=True) as server:
        assert server.url.startswith("http://127.0.0.1:") and server.port > 0
        agent = make_chat_agent(
            "openai/tiny/babyai", family="babyai", base_url=server.url, api_key="unused", timeout_s=30,
            max_retries=0, max_prompt_tokens=tiny.context_length - 48,
        )
        env = cauarena.make(GOTO_LOCAL)
        observation, info = env.reset(seed=1001)
        agent.reset(seed=1001, info=info)
        for step in range(6):
            action = agent.act(observation, info)
            assert action in info["valid_actions"]
            usage = agent.last_usage  # the server's exact counts travel in the reply's usage
            assert usage.prompt_tokens > 0 and 1 <= usage.completion_tokens <= 4
            if step == 0:
                assert usage.prompt_tokens == tiny.count_message_tokens(tiny_first_prompt(observation, info))
            observation, _, terminated, truncated, info = env.step(action)
            if terminated or truncated:
                break
        agent.close()
        env.close()


def tiny_first_prompt(observation, info):
    from cauarena.agents.llm import get_prompt, render_messages

    return render_messages(get_prompt("babyai"), [], observation, info)
