"""WebShop's reward (``web_agent_site/engine/goal.py`` at princeton-nlp/WebShop@64fa2a5), on our catalog.

``R = r_type * (N_attr + N_opt + 1[price <= price_upper]) / (|attributes| + |options| + 1)``:

- ``N_attr``: a goal attribute counts when some product attribute has ``token_set_ratio > 85`` with it, else when
  it is a substring of the lower-cased title, bullet points or description;
- ``N_opt``: after :func:`normalize_color`, a goal option counts when some selected option value has
  ``token_set_ratio > 85`` with it (the @64fa2a5 rule; revision 6ba9969's exact match for ``size`` is not used);
- ``r_type``: 1.0, or 0.5 unless (same query, or >= 2 shared category levels, or title score > 0.2); then 0.1 if
  the title score is < 0.1 and 0.0 if it is 0 (these override). The title score is the share of the goal title's
  nouns found in the bought title. WebShop tags nouns with spaCy; here a noun is a word of the fixed lexicon
  :data:`~cauarena.envs.webshop.lexicon.NOUN_LEXICON` (product-type words and brands).

``token_set_ratio`` is thefuzz's (rapidfuzz's algorithm on ``full_process``-ed strings, rounded), written out
here so the env needs no fuzzy-matching package.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from cauarena.envs.webshop.catalog import Product
from cauarena.envs.webshop.instructions import Goal
from cauarena.envs.webshop.lexicon import COLOR_SET, NOUN_LEXICON

MATCH_THRESHOLD = 85
"""A fuzzy match needs ``token_set_ratio`` above this."""

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def full_process(text: str) -> str:
    """Clean a string as thefuzz's ``full_process``: lower-case, non-alphanumerics to spaces, trimmed.

    >>> full_process("  X-Large (Pack of 2)! ")
    'x large pack of 2'
    """
    return _NON_ALNUM.sub(" ", text.lower()).strip()


def lcs_length(a: str, b: str) -> int:
    """Length of the longest common subsequence (bit-parallel, Allison-Dix / Hyyro).

    >>> lcs_length("kitten", "sitting")
    4
    """
    if not a or not b:
        return 0
    masks: dict[str, int] = {}
    for i, char in enumerate(a):
        masks[char] = masks.get(char, 0) | (1 << i)
    full = (1 << len(a)) - 1
    row = full
    for char in b:
        matched = row & masks.get(char, 0)
        row = ((row + matched) | (row - matched)) & full
    return len(a) - row.bit_count()


def _normalized(distance: int, total: int) -> float:
    return 100.0 if total == 0 else 100.0 - 100.0 * distance / total


def ratio(a: str, b: str) -> float:
    """Normalised Indel similarity, 0-100 (rapidfuzz's ``fuzz.ratio``).

    >>> round(ratio("this is a test", "this is a test!"), 1)
    96.6
    """
    total = len(a) + len(b)
    return _normalized(total - 2 * lcs_length(a, b), total)


def token_set_ratio(a: str, b: str) -> int:
    """The ``fuzz.token_set_ratio`` of thefuzz (0-100, rounded): 100 when one token set contains the other.

    >>> token_set_ratio("x-large", "large"), token_set_ratio("8 fl oz", "16 fl oz")
    (100, 83)
    """
    a, b = full_process(a), full_process(b)
    if not a or not b:
        return 0
    tokens_a, tokens_b = set(a.split()), set(b.split())
    common = tokens_a & tokens_b
    only_a, only_b = tokens_a - tokens_b, tokens_b - tokens_a
    if common and (not only_a or not only_b):
        return 100
    joined_a, joined_b = " ".join(sorted(only_a)), " ".join(sorted(only_b))
    sect = len(" ".join(sorted(common)))
    sect_a = sect + (sect != 0) + len(joined_a)
    sect_b = sect + (sect != 0) + len(joined_b)
    best = _normalized(len(joined_a) + len(joined_b) - 2 * lcs_length(joined_a, joined_b), sect_a + sect_b)
    if sect:
        best = max(best, _normalized((sect != 0) + len(joined_a), sect + sect_a),
                   _normalized((sect != 0) + len(joined_b), sect + sect_b))
    return int(round(best))


def fuzzy_match(a: str, b: str) -> bool:
    """Equal strings, or ``token_set_ratio > 85``."""
    return a == b or token_set_ratio(a, b) > MATCH_THRESHOLD


def normalize_color(text: str) -> str:
    """WebShop's ``normalize_color``: the first colour of :data:`COLOR_SET` inside ``text``, else ``text``.

    >>> normalize_color("dark navy blue"), normalize_color("large")
    ('navy blue', 'large')
    """
    for color in COLOR_SET:
        if color in text:
            return color
    return text


def title_nouns(title: str) -> set[str]:
    """The lexicon nouns in a title (our stand-in for spaCy's NOUN/PROPN tags)."""
    return {word for word in full_process(title).split() if word in NOUN_LEXICON}


@dataclass(frozen=True)
class Score:
    """One purchase scored against a goal.

    Attributes:
        reward: the total reward R in [0, 1].
        r_type: the type factor (1, 0.5, 0.1 or 0).
        r_attribute: share of goal attributes matched.
        r_option: share of goal options matched (1 when the goal has none).
        r_price: 1 when the price is within the limit.
    """

    reward: float
    r_type: float
    r_attribute: float
    r_option: float
    r_price: float


def type_reward(product: Product, goal: Goal) -> float:
    """WebShop's ``r_type`` (see the module docstring)."""
    query_match = product.query == goal.query
    category_match = len(set(product.category) & set(goal.category)) >= 2
    wanted = title_nouns(goal.name)
    title_score = 0.2 if not wanted else len(title_nouns(product.title) & wanted) / len(wanted)
    r_type = 1.0 if (query_match or category_match or title_score > 0.2) else 0.5
    if title_score < 0.1:
        r_type = 0.1
    if title_score == 0.0:
        r_type = 0.0
    return r_type


def attribute_matches(product: Product, goal: Goal) -> int:
    """How many goal attributes the product has (fuzzy on its attributes, else a substring of its texts)."""
    texts = (product.title.lower(), " ".join(product.features).lower(), product.description.lower())
    count = 0
    for wanted in goal.attributes:
        if any(fuzzy_match(have, wanted) for have in product.attributes) or any(wanted in t for t in texts):
            count += 1
    return count


def option_matches(selected: Mapping[str, str], goal: Goal) -> int:
    """How many goal option values some selected value matches (fuzzy, after colour normalisation)."""
    chosen = [normalize_color(v) for v in selected.values()]
    return sum(any(fuzzy_match(have, normalize_color(wanted)) for have in chosen) for wanted in goal.option_values)


def score_purchase(product: Product, selected: Mapping[str, str], goal: Goal) -> Score:
    """The reward of buying ``product`` with the ``selected`` options (``group -> value``) for ``goal``."""
    n_attr = attribute_matches(product, goal)
    n_opt = option_matches(selected, goal)
    r_price = float(product.price <= goal.price_upper)
    r_type = type_reward(product, goal)
    denominator = len(goal.attributes) + len(goal.options) + 1
    reward = r_type * (n_attr + n_opt + r_price) / denominator
    return Score(reward, r_type, n_attr / max(len(goal.attributes), 1),
                 n_opt / len(goal.options) if goal.options else 1.0, r_price)


def best_options(product: Product, goal: Goal) -> dict[str, str]:
    """The options a careful buyer selects on ``product`` for ``goal``.

    Per goal option: the offered value equal to it, else the first offered value that matches it fuzzily (a
    group with neither stays unselected).
    """
    chosen: dict[str, str] = {}
    offered = product.option_dict
    for group, wanted in goal.options:
        values = offered.get(group, ())
        if wanted in values:
            chosen[group] = wanted
            continue
        close = [v for vs in offered.values() for v in vs if fuzzy_match(normalize_color(v), normalize_color(wanted))]
        if close:
            for other_group, vs in offered.items():
                if close[0] in vs and other_group not in chosen:
                    chosen[other_group] = close[0]
                    break
    return chosen


def potential(product: Product, goal: Goal) -> float:
    """The reward ``product`` reaches when bought with :func:`best_options` (what a results page promises)."""
    return score_purchase(product, best_options(product, goal), goal).reward
