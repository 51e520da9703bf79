"""Oracle roll-outs on BabyAI-Text and WebShop, and degraded variants, so that efficiency is something to learn.

A roll-out's :class:`Style` sets three independent things:

- ``thought``: how each reply is written: the bare action (``none``), a short ReAct thought
  (``Thought: I turn left.`` + ``Action: ...``) or a verbose one (the mission restated, what is seen, a
  justification: ~30 words);
- ``habit``: a systematic detour. BabyAI: look around first (four ``turn left``: back where it started, 4 steps
  wasted). WebShop: read the ``description`` and ``features`` of the product before choosing options (4 steps);
- ``sloppy``: BabyAI: a random move instead of the expert's with probability 0.25 (DART-style noise); WebShop: buy
  before selecting the last goal option (a partial reward).

Experts: minigrid's BabyAIBot in advising mode (:class:`~cauarena.learners.tinylm.data.BotAdvisor`, replanning
from whatever was taken) on ``BabyAI-GoToLocal``, and the WebShop ``oracle`` buyer. Each step records the
observation, the prompt-visible info, the action taken and both thoughts, so the same roll-out can be written in
any thought style (DEPO shortens the thoughts of desirable trajectories).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from cauarena.errors import ConfigError
from cauarena.learners.tinylm.data import prompt_info

ThoughtStyle = Literal["none", "short", "verbose"]

ENV_IDS: dict[str, str] = {"babyai": "cauarena/BabyAI-GoToLocal-Text-v0", "webshop": "cauarena/WebShop-v0"}
"""The env each DEPO experiment plays."""

LOOK_AROUND = ("turn left",) * 4
"""BabyAI's detour habit: a full turn on the spot before moving."""

WEBSHOP_DETOUR = ("click[description]", "click[< prev]", "click[features]", "click[< prev]")
"""WebShop's detour habit: read two sub-pages of the product before choosing options."""

NOISE_PROB = 0.25
"""Per-step probability of a random move in a sloppy BabyAI roll-out."""


@dataclass(frozen=True)
class Style:
    """How a roll-out is played and written (see the module docstring)."""

    thought: ThoughtStyle = "none"
    habit: bool = False
    sloppy: bool = False


@dataclass(frozen=True)
class Step:
    """One step: what the agent saw, what it did, and the two ways to think it aloud.

    Attributes:
        observation: the observation text.
        info: the prompt-visible info (``mission``, ``valid_actions``).
        action: the action taken.
        short: a short thought (no ``Thought:`` prefix).
        verbose: a verbose thought.
    """

    observation: str
    info: Mapping[str, Any]
    action: str
    short: str
    verbose: str

    def reply(self, thought: ThoughtStyle) -> str:
        r"""The assistant reply in a thought style: the action, or ``Thought: ...`` then ``Action: ...``.

        >>> step = Step("obs", {}, "go forward", "I move ahead.", "My mission is long.")
        >>> step.reply("none"), step.reply("short")
        ('go forward', 'Thought: I move ahead.\nAction: go forward')
        """
        if thought == "none":
            return self.action
        return f"Thought: {self.short if thought == 'short' else self.verbose}\nAction: {self.action}"


@dataclass(frozen=True)
class Trajectory:
    """A finished roll-out.

    Attributes:
        env: ``babyai`` or ``webshop``.
        seed: the env seed.
        style: how it was played and is written.
        steps: the steps.
        reward: the episode return (BabyAI: ``1 - 0.9 steps / max_steps`` on success; WebShop: the purchase).
        success: the env's success flag.
    """

    env: str
    seed: int
    style: Style
    steps: tuple[Step, ...]
    reward: float
    success: bool

    @property
    def replies(self) -> list[str]:
        """The assistant replies, in the trajectory's thought style."""
        return [step.reply(self.style.thought) for step in self.steps]

    def with_thought(self, thought: ThoughtStyle) -> Trajectory:
        """The same roll-out written in another thought style."""
        return replace(self, style=replace(self.style, thought=thought))


_BABYAI_SHORT = {
    "turn left": "I turn left.", "turn right": "I turn right.", "go forward": "I move ahead.",
    "pick up": "I pick it up.", "drop": "I drop it.", "toggle": "I open it.",
}


def babyai_thoughts(observation: str, mission: str, action: str, looking: bool) -> tuple[str, str]:
    """The short and verbose thoughts of a BabyAI step."""
    seen = [line[len("You see ") :] for line in observation.splitlines() if line.startswith("You see ")]
    target = " ".join(mission.split()[-2:])  # "red ball" of "go to the red ball"
    sight = next((line for line in seen if target in line), seen[-1] if seen else "nothing but the floor")
    short = "I look around." if looking else _BABYAI_SHORT[action]
    reason = "to see everything around me first" if looking else "because it brings me closer to the goal"
    verbose = f"My mission is to {mission}. I see {sight}. I will {action} now {reason}, then look again."
    return short, verbose


