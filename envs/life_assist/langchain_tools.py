"""The life-assist tools as LangChain ``StructuredTool`` objects bound to an env (needs ``cauarena[langchain]``).

Each LangChain tool calls ``env.step`` with its JSON call, so a LangChain agent is judged by the same rubrics
and its trace is the env's trace; the tool returns the observation text.
"""

from __future__ import annotations

from typing import Any

from cauarena.envs.life_assist.tools import SETTING_TOOLS, TOOLS
from cauarena.errors import DependencyNotInstalled


def as_langchain_tools(env: Any) -> list[Any]:
    """One ``StructuredTool`` per tool of the task's setting (name, description and schema from the typed function).

    Args:
        env: a reset :class:`~cauarena.envs.life_assist.LifeAssistEnv` (wrapped or not).

    Raises:
        DependencyNotInstalled: ``langchain-core`` is missing.
    """
    try:
        from langchain_core.tools import StructuredTool
    except ImportError as exc:
        raise DependencyNotInstalled("langchain-core", "langchain", "the life-assist LangChain tools") from exc

    def bind(name: str):
        def run(**arguments: Any) -> str:
            observation, *_ = env.step({"name": name, "arguments": arguments})
            return observation

        return run

    task = getattr(getattr(env, "unwrapped", env), "task", None)
    names = SETTING_TOOLS[task.setting] if task is not None else tuple(TOOLS)
    return [StructuredTool.from_function(func=bind(n), name=n, description=TOOLS[n].description,
                                         args_schema=TOOLS[n].model) for n in names]
