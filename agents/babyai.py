"""Scripted BabyAI-Text agents: ``BabyAIOracle`` (minigrid's BabyAIBot) and ``BabyAIHeuristic`` (text only)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from cauarena.agents.base import SeededAgent
from cauarena.envs.babyai_text.actions import ACTION_NAMES
from cauarena.errors import ConfigError


class BabyAIOracle:
    """minigrid's ``BabyAIBot`` replanning every step on the env's inner minigrid level (privileged).

    ``bind(env)`` keeps the BabyAI-Text env (``env.unwrapped.minigrid_env`` is the inner level); the bot is
    built at the first ``act`` after each ``reset`` (the bot parses the mission when constructed, so it must
    see the freshly reset level), then ``replan(last_action)`` runs on every step.

    Failure modes, none hidden:

    - the bot suggests ``done`` (it believes the mission complete, yet the episode goes on): it is rebuilt
      once from the current state; if it still says ``done``, the oracle answers ``turn left`` (harmless and
      it changes the view) and rebuilds it again on the next step;
    - the bot raises (``DisappearedBoxError`` when a box was opened, or a bug on an unsupported level): the
      exception propagates, and the runner records the episode as ``agent_error``;
    - the bot can loop forever on some levels/seeds (GoToImpUnlock seed 6, UnlockToUnlock): this class adds
      no loop of its own; the runner's wall-clock timeout ends such an episode.
    """

    def __init__(self) -> None:
        self._env: Any = None
        self._bot: Any = None
        self._last_action: int | None = None

    def bind(self, env: Any) -> None:
        """Keep ``env.unwrapped``; it must expose ``minigrid_env`` (any ``cauarena/BabyAI-*-Text-v0``)."""
        unwrapped = getattr(env, "unwrapped", env)
        if not hasattr(unwrapped, "minigrid_env"):
            raise ConfigError(
                f"BabyAIOracle needs a BabyAI-Text env (cauarena/BabyAI-<Level>-Text-v0) whose unwrapped env "
                f"has `minigrid_env`; got {type(unwrapped).__name__}. Fix: use the oracle on babyai envs only."
            )
        self._env = unwrapped

    def reset(self, *, seed: int | None = None, info: dict[str, Any] | None = None) -> None:
        """Start an episode (the Agent protocol); ``info`` is the env's reset info."""
        self._bot = None
        self._last_action = None

    def act(self, observation: Any, info: dict[str, Any]) -> str:
        """The next action for ``observation`` (the Agent protocol)."""
        if self._env is None:
            raise ConfigError("BabyAIOracle.act called before bind(env). Fix: call agent.bind(env) once.")
        action = self._replan()
        if action == 6:  # "done": replan from scratch once
            self._bot = None
            action = self._replan()
        if action == 6:
            self._bot = None
            action = 0
        self._last_action = int(action)
        return ACTION_NAMES[self._last_action]

    def _replan(self) -> int:
        if self._bot is None:
            from minigrid.utils.baby_ai_bot import BabyAIBot

            self._bot = BabyAIBot(self._env.minigrid_env)
            return int(self._bot.replan())
        return int(self._bot.replan(self._last_action))


_COLORS = "red|green|blue|purple|yellow|grey"
_LOCS = "in front of you|behind you|on your left|on your right"
_DESC = rf"(?:the|a) (?:({_COLORS}) )?(ball|box|key|door|object)(?: ({_LOCS}))?"
_CLAUSES = (
    ("putnext", re.compile(rf"put {_DESC} next to {_DESC}")),
    ("pickup", re.compile(rf"pick up {_DESC}")),
    ("goto", re.compile(rf"go to {_DESC}")),
    ("open", re.compile(rf"open {_DESC}")),
)
_SEEN = re.compile(
    r"You see an? (?:(open|closed|locked) )?(\w+) (\w+) (\d+) steps? (left|right|forward)"
    r"(?: and (\d+) steps? forward)?$"
)
_WALL = re.compile(r"You see a wall (\d+) steps? (forward|left|right)$")
_CARRY = re.compile(r"You carry an? (\w+) (\w+)$")
_LOC_TURNS = {"on your left": ["turn left"], "on your right": ["turn right"], "behind you": ["turn left"] * 2}


