"""Learners: trainers for the models CauArena ships (tiny LM, CauScale, DEPO, GRPO, ...).

Every learner is ``cauarena train <method>`` (``cauarena train --help`` lists them): a config dataclass and one
``train(config, out, ...)`` function, registered in :data:`TRAIN_METHODS`. Importing this package imports no model
library.
"""

from cauarena.learners.methods import TRAIN_METHODS, TrainMethod, find_method, register_method

__all__ = ["TRAIN_METHODS", "TrainMethod", "find_method", "register_method"]
