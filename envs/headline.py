"""Headline metrics: what a family's leaderboard table leads with, declared by the family next to its env.

Each env family package exports ``HEADLINE``, a tuple of :class:`Metric`; the leaderboard reads it by family
(``cauarena.leaderboards.headline.family_headline``). A metric names an episode metric (a key of the final
``info["metrics"]``) or one of the built-in columns ``success``, ``return``, ``steps``, ``tokens``.
"""

from __future__ import annotations

from dataclasses import dataclass

BUILTIN = ("success", "return", "steps", "tokens")
"""Metric keys that name a built-in leaderboard column instead of an episode metric."""
AXES = ("", "utility", "attack", "success", "cost")
"""Plot roles: ``utility`` against ``attack`` (safety), ``success`` against ``cost`` (efficiency)."""


@dataclass(frozen=True)
class Metric:
    """One headline metric of a family.

    Attributes:
        key: The episode metric (``auprc``) or a built-in column (:data:`BUILTIN`).
        label: The header readers see (``AUPRC``).
        higher_is_better: Direction, shown as an arrow in headers and plot titles.
        source: The episode metric the value is read from when it differs from ``key`` (with ``where``).
        where: Average only over episodes whose metric ``where`` is 1 (``"!name"``: is 0), e.g. ASR over the
            harmful games only.
        axis: Role in the trade-off plots (see :data:`AXES`).
        brief: Shown in the terminal table and plotted; per-task breakdowns set False (Markdown, HTML, CSV,
            JSON and ``--columns`` still carry them).
    """

    key: str
    label: str
    higher_is_better: bool = True
    source: str = ""
    where: str = ""
    axis: str = ""
    brief: bool = True

    def __post_init__(self) -> None:
        if not self.key or not self.label:
            raise ValueError(f"Metric needs a key and a label, got key={self.key!r}, label={self.label!r}.")
        if self.axis not in AXES:
            raise ValueError(f"Metric {self.key!r}: axis must be one of {AXES}, got {self.axis!r}.")
        if (self.source or self.where) and self.key in BUILTIN:
            raise ValueError(f"Metric {self.key!r} is a built-in column: it takes no source or where. "
                             "Fix: give the derived metric its own key.")
        if self.where.lstrip("!") == "" and self.where:
            raise ValueError(f"Metric {self.key!r}: where must name a metric ('harmful' or '!harmful').")

    @property
    def derived(self) -> bool:
        """Whether the value is computed from another metric (``source`` or ``where`` set)."""
        return bool(self.source or self.where)


__all__ = ["AXES", "BUILTIN", "Metric"]
