"""Evaluate MAGIC attacker/defender pairs into the results store (the runner plays single-agent envs only).

``python -m cauarena.leaderboards.magic --out DIR --attacker fixed[caesar] --defender defender-keyword --seeds 32``
plays every (attacker, defender) pair on ``cauarena/MAGIC-v0`` seeds ``0..seeds-1`` (with ``split="test"`` the
32 test queries, harmful and benign) and writes one :class:`~cauarena.leaderboards.schema.EpisodeResult` row
per game through :class:`~cauarena.leaderboards.store.ResultsStore`, so ``cauarena leaderboard --out DIR``
reports it like any run. A row's ``agent`` is ``"<attacker> vs <defender>"``; its return and success are the
**defender's** (the seat a safety leaderboard ranks); ``metrics`` has the env's end-of-game metrics
(``attack_success``, ``over_refusal``, ``r_attacker``...). Stored episodes are skipped, so a killed run resumes.

Player specs: ``fixed[<attack name>]`` (e.g. ``fixed[caesar+roleplay/split2]``) for a scripted attacker,
any agent spec of the ``magic`` family (``attacker-random``, ``defender-keyword``, ``module:Class``), or a
``backend/model`` chat model, which gets the ``magic-attacker`` or ``magic-defender`` prompt of its seat.
"""

from __future__ import annotations

import argparse
import re
import time
import uuid
from collections.abc import Sequence
from typing import Any

from cauarena.leaderboards.episode import _error, json_safe
from cauarena.leaderboards.schema import EpisodeResult, Trajectory, env_version, episode_key
from cauarena.leaderboards.store import ResultsStore

MAGIC_ID = "cauarena/MAGIC-v0"
_FIXED = re.compile(r"^fixed\[(.+)\]$")


def make_player(spec: str, seat: str) -> Any:
    """The agent of ``spec`` for ``seat`` (``attacker`` or ``defender``)."""
    from cauarena.agents import make_agent
    from cauarena.agents.magic import ScriptedAttacker

    match = _FIXED.match(spec)
    if match:
        return ScriptedAttacker(match.group(1))
    if "/" in spec and ":" not in spec:
        from cauarena.agents.llm import make_chat_agent

        return make_chat_agent(spec, prompt=f"magic-{seat}", parser="magic")
    return make_agent(spec, family="magic")


def play_row(game: Any, attacker: str, defender: str, seed: int, run_id: str, env_kwargs: dict[str, Any],
             players: dict[str, Any]) -> tuple[EpisodeResult, Trajectory]:
    """Play one game and turn it into a stored row (an exception is the row's ``error_kind``, never raised)."""
    from cauarena.agents.magic import play_game

    agent = f"{attacker} vs {defender}"
    key = episode_key(MAGIC_ID, env_kwargs, agent, "none", seed, 0)
    fields = dict(run_id=run_id, suite="magic", episode_key=key, env_id=MAGIC_ID, env_version=env_version(MAGIC_ID),
                  env_kwargs=env_kwargs, agent=agent, seed=seed)
    start = time.perf_counter()
    try:
        out = play_game(game, players["attacker"], players["defender"], seed=seed)
    except Exception as exc:  # noqa: BLE001 - a player or backend failure is its own outcome
        result = EpisodeResult(**fields, error_kind="agent_error", error_message=_error(exc),
                               wall_time_s=time.perf_counter() - start)
        return result, Trajectory(episode_key=key)
    metrics = out["metrics"]
    usage = out["usage"]
    result = EpisodeResult(
        **fields, episode_return=out["rewards"]["defender_0"], success=metrics["r_defender"] > 1.0,
        steps=out["steps"], metrics=metrics, wall_time_s=time.perf_counter() - start,
        prompt_tokens=sum(u[0] for u in usage.values()), completion_tokens=sum(u[1] for u in usage.values()),
    )
    trajectory = Trajectory(episode_key=key, final_info=json_safe({"query_id": out["query_id"], **out}))
    return result, trajectory


def evaluate_pairs(out: str, attackers: Sequence[str], defenders: Sequence[str], *, seeds: int,
                   seed_start: int = 0, run_id: str | None = None, **env_kwargs: Any) -> dict[str, int]:
    """Play every pair on ``seeds`` seeds and store the rows; returns counts of ``played`` and ``skipped``.

    Args:
        out: an ``--out`` directory or a SQLAlchemy URL.
        attackers: attacker specs.
        defenders: defender specs.
        seeds: games per pair (seeds ``seed_start .. seed_start + seeds - 1``).
        seed_start: the first seed.
        run_id: the run's id (a new one by default).
        **env_kwargs: ``MagicEnv`` arguments (``max_turns``, ``split``, ``kind``).
    """
    from cauarena.envs.magic import parallel_env

    store = ResultsStore(out)
    run_id = run_id or f"magic-{uuid.uuid4().hex[:8]}"
    store.record_run(run_id, {"suite": "magic", "attackers": list(attackers), "defenders": list(defenders),
                              "seeds": seeds, "seed_start": seed_start, "env_kwargs": env_kwargs})
    game, counts = parallel_env(**env_kwargs), {"played": 0, "skipped": 0}
    for attacker in attackers:
        for defender in defenders:
            players = {"attacker": make_player(attacker, "attacker"), "defender": make_player(defender, "defender")}
            agent = f"{attacker} vs {defender}"
            keys = {s: episode_key(MAGIC_ID, env_kwargs, agent, "none", s, 0)
                    for s in range(seed_start, seed_start + seeds)}
            done = store.stored_keys(keys.values())
            for seed, key in keys.items():
                if key in done:
                    counts["skipped"] += 1
                    continue
                store.add(*play_row(game, attacker, defender, seed, run_id, env_kwargs, players))
                counts["played"] += 1
    store.close()
    return counts


def main(argv: list[str] | None = None) -> int:
    """Command line of :func:`evaluate_pairs`."""
    parser = argparse.ArgumentParser(prog="python -m cauarena.leaderboards.magic", description=__doc__)
    parser.add_argument("--out", required=True)
    parser.add_argument("--attacker", action="append", required=True, help="repeat for several")
    parser.add_argument("--defender", action="append", required=True, help="repeat for several")
    parser.add_argument("--seeds", type=int, default=32)
    parser.add_argument("--seed-start", type=int, default=0)
    parser.add_argument("--max-turns", type=int, default=3)
    parser.add_argument("--split", default="test")
    args = parser.parse_args(argv)
    counts = evaluate_pairs(args.out, args.attacker, args.defender, seeds=args.seeds, seed_start=args.seed_start,
                            max_turns=args.max_turns, split=args.split)
    print(f"played {counts['played']} games, skipped {counts['skipped']} already stored; "
          f"report with: cauarena leaderboard --out {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
