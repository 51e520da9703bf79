"""Preflight: before any episode is played, build each env once and resolve each (agent, guard, family) once.

A mistake that would otherwise be stored in every row of a run (a misspelt agent, a missing extra, a bad env
kwarg, a backend that is not there) stops the run before it starts, as one line that says the fix. Nothing
heavy is loaded: envs are built (not reset) and closed, agents and guards are resolved without being built
(see :func:`~cauarena.agents.registry.resolve_agent`), chat backends get their cheap check (a checkpoint folder
exists, an ``openai/`` server answers a 2 s connect).

``cauarena run`` calls :func:`preflight` and exits 2 with the error's message.
"""

from __future__ import annotations

import difflib
import inspect
import re
import time
from dataclasses import dataclass
from typing import Any

from cauarena.agents.registry import AgentResolution, load_attr, resolve_agent
from cauarena.errors import CauArenaError, ConfigError
from cauarena.guards.registry import resolve_guard
from cauarena.leaderboards.suites import EnvSpec, Suite, pairs
from cauarena.registration import EnvEntry, env_entry, make

PAIR_SEPARATOR = " vs "
"""What separates the two seats of a two-seat agent spec (``"<attacker> vs <defender>"``)."""

GYM_MAKE_KWARGS = frozenset({"max_episode_steps", "disable_env_checker", "render_mode"})
"""Keyword arguments ``gymnasium.make`` takes itself, beside the env constructor's."""

_FIXED_ATTACK = re.compile(r"^fixed\[(.+)\]$")


@dataclass(frozen=True)
class PreflightReport:
    """What a preflight checked and learned; the runner may reuse it.

    Attributes:
        envs: each distinct ``(env id, kwargs)`` built (and closed).
        agents: each distinct (agent, family) resolved; a two-seat spec has one entry per seat.
        guards: each distinct ``(guard, family)`` resolved (``none`` left out).
        privileged: ``(agent, family)`` pairs declared privileged (a two-seat spec when either seat is).
        seconds: wall time of the preflight.
    """

    envs: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]
    agents: tuple[AgentResolution, ...]
    guards: tuple[tuple[str, str], ...]
    privileged: frozenset[tuple[str, str]]
    seconds: float

    def is_privileged(self, agent: str, family: str) -> bool:
        """True when ``agent`` on ``family`` is a built-in agent declared privileged."""
        return (agent, family) in self.privileged


def one_line(exc: BaseException) -> str:
    """The message of ``exc`` on one line (whitespace runs collapsed), its type's name when it has none."""
    return " ".join(str(exc).split()) or type(exc).__name__


