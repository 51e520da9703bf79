import string

import pytest

from cauarena.envs.webshop.catalog import generate_catalog, load_catalog
from cauarena.errors import ConfigError


def test_same_seed_same_catalog_and_another_seed_another():
    a, b, c = generate_catalog(200, seed=1), generate_catalog(200, seed=1), generate_catalog(200, seed=2)
    assert a.products == b.products
    assert [p.asin for p in a.products] != [p.asin for p in c.products]


@pytest.mark.parametrize("size", [100, 1000])
def test_size_unique_asins_and_printable_text(size):
    catalog = load_catalog(size)
    assert len(catalog) == size
    assert len({p.asin for p in catalog.products}) == size
    printable = set(string.printable)
    for p in catalog.products:
        assert len(p.asin) == 10 and p.asin.startswith("B0")
        assert catalog.by_asin(p.asin.lower()) is p
        text = " ".join([p.title, p.description, *p.features, *p.attributes, p.search_text()])
        assert set(text) <= printable, p
        values = [v for _, vs in p.options for v in vs]
        assert len(values) == len(set(values)), f"option values of {p.asin} collide across groups"
        assert len(p.category) == 3 and p.query == p.category[2]


def test_decoys_are_near_duplicates_of_a_canonical_product():
    catalog = load_catalog(1000)
    decoys = [p for p in catalog.products if p.decoy_of >= 0]
    assert 0.15 * len(catalog) < len(decoys) < 0.45 * len(catalog)
    changes = set()
    for decoy in decoys:
        base = catalog.products[decoy.decoy_of]
        assert base.decoy_of < 0 and base.brand == decoy.brand
        diff = {name for name in ("attributes", "price", "options", "query")
                if getattr(base, name) != getattr(decoy, name)}
        assert diff, f"decoy {decoy.asin} is an exact copy of {base.asin}"
        changes |= diff
    assert changes == {"attributes", "price", "options", "query"}
    assert set(catalog.targets) == {p.index for p in catalog.products if p.decoy_of < 0}


@pytest.mark.parametrize("size", [0, 19, 200_001, 1000.0, True, "1000"])
def test_bad_sizes_are_rejected(size):
    with pytest.raises(ConfigError, match="num_products must be an int"):
        generate_catalog(size)


def test_reviews_are_fixed_per_product():
    product = load_catalog(100).products[3]
    assert product.reviews() == product.reviews()
    assert all(1 <= score <= 5 for score, _, _ in product.reviews())