@dataclass(frozen=True)
class Desc:
    """An object description from a mission: ``color`` may be None, ``kind`` ``object`` matches any."""

    color: str | None
    kind: str
    loc: str | None = None

    def matches(self, color: str, kind: str) -> bool:
        """Whether a ``color`` ``kind`` seen in the room fits this description (``object`` fits anything but a door)."""
        if self.kind == "object":
            return kind != "door" and self.color in (None, color)
        return kind == self.kind and self.color in (None, color)


@dataclass
class Seen:
    """A visible object: ``dx`` columns to the right (negative: left), ``dy`` rows ahead."""

    state: str | None
    color: str
    kind: str
    dx: int
    dy: int


@dataclass
class View:
    """What one BabyAI-Text observation says."""

    mission: str = ""
    carrying: tuple[str, str] | None = None
    walls: dict[str, int] = field(default_factory=dict)
    objects: list[Seen] = field(default_factory=list)

    def at(self, dx: int, dy: int) -> Seen | None:
        """The object seen ``dx`` right and ``dy`` ahead of the agent, if any."""
        return next((o for o in self.objects if o.dx == dx and o.dy == dy), None)

    @property
    def front_free(self) -> bool:
        """Whether the agent can step forward (no wall, no closed object ahead)."""
        front = self.at(0, 1)
        return self.walls.get("forward") != 1 and (front is None or front.state == "open")


def parse_view(observation: str) -> View:
    """Read a BabyAI-Text observation back into a :class:`View`."""
    view = View()
    for line in observation.splitlines():
        if line.startswith("Mission: "):
            view.mission = line[len("Mission: ") :]
        elif match := _SEEN.match(line):
            state, color, kind, n, direction, forward = match.groups()
            n = int(n)
            dx = -n if direction == "left" else n if direction == "right" else 0
            dy = n if direction == "forward" else int(forward or 0)
            view.objects.append(Seen(state, color, kind, dx, dy))
        elif match := _WALL.match(line):
            view.walls[match.group(2)] = int(match.group(1))
        elif match := _CARRY.match(line):
            view.carrying = (match.group(1), match.group(2))
    return view


def parse_mission(mission: str) -> tuple[str, list[Desc]] | None:
    """The first clause to do (``"A after you B"`` does B first) as ``(verb, [descriptions])``.

    >>> parse_mission("put the red ball next to a key")
    ('putnext', [Desc(color='red', kind='ball', loc=None), Desc(color=None, kind='key', loc=None)])
    >>> parse_mission("pick up a box after you go to the grey door")
    ('goto', [Desc(color='grey', kind='door', loc=None)])
    """
    if " after you " in mission:
        mission = mission.split(" after you ", 1)[1]
    mission = re.split(r", then | and |, ", mission, maxsplit=1)[0]
    for verb, pattern in _CLAUSES:
        if match := pattern.search(mission):
            groups = match.groups()
            return verb, [Desc(*groups[i : i + 3]) for i in range(0, len(groups), 3)]
    return None


