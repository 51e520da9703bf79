"""``check_agent``: does an object implement the Agent protocol, and do its actions work on an env?"""

from __future__ import annotations

import inspect
from typing import Any

from cauarena.agents.base import Agent, with_hooks
from cauarena.agents.rollout import Rollout, RolloutError
from cauarena.errors import ConfigError, InvalidAction

_RESET_FIX = "Fix: define `def reset(self, *, seed=None, info=None) -> None`."
_ACT_FIX = "Fix: define `def act(self, observation, info)` returning the action."


def _accepts_keyword(signature: inspect.Signature, name: str) -> bool:
    params = signature.parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return True
    param = params.get(name)
    return param is not None and param.kind in (
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        inspect.Parameter.KEYWORD_ONLY,
    )


def _check_protocol(agent: Any) -> None:
    if isinstance(agent, type):
        raise ConfigError(
            f"check_agent got the class {agent.__name__}, not an agent. Fix: pass an instance, "
            f"e.g. check_agent({agent.__name__}())."
        )
    missing = [name for name in ("reset", "act") if not callable(getattr(agent, name, None))]
    if missing or not isinstance(agent, Agent):
        raise ConfigError(
            f"{type(agent).__name__} does not implement the Agent protocol: missing method(s) "
            f"{', '.join(missing) or 'reset/act'}. {_RESET_FIX} {_ACT_FIX}"
        )
    bind = getattr(agent, "bind", None)
    if bind is not None and not callable(bind):
        raise ConfigError(
            f"{type(agent).__name__}.bind is not callable. Fix: the optional hook is `def bind(self, env) -> None`."
        )


def _check_signatures(agent: Any) -> None:
    name = type(agent).__name__
    reset = inspect.signature(agent.reset)
    missing = [kw for kw in ("seed", "info") if not _accepts_keyword(reset, kw)]
    if missing:
        raise ConfigError(
            f"{name}.reset{reset} does not accept the keyword argument(s) {', '.join(missing)}; the runner "
            f"calls reset(seed=..., info=...). {_RESET_FIX}"
        )
    try:
        reset.bind(seed=0, info={})
    except TypeError as exc:
        raise ConfigError(
            f"{name}.reset{reset} cannot be called as reset(seed=0, info={{}}): {exc}. {_RESET_FIX}"
        ) from None
    act = inspect.signature(agent.act)
    try:
        act.bind("observation", {})
    except TypeError as exc:
        raise ConfigError(
            f"{name}.act{act} cannot be called as act(observation, info): {exc}. {_ACT_FIX}"
        ) from None


def _run_episode(agent: Any, env: Any, seed: int, max_steps: int) -> None:
    name = type(agent).__name__
    agent = with_hooks(agent)
    agent.bind(env)
    rollout = Rollout(env, agent, seed=seed, max_steps=max_steps)
    try:
        for step in rollout:
            if step.invalid:
                valid = step.info.get("valid_actions")
                hint = f"one of info['valid_actions'] = {valid}" if valid else "an action in env.action_space"
                raise ConfigError(
                    f"{name}.act returned {step.action!r:.80} at step {step.index}, which the env does not accept "
                    f"({step.info.get('feedback') or 'invalid action'}). Fix: return {hint}."
                )
    except RolloutError as exc:
        if exc.side == "env" and not isinstance(exc.error, InvalidAction):
            raise exc.error from None  # the env's own failure, as it came (its own traceback)
        raise _explain(name, exc, seed, rollout.n_steps) from exc.error


def _explain(name: str, exc: RolloutError, seed: int, step: int) -> ConfigError:
    """The :class:`ConfigError` that says how to fix what the agent did (``step``: the steps played before it)."""
    error = exc.error
    if exc.phase == "reset":
        return ConfigError(f"{name}.reset(seed={seed}, info=...) raised {type(error).__name__}: {error}")
    if exc.phase == "act":
        return ConfigError(
            f"{name}.act raised {type(error).__name__} at step {step}: {error}. Fix: act must return an action "
            "for every observation (agents that need the env implement bind(env))."
        )
    return ConfigError(f"{name}.act returned {exc.action!r:.80}, which the env rejects: {error}")


def check_agent(agent: Any, env: Any = None, *, seed: int = 0, max_steps: int = 20) -> None:
    """Check that ``agent`` implements the Agent protocol and, given an env, plays a short episode on it.

    Args:
        agent: the agent instance.
        env: ``None`` (only the protocol and signatures are checked), a registered env id, or an env.
        seed: the reset seed of the episode.
        max_steps: steps to play (fewer if the episode ends).

    Raises:
        ConfigError: what is wrong and how to fix it.
    """
    _check_protocol(agent)
    _check_signatures(agent)
    if env is None:
        return
    if isinstance(env, str):
        from cauarena.registration import make

        env_obj = make(env)
        try:
            _run_episode(agent, env_obj, seed, max_steps)
        finally:
            env_obj.close()
    else:
        _run_episode(agent, env, seed, max_steps)
