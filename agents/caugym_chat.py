"""The chat side of CauGym: the ``caugym`` prompt template and reply parser for ``ChatAgent``.

Registered on ``import cauarena.agents`` (this module imports nothing heavy), so ``hf/<dir>``, ``tiny/...``,
``openai/...`` agents on a ``caugym`` env get this prompt. The reply goes to the env whole: the env's scorer
reads the last answer in it, so the parser must not pick one out (that would let a parser "fix" a reply).
"""

from __future__ import annotations

from cauarena.agents.llm.parsing import register_parser, whole_reply
from cauarena.agents.llm.prompts import PromptTemplate, register_prompt

CAUGYM_PROMPT = PromptTemplate(
    name="caugym",
    system=(
        "You are an expert in causal inference. Each problem describes a hypothetical world as a causal graph "
        "over binary variables with some probabilities, and asks a causal question. Work it out step by step, "
        "then end your reply with the JSON answer the problem asks for. Only the last JSON object counts."
    ),
    instruction="Reason step by step, then give the final answer as JSON.",
    max_prompt_tokens=4096,
    max_tokens=512,
)
"""The prompt template of the ``caugym`` env family."""


register_prompt(CAUGYM_PROMPT)
register_parser("caugym", whole_reply)
