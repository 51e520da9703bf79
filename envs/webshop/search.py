r"""BM25 product search over the catalog text, on the ``bm25s`` package.

Parameters, as WebShop's Pyserini index: ``k1 = 0.9``, ``b = 0.4``, Lucene's BM25 variant (``method="lucene"``:
``idf = ln(1 + (N - df + 0.5) / (df + 0.5))``, term frequency saturated by ``k1`` and normalised by document
length with ``b``). A document is the lower-cased title, description, first bullet and option values of a
product (:meth:`~cauarena.envs.webshop.catalog.Product.search_text`). Tokens are runs of letters and digits
(``\w+``), lower-cased, minus bm25s' English stop words; **no stemming** (Pyserini's analyser Porter-stems).
A query returns at most ``top_k`` (50, as WebShop) product indices, best first; equal scores keep catalog
order; products that share no token with the query are never returned (a query of stop words finds nothing).

Scores come from bm25s' precomputed sparse matrix; the per-query sum over the query tokens' postings is done
here with one ``numpy.bincount`` (bm25s' numpy backend uses ``numpy.add.at``, ~5x slower at 100k products).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from cauarena.errors import DependencyNotInstalled

K1, B = 0.9, 0.4
"""BM25 parameters (Pyserini's values in WebShop's ``search_engine``)."""

TOP_K = 50
"""Results per query (WebShop shows the top 50, 10 per page)."""

_TOKEN = re.compile(r"\w+")


def _bm25s() -> tuple[object, frozenset[str]]:
    try:
        import bm25s
        from bm25s.stopwords import STOPWORDS_EN
    except ImportError as exc:
        raise DependencyNotInstalled("bm25s", "webshop", "WebShop's product search") from exc
    return bm25s, frozenset(STOPWORDS_EN)


class SearchEngine:
    """A BM25 index over ``documents``; :meth:`search` returns document indices, best first.

    Args:
        documents: one text per product, in catalog order.
        k1: BM25 term-frequency saturation.
        b: BM25 length normalisation.
        top_k: most results per query.

    Example:
        >>> engine = SearchEngine(["red wool scarf", "blue cotton shirt", "red cotton shirt"])
        >>> engine.search("red shirt")
        [2, 0, 1]
        >>> engine.search("the and of")
        []
    """

    def __init__(self, documents: Sequence[str], k1: float = K1, b: float = B, top_k: int = TOP_K) -> None:
        bm25s, self.stopwords = _bm25s()
        self.top_k = top_k
        self.vocab: dict[str, int] = {}
        corpus_ids = [[self.vocab.setdefault(t, len(self.vocab)) for t in self.tokenize(d)] for d in documents]
        self.vocab[""] = len(self.vocab)  # bm25s' empty token: scores documents with no tokens
        self._bm25 = bm25s.BM25(k1=k1, b=b, method="lucene")  # type: ignore[attr-defined]
        self._bm25.index((corpus_ids, self.vocab), create_empty_token=False, show_progress=False)
        scores = self._bm25.scores
        self._data, self._indices, self._indptr = scores["data"], scores["indices"], scores["indptr"]
        self.num_docs = int(scores["num_docs"])

    def tokenize(self, text: str) -> list[str]:
        r"""Lower-cased ``\w+`` runs minus stop words.

        >>> SearchEngine(["x"]).tokenize("The Red-Wool scarf, 2 pack")
        ['red', 'wool', 'scarf', '2', 'pack']
        """
        return [t for t in _TOKEN.findall(text.lower()) if t not in self.stopwords]

    def scores(self, query: str) -> np.ndarray:
        """The BM25 score of every document for ``query`` (0 where no query token occurs)."""
        ids = [self.vocab[t] for t in self.tokenize(query) if t in self.vocab]
        if not ids:
            return np.zeros(self.num_docs, dtype=np.float32)
        starts, ends = self._indptr[ids], self._indptr[np.asarray(ids) + 1]
        postings = np.concatenate([self._indices[s:e] for s, e in zip(starts, ends, strict=True)])
        weights = np.concatenate([self._data[s:e] for s, e in zip(starts, ends, strict=True)])
        return np.bincount(postings, weights=weights, minlength=self.num_docs)

    def search(self, query: str) -> list[int]:
        """Indices of the best ``top_k`` documents for ``query`` (score > 0), best first, ties by index."""
        scores = self.scores(query)
        hits = np.flatnonzero(scores > 0)
        if len(hits) > self.top_k:
            cut = np.partition(scores[hits], len(hits) - self.top_k)[len(hits) - self.top_k]
            hits = hits[scores[hits] >= cut]  # keeps every tie at the cut; trimmed after sorting
        order = np.lexsort((hits, -scores[hits]))
        return [int(i) for i in hits[order][: self.top_k]]
