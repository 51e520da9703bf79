"""``BabyAITextEnv``: a minigrid BabyAI level behind a text observation and six action strings."""

from __future__ import annotations

from contextlib import redirect_stdout
from typing import Any

import gymnasium as gym
import minigrid  # noqa: F401  (registers the BabyAI-* ids that level names resolve through)
from gymnasium import spaces
from gymnasium.envs.registration import load_env_creator
from minigrid.envs.babyai.core.roomgrid_level import RoomGridLevel

from cauarena.envs.babyai_text.actions import (
    ACTION_NAMES,
    PRINTABLE,
    invalid_action_feedback,
    read_action,
)
from cauarena.envs.babyai_text.describe import describe_view
from cauarena.errors import ConfigError, NameNotFound

OBSERVATION_MAX_LENGTH = 8192
"""Longest observation text (the 48 visible cells of a 7x7 view plus a BossLevel mission fit in ~3,500)."""

ACTION_MAX_LENGTH = 512
"""Longest string in the action space; replies up to ``REPLY_MAX_LENGTH`` (16,384) are still parsed."""


class _Discard:
    """A write-only sink for minigrid's prints ("Sampling rejected: ..." during level generation)."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


_DISCARD = _Discard()


def babyai_levels() -> list[str]:
    """Every minigrid BabyAI level name (``GoToLocal``, ``BossLevel``, ...), sorted."""
    prefix, suffix = "BabyAI-", "-v0"
    return sorted(
        env_id[len(prefix) : -len(suffix)]
        for env_id in gym.registry
        if env_id.startswith(prefix) and env_id.endswith(suffix)
    )


def make_level(level: str, max_steps: int | None = None, level_kwargs: dict[str, Any] | None = None) -> Any:
    """Construct minigrid's ``BabyAI-<level>-v0`` class directly (no Gymnasium wrappers).

    Raises:
        NameNotFound: ``level`` is not a BabyAI level; the message lists close names.
        ConfigError: ``max_steps`` is not a positive int.
    """
    if not isinstance(level, str) or f"BabyAI-{level}-v0" not in gym.registry:
        raise NameNotFound(
            "BabyAI level",
            str(level),
            babyai_levels(),
            hint="Pass the level name without prefix or version, e.g. level='GoToLocal'.",
        )
    if max_steps is not None and (isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1):
        raise ConfigError(
            f"max_steps must be a positive int or None (minigrid's per-level default), got {max_steps!r}."
        )
    spec = gym.spec(f"BabyAI-{level}-v0")
    kwargs = {**spec.kwargs, **(level_kwargs or {})}
    if max_steps is not None:
        kwargs["max_steps"] = max_steps
    inner = load_env_creator(spec.entry_point)(**kwargs)
    if not isinstance(inner, RoomGridLevel):
        raise ConfigError(f"BabyAI-{level}-v0 is not a BabyAI RoomGridLevel; BabyAI-Text cannot wrap it.")
    return inner


class BabyAITextEnv(gym.Env):
    """BabyAI levels (minigrid) played through text: describe what you see, answer with an action string.

    ## Description

    Wraps minigrid's ``BabyAI-<Level>-v0`` (``GoToLocal``, ``PickupLoc``, ``GoTo``, ``PutNextLocal``,
    ``BossLevel``, ... any of minigrid's 96 BabyAI levels). The agent sees a 7x7 egocentric view and gets a
    mission in the BabyAI grammar ("go to the red ball", "put the blue key next to the grey box, then open
    a door"). Registered as ``cauarena/BabyAI-<Level>-Text-v0``.

    ## Action Space

    ``Text(max_length=512, charset=string.printable)``. Six action strings, minigrid actions 0-5:
    ``turn left``, ``turn right``, ``go forward``, ``pick up``, ``drop``, ``toggle``. Parsing is tolerant
    (see :func:`~cauarena.envs.babyai_text.actions.parse_action`): case, surrounding whitespace and
    punctuation, an ``Action:`` label, a ReAct reply (text after the last ``Action:``, else the last line),
    and a few aliases (``forward``, ``left``, ``pickup``, ``open``...). Text up to 16,384 characters
    (``REPLY_MAX_LENGTH``) is parsed. Anything else, including longer text and non-strings (ints, ``None``,
    bytes, arrays, objects whose methods raise...), is an **invalid action**: a no-op step (nothing moves,
    the step still counts towards ``max_steps``), reward 0, ``info["invalid_action"] = True``, and the next
    observation ends with
    ``Your last action "<action>" was not understood. Valid actions: turn left, turn right, go forward,
    pick up, drop, toggle.`` ``step`` never raises on a malformed action.

    ## Observation Space

    ``Text(max_length=8192, charset=string.printable)``: newline-separated lines, in this order:

    - ``Mission: <mission>``
    - ``You carry a <color> <type>`` (only when carrying something)
    - ``You see a wall N step(s) forward|left|right`` (only when the first non-empty cell on that line is a
      wall)
    - one line per visible object, column by column from the left, far to near:
      ``You see a <color> <type> N step(s) forward`` (same column), ``... N step(s) left|right`` (same row),
      ``... N step(s) left|right and M step(s) forward``; doors read ``a <open|closed|locked> <color> door``
    - after an invalid action, the feedback line above.

    "step" is singular when N = 1. Example (GoToLocal, ``reset(seed=1)``, first lines)::

        Mission: go to the purple box
        You see a wall 4 steps forward
        You see a red key 2 steps left and 1 step forward
        You see a grey box 2 steps left
        You see a purple box 1 step left and 1 step forward

    ## Rewards

    As minigrid: ``1 - 0.9 * step_count / max_steps`` on the step that completes the mission, else 0
    (invalid steps included).

    ## Episode End

    Terminated when the mission is verified complete (success) or fails (strict levels, e.g. picking up the
    wrong object); truncated when ``step_count`` reaches ``max_steps`` (minigrid's per-level value, e.g. 64
    on GoToLocal and 576 on GoTo/BossLevel, or the ``max_steps`` argument).

    The ``info`` dict of ``reset`` and every ``step`` (JSON-safe): ``valid_actions`` (the six strings),
    ``mission``, ``invalid_action`` (bool), ``feedback`` (the feedback line, ``""`` when none), ``level``
    and ``max_steps``. Only on the step that ends the episode (:attr:`sealed_info_keys`): ``success`` (bool:
    terminated with reward > 0) and ``metrics`` (``{"progression": 0.0|1.0}``, BALROG's progression);
    :meth:`episode_summary` gives both for the episode so far.

    ## Arguments

    ```python
    import cauarena
    env = cauarena.make("cauarena/BabyAI-GoToLocal-Text-v0", max_steps=None, render_mode="ansi")
    ```

    - ``level``: a minigrid BabyAI level name (set by the registered id).
    - ``max_steps``: fixed step limit; ``None`` keeps minigrid's per-level value.
    - ``level_kwargs``: extra constructor kwargs for the minigrid level (``room_size``, ``num_dists``...).
    - ``render_mode``: ``None`` or ``"ansi"`` (``render()`` returns the current observation text).

    Privileged access: :attr:`minigrid_env` is the inner minigrid level (the ``oracle`` agent plans on it).

    ## Fidelity

    Matches minigrid exactly in dynamics, level generation (same seed, same level), reward, termination and
    truncation: each valid action is one ``minigrid`` step. The text follows the published BabyAI-Text
    grammar (flowersteam ``gen_text_obs``), including its ordering and ``a open ... door``. Deviations:
    (1) the observation starts with a ``Mission:`` line and keeps the ``You see`` prefixes that BALROG strips;
    (2) an invalid action is a no-op here (as CauArena's contract asks) whereas BALROG maps it to
    ``go forward``; the no-op only advances minigrid's ``step_count`` and checks truncation: it does not call
    minigrid's ``done`` action, because ``RoomGridLevel.step`` runs the mission verifier on every action and
    a GoTo mission succeeds on *any* action taken while facing the target, so ``done`` could complete a
    mission; (3) minigrid's ``done`` action has no string (BabyAI levels end by themselves).

    ## Version History

    - v0: initial release (minigrid 3.x BabyAI levels, BabyAI-Text grammar).
    """

    metadata = {"render_modes": ["ansi"], "render_fps": 4}
    sealed_info_keys: tuple[str, ...] = ("success", "metrics")
    """Info keys present only on the step that ends the episode."""

    def __init__(
        self,
        level: str = "GoToLocal",
        max_steps: int | None = None,
        level_kwargs: dict[str, Any] | None = None,
        render_mode: str | None = None,
    ) -> None:
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ConfigError(f"render_mode must be None or 'ansi', got {render_mode!r}.")
        self.level = level
        self.render_mode = render_mode
        # Per instance, not class attributes: a Text space holds a random generator, and seeding one
        # env's space must not change another's samples.
        self.observation_space = spaces.Text(max_length=OBSERVATION_MAX_LENGTH, charset=PRINTABLE)
        self.action_space = spaces.Text(max_length=ACTION_MAX_LENGTH, charset=PRINTABLE)
        self._inner = make_level(level, max_steps, level_kwargs)
        self._lines: list[str] = []
        self._text = ""
        self._success = False

    @property
    def minigrid_env(self) -> Any:
        """The inner minigrid ``RoomGridLevel`` (privileged: for oracles and tests, not for agents)."""
        return self._inner

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[str, dict]:
        """Start an episode; the observation and ``info`` are described in the class docstring."""
        super().reset(seed=seed)
        with redirect_stdout(_DISCARD):
            obs, _ = self._inner.reset(seed=seed)
        self._success = False
        self._lines = describe_view(obs["image"], self._carrying())
        return self._observe(""), self._info(False, "")

    def step(self, action: Any) -> tuple[str, float, bool, bool, dict]:
        """Play ``action``; a malformed one is answered in the observation (see the class docstring)."""
        if not self._text:
            raise gym.error.ResetNeeded("Cannot call step() before reset(); call env.reset(seed=...) first.")
        index, reason = read_action(action)
        inner = self._inner
        if index is None:
            inner.step_count += 1  # a no-op that still counts (see the Fidelity section)
            reward, terminated, truncated = 0.0, False, inner.step_count >= inner.max_steps
            feedback = invalid_action_feedback(action, reason)
        else:
            with redirect_stdout(_DISCARD):
                obs, reward, terminated, truncated, _ = inner.step(index)
            reward = float(reward)
            self._success = self._success or (terminated and reward > 0)
            self._lines = describe_view(obs["image"], self._carrying())
            feedback = ""
        info = self._info(index is None, feedback)
        if terminated or truncated:
            info.update(self.episode_summary())
        return self._observe(feedback), reward, bool(terminated), bool(truncated), info

    def episode_summary(self) -> dict[str, Any]:
        """``{"success", "metrics"}`` for the episode so far (what the final info would say if it ended now)."""
        return {"success": bool(self._success), "metrics": {"progression": 1.0 if self._success else 0.0}}

    def render(self) -> str | None:
        """The current observation text in ``ansi`` mode; ``None`` when ``render_mode`` is ``None``."""
        return self._text if self.render_mode == "ansi" else None

    def close(self) -> None:
        """Release what the env holds."""
        self._inner.close()

    def _carrying(self) -> tuple[str, str] | None:
        carrying = self._inner.carrying
        return None if carrying is None else (carrying.color, carrying.type)

    def _observe(self, feedback: str) -> str:
        parts = [f"Mission: {self._inner.mission}", *self._lines]
        if feedback:
            parts.append(feedback)
        self._text = "\n".join(parts)
        return self._text

    def _info(self, invalid: bool, feedback: str) -> dict[str, Any]:
        return {
            "valid_actions": list(ACTION_NAMES),
            "mission": str(self._inner.mission),
            "invalid_action": invalid,
            "feedback": feedback,
            "level": self.level,
            "max_steps": int(self._inner.max_steps),
        }
