"""Alias of :mod:`cauarena.envs.magic.classifier` (the defenders' n-gram classifier moved with them).

Kept because :mod:`cauarena.guards.agentdog.classifier` imports ``featurize`` and ``fit_logistic`` from here.
"""

from cauarena.envs.magic.classifier import NgramClassifier, featurize, fit_logistic, train_classifier

__all__ = ["NgramClassifier", "featurize", "fit_logistic", "train_classifier"]
