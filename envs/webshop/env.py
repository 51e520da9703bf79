"""``WebShopEnv``: WebShop's search-and-buy task on a generated catalog, fully offline."""

from __future__ import annotations

import string
from typing import Any

import gymnasium as gym
from gymnasium import spaces

from cauarena.envs.webshop.actions import read_action, shown
from cauarena.envs.webshop.catalog import MAX_PRODUCTS, MIN_PRODUCTS, load_catalog
from cauarena.envs.webshop.instructions import SPLITS, Goal, make_goal, split_targets
from cauarena.envs.webshop.pages import Page, click, clickables, render, valid_actions
from cauarena.envs.webshop.reward import Score, potential, score_purchase
from cauarena.errors import ConfigError

OBSERVATION_MAX_LENGTH = 16384
"""Longest observation (a results page is ~1,800 characters, feedback at most ~1,200 more)."""

ACTION_MAX_LENGTH = 512
"""Longest string in the action space; strings up to ``REPLY_MAX_LENGTH`` (16,384) are still parsed."""

_PRINTABLE = string.printable


class WebShopEnv(gym.Env):
    """WebShop (Yao et al., 2022): read a shopping instruction, search the catalog, pick a product and options, buy.

    ## Description

    A text-mode WebShop on a generated catalog (:mod:`~cauarena.envs.webshop.catalog`: 5 categories, 68 product
    types, attributes, option groups, prices, descriptions, bullet points, reviews, and near-duplicate decoys).
    Each reset draws an instruction from the seed (:mod:`~cauarena.envs.webshop.instructions`), e.g.
    ``i need shampoo that is sulfate free and long lasting with volume: 8 fl oz, and scent: lavender, and price
    lower than 30.00 dollars``. Registered as ``cauarena/WebShop-v0``.

    ## Action Space

    ``Text(max_length=512, charset=string.printable)``. Two actions, as WebShop: ``search[keywords]`` (only on
    the search page) and ``click[value]`` where value is a lower-cased button text (``back to search``,
    ``next >``, ``< prev``, ``description``, ``features``, ``reviews``, ``attributes``, ``buy now``), a
    lower-cased ASIN on a results page, or an option value on an item page. Parsing
    (:func:`~cauarena.envs.webshop.actions.parse_action`) ignores case, extra spaces and a final full stop, and
    reads a ReAct reply after its last ``Action:``; text up to 16,384 characters (``REPLY_MAX_LENGTH``) is read.
    Anything else, including longer text and non-strings (``None``, bytes, arrays, objects whose methods raise),
    is an **invalid action**: a no-op step that still counts towards ``max_steps``, reward 0,
    ``info["invalid_action"] = True``, and the next observation ends with the line ``Invalid action "<action>":
    <reason>. Valid actions: ...``. ``step`` never raises on a malformed action, whatever its type or size.

    ## Observation Space

    ``Text(max_length=16384, charset=string.printable)``: the page's visible strings joined by `` [SEP] ``
    (WebShop's ``text`` mode), e.g. a results page::

        Instruction: [SEP] i need ... dollars [SEP] Back to Search [SEP] Page 1 (Total results: 50) [SEP]
        Next > [SEP] B0K3J9Q2ZD [SEP] Lumora Premium Sulfate Free Shampoo - Long Lasting, Vegan [SEP] $17.99 ...

    An item page lists each option group and its values, the title, price, rating, the sub-page buttons and
    ``Buy Now``, then one ``You have clicked <value>.`` per selected option. After ``click[buy now]`` the
    observation shows the purchase and its score.

    ## Rewards

    0 on every step except the purchase, which gets WebShop's reward
    (:func:`~cauarena.envs.webshop.reward.score_purchase`):
    ``r_type * (matched attributes + matched options + 1[price <= limit]) / (attributes + options + 1)``.

    ## Episode End

    Terminated by ``click[buy now]`` (success iff the reward is 1.0); truncated after ``max_steps`` steps
    (invalid ones included) without a purchase.

    The ``info`` dict of ``reset`` and every ``step`` (JSON-safe): ``valid_actions`` (``search[<keywords>]`` on
    the search page, else every ``click[value]`` of the page), ``instruction`` and ``mission`` (the same text),
    ``page``, ``invalid_action``, ``feedback`` (``""`` when none), ``split``, ``goal_seed``, ``step`` and
    ``max_steps``. Only on the step that ends the episode (:attr:`sealed_info_keys`; :meth:`episode_summary`
    gives them for the episode so far): ``success`` (reward 1.0 on purchase), ``metrics`` (``reward``;
    ``progress``, AgentBoard-style: the mean of the best reward a visited results page promised, the best reward
    of a visited item with its selected options, and the purchase reward; ``r_type``, ``r_attribute``,
    ``r_option``, ``r_price`` of the purchase, 0 before it; ``searches``).

    ## Arguments

    ```python
    import cauarena
    env = cauarena.make("cauarena/WebShop-v0", num_products=1000, split="test", max_steps=50)
    ```

    - ``num_products``: catalog size, 20 to 200,000 (benchmarked at 100, 1k, 10k, 100k). 1,000 by default, as
      WebShop's code and AgentGym. A catalog and its BM25 index are built once per process and size (1k: 0.4 s;
      100k: ~12 s).
    - ``split``: ``train``, ``eval`` or ``test`` (default): which targets instructions are drawn for.
    - ``max_steps``: step limit (default 50, as AgentBoard).
    - ``catalog_seed``: the catalog's seed (default 0).
    - ``render_mode``: ``None`` or ``"ansi"``.

    ``reset(seed=s)`` plays instruction ``s`` of the split (the same ``s`` always gives the same instruction);
    ``reset()`` without a seed draws one. Privileged access for oracles and tests: :attr:`goal`, :attr:`page`,
    :attr:`catalog`.

    ## Fidelity

    See FIDELITY.md (WebShop): same pages, buttons, action grammar, top-50/10-per-page search, BM25 parameters,
    reward formula, price-limit rule and 233 split shuffle; a generated catalog instead of 1.18M scraped
    products, a fixed noun lexicon instead of spaCy, no stemming in search, feedback on invalid actions, and
    ``You have clicked`` lines on the item page.

    ## Version History

    - v0: initial release.
    """

    metadata = {"render_modes": ["ansi"], "render_fps": 4}
    sealed_info_keys: tuple[str, ...] = ("success", "metrics")
    """Info keys present only on the step that ends the episode."""

    def __init__(
        self,
        num_products: int = 1000,
        split: str = "test",
        max_steps: int = 50,
        catalog_seed: int = 0,
        render_mode: str | None = None,
    ) -> None:
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ConfigError(f"render_mode must be None or 'ansi', got {render_mode!r}.")
        if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1:
            raise ConfigError(f"max_steps must be an int >= 1, got {max_steps!r}.")
        if split not in SPLITS:
            raise ConfigError(f"split must be one of {', '.join(SPLITS)}; got {split!r}.")
        if isinstance(num_products, bool) or not isinstance(num_products, int) or not (
            MIN_PRODUCTS <= num_products <= MAX_PRODUCTS
        ):
            raise ConfigError(f"num_products must be an int in [{MIN_PRODUCTS}, {MAX_PRODUCTS}]; got {num_products!r}.")
        self.num_products, self.split, self.max_steps = num_products, split, max_steps
        self.render_mode = render_mode
        self.catalog = load_catalog(num_products, catalog_seed)
        self.engine = self.catalog.search_engine()
        split_targets(self.catalog, split)
        self.observation_space = spaces.Text(max_length=OBSERVATION_MAX_LENGTH, charset=_PRINTABLE)
        self.action_space = spaces.Text(max_length=ACTION_MAX_LENGTH, charset=_PRINTABLE)
        self.goal: Goal | None = None
        self.page = Page()
        self._text = ""
        self._reset_counters()

    def _reset_counters(self) -> None:
        self.steps = self.searches = 0
        self.purchase: Score | None = None
        self._best_search = self._best_item = 0.0
        self._potentials: dict[int, float] = {}

    @property
    def _goal(self) -> Goal:
        if self.goal is None:
            raise gym.error.ResetNeeded("Cannot call step() before reset(); call env.reset(seed=...) first.")
        return self.goal

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[str, dict]:
        """Start an episode; the observation and ``info`` are described in the class docstring."""
        super().reset(seed=seed)
        goal_seed = seed if seed is not None else int(self.np_random.integers(2**31 - 1))
        self.goal = make_goal(self.catalog, self.split, goal_seed)
        self.page = Page()
        self._reset_counters()
        return self._observe(""), self._info(False, "")

    def step(self, action: Any) -> tuple[str, float, bool, bool, dict]:
        """Play ``action``; a malformed one is answered in the observation (see the class docstring)."""
        self._goal  # noqa: B018  (raises ResetNeeded before the first reset)
        self.steps += 1
        reason = self._apply(action)
        feedback = ""
        if reason:
            listed = ", ".join(valid_actions(self.page, self.catalog)) or "none (the episode is over; reset)"
            feedback = f'Invalid action "{shown(action)}": {reason}. Valid actions: {listed}.'
        terminated = self.page.kind == "done"
        reward = self.purchase.reward if (terminated and not reason and self.purchase) else 0.0
        truncated = not terminated and self.steps >= self.max_steps
        info = self._info(bool(reason), feedback)
        if terminated or truncated:
            info.update(self.episode_summary())
        return self._observe(feedback), float(reward), terminated, truncated, info

    def episode_summary(self) -> dict[str, Any]:
        """``{"success", "metrics"}`` for the episode so far (what the final info would say if it ended now)."""
        self._goal  # noqa: B018  (raises ResetNeeded before the first reset)
        success = bool(self.purchase is not None and self.purchase.reward >= 1.0 - 1e-9)
        return {"success": success, "metrics": self._metrics()}

    def _apply(self, action: Any) -> str:
        """Carry out ``action``; return why it is invalid (``""`` when it was carried out)."""
        if self.page.kind == "done":
            return "the purchase is done and the episode is over"
        parsed, reason = read_action(action)
        if parsed is None:
            return reason or "expected search[keywords] or click[value]"
        verb, argument = parsed
        if verb == "search":
            if self.page.kind != "search":
                return "there is no search box on this page (click[back to search] first)"
            self.searches += 1
            self.page = Page(kind="results", keywords=argument, results=tuple(self.engine.search(argument)))
        else:
            if argument not in clickables(self.page, self.catalog):
                where = "the search page has only the search box" if self.page.kind == "search" else "not on this page"
                return f'"{shown(argument)}" cannot be clicked ({where})'
            self.page = click(self.page, argument, self.catalog)
        self._track_progress()
        return ""

    def _potential(self, index: int) -> float:
        if index not in self._potentials:
            self._potentials[index] = potential(self.catalog.products[index], self._goal)
        return self._potentials[index]

    def _track_progress(self) -> None:
        page, goal = self.page, self._goal
        if page.kind == "results" and page.listed:
            self._best_search = max(self._best_search, max(self._potential(i) for i in page.listed))
        elif page.kind in ("item", "done"):
            score = score_purchase(self.catalog.products[page.product], page.selected_dict(), goal)
            self._best_item = max(self._best_item, score.reward)
            if page.kind == "done":
                self.purchase = score

    def render(self) -> str | None:
        """The current observation text in ``ansi`` mode; ``None`` otherwise."""
        return self._text if self.render_mode == "ansi" else None

    def _observe(self, feedback: str) -> str:
        reward = self.purchase.reward if self.purchase else 0.0
        text = render(self.page, self.catalog, self._goal.instruction, reward)
        self._text = f"{text}\n{feedback}" if feedback else text
        return self._text

    def _metrics(self) -> dict[str, float]:
        bought = self.purchase
        reward = bought.reward if bought else 0.0
        return {
            "reward": reward,
            "progress": (self._best_search + self._best_item + reward) / 3.0,
            "r_type": bought.r_type if bought else 0.0,
            "r_attribute": bought.r_attribute if bought else 0.0,
            "r_option": bought.r_option if bought else 0.0,
            "r_price": bought.r_price if bought else 0.0,
            "searches": float(self.searches),
        }

    def _info(self, invalid: bool, feedback: str) -> dict[str, Any]:
        goal = self._goal
        return {
            "valid_actions": valid_actions(self.page, self.catalog),
            "instruction": goal.instruction,
            "mission": goal.instruction,
            "page": self.page.kind,
            "invalid_action": invalid,
            "feedback": feedback,
            "split": self.split,
            "goal_seed": int(goal.seed),
            "step": self.steps,
            "max_steps": self.max_steps,
        }

