"""``check_agent``: does an object implement the Agent protocol, and do its actions work on an env?"""

from __future__ import annotations

import inspect
from typing import Any

from cauarena.agents.base import Agent
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
    if callable(getattr(agent, "bind", None)):
        agent.bind(env)
    observation, info = env.reset(seed=seed)
    try:
        agent.reset(seed=seed, info=info)
    except Exception as exc:
        raise ConfigError(f"{name}.reset(seed={seed}, info=...) raised {type(exc).__name__}: {exc}") from exc
    for step in range(max_steps):
        try:
            action = agent.act(observation, info)
        except Exception as exc:
            raise ConfigError(
                f"{name}.act raised {type(exc).__name__} at step {step}: {exc}. Fix: act must return an action "
                "for every observation (agents that need the env implement bind(env))."
            ) from exc
        try:
            observation, _, terminated, truncated, info = env.step(action)
        except InvalidAction as exc:
            raise ConfigError(f"{name}.act returned {action!r:.80}, which the env rejects: {exc}") from exc
        if info.get("invalid_action"):
            valid = info.get("valid_actions")
            hint = f"one of info['valid_actions'] = {valid}" if valid else "an action in env.action_space"
            raise ConfigError(
                f"{name}.act returned {action!r:.80} at step {step}, which the env does not accept "
                f"({info.get('feedback') or 'invalid action'}). Fix: return {hint}."
            )
        if terminated or truncated:
            return


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
