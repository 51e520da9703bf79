import math

import numpy as np

from cauarena.envs.webshop.catalog import load_catalog
from cauarena.envs.webshop.search import SearchEngine

DOCS = ["red wool scarf", "blue cotton shirt shirt", "red cotton shirt", "a very long red cotton shirt for the summer"]


def lucene_bm25(docs, query, k1=0.9, b=0.4):
    engine = SearchEngine(["x"])
    tokenized = [engine.tokenize(d) for d in docs]
    avgdl = sum(map(len, tokenized)) / len(tokenized)
    scores = []
    for tokens in tokenized:
        total = 0.0
        for term in engine.tokenize(query):
            df = sum(term in t for t in tokenized)
            tf = tokens.count(term)
            if df and tf:
                idf = math.log(1 + (len(docs) - df + 0.5) / (df + 0.5))
                total += idf * tf / (tf + k1 * (1 - b + b * len(tokens) / avgdl))
        scores.append(total)
    return np.array(scores)


def test_scores_are_lucene_bm25_with_webshop_parameters():
    engine = SearchEngine(DOCS)
    for query in ("red shirt", "cotton", "summer scarf", "shirt shirt"):
        np.testing.assert_allclose(engine.scores(query), lucene_bm25(DOCS, query), rtol=1e-5)


def test_ranking_ties_and_no_match():
    engine = SearchEngine(DOCS)
    assert engine.search("red shirt")[0] == 2
    assert engine.search("zebra") == [] and engine.search("the of and") == []
    assert SearchEngine(["x y", "x y", "x y"]).search("x") == [0, 1, 2]


def test_top_k_and_target_found_by_its_title():
    catalog = load_catalog(1000)
    engine = catalog.search_engine()
    assert len(engine.search("black")) == 50
    for product in catalog.products[:100]:
        assert product.index in engine.search(product.title)
