"""The privileged oracles of MAGIC's seat envs (``cauarena/MAGIC-Defender-v0``, ``cauarena/MAGIC-Attacker-v0``).

Single-seat scripted agents for the families ``magic-defender`` / ``magic-attacker``: ``oracle`` (privileged:
:class:`SeatOracleDefender` reads the seed's label; :class:`SeatOracleAttacker` tries candidate attacks against a
copy of the seat's defender and plays the best). The seat envs themselves are :mod:`cauarena.envs.magic.seats`.
"""

from __future__ import annotations

import copy
from itertools import combinations
from typing import Any

from cauarena.agents.magic.play import play_game
from cauarena.envs.magic.attackers import Attack, ScriptedAttacker
from cauarena.envs.magic.defenders import OracleDefender
from cauarena.envs.magic.env import ATTACKER, MagicEnv
from cauarena.envs.magic.operators import OPERATORS
from cauarena.envs.magic.seats import MagicSeatEnv
from cauarena.errors import ConfigError


def _seat_game(env: Any) -> MagicSeatEnv:
    seat = getattr(env, "unwrapped", env)
    if not isinstance(seat, MagicSeatEnv):
        raise ConfigError(f"The seat oracle plays a MAGIC seat env (cauarena/MAGIC-*-v0); got {type(seat).__name__}.")
    return seat


class SeatOracleDefender(OracleDefender):
    """The privileged defender on ``cauarena/MAGIC-Defender-v0``: reads the seed's label (``R_D = 1.5``)."""

    privileged = True
    """Reads the truth through ``bind``: marked on the leaderboard, never ranked."""

    def bind(self, env: Any) -> None:
        super().bind(_seat_game(env).game)


CANDIDATE_ATTACKS = (
    Attack(),
    *(Attack((op,)) for op in OPERATORS),
    *(Attack(ops) for ops in combinations(OPERATORS, 2)),
    *(Attack((op,), 2) for op in OPERATORS),
)
"""What :class:`SeatOracleAttacker` tries: plain, every operator, every pair, every operator split in two."""


class SeatOracleAttacker(ScriptedAttacker):
    """The privileged attacker on ``cauarena/MAGIC-Attacker-v0``: a best response among :data:`CANDIDATE_ATTACKS`.

    At its first move it plays every candidate against a copy of the seat's defender on the same query (a
    private game with the seat's judge and turns) and keeps the first with the highest ``R_A``.
    """

    privileged = True
    """Plays the seat's own defender through ``bind``: marked on the leaderboard, never ranked."""

    def __init__(self) -> None:
        super().__init__()
        self._seat: MagicSeatEnv | None = None
        self._seed: int | None = None

    def bind(self, env: Any) -> None:
        self._seat = _seat_game(env)

    def reset(self, *, seed: int | None = None, info: dict[str, Any] | None = None) -> None:
        self._seed = seed
        super().reset(seed=seed, info=info)

    def act(self, observation: Any, info: dict[str, Any]) -> str:
        if not info.get("your_turn", True):
            return ""
        if self._plan is None:
            self.attack = self._best(str(info["query_id"]))
            super().reset(seed=self._seed)  # replay the winning candidate exactly as it was tried
        return super().act(observation, info)

    def _best(self, query_id: str) -> Attack:
        if self._seat is None:
            raise ConfigError("SeatOracleAttacker.act before bind(env) with a MAGIC attacker seat env.")
        game = self._seat.game
        private, defender = MagicEnv(max_turns=game.max_turns, judge=game.judge), copy.deepcopy(self._seat.opponent)
        best, best_reward = CANDIDATE_ATTACKS[0], float("-inf")
        for attack in CANDIDATE_ATTACKS:
            outcome = play_game(private, ScriptedAttacker(attack), defender, seed=self._seed, query_id=query_id)
            if outcome["rewards"][ATTACKER] > best_reward:
                best, best_reward = attack, outcome["rewards"][ATTACKER]
        return best
