"""WebShop: search a generated catalog, pick a product and its options, buy; WebShop's reward, fully offline.

Registered as ``cauarena/WebShop-v0``; see :class:`WebShopEnv` for the card. Needs ``bm25s``
(``pip install 'cauarena[webshop]'``).
"""

from cauarena.envs.headline import Metric
from cauarena.envs.webshop.actions import parse_action
from cauarena.envs.webshop.catalog import Catalog, Product, generate_catalog, load_catalog
from cauarena.envs.webshop.env import WebShopEnv
from cauarena.envs.webshop.instructions import SPLITS, Goal, make_goal, split_targets
from cauarena.envs.webshop.pages import Page, clickables, valid_actions
from cauarena.envs.webshop.reward import Score, best_options, potential, score_purchase, token_set_ratio
from cauarena.envs.webshop.search import SearchEngine

HEADLINE = (Metric("reward", "reward"), Metric("success", "success", axis="success"),
            Metric("steps", "steps", False), Metric("tokens", "tokens", False, axis="cost"))
"""Headline metrics of the WebShop table (DEPO reports success against tokens)."""

__all__ = [
    "HEADLINE",
    "SPLITS",
    "Catalog",
    "Goal",
    "Page",
    "Product",
    "Score",
    "SearchEngine",
    "WebShopEnv",
    "best_options",
    "clickables",
    "generate_catalog",
    "load_catalog",
    "make_goal",
    "parse_action",
    "potential",
    "score_purchase",
    "split_targets",
    "token_set_ratio",
    "valid_actions",
]
