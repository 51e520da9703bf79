"""MAGIC: the attacker-vs-defender safety game (PettingZoo), its synthetic corpus, attack operators and judge.

Registered as ``cauarena/MAGIC-v0`` (multi-agent), and each seat against a scripted opponent (:mod:`.seats`,
:mod:`.attackers`, :mod:`.defenders`) as ``cauarena/MAGIC-Defender-v0`` and ``cauarena/MAGIC-Attacker-v0``.
``parallel_env(...)`` gives the ``ParallelEnv``, ``env(...)`` the AEC form; agents ``attacker_0`` and
``defender_0``. See :class:`MagicEnv` for the card.
"""

from cauarena.envs.headline import Metric
from cauarena.envs.magic.corpus import CATEGORIES, Query, all_queries, placeholder, queries, query_by_id
from cauarena.envs.magic.env import ATTACKER, DEFENDER, MagicEnv, env, parallel_env, raw_env
from cauarena.envs.magic.judge import (
    Judge,
    Judgement,
    RuleJudge,
    attack_prompt,
    attacker_reward,
    defender_reward,
    format_ok,
    is_refusal,
)
from cauarena.envs.magic.operators import OPERATORS, Operator, compose, join_payload, split_payload
from cauarena.envs.magic.reader import Request, decode, find_placeholder, read_request, waiting_for_parts
from cauarena.envs.magic.seats import (
    OPPONENTS,
    MagicAttackerEnv,
    MagicDefenderEnv,
    MagicSeatEnv,
    MixedAttacker,
    scripted_player,
)

HEADLINE = (Metric("return", "defender return", axis="utility"),
            Metric("asr", "ASR", False, source="attack_success", where="harmful", axis="attack"),
            Metric("over_refusal_rate", "over-refusal", False, source="over_refusal", where="!harmful"))
"""Headline metrics of the MAGIC table: ASR over the harmful games, over-refusal over the benign ones."""

__all__ = [
    "HEADLINE",
    "ATTACKER",
    "CATEGORIES",
    "DEFENDER",
    "OPERATORS",
    "OPPONENTS",
    "Judge",
    "Judgement",
    "MagicAttackerEnv",
    "MagicDefenderEnv",
    "MagicEnv",
    "MagicSeatEnv",
    "MixedAttacker",
    "Operator",
    "Query",
    "Request",
    "RuleJudge",
    "all_queries",
    "attack_prompt",
    "attacker_reward",
    "compose",
    "decode",
    "defender_reward",
    "env",
    "find_placeholder",
    "format_ok",
    "is_refusal",
    "join_payload",
    "parallel_env",
    "placeholder",
    "queries",
    "query_by_id",
    "raw_env",
    "read_request",
    "scripted_player",
    "split_payload",
    "waiting_for_parts",
]
