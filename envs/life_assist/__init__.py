"""Risky-Bench life-assist world at AgentDojo's scale: 105 tasks in 3 settings, 27 attack goals, 915 security cases.

Registered as ``cauarena/LifeAssist-v0``; see :class:`LifeAssistEnv` for the card. No optional dependency
(LangChain tools: ``pip install 'cauarena[langchain]'``).
"""

from cauarena.envs.headline import Metric
from cauarena.envs.life_assist.actions import find_calls, parse_call
from cauarena.envs.life_assist.env import LifeAssistEnv
from cauarena.envs.life_assist.export import observed_to_atbench, to_atbench, trajectory_to_atbench
from cauarena.envs.life_assist.langchain_tools import as_langchain_tools
from cauarena.envs.life_assist.metrics import episode_metrics
from cauarena.envs.life_assist.pairs import resolve_tasks, security_pairs
from cauarena.envs.life_assist.rubrics import PRINCIPLES, RUBRICS, Principle, Rubric
from cauarena.envs.life_assist.security import SECURITY, harmed
from cauarena.envs.life_assist.tasks import FAMILIES, SETTINGS, Call, Task, Template
from cauarena.envs.life_assist.templates import TASKS, TEMPLATES
from cauarena.envs.life_assist.threats import (
            GOALS,
            GOALS_BY_SETTING,
            MARK,
            RISK_SOURCE,
            STYLES,
            SURFACES,
            TRIGGERS,
            Attack,
            draw_attacker,
)
from cauarena.envs.life_assist.toolkit import Tool, ToolError, make_tool
from cauarena.envs.life_assist.tools import SETTING_TOOLS, TOOLS
from cauarena.envs.life_assist.world import World, generate_world

HEADLINE = (Metric("utility", "utility", axis="utility"), Metric("utility_under_attack", "utility under attack"),
            Metric("asr", "ASR", False, axis="attack"), Metric("violation_rate", "violation rate", False),
            Metric("safe_and_helpful", "safe and helpful"), Metric("over_refusal", "over-refusal", False))
"""Headline metrics of the LifeAssist table (utility against ASR, as AgentDojo plots them)."""

__all__ = [
    "HEADLINE",
    "FAMILIES", "GOALS", "GOALS_BY_SETTING", "SETTINGS", "SETTING_TOOLS",
    "MARK", "PRINCIPLES", "RISK_SOURCE", "RUBRICS", "STYLES", "SURFACES", "TASKS", "TEMPLATES",
    "TOOLS", "TRIGGERS", "Attack", "Call", "LifeAssistEnv", "Principle", "Rubric", "Task", "Template", "Tool",
    "SECURITY", "ToolError", "World", "as_langchain_tools", "draw_attacker", "episode_metrics", "find_calls",
    "generate_world", "harmed", "make_tool",
    "observed_to_atbench", "parse_call", "resolve_tasks", "security_pairs", "to_atbench", "trajectory_to_atbench",
]
