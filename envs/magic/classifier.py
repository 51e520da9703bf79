"""A small harmful-request classifier: hashed character n-grams and logistic regression, numpy only.

Trained here in well under a second on CPU and rebuilt deterministically (same texts and seed, same weights),
so nothing is shipped. The co-evolution learner retrains it on the attacks that got through.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cauarena.errors import ConfigError

DIM = 1 << 12
NGRAMS = (2, 3, 4)


def featurize(texts: Sequence[str], dim: int = DIM) -> np.ndarray:
    """Rows of L2-normalised counts of hashed (crc32) lower-cased character 2-4-grams."""
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for row, text in enumerate(texts):
        text = f" {text.lower()} "
        for n in NGRAMS:
            for i in range(len(text) - n + 1):
                out[row, zlib.crc32(text[i:i + n].encode()) % dim] += 1.0
        norm = np.linalg.norm(out[row])
        if norm:
            out[row] /= norm
    return out


@dataclass
class NgramClassifier:
    """Logistic regression on :func:`featurize` features.

    Attributes:
        weights: one weight per hashed feature.
        bias: the intercept.
        threshold: ``p(harmful)`` at or above which a text is flagged.
    """

    weights: np.ndarray
    bias: float = 0.0
    threshold: float = 0.5

    def prob(self, texts: Sequence[str]) -> np.ndarray:
        """``p(harmful)`` of each text."""
        return 1.0 / (1.0 + np.exp(-(featurize(texts, len(self.weights)) @ self.weights + self.bias)))

    def flags(self, text: str) -> bool:
        """True when ``text`` looks harmful."""
        return bool(self.prob([text])[0] >= self.threshold)


def train_classifier(
    texts: Sequence[str], labels: Sequence[int], *, epochs: int = 300, lr: float = 2.0, l2: float = 1e-4,
    benign_weight: float = 1.0,
) -> NgramClassifier:
    """Full-batch gradient descent on the (class-balanced) logistic loss; deterministic.

    Args:
        texts: training texts.
        labels: 1 harmful, 0 benign.
        epochs: gradient steps.
        lr: step size.
        l2: weight decay.
        benign_weight: extra weight on benign examples (above 1 trades recall for less over-refusal).
    """
    y = np.asarray(labels, dtype=np.float32)
    if len(texts) != len(y) or len(y) == 0 or not (0 < y.sum() < len(y)):
        raise ConfigError("train_classifier needs as many labels as texts and both classes (1 harmful, 0 benign).")
    w, b = fit_logistic(featurize(texts), y, epochs=epochs, lr=lr, l2=l2, negative_weight=benign_weight)
    return NgramClassifier(w, b)


def fit_logistic(x: np.ndarray, y: np.ndarray, *, epochs: int, lr: float, l2: float, negative_weight: float = 1.0
                 ) -> tuple[np.ndarray, float]:
    """Class-balanced logistic regression by full-batch gradient descent on feature rows ``x``; deterministic.

    Each class carries half the loss (the negatives ``negative_weight`` times that); returns ``(weights, bias)``.
    """
    pos = y.sum()
    sample = np.where(y == 1, 0.5 / pos, 0.5 * negative_weight / (len(y) - pos)).astype(np.float32)
    w, b = np.zeros(x.shape[1], dtype=np.float32), 0.0
    for _ in range(epochs):
        p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
        g = sample * (p - y)
        w -= lr * (x.T @ g + l2 * w)
        b -= lr * float(g.sum())
    return w, float(b)
