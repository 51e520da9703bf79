from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cauarena.envs.webshop.catalog import load_catalog
from cauarena.envs.webshop.instructions import make_goal
from cauarena.envs.webshop.reward import (
    best_options,
    lcs_length,
    normalize_color,
    ratio,
    score_purchase,
    token_set_ratio,
    type_reward,
)


def lcs_dp(a, b):
    row = [0] * (len(b) + 1)
    for ca in a:
        prev = 0
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], prev + 1 if ca == cb else max(row[j], row[j - 1])
    return row[-1]


@given(st.text("abcd ", max_size=30), st.text("abcd ", max_size=30))
def test_bit_parallel_lcs_equals_dynamic_programming(a, b):
    assert lcs_length(a, b) == lcs_dp(a, b)


@pytest.mark.parametrize(("a", "b", "expected"), [
    ("fuzzy was a bear", "fuzzy fuzzy was a bear", 100),  # rapidfuzz docs
    ("new york mets vs atlanta braves", "atlanta braves vs new york mets", 100),
    ("x-large", "large", 100),  # a subset of tokens is a full match (a WebShop leniency)
    ("8 fl oz", "16 fl oz", 83),
    ("navy blue", "sky blue", 71),
    ("long lasting", "long-lasting", 100),
    ("", "anything", 0),
])
def test_token_set_ratio(a, b, expected):
    assert token_set_ratio(a, b) == expected == token_set_ratio(b, a)


def test_ratio_matches_rapidfuzz_docs():
    assert ratio("this is a test", "this is a test!") == pytest.approx(96.55172413793103)


def test_normalize_color():
    assert normalize_color("navy blue") == "navy blue" and normalize_color("light grey") == "grey"


@pytest.fixture(scope="module")
def bought():
    catalog = load_catalog(1000)
    goal = make_goal(catalog, "test", 5)
    return catalog, goal, catalog.by_asin(goal.asin)


def test_target_with_goal_options_scores_one(bought):
    _, goal, product = bought
    score = score_purchase(product, dict(goal.options), goal)
    assert score.reward == 1.0 and score.r_type == 1.0
    assert best_options(product, goal) == dict(goal.options)


def test_each_missing_part_costs_its_share(bought):
    _, goal, product = bought
    parts = len(goal.attributes) + len(goal.options) + 1
    assert score_purchase(product, {}, goal).reward == pytest.approx((parts - len(goal.options)) / parts)
    dear = replace(product, price=goal.price_upper + 1)
    assert score_purchase(dear, dict(goal.options), goal).reward == pytest.approx((parts - 1) / parts)
    bare = replace(product, attributes=(), title="Nothing", features=(), description="", query="x")
    assert score_purchase(bare, dict(goal.options), goal).r_attribute == 0.0


def test_type_reward_levels(bought):
    _, goal, product = bought
    assert type_reward(product, goal) == 1.0
    stranger = replace(product, query="widget", category=("x", "y", "z"))
    brands = ["aurelle", "calder", "duneway", "elmsford", "fjordline", "granton", "halcyra", "ivorybay",
              "juniperly", "kestrel", "lumora"]
    cases = [(brands[:5], "Aurelle Widget", 0.5),  # 1/5 shared nouns: not > 0.2, so 0.5
             (brands[:2], "Aurelle Widget", 1.0),  # 1/2 > 0.2
             (brands[:11], "Aurelle Widget", 0.1),  # 1/11 < 0.1
             (brands[:10], "Aurelle Widget", 0.5),  # exactly 0.1 is not < 0.1
             (brands[:3], "Plain Widget", 0.0)]
    for nouns, title, expected in cases:
        assert type_reward(replace(stranger, title=title), replace(goal, name=" ".join(nouns))) == expected
    same_query = replace(stranger, query=goal.query, title="Plain Widget")
    assert type_reward(same_query, goal) == 0.0  # a zero title score overrides a query match
