"""Alias of :mod:`cauarena.envs.magic.attackers`, where the scripted attackers moved with the seat envs.

Kept because the agent registry's entry strings (``cauarena.agents.magic.attackers:RandomAttacker``) name it.
"""

from cauarena.envs.magic.attackers import FOLLOW_UP, Attack, RandomAttacker, ScriptedAttacker, seed_query

__all__ = ["FOLLOW_UP", "Attack", "RandomAttacker", "ScriptedAttacker", "seed_query"]
