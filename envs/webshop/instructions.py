"""Instructions: templated shopping goals drawn from a seed, over fixed train / eval / test target splits.

**Splits** (fixed per catalog): the canonical products (:attr:`Catalog.targets`) are shuffled with
``random.Random(233)``, as WebShop shuffles its goals with ``random.seed(233)``; the first 10% are ``test``, the
next 10% ``eval``, the rest ``train``. Decoys are never targets.

**Goal of seed s** in a split: the target is ``split_targets[s % len(split_targets)]``; a generator seeded by
``(catalog seed, split, s)`` draws 1-3 of the target's attributes, one offered value for each of its option
groups, a template, and the price limit by WebShop's rule (among the first four multiples of $10 above the price,
sample two and keep the larger). The text follows WebShop's synthetic goals: ``<instruction> with color: black,
and size: large, and price lower than 40.00 dollars``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from cauarena.envs.webshop.catalog import Catalog, Product
from cauarena.errors import ConfigError

SPLITS = ("train", "eval", "test")
"""The instruction splits."""

SHUFFLE_SEED = 233
"""WebShop's goal shuffle seed."""

TEST_FRACTION, EVAL_FRACTION = 0.1, 0.1
"""Shares of the targets in ``test`` and ``eval`` (at least one target each); ``train`` has the rest."""

PRICE_RANGE = tuple(10.0 * i for i in range(1, 100))
"""WebShop's price limits: $10, $20, ..., $990."""

NO_LIMIT = 1_000_000.0
"""``price_upper`` when the price is too high for two limits (the instruction then names no price)."""

TEMPLATES = (
    "i am looking for {attrs} {noun}",
    "i need {noun} that is {attrs}",
    "find me {attrs} {noun}",
    "i want to buy {noun} which is {attrs}",
    "i would like {attrs} {noun}",
)
"""Instruction openings; ``{attrs}`` lists the goal attributes (``a, b and c``)."""


@dataclass(frozen=True)
class Goal:
    """One shopping instruction and what the reward checks.

    Attributes:
        split: ``train``, ``eval`` or ``test``.
        seed: the goal seed (the env's reset seed).
        asin: the target product (privileged).
        instruction: the instruction text the agent reads.
        name: the target's title (the type reward compares its nouns).
        query: the target's query noun phrase.
        category: the target's category levels.
        attributes: goal attributes.
        options: ``(group, value)`` pairs the buyer must select.
        price_upper: the price limit.
        keywords: attribute words and the noun, as they appear in the instruction (a sensible search).
    """

    split: str
    seed: int
    asin: str
    instruction: str
    name: str
    query: str
    category: tuple[str, str, str]
    attributes: tuple[str, ...]
    options: tuple[tuple[str, str], ...]
    price_upper: float
    keywords: str

    @property
    def option_values(self) -> list[str]:
        """The goal's option values."""
        return [value for _, value in self.options]


def split_targets(catalog: Catalog, split: str) -> list[int]:
    """Indices of the target products of ``split`` (fixed per catalog).

    Raises:
        ConfigError: an unknown split.
    """
    if split not in SPLITS:
        raise ConfigError(f"split must be one of {', '.join(SPLITS)}; got {split!r}.")

    def build() -> dict[str, list[int]]:
        targets = catalog.targets
        random.Random(SHUFFLE_SEED).shuffle(targets)
        n_test = max(1, round(TEST_FRACTION * len(targets)))
        n_eval = max(1, round(EVAL_FRACTION * len(targets)))
        return {"test": targets[:n_test], "eval": targets[n_test : n_test + n_eval],
                "train": targets[n_test + n_eval :]}

    return catalog.memo("splits", build)[split]


def price_limit(price: float, rng: random.Random) -> float:
    """WebShop's rule: sample two of the first four $10 multiples above ``price``, keep the larger.

    >>> price_limit(12.99, random.Random(0)) in (30.0, 40.0, 50.0)
    True
    """
    above = [p for p in PRICE_RANGE if p > price][:4]
    if len(above) < 2:
        return NO_LIMIT
    return max(rng.sample(above, 2))


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def make_goal(catalog: Catalog, split: str, seed: int) -> Goal:
    """The goal of ``seed`` in ``split`` (pure: same catalog, split and seed, same goal)."""
    targets = split_targets(catalog, split)
    product: Product = catalog.products[targets[seed % len(targets)]]
    rng = random.Random(f"webshop-goal-{catalog.seed}-{split}-{seed}")
    attributes = tuple(rng.sample(product.attributes, rng.randint(1, min(3, len(product.attributes)))))
    options = tuple((group, rng.choice(values)) for group, values in product.options)
    price_upper = price_limit(product.price, rng)
    text = rng.choice(TEMPLATES).format(attrs=_join(list(attributes)), noun=product.query)
    if options:
        text += " with " + ", and ".join(f"{group}: {value}" for group, value in options)
    if price_upper < NO_LIMIT:
        text += f", and price lower than {price_upper:.2f} dollars"
    return Goal(split, seed, product.asin, text, product.title, product.query, product.category, attributes,
                options, price_upper, " ".join([*attributes, product.query]))
