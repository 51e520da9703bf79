"""Turn typed Python functions into validated tools: a docstring for every argument, pydantic argument models.

A tool is a function ``fn(world, **arguments) -> str``. :func:`make_tool` reads its signature and its Google
docstring and refuses a function whose arguments are not all documented (as AgentDojo's ``make_function``), so
every tool a model can call explains each argument. Calls are validated by the tool's pydantic model; a wrong
call raises :class:`ToolError` with what was expected.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from cauarena.errors import ConfigError


class ToolError(Exception):
    """A tool call that cannot be carried out; the message is shown to the agent."""


_ARG_LINE = re.compile(r"^\s{4}(\w+)(?:\s*\([^)]*\))?:\s*(.+)$")


def parse_docstring(doc: str) -> tuple[str, dict[str, str]]:
    """The summary line and the ``Args:`` descriptions of a Google docstring.

    >>> parse_docstring('''Pay a bill.
    ...
    ... Args:
    ...     payee: who to pay.
    ...     amount: dollars.
    ... ''')
    ('Pay a bill.', {'payee': 'who to pay.', 'amount': 'dollars.'})
    """
    lines = inspect.cleandoc(doc or "").splitlines()
    summary = lines[0].strip() if lines else ""
    args: dict[str, str] = {}
    inside, last = False, ""
    for line in lines[1:]:
        if line.strip() == "Args:":
            inside = True
            continue
        if inside:
            match = _ARG_LINE.match(line)
            if match:
                last = match.group(1)
                args[last] = match.group(2).strip()
            elif line.startswith("        ") and last:
                args[last] += " " + line.strip()
            elif line.strip():
                inside = False
    return summary, args


@dataclass(frozen=True)
class Tool:
    """A callable tool with its argument model.

    Attributes:
        name: the function name, as called in actions.
        description: the docstring's summary line.
        fn: the function (``world`` first).
        model: pydantic model of the arguments (descriptions from the docstring; extra keys forbidden).
        mutates: whether it can change the world (rubrics compare the state before and after).
    """

    name: str
    description: str
    fn: Callable[..., str]
    model: type[BaseModel]
    mutates: bool

    def validate(self, arguments: Any) -> dict[str, Any]:
        """The validated arguments; raises :class:`ToolError` saying what is wrong and what is expected."""
        if not isinstance(arguments, dict):
            raise ToolError(f"arguments must be a JSON object, got {type(arguments).__name__}")
        try:
            return self.model.model_validate(arguments).model_dump()
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'arguments'}: {e['msg']}" for e in exc.errors())
            raise ToolError(f"bad arguments for {self.name} ({problems}); expected {self.signature()}") from None

    def signature(self) -> str:
        """``name(arg: type, arg: type = default)`` for prompts and feedback."""
        parts = []
        for key, field in self.model.model_fields.items():
            kind = getattr(field.annotation, "__name__", str(field.annotation))
            parts.append(f"{key}: {kind}" + ("" if field.is_required() else f" = {field.default!r}"))
        return f"{self.name}({', '.join(parts)})"

    def schema(self) -> dict[str, Any]:
        """An OpenAI-style function schema."""
        return {"name": self.name, "description": self.description, "parameters": self.model.model_json_schema()}


def make_tool(fn: Callable[..., str], *, mutates: bool) -> Tool:
    """Build a :class:`Tool` from ``fn(world, ...)``; every argument after ``world`` needs a docstring entry.

    Raises:
        ConfigError: an argument without a type hint or a docstring entry.
    """
    summary, docs = parse_docstring(fn.__doc__ or "")
    hints = get_type_hints(fn)
    fields: dict[str, Any] = {}
    for name, param in list(inspect.signature(fn).parameters.items())[1:]:
        if name not in docs:
            raise ConfigError(f"Tool {fn.__name__!r}: argument {name!r} has no docstring entry. Fix: document it "
                              "under 'Args:' (every tool argument a model can call must be explained).")
        if name not in hints:
            raise ConfigError(f"Tool {fn.__name__!r}: argument {name!r} has no type hint.")
        default = ... if param.default is inspect.Parameter.empty else param.default
        fields[name] = (hints[name], Field(default, description=docs[name]))
    if not summary:
        raise ConfigError(f"Tool {fn.__name__!r} has no docstring summary.")
    model = create_model(f"{fn.__name__}_args", __config__=ConfigDict(extra="forbid"), **fields)
    return Tool(fn.__name__, summary, fn, model, mutates)
