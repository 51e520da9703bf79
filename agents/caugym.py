"""The CauGym ``oracle``: reads only the problem text, rebuilds the graph and the stated numbers, and solves.

Not privileged: it never looks at the env's item or answer. It reads the text with the env family's reader
(:mod:`cauarena.envs.caugym.reader`: the published layout, any variable names, the base wording the published
sets use and our rephrased one), then evaluates the first valid identification whose inputs the text gives
(stated, or derivable by the sum-to-one rule); zero-effect questions need none. It answers
``LACK_CONDITION`` when the inputs are missing or the text cannot be read.
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

from cauarena.envs.caugym import tasks as T
from cauarena.envs.caugym import text as X
from cauarena.envs.caugym.reader import ParsedProblem, ParseError, parse_problem, solve_text

LACK_REPLY = json.dumps({"ANSWER": "LACK_CONDITION"})

__all__ = [
    "LACK_REPLY", "CauGymGuesser", "CauGymOracle", "ParseError", "ParsedProblem", "answer_json", "parse_problem",
    "solve_text",
]


def answer_json(query: T.Query, value: Fraction | None) -> str:
    """The reply: ``{"ANSWER": ..., "PROB": ...}``, ``{"PROB": ...}`` (PN/PS) or LACK_CONDITION."""
    from cauarena.envs.caugym.generate import round4

    if value is None:
        return LACK_REPLY
    prob = X.fmt4(round4(value))
    if query.task in T.YES_NO_TASKS:
        return json.dumps({"ANSWER": T.yes_no(query.task, round4(value)), "PROB": prob})
    return json.dumps({"PROB": prob})


class CauGymOracle:
    """The scripted solver for CauGym problems (text only; 100% on every generated task and variant).

    Example:
        >>> import cauarena
        >>> env = cauarena.make("cauarena/CauGym-v0", task="ATE")
        >>> observation, info = env.reset(seed=0)
        >>> agent = CauGymOracle()
        >>> agent.reset(seed=0, info=info)
        >>> env.step(agent.act(observation, info))[1]
        1.0
    """

    def reset(self, *, seed: int | None = None, info: dict[str, Any] | None = None) -> None:
        """Nothing to reset: each problem is solved from its text."""

    def act(self, observation: Any, info: dict[str, Any]) -> str:
        """The JSON answer to the problem in ``observation`` (``LACK_CONDITION`` if it cannot be parsed)."""
        text = observation if isinstance(observation, str) else str(observation)
        try:
            query, value = solve_text(text)
        except ParseError:
            return LACK_REPLY
        return answer_json(query, value)


class CauGymGuesser:
    """A chance baseline (the ``random`` agent on CauGym): a well-formed answer with random content.

    Yes/No by a coin flip, PROB uniform at 4 decimals (in [-1, 1] when the problem asks Yes/No, else
    [0, 1]), and ``LACK_CONDITION`` one time in six (one variant in six is insufficient). Seeded by ``reset``.
    """

    def __init__(self) -> None:
        import numpy as np

        self._np = np
        self.rng = np.random.default_rng()

    def reset(self, *, seed: int | None = None, info: dict[str, Any] | None = None) -> None:
        """Reseed the guesses."""
        self.rng = self._np.random.default_rng(seed)

    def act(self, observation: Any, info: dict[str, Any]) -> str:
        """A random answer in the format the problem asks for."""
        if self.rng.random() < 1 / 6:
            return LACK_REPLY
        yes_no = '"ANSWER": "Yes", "PROB"' in str(observation)
        low = -1.0 if yes_no else 0.0
        prob = X.fmt4(Fraction(int(self.rng.integers(int(low * 10000), 10001)), 10000))
        if yes_no:
            return json.dumps({"ANSWER": "Yes" if self.rng.random() < 0.5 else "No", "PROB": prob})
        return json.dumps({"PROB": prob})
