import random

import pytest

from cauarena.envs.webshop.catalog import load_catalog
from cauarena.envs.webshop.instructions import NO_LIMIT, make_goal, price_limit, split_targets
from cauarena.errors import ConfigError


def test_splits_are_fixed_disjoint_and_cover_the_targets():
    catalog = load_catalog(1000)
    test, dev, train = (split_targets(catalog, s) for s in ("test", "eval", "train"))
    assert sorted(test + dev + train) == sorted(catalog.targets)
    assert len(test) == len(dev) == round(0.1 * len(catalog.targets))
    assert split_targets(load_catalog(1000), "test") == test


def test_unknown_split():
    with pytest.raises(ConfigError, match="split must be one of"):
        split_targets(load_catalog(100), "dev")


@pytest.mark.parametrize("split", ["train", "eval", "test"])
def test_goals_are_seeded_and_satisfiable(split):
    catalog = load_catalog(1000)
    targets = split_targets(catalog, split)
    for seed in range(40):
        goal = make_goal(catalog, split, seed)
        assert goal == make_goal(catalog, split, seed)
        product = catalog.by_asin(goal.asin)
        assert product.index == targets[seed % len(targets)]
        assert 1 <= len(goal.attributes) <= 3 and set(goal.attributes) <= set(product.attributes)
        offered = product.option_dict
        assert [g for g, _ in goal.options] == list(offered)
        assert all(value in offered[group] for group, value in goal.options)
        assert product.price < goal.price_upper
        assert goal.instruction.endswith(f"and price lower than {goal.price_upper:.2f} dollars")
        for attribute in goal.attributes:
            assert attribute in goal.instruction
        assert product.query in goal.instruction and goal.keywords.endswith(product.query)
        assert all(f"{g}: {v}" in goal.instruction for g, v in goal.options)


def test_price_limit_follows_webshop():
    limits = {price_limit(12.5, random.Random(s)) for s in range(200)}
    assert limits == {30.0, 40.0, 50.0}  # two of (20, 30, 40, 50), the larger kept
    assert price_limit(985.0, random.Random(0)) == NO_LIMIT
