"""A seeded WebShop catalog: products with titles, categories, attributes, option groups, prices and texts.

:func:`generate_catalog` is a pure function of ``(num_products, seed)``. Products are drawn type by type from
:mod:`~cauarena.envs.webshop.lexicon`; after a canonical product, with probability :data:`DECOY_RATE`, one or
two **near-duplicate decoys** follow: the same brand and look, with one thing changed (an attribute, the price,
a missing option value, or a sibling product type), so a buyer must read the item page, not only the title.
Canonical products are the instruction targets (see :mod:`~cauarena.envs.webshop.instructions`).

:func:`load_catalog` memoises catalogs per ``(num_products, seed)`` inside a process (a catalog and its search
index are immutable), so making many envs of the same size costs one generation.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from cauarena.envs.webshop.lexicon import BRANDS, DESCRIPTORS, OPTION_VALUES, PRODUCT_TYPES, ProductType
from cauarena.errors import ConfigError

DECOY_RATE = 0.35
"""Probability that a canonical product is followed by near-duplicate decoys."""

MIN_PRODUCTS, MAX_PRODUCTS = 20, 200_000
"""Catalog sizes accepted by :func:`generate_catalog` (WebShop's usual sizes are 1k and 100k)."""

_ASIN_CHARS = string.ascii_uppercase + string.digits
_USES = ("daily use", "travel", "home and office", "gifting", "busy mornings", "outdoor days", "weekends")
_BULLET_TAILS = (
    "made to last through everyday use", "tested by our team for quality", "a customer favourite",
    "designed with comfort in mind", "backed by a 30 day return policy", "simple to use right out of the box",
)
_REVIEW_LINES = (
    (5, "love it", "exactly as described and arrived quickly."),
    (5, "great value", "works well and the quality is better than expected."),
    (4, "pretty good", "does the job, though the packaging could be better."),
    (4, "would buy again", "good quality for the price."),
    (3, "it is okay", "average quality, nothing special."),
    (2, "not for me", "did not match what i needed."),
    (1, "disappointed", "stopped working after a week."),
)


@dataclass(frozen=True, slots=True)
class Product:
    """One product.

    Attributes:
        index: position in the catalog.
        asin: a 10-character id (``B0`` + 8 characters); clicked lower-cased.
        title: the display title.
        category: three category levels, top first (WebShop's ``product_category`` split at ``>``).
        query: the query noun phrase (WebShop's ``query``); the type reward compares it.
        brand: the brand (lower-case).
        price: price in dollars.
        attributes: attribute phrases (WebShop's ``Attributes``).
        options: ``(group, values)`` pairs: the option groups the item page offers.
        description: the description text.
        features: bullet points (the first one is indexed by search).
        rating: star rating.
        decoy_of: index of the canonical product this decoy imitates; -1 for canonical products.
    """

    index: int
    asin: str
    title: str
    category: tuple[str, str, str]
    query: str
    brand: str
    price: float
    attributes: tuple[str, ...]
    options: tuple[tuple[str, tuple[str, ...]], ...]
    description: str
    features: tuple[str, ...]
    rating: float
    decoy_of: int = -1

    @property
    def option_dict(self) -> dict[str, tuple[str, ...]]:
        """The option groups as a dict ``group -> values``."""
        return dict(self.options)

    def search_text(self) -> str:
        """What the search engine indexes: title, description, first bullet and option values (lower-cased)."""
        values = " ".join(v for _, group in self.options for v in group)
        first = self.features[0] if self.features else ""
        return f"{self.title} {self.description} {first} {values}".lower()

    def reviews(self) -> list[tuple[int, str, str]]:
        """Two or three ``(score, title, text)`` reviews, generated from the ASIN (same product, same reviews)."""
        rng = random.Random(self.asin)
        return [rng.choice(_REVIEW_LINES) for _ in range(rng.randint(2, 3))]


@dataclass(frozen=True, eq=False)
class Catalog:
    """An immutable product catalog.

    Attributes:
        products: every product, by index.
        seed: the generation seed.
    """

    products: tuple[Product, ...]
    seed: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_asin", {p.asin: p for p in self.products})
        object.__setattr__(self, "_memo", {})

    def __len__(self) -> int:
        return len(self.products)

    def by_asin(self, asin: str) -> Product | None:
        """The product with this ASIN (any case), or None."""
        return self._by_asin.get(asin.upper())  # type: ignore[attr-defined]

    @property
    def targets(self) -> list[int]:
        """Indices of canonical products: the products instructions are written for."""
        return [p.index for p in self.products if p.decoy_of < 0]

    def memo(self, key: Any, build: Callable[[], Any]) -> Any:
        """``build()``, computed once per catalog and key (search index, splits): a catalog never changes."""
        memo = self._memo  # type: ignore[attr-defined]
        if key not in memo:
            memo[key] = build()
        return memo[key]

    def search_engine(self) -> Any:
        """The BM25 engine over this catalog, built on first use and kept (see :mod:`.search`)."""
        from cauarena.envs.webshop.search import SearchEngine

        return self.memo("search", lambda: SearchEngine([p.search_text() for p in self.products]))


def _title(brand: str, descriptor: str, noun: str, attributes: tuple[str, ...]) -> str:
    head = f"{brand} {descriptor} {attributes[0]} {noun}".title()
    tail = ", ".join(a.title() for a in attributes[1:3])
    return f"{head} - {tail}" if tail else head


def _texts(rng: random.Random, brand: str, descriptor: str, kind: ProductType,
           attributes: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    description = (
        f"This {descriptor} {kind.noun} from {brand.title()} is {attributes[0]} and "
        f"{attributes[1]}. Made for {rng.choice(_USES)}."
    )
    features = tuple(f"{a.upper()}: {rng.choice(_BULLET_TAILS)}" for a in attributes[: rng.randint(3, 4)])
    return description, features


def _options(rng: random.Random, kind: ProductType) -> tuple[tuple[str, tuple[str, ...]], ...]:
    groups = []
    for group in kind.options:
        pool = OPTION_VALUES[group]
        chosen = set(rng.sample(range(len(pool)), rng.randint(2, min(6, len(pool)))))
        groups.append((group, tuple(pool[i] for i in sorted(chosen))))
    return tuple(groups)


def _price(rng: random.Random, kind: ProductType) -> float:
    low, high = kind.price
    return max(round(rng.uniform(low, high)) - 0.01, 0.99)


def _asin(rng: random.Random, taken: set[str]) -> str:
    while True:
        asin = "B0" + "".join(rng.choices(_ASIN_CHARS, k=8))
        if asin not in taken:
            taken.add(asin)
            return asin


def _product(rng: random.Random, index: int, asin: str, kind: ProductType, brand: str, descriptor: str,
             attributes: tuple[str, ...], options: tuple, price: float, decoy_of: int = -1) -> Product:
    title = _title(brand, descriptor, kind.noun, attributes)
    description, features = _texts(rng, brand, descriptor, kind, attributes)
    return Product(index, asin, title, kind.category, kind.noun, brand, price, attributes, options, description,
                   features, round(rng.uniform(3.0, 5.0), 1), decoy_of)


def _canonical(rng: random.Random, index: int, asin: str) -> tuple[Product, ProductType, str]:
    kind = rng.choice(PRODUCT_TYPES)
    brand, descriptor = rng.choice(BRANDS), rng.choice(DESCRIPTORS)
    attributes = tuple(rng.sample(kind.attributes, rng.randint(4, 6)))
    product = _product(rng, index, asin, kind, brand, descriptor, attributes, _options(rng, kind), _price(rng, kind))
    return product, kind, descriptor


_SIBLINGS: dict[tuple[str, str], list[ProductType]] = {}
for _kind in PRODUCT_TYPES:
    _SIBLINGS.setdefault(_kind.category[:2], []).append(_kind)


def _decoy(rng: random.Random, base: Product, kind: ProductType, descriptor: str, index: int, asin: str) -> Product:
    """A near-duplicate of ``base`` with one change: an attribute, the price, an option value or the type."""
    change = rng.choice(("attribute", "price", "option", "type"))
    attributes, options, price = base.attributes, base.options, base.price
    if change == "attribute":
        spare = [a for a in kind.attributes if a not in attributes]
        slot = rng.randrange(min(3, len(attributes)))
        attributes = attributes[:slot] + (rng.choice(spare),) + attributes[slot + 1 :]
    elif change == "price":
        price = round(price + rng.choice((10, 20, 30, 50)) + rng.random(), 2)
    elif change == "option":
        group_index = rng.randrange(len(options))
        group, values = options[group_index]
        dropped = rng.choice(values)  # every group offers at least two values
        values = tuple(v for v in values if v != dropped)
        options = options[:group_index] + ((group, values),) + options[group_index + 1 :]
    else:
        others = [k for k in _SIBLINGS[kind.category[:2]] if k.noun != kind.noun]
        kind = rng.choice(others) if others else kind  # siblings share the option groups and attribute pool
    product = _product(rng, index, asin, kind, base.brand, descriptor, attributes, options, price, base.index)
    return replace(product, rating=base.rating)


def generate_catalog(num_products: int = 1000, seed: int = 0) -> Catalog:
    """Generate ``num_products`` products from ``seed`` (pure: same arguments, same catalog).

    Args:
        num_products: catalog size, between 20 and 200,000 (WebShop uses 1,000 or the full 1.18M).
        seed: the catalog seed.

    Raises:
        ConfigError: a size out of range.
    """
    if isinstance(num_products, bool) or not isinstance(num_products, int) or not (
        MIN_PRODUCTS <= num_products <= MAX_PRODUCTS
    ):
        raise ConfigError(
            f"num_products must be an int in [{MIN_PRODUCTS}, {MAX_PRODUCTS}] (e.g. 100, 1000, 10000, 100000); "
            f"got {num_products!r}."
        )
    rng = random.Random(f"webshop-catalog-{seed}")
    taken: set[str] = set()
    products: list[Product] = []
    while len(products) < num_products:
        base, kind, descriptor = _canonical(rng, len(products), _asin(rng, taken))
        products.append(base)
        if rng.random() < DECOY_RATE:
            for _ in range(rng.randint(1, 2)):
                if len(products) < num_products:
                    products.append(_decoy(rng, base, kind, descriptor, len(products), _asin(rng, taken)))
    return Catalog(tuple(products), seed)


@lru_cache(maxsize=4)
def load_catalog(num_products: int = 1000, seed: int = 0) -> Catalog:
    """:func:`generate_catalog`, memoised per process (catalogs are immutable)."""
    return generate_catalog(num_products, seed)