def babyai_rollout(env: Any, seed: int, style: Style, rng: random.Random, max_steps: int = 64) -> Trajectory:
    """Play BabyAI-Text ``env`` from ``seed`` with the bot as expert, degraded as ``style`` says."""
    from cauarena.envs.babyai_text.actions import ACTION_NAMES
    from cauarena.learners.tinylm.data import BotAdvisor

    advisor = BotAdvisor(env.unwrapped.minigrid_env)
    observation, info = env.reset(seed=seed)
    planned = list(LOOK_AROUND) if style.habit else []
    steps: list[Step] = []
    taken: int | None = None
    total = 0.0
    for _ in range(max_steps):
        try:
            expert = advisor.advise(taken)
        except Exception:  # the bot asserts on states it cannot plan from: end the roll-out there
            break
        looking = bool(planned)
        if looking:
            action = planned.pop(0)
        elif expert is None or (style.sloppy and rng.random() < NOISE_PROB):
            action = rng.choice(("turn left", "turn right", "go forward"))
        else:
            action = ACTION_NAMES[expert]
        short, verbose = babyai_thoughts(observation, info["mission"], action, looking)
        steps.append(Step(observation, prompt_info(info), action, short, verbose))
        taken = ACTION_NAMES.index(action)
        observation, reward, terminated, truncated, info = env.step(action)
        total += float(reward)
        if terminated or truncated:
            break
    return Trajectory("babyai", seed, style, tuple(steps), total, bool(info.get("success")))


def webshop_thoughts(env: Any, action: str) -> tuple[str, str]:
    """The short and verbose thoughts of a WebShop step (written from the page and the instruction)."""
    goal, page = env.goal, env.page
    wanted = ", ".join(f"{group} {value}" for group, value in goal.options) or "no particular options"
    value = action[action.find("[") + 1 : -1]
    if action.startswith("search["):
        return ("I search for the product.",
                f"The instruction asks for {goal.keywords} with {wanted}, under the price limit. I will search "
                "with the main keywords and then compare the results carefully.")
    if value in ("description", "features"):
        return ("I check the details.",
                f"Before choosing I want to read the {value} of this product, to make sure it really matches "
                "the instruction.")
    if value in ("< prev", "back to search", "next >"):
        return "I go back." if value != "next >" else "No match here.", (
            "This page does not help me any more, so I will leave it and continue looking for the product "
            "that matches the instruction.")
    if page.kind == "results":
        return ("This product matches.",
                f"Reading the results, {value} looks like {goal.keywords} and its price is within the limit, so I "
                "will open it to check its options.")
    if value == "buy now":
        return ("Ready to buy.",
                "The product matches the instruction and the options I need are selected, and the price is below "
                "the limit, so I will buy it now.")
    return (f"I select {value}.",
            f"The instruction wants {wanted}. This item offers {value}, so I will click it before buying to match "
            "every requirement.")


def webshop_rollout(env: Any, seed: int, style: Style, rng: random.Random, max_steps: int = 30) -> Trajectory:
    """Play WebShop ``env`` from ``seed`` with the oracle buyer as expert, degraded as ``style`` says."""
    from cauarena.agents.webshop import WebShopOracle

    oracle = WebShopOracle()
    oracle.bind(env)
    observation, info = env.reset(seed=seed)
    oracle.reset(seed=seed, info=info)
    unwrapped = env.unwrapped
    planned: list[str] = []
    inspected: set[int] = set()
    steps: list[Step] = []
    total = 0.0
    for _ in range(max_steps):
        action = planned.pop(0) if planned else oracle.act(observation, info)
        page = unwrapped.page
        if style.habit and page.kind == "item" and not page.selected and page.product not in inspected:
            if action.startswith("click[") and action != "click[< prev]":
                inspected.add(page.product)
                planned = list(WEBSHOP_DETOUR[1:])
                action = WEBSHOP_DETOUR[0]
        if style.sloppy and page.kind == "item" and action not in ("click[< prev]", "click[buy now]"):
            unselected = {g for g, _ in unwrapped.goal.options} - set(page.selected_dict())
            if len(unselected) == 1 and not planned:
                action = "click[buy now]"
        short, verbose = webshop_thoughts(unwrapped, action)
        steps.append(Step(observation, prompt_info(info), action, short, verbose))
        observation, reward, terminated, truncated, info = env.step(action)
        total += float(reward)
        if terminated or truncated:
            break
    return Trajectory("webshop", seed, style, tuple(steps), total, bool(info.get("success")))


ROLLOUTS = {"babyai": babyai_rollout, "webshop": webshop_rollout}


def sample_style(rng: random.Random, thought_probs: tuple[float, float, float], habit_prob: float,
                 sloppy_prob: float) -> Style:
    """A random style: thought ``none``/``short``/``verbose`` by ``thought_probs``, habit and sloppiness."""
    thought = rng.choices(("none", "short", "verbose"), weights=thought_probs)[0]
    return Style(thought, rng.random() < habit_prob, rng.random() < sloppy_prob)  # type: ignore[arg-type]


def collect(env_name: str, seeds: range, styles_per_seed: int, rng: random.Random,
            thought_probs: tuple[float, float, float] = (0.3, 0.2, 0.5), habit_prob: float = 0.6,
            sloppy_prob: float = 0.15, env_kwargs: Mapping[str, Any] | None = None) -> list[Trajectory]:
    """Roll out every seed ``styles_per_seed`` times, each with a freshly sampled :class:`Style`.

    Raises:
        ConfigError: an unknown env name.
    """
    import cauarena

    if env_name not in ENV_IDS:
        raise ConfigError(f"env must be one of {', '.join(ENV_IDS)}; got {env_name!r}.")
    env = cauarena.make(ENV_IDS[env_name], **dict(env_kwargs or {}))
    play = ROLLOUTS[env_name]
    trajectories = [
        play(env, seed, sample_style(rng, thought_probs, habit_prob, sloppy_prob), rng)
        for seed in seeds for _ in range(styles_per_seed)
    ]
    env.close()
    return trajectories
