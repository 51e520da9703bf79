"""Checks every CauArena environment must pass: Gymnasium's ``check_env``, the info contract, malformed actions.

Library code, run by the test-suite over the whole registry (:func:`check_env_all`) so every new family
inherits the checks. Failures raise ``AssertionError`` (as Gymnasium's checker does) with a message that
says what was expected, what came, and the fix.

The cross-family contract checked here:

- ``reset`` and ``step`` return a JSON-serialisable ``info`` with ``success`` (bool) and ``invalid_action``
  (bool), and ``metrics`` (a dict of numbers) when present;
- a malformed action (unparseable text, wrong type; for an env with ``metadata["free_text_actions"]``, any
  action outside its ``Text`` action space) never ends the run with an arbitrary exception: either
  ``step`` answers it (``info["invalid_action"] = True``, a non-empty ``info["feedback"]`` that also appears
  in the next observation's text), or it raises the documented :class:`cauarena.errors.InvalidAction`.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
from gymnasium.utils.env_checker import check_env

from cauarena.envs._actions import safe_repr
from cauarena.errors import InvalidAction

MALFORMED_ACTIONS: tuple[Any, ...] = (
    "",
    "   ",
    "jump over the wall",
    "Action:",
    "\x00\x1b[31m\u2603",
    "x" * 5000,
    42,
    -1,
    3.5,
    float("nan"),
    None,
    True,
    b"go forward",
    [],
    ["go forward"],
    {},
    {"action": "go forward"},
    (1, 2),
)
"""Actions no text env should accept; each must get feedback or raise ``InvalidAction``."""


def observation_text(observation: Any) -> str:
    """All text in an observation: the string itself, or the string values of a (nested) dict/sequence."""
    if isinstance(observation, str):
        return observation
    if isinstance(observation, dict):
        return "\n".join(observation_text(value) for value in observation.values())
    if isinstance(observation, (list, tuple)):
        return "\n".join(observation_text(value) for value in observation)
    return ""


def check_info(info: Any, where: str, *, final: bool | None = None, sealed: Sequence[str] = ()) -> None:
    """The info contract: a JSON-serialisable dict with a bool ``invalid_action`` and numeric metrics.

    Args:
        info: the ``info`` of a ``reset`` or ``step``.
        where: what produced it, for the message.
        final: True on the step that ends the episode (``success`` must then be a bool); False before the end
            (no key of ``sealed`` may appear); None when unknown (``success``, if present, must be a bool).
        sealed: the env's ``sealed_info_keys``.
    """
    if not isinstance(info, dict):
        raise AssertionError(f"{where}: info must be a dict, got {type(info).__name__}.")
    if not isinstance(info.get("invalid_action"), bool):
        raise AssertionError(
            f"{where}: info['invalid_action'] must be a bool on every reset and step, got "
            f"{info.get('invalid_action')!r}. Fix: always put 'invalid_action' in info (False for a valid action)."
        )
    if final or "success" in info:
        if not isinstance(info.get("success"), bool):
            raise AssertionError(
                f"{where}: info['success'] must be a bool on the step that ends the episode, got "
                f"{info.get('success')!r}. Fix: put success (bool) in the final info."
            )
    if final is False:
        leaked = sorted(key for key in sealed if key in info)
        if leaked:
            raise AssertionError(
                f"{where}: info carries the sealed keys {leaked} before the episode ended. Fix: put the live score and "
                "the truth in info only on the step that ends the episode (runners read episode_summary() instead)."
            )
    check_metrics(info.get("metrics", {}), where)
    try:
        json.dumps(info)
    except (TypeError, ValueError) as exc:
        raise AssertionError(
            f"{where}: info is not JSON-serialisable ({exc}). Fix: keep info to plain python types "
            "(convert numpy scalars with int()/float(), arrays with .tolist())."
        ) from None


def check_metrics(metrics: Any, where: str) -> None:
    """``metrics`` maps str to finite-or-not int/float (never bool): what the results store saves."""
    if not isinstance(metrics, dict) or not all(
        isinstance(k, str) and isinstance(v, (int, float)) and not isinstance(v, bool) for k, v in metrics.items()
    ):
        raise AssertionError(
            f"{where}: info['metrics'] must map str to int/float (the results store saves it), got {metrics!r:.200}."
        )


def check_action_answer(env: Any, action: Any) -> tuple[Any, ...] | None:
    """Step ``env`` with ``action`` and check the malformed-action contract if the env rejected it.

    Returns:
        The step's 5-tuple, or ``None`` when the env raised :class:`~cauarena.errors.InvalidAction`.

    Raises:
        AssertionError: any other exception, or an invalid action without feedback in the observation.
    """
    try:
        result = env.step(action)
    except InvalidAction:
        return None
    except Exception as exc:
        raise AssertionError(
            f"step({safe_repr(action)}) raised {type(exc).__name__}: {exc}. Fix: answer a malformed action with a "
            "no-op step, info['invalid_action'] = True and feedback in the next observation, or raise "
            "cauarena.errors.InvalidAction (documented in the env card)."
        ) from exc
    observation, _, _, _, info = result
    check_info(info, f"step({safe_repr(action)})")
    if info["invalid_action"]:
        feedback = info.get("feedback")
        if not isinstance(feedback, str) or not feedback.strip():
            raise AssertionError(
                f"step({safe_repr(action)}) set info['invalid_action'] but gave no info['feedback']. "
                "Fix: put the feedback line (what was wrong, what is valid) in info['feedback']."
            )
        if feedback not in observation_text(observation):
            raise AssertionError(
                f"step({safe_repr(action)}): the feedback {feedback!r:.80} is not in the next observation. "
                "Fix: append the feedback to the observation text so the agent can read it."
            )
    if observation not in env.observation_space:
        raise AssertionError(f"step({safe_repr(action)}) returned an observation outside the observation space.")
    return result


def check_malformed_actions(env: Any, actions: Sequence[Any] = MALFORMED_ACTIONS, *, seed: int = 0) -> None:
    """Every action in ``actions`` is rejected with feedback (or ``InvalidAction``), never accepted or crashed."""
    check_info(env.reset(seed=seed)[1], "reset()")
    free_text = getattr(env.unwrapped, "metadata", {}).get("free_text_actions", False)
    for action in actions:
        result = check_action_answer(env, action)
        if result is None:
            continue
        _, reward, terminated, truncated, info = result
        if free_text and isinstance(action, str) and action in env.action_space:
            pass  # a free-text seat (MAGIC's): any text in its action space is a legal move
        elif not info["invalid_action"]:
            raise AssertionError(
                f"step({safe_repr(action)}) was accepted as a valid action. Fix: reject actions the env cannot "
                "parse (info['invalid_action'] = True plus feedback) instead of guessing."
            )
        if terminated or truncated:
            env.reset(seed=seed)


def check_text_env(env: Any, *, seed: int = 0, skip_render_check: bool = False) -> None:
    """Run Gymnasium's ``check_env`` on the unwrapped env, then the info and malformed-action contracts.

    Args:
        env: a single-agent env as returned by ``cauarena.make`` (wrapped or not).
        seed: reset seed for the CauArena checks.
        skip_render_check: passed to ``check_env``.
    """
    check_env(env.unwrapped, skip_render_check=skip_render_check)
    check_malformed_actions(env, seed=seed)


def check_env_all(env_ids: Iterable[str] | None = None, *, seed: int = 0) -> list[str]:
    """:func:`check_text_env` over registered single-agent ids (all of them by default).

    Returns:
        The ids checked (multi-agent ids are skipped: PettingZoo's ``api_test`` covers them).
    """
    from cauarena.registration import ENV_SPECS, env_entry, make

    checked = []
    for env_id in sorted(ENV_SPECS) if env_ids is None else env_ids:
        if env_entry(env_id).multi_agent:
            continue
        env = make(env_id)
        try:
            check_text_env(env, seed=seed)
        except AssertionError as exc:
            raise AssertionError(f"{env_id}: {exc}") from exc
        finally:
            env.close()
        checked.append(env_id)
    return checked


class RaisingObject:
    """A hostile action: every dunder an env might call on it raises (``__str__``, ``__len__``, ``__iter__``...)."""

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("hostile object: this method always raises")

    __str__ = __repr__ = __format__ = __len__ = __iter__ = __getitem__ = _fail
    __bool__ = __float__ = __int__ = __index__ = __array__ = __contains__ = _fail
    __eq__ = __lt__ = __gt__ = __le__ = __ge__ = __reduce__ = __reduce_ex__ = __getstate__ = _fail  # type: ignore[assignment]
    __hash__ = None  # type: ignore[assignment]
    keys = items = values = get = strip = lower = split = _fail


class RaisingStr(str):
    """A hostile ``str`` subclass whose Python-level methods raise (``len``, ``str``, ``strip``, iteration...)."""

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("hostile str: this method always raises")

    __str__ = __repr__ = __len__ = __iter__ = __getitem__ = __contains__ = __format__ = _fail
    strip = lower = upper = split = splitlines = find = rfind = startswith = endswith = replace = _fail  # type: ignore[assignment]


class RaisingDict(dict):
    """A hostile ``dict`` subclass (a structured action) whose accessors raise."""

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("hostile dict: this method always raises")

    get = keys = items = values = __getitem__ = __iter__ = __len__ = __contains__ = __repr__ = _fail  # type: ignore[assignment]


class RaisingInt(int):
    """A hostile ``int`` subclass whose conversions raise."""

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("hostile int: this method always raises")

    __str__ = __repr__ = __index__ = __float__ = __int__ = __format__ = __bool__ = __eq__ = __lt__ = _fail  # type: ignore[assignment]
    __hash__ = int.__hash__


def _deep(depth: int, leaf: Any, kind: str) -> Any:
    value = leaf
    for _ in range(depth):
        value = [value] if kind == "list" else {"a": value}
    return value


def hostile_actions(action_space: Any = None) -> list[Any]:
    """Actions an adversarial tester sends: huge, deep, non-finite, wrong-shaped, wrong-typed and raising.

    Args:
        action_space: the env's action space; for a ``Box`` the right shape is also tried with wrong dtypes
            and non-finite values.

    Returns:
        A new list (about 80 actions; deep ones are built without recursion).
    """
    actions: list[Any] = [
        None, b"go forward", bytearray(b"\xff" * 64), "", "\x00" * 100, "\ud800\udfff", "\u202e" * 500,
        "x" * 1_000_000, "\n" * 1_000_000, "{" * 65536, '{"a":' * 2000, "[" * 100_000, "(" * 100_000,
        '{"ANSWER": "Yes", "PROB": "1e999"}', '{"ANSWER": "Yes", "PROB": "nan"}', '{"PROB": -Infinity}',
        '{"PROB": "1e-999999"}', '{"PROB": ' + "9" * 5000 + "}", '{"PROB": 1' + "0" * 4400 + "}",
        "Action: " + "x" * 1_000_000, "search[" * 100_000, "click[" + "a" * 1_000_000 + "]",
        "ADD " + "a" * 1_000_000 + " -> b", "PRIOR " + "a -> b, " * 100_000, "a" * 4096 + "->" * 50_000,
        '{"tool": "x", "args": ' + "[" * 50_000 + "]" * 50_000 + "}", "nan", "inf", "1e999", "-1e999",
        float("nan"), float("inf"), -float("inf"), 1e308, 10**400, -(10**400), 2**64, 2**63 - 1,
        complex(1, 2), Decimal("NaN"), Decimal("1e999999"), Fraction(1, 3), True, 0, -1,
        _deep(100_000, 0.5, "list"), _deep(100_000, "STOP", "dict"), [0.5] * 1_000_000,
        {str(i): i for i in range(100_000)}, list(range(10)), (1, "x"), set(), frozenset({1}),
        RaisingObject(), RaisingStr("go forward"), RaisingStr("STOP"), RaisingDict(op="STOP"), RaisingInt(3),
        [RaisingObject()], {"op": RaisingObject()}, {"op": "ADD", "source": RaisingStr("a"), "target": "b"},
        {"op": "PRIOR", "edges": [["a", "b"]] * 100_000}, {"op": "PRIOR", "edges": _deep(100_000, 1, "list")},
        {RaisingInt(1): "x"}, {"tool": "x" * 1_000_000}, iter(range(10)), range(10**12), object(), object,
        print, Ellipsis, NotImplemented, memoryview(b"abc"),
        np.zeros(3), np.zeros((200, 200, 20)), np.array(["a", "b"]), _object_array((2,)),
        np.array(1.0), np.float64("nan"), np.int64(2**62), np.datetime64("2026-01-01"), np.zeros(0),
        np.zeros((3, 3), dtype=[("a", "f4")]),
    ]
    shape = getattr(action_space, "shape", None)
    if shape:
        actions += _box_cases(tuple(shape))
    return actions


def _object_array(shape: tuple[int, ...]) -> np.ndarray:
    objects = np.empty(shape, dtype=object)
    objects.fill(RaisingObject())
    return objects


def _box_cases(shape: tuple[int, ...]) -> list[Any]:
    """Right-shaped arrays with wrong dtypes or values, and shapes one off."""
    objects = _object_array(shape)
    return [
        np.full(shape, np.nan), np.full(shape, np.inf), np.full(shape, 1e308), np.full(shape, -1.0),
        np.ones(shape, dtype=np.complex128), np.full(shape, "0.5"), objects, np.ones(shape, dtype=np.float16),
        np.ones(shape, dtype=np.uint64) * (2**64 - 1), np.ones(shape, dtype=bool), np.zeros(shape[::-1] + (1,)),
        np.zeros(tuple(d + 1 for d in shape)), np.full(shape, 0.5).tolist(), [[RaisingObject()] * shape[-1]] * shape[0],
    ]


@contextmanager
def hang_guard(seconds: float) -> Iterator[None]:
    """Raise :class:`StepHang` if the block runs longer than ``seconds`` of wall time (main thread, POSIX only).

    Elsewhere (a worker thread, Windows) it only measures: the caller compares the elapsed time itself.
    """
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def _alarm(signum: int, frame: Any) -> None:
        raise StepHang(f"the call ran past {seconds:g} s of wall time")

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class StepHang(Exception):  # noqa: N818  (named for what happened, as Gymnasium's error names are)
    """A ``step`` ran past the hang limit of :func:`hang_guard`."""


def timed_step(env: Any, action: Any, *, cpu_limit: float = 1.0, hang_limit: float = 30.0) -> tuple[Any, float]:
    """``env.step(action)`` with its CPU time measured and a wall-clock hang guard.

    Returns:
        The step's result and the CPU seconds it took.

    Raises:
        AssertionError: the step raised (anything but :class:`~cauarena.errors.InvalidAction`), hung past
            ``hang_limit`` wall seconds, or took more than ``cpu_limit`` CPU seconds.
    """
    start = time.process_time()
    try:
        with hang_guard(hang_limit):
            result = env.step(action)
    except InvalidAction:
        return None, time.process_time() - start
    except Exception as exc:  # noqa: BLE001  (any exception is the failure being checked)
        raise AssertionError(
            f"step({safe_repr(action)}) raised {type(exc).__name__}: {str(exc)[:200]}. Fix: refuse the action as "
            "invalid (bounded size, no recursion, no user methods called) with feedback; see cauarena.envs._actions."
        ) from exc
    spent = time.process_time() - start
    if spent > cpu_limit:
        raise AssertionError(
            f"step({safe_repr(action)}) took {spent:.2f} s of CPU (limit {cpu_limit:g} s). Fix: bound the action's "
            "size before parsing it and parse in linear time."
        )
    return result, spent


def check_hostile_actions(env: Any, actions: Sequence[Any] | None = None, *, seed: int = 0,
                          cpu_limit: float = 1.0) -> float:
    """Every hostile action is answered (feedback or ``InvalidAction``) within ``cpu_limit`` CPU seconds.

    Works on single-agent envs and on PettingZoo ``ParallelEnv`` games (each live agent gets the action, then
    the bare action is passed as the whole ``actions`` argument).

    Returns:
        The slowest step's CPU seconds.
    """
    multi = hasattr(env, "possible_agents")
    actions = hostile_actions(None if multi else env.action_space) if actions is None else actions
    env.reset(seed=seed)
    slowest = 0.0
    for action in actions:
        for sent in ([{agent: action for agent in env.agents}, action] if multi else [action]):
            result, spent = timed_step(env, sent, cpu_limit=cpu_limit)
            slowest = max(slowest, spent)
            if result is None or _answered(env, result, multi, sent):
                env.reset(seed=seed)
    return slowest


def _answered(env: Any, result: tuple[Any, ...], multi: bool, action: Any) -> bool:
    """Check one hostile step's answer; True when the episode ended (the caller resets)."""
    observation, _, terminated, truncated, info = result
    if not multi:
        check_info(info, f"step({safe_repr(action)})")
        if info["invalid_action"] and info.get("feedback", "") not in observation_text(observation):
            raise AssertionError(f"step({safe_repr(action)}): the feedback is not in the next observation.")
        if observation not in env.observation_space:
            raise AssertionError(f"step({safe_repr(action)}) returned an observation outside the observation space.")
        return bool(terminated or truncated)
    for agent, agent_info in info.items():
        check_info(agent_info, f"step({safe_repr(action)})[{agent!r}]")
    return not env.agents or all(terminated.values()) or all(truncated.values())


def check_summary(summary: Any, where: str) -> None:
    """``episode_summary()`` returns ``{"success": bool, "metrics": {str: number}}`` (per agent for a game)."""
    parts = summary.values() if isinstance(summary, dict) and "success" not in summary else [summary]
    for part in parts:
        if not isinstance(part, dict) or not isinstance(part.get("success"), bool) or "metrics" not in part:
            raise AssertionError(
                f"{where}: episode_summary() must return {{'success': bool, 'metrics': {{...}}}} (per agent for a "
                f"multi-agent game), got {part!r:.200}. Fix: report the episode so far, as the final info would."
            )
        check_metrics(part["metrics"], f"{where}: episode_summary()")


def _sealed_keys(env: Any) -> tuple[str, ...]:
    unwrapped = getattr(env, "unwrapped", env)
    sealed = tuple(getattr(unwrapped, "sealed_info_keys", ()))
    if not {"success", "metrics"} <= set(sealed) or not callable(getattr(unwrapped, "episode_summary", None)):
        raise AssertionError(
            f"{type(unwrapped).__name__} must declare sealed_info_keys (with 'success' and 'metrics') and "
            f"episode_summary(); got sealed_info_keys={sealed!r}. Fix: list every truth or score key of the family."
        )
    return sealed


def random_action(env: Any, info: dict[str, Any], rng: np.random.Generator, agent: str | None = None) -> Any:
    """A random action: one of ``info["valid_actions"]`` (placeholders filled), else a sample of the space."""
    valid = info.get("valid_actions")
    if isinstance(valid, list) and valid and all(isinstance(v, str) for v in valid):
        choice = valid[int(rng.integers(len(valid)))]
        words = str(info.get("mission") or "anything").split()[:6]
        return choice.replace("<keywords>", " ".join(words))
    space = env.action_space(agent) if agent is not None else env.action_space
    return space.sample()


def check_sealed_episode(env: Any, *, seed: int = 0, max_steps: int = 2000) -> int:
    """Play one random episode: no sealed key before the ending step, ``success`` on it, a summary at every step.

    At the end ``episode_summary()`` must agree with the final info's ``success`` and ``metrics``.

    Returns:
        The number of steps the episode took.
    """
    sealed, multi = _sealed_keys(env), hasattr(env, "possible_agents")
    summary_of = getattr(env, "unwrapped", env).episode_summary
    rng = np.random.default_rng(seed)
    if not multi:
        env.action_space.seed(seed)
    _, info = env.reset(seed=seed)
    for agent, agent_info in (info.items() if multi else [(None, info)]):
        check_info(agent_info, f"reset()[{agent}]", final=False, sealed=sealed)
    for step in range(1, max_steps + 1):
        check_summary(summary_of(), f"before step {step}")
        if multi:
            actions = {a: random_action(env, info[a], rng, a) for a in env.agents}
            _, _, terminated, truncated, info = env.step(actions)
            ended = {a: bool(terminated.get(a) or truncated.get(a)) for a in info}
        else:
            _, _, term, trunc, info = env.step(random_action(env, info, rng))
            ended = {None: bool(term or trunc)}
        for agent, agent_info in (info.items() if multi else [(None, info)]):
            check_info(agent_info, f"step {step}[{agent}]", final=ended[agent], sealed=sealed)
        if all(ended.values()):
            _check_final_summary(summary_of(), info, multi)
            return step
    raise AssertionError(f"a random agent's episode did not end within {max_steps} steps. Fix: a step limit.")


def _check_final_summary(summary: Any, info: dict[str, Any], multi: bool) -> None:
    check_summary(summary, "after the end")
    pairs = [(summary[a], info[a]) for a in info] if multi else [(summary, info)]
    for part, final in pairs:
        if part["success"] != final["success"] or json.dumps(part["metrics"], sort_keys=True) != json.dumps(
            final.get("metrics", {}), sort_keys=True
        ):
            raise AssertionError(
                f"episode_summary() after the end ({part!r:.200}) disagrees with the final info's success/metrics "
                f"({final.get('success')!r}, {final.get('metrics')!r:.200}). Fix: build both from one function."
            )
