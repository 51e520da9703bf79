"""Play MAGIC games: one attacker against one defender, only the agent whose turn it is acts."""

from __future__ import annotations

from typing import Any

from cauarena.envs.magic.env import ATTACKER, DEFENDER


def play_game(
    game: Any, attacker: Any, defender: Any, *, seed: int | None = None, query_id: str | None = None
) -> dict[str, Any]:
    """Play one episode of a MAGIC ``ParallelEnv`` and return its outcome.

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
    observations, infos = game.reset(seed=seed, options={"query_id": query_id} if query_id else None)
    players = {ATTACKER: attacker, DEFENDER: defender}
    for agent, player in players.items():
        if hasattr(player, "bind"):  # privileged players (the oracle defender) read the env
            player.bind(game)
        player.reset(seed=seed, info=infos[agent])
    rewards: dict[str, float] = {}
    usage = {agent: [0, 0] for agent in players}
    qid, steps = infos[ATTACKER]["query_id"], 0
    while game.agents:
        actor = game.turn_of
        action = players[actor].act(observations[actor], infos[actor])
        last = getattr(players[actor], "last_usage", None)
        if last is not None:
            usage[actor][0] += last.prompt_tokens
            usage[actor][1] += last.completion_tokens
        other = DEFENDER if actor == ATTACKER else ATTACKER
        observations, rewards, _, _, infos = game.step({actor: action, other: ""})
        steps += 1
    final = infos[ATTACKER]
    conversation = final["conversation"]
    return {
        "metrics": final["metrics"], "rewards": rewards, "steps": steps, "query_id": qid,
        "prompts": [m["content"] for m in conversation if m["role"] == "user"],
        "responses": [m["content"] for m in conversation if m["role"] == "assistant"],
        "usage": usage,
    }
