"""Trainer callbacks every learner shares."""

from __future__ import annotations

import time
from typing import Any


def time_budget_callback(budget_s: float, save: bool = False) -> Any:
    """A ``TrainerCallback`` that stops training once ``budget_s`` wall seconds have passed (0: never).

    After it fires, ``callback.hit`` is True (reported as ``stopped_by_time_budget``); with ``save`` it also asks
    the trainer to write a checkpoint at that step, so a resumed run continues from there.
    """
    from transformers import TrainerCallback

    class TimeBudget(TrainerCallback):
        hit = False

        def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            self.start = time.perf_counter()

        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            if budget_s and time.perf_counter() - self.start > budget_s:
                self.hit = control.should_training_stop = True
                if save:
                    control.should_save = True

    return TimeBudget()