def _accepted_kwargs(entry: EnvEntry) -> set[str] | None:
    """The keyword arguments the env's constructor takes (None when it takes ``**kwargs``, so any)."""
    target = load_attr(entry.entry_point)
    try:
        params = inspect.signature(target).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return None
    named = {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    return named if entry.multi_agent else named | GYM_MAKE_KWARGS


def check_env_kwargs(env: EnvSpec) -> EnvEntry:
    """Raise :class:`ConfigError` naming the env id and the kwarg its constructor does not take."""
    entry = env_entry(env.env_id)
    accepted = _accepted_kwargs(entry)
    for name in env.kwargs_dict if accepted is not None else ():
        if name not in accepted:
            close = difflib.get_close_matches(name, sorted(accepted), n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"it takes {', '.join(sorted(accepted))}."
            raise ConfigError(f"Env {env.env_id}: unknown kwarg {name!r}; {hint} Fix: correct it in the suite's "
                              "env kwargs.")
    return entry


def check_env(env: EnvSpec) -> None:
    """Build the env of ``env`` once and close it; any failure is one :class:`ConfigError` line naming it."""
    check_env_kwargs(env)
    shown = env.env_id + (f" {env.kwargs_dict}" if env.kwargs else "")
    try:
        built = make(env.env_id, **env.kwargs_dict)
    except CauArenaError as exc:
        raise ConfigError(f"Env {shown}: {one_line(exc)}") from None
    except Exception as exc:  # noqa: BLE001 (an env's own error, reported as one line)
        raise ConfigError(f"Env {shown} failed to build: {type(exc).__name__}: {one_line(exc)}. Fix: check its "
                          "kwargs against the env card (`cauarena list`).") from None
    built.close()


def _seat(spec: str, family: str) -> AgentResolution:
    """Resolve one seat of a two-seat spec: a scripted ``fixed[<attack>]`` attacker, or any agent spec."""
    match = _FIXED_ATTACK.match(spec)
    if match is None:
        return resolve_agent(spec, family)
    from cauarena.agents.magic import ScriptedAttacker

    ScriptedAttacker(match.group(1))  # parses the attack: cheap, and the only check it needs
    return AgentResolution(spec, family, "name", "cauarena.agents.magic:ScriptedAttacker")


def resolve(agent: str, family: str) -> tuple[AgentResolution, ...]:
    """Resolve ``agent`` for ``family`` (each seat of ``"<attacker> vs <defender>"``); errors get the agent's name.

    Raises:
        ConfigError: one line, ``Agent '<spec>' on <family>: <why and the fix>``.
    """
    seats = [s.strip() for s in agent.split(PAIR_SEPARATOR)] if PAIR_SEPARATOR in agent else [agent]
    if len(seats) > 2 or not all(seats):
        raise ConfigError(f"Agent {agent!r}: a two-seat agent is '<attacker> vs <defender>', e.g. "
                          "'attacker-random vs defender-keyword'.")
    try:
        return tuple(_seat(seat, family) for seat in seats)
    except CauArenaError as exc:
        raise ConfigError(f"Agent {agent!r} on {family}: {one_line(exc)}") from None


def _check_guard(guard: str, family: str) -> None:
    try:
        resolve_guard(guard, family)
    except CauArenaError as exc:
        raise ConfigError(f"Guard {guard!r} on {family}: {one_line(exc)}") from None


def _check_everything_plays(suite: Suite, combos: list[tuple[EnvSpec, EnvEntry, str, str]]) -> None:
    """Raise when an agent or guard of the suite plays no episode (it serves none of the suite's families)."""
    families = ", ".join(sorted({env_entry(e.env_id).family for e in suite.envs}))
    for kind, names, index in (("Agent", suite.agents, 2), ("Guard", suite.guards, 3)):
        played = {combo[index] for combo in combos}
        for name in names:
            if name not in played:
                raise ConfigError(f"{kind} {name!r} plays no episode of suite {suite.name!r} (its envs are of the "
                                  f"families {families}; agent_envs and the other agents or guards limit it too). "
                                  f"Fix: drop it, or add an env it serves (`cauarena {kind.lower()}s`).")


def preflight(suite: Suite) -> PreflightReport:
    """Check ``suite`` before any episode is played: each env built once, each agent and guard resolved once.

    Args:
        suite: the suite the run will play (after CLI overrides).

    Returns:
        What was checked, and which (agent, family) pairs are privileged.

    Raises:
        ConfigError: the first problem, as one line with its fix (an unknown name with "Did you mean", a
            ``module:attr`` that does not import, a missing extra with its ``pip install``, an unknown or
            unreachable backend, a missing checkpoint, a bad env kwarg, an agent or guard that plays nothing).
    """
    start = time.perf_counter()
    combos = list(pairs(suite))
    _check_everything_plays(suite, combos)
    envs = list(dict.fromkeys(env for env, _, _, _ in combos))
    for env in envs:
        check_env(env)
    agents: dict[tuple[str, str], tuple[AgentResolution, ...]] = {}
    guards: dict[tuple[str, str], None] = {}
    for _, entry, agent, guard in combos:
        if (agent, entry.family) not in agents:
            agents[agent, entry.family] = resolve(agent, entry.family)
        if guard != "none" and (guard, entry.family) not in guards:
            _check_guard(guard, entry.family)
            guards[guard, entry.family] = None
    privileged = frozenset(key for key, seats in agents.items() if any(s.privileged for s in seats))
    return PreflightReport(
        envs=tuple((e.env_id, e.kwargs) for e in envs),
        agents=tuple(r for seats in agents.values() for r in seats),
        guards=tuple(guards),
        privileged=privileged,
        seconds=time.perf_counter() - start,
    )
