import pytest

pytest.importorskip("langchain_core")

from langchain_core.language_models.fake_chat_models import (  # noqa: E402
    FakeListChatModel,
    GenericFakeChatModel,
)
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage  # noqa: E402
from langchain_core.runnables import RunnableLambda  # noqa: E402

from cauarena.agents.llm import make_backend, make_chat_agent  # noqa: E402
from cauarena.agents.llm.backends.langchain import LangChainBackend  # noqa: E402
from cauarena.errors import ConfigError  # noqa: E402

INFO = {"valid_actions": ["turn left", "go forward"]}


def fake_model():
    """A factory, importable as ``langchain/<this module>:fake_model``."""
    return FakeListChatModel(responses=["Thought: ahead.\nAction: go forward"])


def test_chat_model_with_usage_metadata_drives_an_agent():
    reply = AIMessage(content="Action: turn left", usage_metadata={"input_tokens": 42, "output_tokens": 3,
                                                                   "total_tokens": 45})
    model = GenericFakeChatModel(messages=iter([reply]))
    agent = make_chat_agent("langchain/fake:generic", family="babyai", target=model)
    agent.reset(seed=0)
    assert agent.act("You see a wall", INFO) == "turn left"
    assert (agent.last_usage.prompt_tokens, agent.last_usage.completion_tokens) == (42, 3)


def test_factory_by_import_path_and_estimated_tokens():
    backend = make_backend(f"langchain/{__name__}:fake_model")
    assert isinstance(backend, LangChainBackend)
    reply = backend.generate([{"role": "user", "content": "hi"}], stop=["\n"])
    assert reply.text == "Thought: ahead."  # stop applied
    assert reply.completion_tokens == 4 and reply.prompt_tokens > 0  # the ~4-chars estimate


def test_any_runnable_gets_langchain_messages():
    seen = []

    def respond(messages):
        seen.append([type(m) for m in messages])
        return "go forward"

    backend = make_backend("langchain/lambda", target=RunnableLambda(respond))
    messages = [{"role": "system", "content": "s"}, {"role": "user", "content": "u"},
                {"role": "assistant", "content": "a"}, {"role": "user", "content": "u2"}]
    assert backend.generate(messages).text == "go forward"
    assert seen == [[SystemMessage, HumanMessage, AIMessage, HumanMessage]]


def test_not_a_runnable_is_a_config_error():
    with pytest.raises(ConfigError, match="expected a LangChain chat model or Runnable"):
        make_backend("langchain/json:decoder")
