"""The scripted WebShop buyer ``WebShopOracle`` (privileged) and the ``webshop`` chat prompt and parser."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from cauarena.agents.llm.parsing import ActionParser, register_parser
from cauarena.agents.llm.prompts import PromptTemplate, register_prompt
from cauarena.errors import ConfigError

MAX_RESULT_PAGES = 5
"""Results pages the oracle reads before it searches again (WebShop shows 5 pages of 10)."""


class WebShopOracle:
    """Buys a product with reward 1: searches, reads results with the goal in hand, selects options, buys.

    Privileged: ``bind(env)`` keeps the unwrapped :class:`~cauarena.envs.webshop.WebShopEnv`, whose goal it
    reads. Plan, one action per step:

    1. ``search[<goal keywords>]`` (the instruction's attributes and product noun, as a person would type);
    2. on each results page, click the first product that reaches reward 1 with the goal's options
       (:func:`~cauarena.envs.webshop.reward.potential`); else ``next >``, up to 5 pages; after that, back to
       search with the target's full title (the fallback; never needed on the generated test instructions);
    3. on the item page, click each goal option value not yet selected, then ``buy now``;
    4. on a sub-page, ``< prev``.

    Example:
        >>> import cauarena
        >>> env = cauarena.make("cauarena/WebShop-v0", num_products=100)
        >>> oracle = WebShopOracle()
        >>> oracle.bind(env)
        >>> obs, info = env.reset(seed=0)
        >>> oracle.reset(seed=0, info=info)
        >>> oracle.act(obs, info).startswith("search[")
        True
    """

    def __init__(self) -> None:
        self._env: Any = None
        self._fallback = False

    def bind(self, env: Any) -> None:
        """Keep ``env.unwrapped``; it must be a WebShop env (it has ``goal``, ``page`` and ``catalog``)."""
        unwrapped = getattr(env, "unwrapped", env)
        if not all(hasattr(unwrapped, name) for name in ("goal", "page", "catalog")):
            raise ConfigError(
                f"WebShopOracle needs cauarena/WebShop-v0 (an env with goal, page and catalog); got "
                f"{type(unwrapped).__name__}. Fix: use the oracle on webshop envs only."
            )
        self._env = unwrapped

    def reset(self, *, seed: int | None = None, info: dict[str, Any] | None = None) -> None:
        """Start an episode (the Agent protocol); ``info`` is the env's reset info."""
        self._fallback = False

    def act(self, observation: Any, info: dict[str, Any]) -> str:
        """The next action for ``observation`` (the Agent protocol)."""
        from cauarena.envs.webshop.reward import best_options, potential

        env = self._env
        if env is None:
            raise ConfigError("WebShopOracle.act called before bind(env). Fix: call agent.bind(env) once.")
        page, goal, products = env.page, env.goal, env.catalog.products
        if page.kind == "search":
            keywords = goal.name.lower() if self._fallback else goal.keywords
            return f"search[{keywords}]"
        if page.kind == "results":
            for index in page.listed:
                if potential(products[index], goal) >= 1.0:
                    return f"click[{products[index].asin.lower()}]"
            if page.number < min(page.last_page, MAX_RESULT_PAGES):
                return "click[next >]"
            self._fallback = True
            return "click[back to search]"
        if page.kind == "item":
            product = products[page.product]
            if potential(product, goal) < 1.0:
                return "click[< prev]"
            selected = page.selected_dict()
            for group, value in best_options(product, goal).items():
                if selected.get(group) != value:
                    return f"click[{value}]"
            return "click[buy now]"
        return "click[< prev]"


_ACTION_IN_TEXT = re.compile(r"(?:search|click)\s*\[[^\]\n]*\]", re.IGNORECASE)


class WebShopParser(ActionParser):
    r"""The ``webshop`` reply parser: a listed action, else the last ``search[...]``/``click[...]`` in the reply.

    Free search keywords are never in the list, so ``search[...]`` is read from the reply; a reply with
    neither goes to the env as it is (the env answers it as invalid).

    >>> parser = WebShopParser()
    >>> parser("Thought: buy it.\nAction: click[Buy Now]", {"valid_actions": ["click[buy now]"]})
    'click[buy now]'
    >>> parser("Action: search[red shampoo]", {"valid_actions": ["search[<keywords>]"]})
    'search[red shampoo]'
    """

    def __call__(self, text: str, info: Mapping[str, Any] | None) -> str:
        """The action in the reply ``text`` (the parser protocol: ``parser(reply, info) -> action``)."""
        action = super().__call__(text, info)
        if action in ((info or {}).get("valid_actions") or ()):
            return action
        found = _ACTION_IN_TEXT.findall(text)
        return found[-1].strip() if found else action


WEBSHOP_PROMPT = PromptTemplate(
    name="webshop",
    system=(
        "You are shopping on WebShop for the instruction you are given. Each turn you read the page (strings "
        "separated by [SEP]) and the actions you may take. Use search[keywords] on the search page and "
        "click[value] to click a button, a product id or an option. Buy the product that matches the instruction "
        "in as few steps as possible. Answer with exactly one action."
    ),
    instruction="Answer with one action.",
    max_prompt_tokens=2048,
    max_tokens=64,
)
"""The prompt template of the ``webshop`` env family."""

register_prompt(WEBSHOP_PROMPT)
register_parser("webshop", WebShopParser())