class BabyAIHeuristic(SeededAgent):
    """A non-privileged baseline that reads only the text observation.

    It parses the mission's first clause (``go to``, ``pick up``, ``put ... next to``, ``open``), walks to the
    nearest visible matching object (forward until level with it, then turn towards it), and acts when the
    object is right in front: ``pick up``, ``toggle``, ``drop`` (next to the target), or for ``go to`` nothing
    more is needed (BabyAI verifies "go to" when the agent faces the object). With nothing to walk to it
    explores: forward when the way is free (toggling closed doors), else a random turn, plus an occasional
    random turn (seeded). It never undoes its previous turn (that loops when both ways are blocked).
    Compound BossLevel missions beyond the first clause are not planned.
    """

    def __init__(self, explore_turn_prob: float = 0.15) -> None:
        super().__init__()
        if not 0.0 <= explore_turn_prob <= 1.0:
            raise ConfigError(f"explore_turn_prob must be in [0, 1], got {explore_turn_prob!r}.")
        self.explore_turn_prob = explore_turn_prob
        self._mission: str | None = None
        self._plan: tuple[str, list[Desc]] | None = None
        self._queue: list[str] = []
        self._last = ""

    def reset(self, *, seed: int | None = None, info: dict[str, Any] | None = None) -> None:
        """Start an episode (the Agent protocol); ``info`` is the env's reset info."""
        super().reset(seed=seed, info=info)
        self._mission, self._plan, self._queue = None, None, []
        self._last = ""

    def act(self, observation: Any, info: dict[str, Any]) -> str:
        """The next action for ``observation`` (the Agent protocol)."""
        view = parse_view(observation if isinstance(observation, str) else "")
        action = self._choose(view)
        if {action, self._last} == {"turn left", "turn right"}:  # never undo the last turn: it loops
            action = "go forward" if view.front_free else self._last
        self._last = action
        return action

    def _choose(self, view: View) -> str:
        if view.mission != self._mission:
            self._mission, self._plan = view.mission, parse_mission(view.mission)
            loc = self._plan[1][0].loc if self._plan else None
            self._queue = list(_LOC_TURNS.get(loc, []))
        if self._queue:
            return self._queue.pop(0)
        if self._plan is None:
            return self._explore(view)
        verb, descs = self._plan
        if verb == "putnext":
            return self._put_next(view, descs[0], descs[1])
        if verb == "pickup":
            return self._pick_up(view, descs[0])
        target = self._nearest(view, descs[0])
        if target is None:
            return self._explore(view)
        if (target.dx, target.dy) == (0, 1):
            return "toggle" if verb == "open" else "drop"  # "drop" onto an occupied cell is a no-op step
        return self._walk_to(view, target, 1)

    def _pick_up(self, view: View, desc: Desc) -> str:
        if view.carrying is not None and not desc.matches(*view.carrying):
            return "drop" if view.front_free else self._turn()
        target = self._nearest(view, desc, doors=False)
        if target is None:
            return self._explore(view)
        if (target.dx, target.dy) == (0, 1):
            return "pick up"
        return self._walk_to(view, target, 1)

    def _put_next(self, view: View, move: Desc, fixed: Desc) -> str:
        if view.carrying is None or not move.matches(*view.carrying):
            return self._pick_up(view, move)
        target = self._nearest(view, fixed)
        if target is None:
            return self._explore(view)
        if view.front_free and view.at(0, 1) is None and (target.dx, target.dy) in ((0, 2), (-1, 1), (1, 1)):
            return "drop"  # the dropped object lands in front, next to the target
        return self._walk_to(view, target, 2)

    def _nearest(self, view: View, desc: Desc, doors: bool = True) -> Seen | None:
        matching = [o for o in view.objects if desc.matches(o.color, o.kind) and (doors or o.kind != "door")]
        return min(matching, key=lambda o: (abs(o.dx) + o.dy, o.dy), default=None)

    def _walk_to(self, view: View, target: Seen, distance: int) -> str:
        if target.dx == 0:
            if target.dy > distance:
                return "go forward" if view.front_free else self._turn()
            return self._turn()  # too close (put next): turn away and look again
        toward = "turn left" if target.dx < 0 else "turn right"
        if target.dy == 0:
            return toward
        return "go forward" if view.front_free else toward

    def _explore(self, view: View) -> str:
        front = view.at(0, 1)
        if front is not None and front.kind == "door" and front.state == "closed":
            return "toggle"
        if view.front_free and self.rng.random() >= self.explore_turn_prob:
            return "go forward"
        return self._turn()

    def _turn(self) -> str:
        return "turn left" if self.rng.random() < 0.5 else "turn right"
