"""WebShop's pages as immutable states: what each shows (text mode, ``[SEP]``-joined) and what can be clicked.

Pages, as in ``web_agent_site``: ``search`` (the search box) -> ``results`` (10 per page of the top 50;
``Next >``, ``< Prev``, ``Back to Search``) -> ``item`` (one radio group per option type; ``Description``,
``Features``, ``Reviews``, ``Attributes``; ``< Prev``; ``Buy Now``) -> ``done``. The four item sub-pages show
``< Prev`` (back to the item, selections kept) and ``Back to Search``. Clickable values are the lower-cased
button text, the lower-cased ASIN, or an option value.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from cauarena.envs.webshop.catalog import Catalog, Product

PageKind = Literal["search", "results", "item", "description", "features", "reviews", "attributes", "done"]

SEP = " [SEP] "
"""WebShop's text-mode separator between visible strings."""

PER_PAGE = 10
"""Results per page."""

BACK, NEXT, PREV, BUY = "back to search", "next >", "< prev", "buy now"
SUB_PAGES = ("description", "features", "reviews", "attributes")

SEARCH_TEMPLATE = "search[<keywords>]"
"""The search action as listed in ``info["valid_actions"]`` on the search page."""


@dataclass(frozen=True)
class Page:
    """The page the agent is on.

    Attributes:
        kind: which page.
        keywords: the last search's keywords.
        results: product indices the last search returned, best first.
        number: the results page number (1-based).
        product: the product index of an item page or sub-page; -1 elsewhere.
        selected: option selections on the item page, ``(group, value)`` pairs.
    """

    kind: PageKind = "search"
    keywords: str = ""
    results: tuple[int, ...] = ()
    number: int = 1
    product: int = -1
    selected: tuple[tuple[str, str], ...] = field(default=())

    @property
    def listed(self) -> tuple[int, ...]:
        """Product indices shown on this results page."""
        start = (self.number - 1) * PER_PAGE
        return self.results[start : start + PER_PAGE]

    @property
    def last_page(self) -> int:
        """The number of the last results page."""
        return max(1, -(-len(self.results) // PER_PAGE))

    def selected_dict(self) -> dict[str, str]:
        """The options chosen so far, ``option -> value``."""
        return dict(self.selected)


def clickables(page: Page, catalog: Catalog) -> list[str]:
    """The values ``click[...]`` accepts on ``page``, in page order."""
    if page.kind == "results":
        values = [BACK]
        if page.number > 1:
            values.append(PREV)
        if page.number < page.last_page:
            values.append(NEXT)
        return values + [catalog.products[i].asin.lower() for i in page.listed]
    if page.kind == "item":
        product = catalog.products[page.product]
        options = [value for _, values in product.options for value in values]
        return [BACK, PREV, *options, *SUB_PAGES, BUY]
    if page.kind in SUB_PAGES:
        return [BACK, PREV]
    return []


def valid_actions(page: Page, catalog: Catalog) -> list[str]:
    """The actions to list for an agent: the search template on the search page, else ``click[value]``s."""
    if page.kind == "search":
        return [SEARCH_TEMPLATE]
    return [f"click[{value}]" for value in clickables(page, catalog)]


def click(page: Page, value: str, catalog: Catalog) -> Page:
    """The page after clicking ``value`` (one of :func:`clickables`; ``buy now`` gives ``done``)."""
    if value == BACK:
        return Page()
    if page.kind == "results":
        if value == NEXT:
            return replace(page, number=page.number + 1)
        if value == PREV:
            return replace(page, number=page.number - 1)
        product = catalog.by_asin(value)
        return replace(page, kind="item", product=product.index if product else -1, selected=())
    if page.kind == "item":
        if value == PREV:
            return replace(page, kind="results", product=-1, selected=())
        if value in SUB_PAGES:
            return replace(page, kind=value)  # type: ignore[arg-type]
        if value == BUY:
            return replace(page, kind="done")
        group = next(g for g, values in catalog.products[page.product].options if value in values)
        selected = dict(page.selected)
        selected[group] = value
        return replace(page, selected=tuple(selected.items()))
    return replace(page, kind="item")  # < prev on a sub-page


def _header(instruction: str) -> list[str]:
    return ["Instruction:", instruction, "Back to Search"]


def _results_text(page: Page, catalog: Catalog, instruction: str) -> list[str]:
    parts = [*_header(instruction), f"Page {page.number} (Total results: {len(page.results)})"]
    if page.number > 1:
        parts.append("< Prev")
    if page.number < page.last_page:
        parts.append("Next >")
    for index in page.listed:
        product = catalog.products[index]
        parts += [product.asin, product.title, f"${product.price:.2f}"]
    return parts


def _item_text(product: Product, page: Page, instruction: str) -> list[str]:
    parts = [*_header(instruction), "< Prev"]
    for group, values in product.options:
        parts += [group, *values]
    parts += [product.title, f"Price: ${product.price:.2f}", f"Rating: {product.rating:.1f}",
              "Description", "Features", "Reviews", "Attributes", "Buy Now"]
    parts += [f"You have clicked {value}." for _, value in page.selected]
    return parts


def _sub_page_text(product: Product, kind: str, instruction: str) -> list[str]:
    parts = [*_header(instruction), "< Prev"]
    if kind == "description":
        parts.append(product.description)
    elif kind == "features":
        parts += list(product.features)
    elif kind == "reviews":
        for score, title, text in product.reviews():
            parts += [title, f"{score} out of 5 stars", text]
    else:
        parts += list(product.attributes)
    return parts


def render(page: Page, catalog: Catalog, instruction: str, reward: float = 0.0) -> str:
    """The text-mode observation of ``page`` (``done`` shows the purchase and its score)."""
    if page.kind == "search":
        parts = ["WebShop", "Instruction:", instruction, "Search"]
    elif page.kind == "results":
        parts = _results_text(page, catalog, instruction)
    elif page.kind == "item":
        parts = _item_text(catalog.products[page.product], page, instruction)
    elif page.kind == "done":
        product = catalog.products[page.product]
        chosen = ", ".join(f"{g}: {v}" for g, v in page.selected) or "none"
        parts = ["Thank you for shopping with us!", "Purchased", product.asin, product.title, f"Options: {chosen}",
                 "Your score (min 0.0, max 1.0)", f"{reward:.4f}"]
    else:
        parts = _sub_page_text(catalog.products[page.product], page.kind, instruction)
    return SEP.join(parts)
