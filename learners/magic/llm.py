"""GRPO for LLM players of MAGIC: train one seat (defender or attacker) against a scripted opponent.

A GRPO phase is the multi-turn GRPO learner (:mod:`~cauarena.learners.grpo`) on a seat env
(``cauarena/MAGIC-Defender-v0`` or ``cauarena/MAGIC-Attacker-v0``) whose opponent is an agent object, e.g.
the co-evolution's current attacker generation (a :class:`~cauarena.envs.magic.seats.MixedAttacker`) or its
current classifier defender. The reward TRL gets is the seat's episode return, i.e. MAGIC's ``R_D`` or ``R_A``
(with the format term) computed by the game itself. :func:`~cauarena.learners.magic.coevo.train` calls
:func:`grpo_phase` once per generation for ``llm_defender`` / ``llm_attacker`` (``--set
llm_defender='"tiny/webshop-bc"'``), each phase starting from the previous phase's checkpoint.

With a seat env registered, plain ``cauarena train grpo --env-ids cauarena/MAGIC-Defender-v0 ...`` trains against
the registered default opponent (``attacker-random``; ``--set 'env_kwargs={"attacker": "fixed[caesar]"}'``
picks another scripted one by name).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from cauarena.errors import ConfigError
from cauarena.learners.grpo.grpo_config import EnvGRPOConfig
from cauarena.learners.grpo.rollout import RolloutPlayer

SEAT_ENVS = {"defender": "cauarena/MAGIC-Defender-v0", "attacker": "cauarena/MAGIC-Attacker-v0"}
"""The seat env of each LLM seat."""

OPPONENT_KWARG = {"defender": "attacker", "attacker": "defender"}
"""The seat env's keyword for the opponent."""

PHASE_DEFAULTS: Mapping[str, Any] = {
    "prompts_per_step": 2, "num_generations": 2, "max_reply_tokens": 32, "warmup_steps": 0, "save_steps": 10**6,
    "time_budget_s": 0.0,
}
"""EnvGRPOConfig fields of a co-evolution GRPO phase unless ``overrides`` set them (small: a CPU phase)."""


def phase_config(seat: str, model: str, steps: int, max_turns: int = 3,
                 overrides: Mapping[str, Any] | None = None) -> EnvGRPOConfig:
    """The GRPO config of one phase of ``seat`` (validated: a bad model or override raises ``ConfigError``).

    >>> phase_config("defender", "tiny/webshop-bc", 2).env_ids
    ('cauarena/MAGIC-Defender-v0',)
    """
    if seat not in SEAT_ENVS:
        raise ConfigError(f"seat must be 'defender' or 'attacker'; got {seat!r}.")
    fields = {**PHASE_DEFAULTS, **dict(overrides or {}), "env_ids": (SEAT_ENVS[seat],), "model": model,
              "max_steps": steps, "max_turns": max_turns}
    return EnvGRPOConfig.from_dict(fields)


class SeatRolloutPlayer(RolloutPlayer):
    """A :class:`~cauarena.learners.grpo.rollout.RolloutPlayer` whose seat env plays against ``opponent``.

    Args:
        config: the GRPO config (one seat env id).
        backend_factory: as :class:`RolloutPlayer`.
        opponent: the scripted opponent: an agent object or a registered name (``fixed[...]`` for attackers).
    """

    def __init__(self, config: EnvGRPOConfig, backend_factory: Callable[[Any], Any], opponent: Any) -> None:
        super().__init__(config, backend_factory)
        self.opponent = opponent

    def _env(self, env_id: str) -> Any:
        if env_id not in self._envs:
            from cauarena.registration import make

            seat = next(s for s, i in SEAT_ENVS.items() if i == env_id)
            kwargs = {**dict(self.config.env_kwargs), OPPONENT_KWARG[seat]: self.opponent}
            self._envs[env_id] = make(env_id, **kwargs)
        return self._envs[env_id]


def grpo_phase(seat: str, model: str, opponent: Any, steps: int, out: Path, *, max_turns: int = 3,
               overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """GRPO-train ``model`` for ``steps`` steps on ``seat`` against ``opponent``; save the policy to ``out``.

    Args:
        seat: ``defender`` or ``attacker``.
        model: the starting policy (``tiny/<name>``, ``hf/<dir>`` or a folder a previous phase wrote).
        opponent: the scripted opponent (agent object or registered name).
        steps: GRPO optimisation steps.
        out: folder for the trained policy (trainer files go to ``<out>.work``).
        max_turns: rounds per game.
        overrides: EnvGRPOConfig fields over :data:`PHASE_DEFAULTS` (``device``, ``lora_r``...).

    Returns:
        ``seat``, ``init``, ``model`` (``out``), ``opponent``, ``steps``, ``train_s``, ``seconds_per_step``,
        ``return_first`` / ``return_last`` (mean seat return of the first and last step's roll-outs) and ``curve``.
    """
    import torch

    from cauarena.learners.grpo.policy import PolicyBackend
    from cauarena.learners.grpo.report import learning_curve
    from cauarena.learners.grpo.train import build_trainer, load_policy, resolve_checkpoint, save_policy

    config = phase_config(seat, model, steps, max_turns, overrides)
    torch.set_num_threads(config.threads)
    init = resolve_checkpoint(config.model)
    policy, tokenizer = load_policy(init)

    def backend(trainer: Any) -> PolicyBackend:
        return PolicyBackend(trainer.accelerator.unwrap_model(trainer.model), tokenizer, init)

    player = SeatRolloutPlayer(config, backend, opponent)
    out = Path(out)
    trainer = build_trainer(config, policy, tokenizer, init, Path(f"{out}.work"), player=player)
    start = time.perf_counter()
    trainer.train()
    train_s = time.perf_counter() - start
    player.close()
    save_policy(trainer, tokenizer, config, out)
    curve = learning_curve(trainer.state.log_history)
    done = trainer.state.global_step
    return {
        "seat": seat, "init": str(init), "model": str(out),
        "opponent": opponent if isinstance(opponent, str) else type(opponent).__name__,
        "steps": done, "train_s": round(train_s, 2), "seconds_per_step": round(train_s / max(done, 1), 2),
        "return_first": curve[0].get("return") if curve else None,
        "return_last": curve[-1].get("return") if curve else None,
        "curve": curve,
    }
