"""Play MAGIC games through the rollout loop: one attacker against one defender, only the seat on turn acts."""

from __future__ import annotations

import re
from typing import Any

from cauarena.agents.rollout import Rollout
from cauarena.envs.magic.env import ATTACKER, DEFENDER

_FIXED = re.compile(r"^fixed\[(.+)\]$")


def play_game(
    game: Any, attacker: Any, defender: Any, *, seed: int | None = None, query_id: str | None = None
) -> dict[str, Any]:
    """Play one episode of a MAGIC ``ParallelEnv`` (a :class:`~cauarena.agents.rollout.Rollout`) and sum it up.

    Args:
        game: a :class:`~cauarena.envs.magic.MagicEnv`.
        attacker: an Agent playing ``attacker_0``.
        defender: an Agent playing ``defender_0``.
        seed: the reset seed (it also seeds both agents).
        query_id: play this query instead of the seed's.

    Returns:
        ``metrics`` (the env's end-of-episode metrics), ``rewards``, ``steps``, ``query_id``, ``prompts``
        (the prompts the defender saw), ``responses``, and ``usage`` (prompt/completion tokens per agent, 0
        for scripted players).
    """
    players = {ATTACKER: attacker, DEFENDER: defender}
    rollout = Rollout(game, players, seed=seed, options={"query_id": query_id} if query_id else None)
    for seat in rollout.agents.values():  # privileged players (the oracle defender) read the env
        seat.bind(game)
    rollout.run()
    final = rollout.seat_info(ATTACKER)
    conversation = final["conversation"]
    return {
        "metrics": final["metrics"], "rewards": dict(rollout.returns), "steps": rollout.n_steps,
        "query_id": final["query_id"],
        "prompts": [m["content"] for m in conversation if m["role"] == "user"],
        "responses": [m["content"] for m in conversation if m["role"] == "assistant"],
        "usage": rollout.usage,
    }


def make_player(spec: str, seat: str) -> Any:
    """The MAGIC player of ``spec`` for ``seat`` (``attacker`` or ``defender``).

    ``fixed[<attack>]`` is a scripted attacker (e.g. ``fixed[caesar+roleplay/split2]``); a ``backend/model`` chat
    model gets the ``magic-attacker`` or ``magic-defender`` prompt of its seat; any other spec is an agent of the
    ``magic`` family (``attacker-random``, ``defender-keyword``, ``module:Class``).
    """
    from cauarena.agents.registry import is_backend_spec, make_agent
    from cauarena.envs.magic.attackers import ScriptedAttacker

    match = _FIXED.match(spec)
    if match:
        return ScriptedAttacker(match.group(1))
    if is_backend_spec(spec):
        from cauarena.agents.llm import make_chat_agent

        return make_chat_agent(spec, prompt=f"magic-{seat}", parser="magic")
    return make_agent(spec, family="magic")
