"""LINA's predictor: the prompt embedding -> the predicted objective of each candidate intervention -> the best one.

The generator's text encoder gives the prompt embedding (mean token state, frozen); a one-hidden-layer MLP
predicts, for each candidate :class:`~cauarena.learners.scene_diffusion.sampling.Intervention`, the objective
it would reach on that prompt; the predictor's output is the candidate with the highest prediction, so the
interventions are prompt-specific and reach unseen (OOD) prompts through the embedding.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import torch
from torch import nn

from cauarena.errors import ConfigError
from cauarena.learners.scene_diffusion.sampling import Intervention


def candidates(embedding_scales: tuple[float, ...], early_boosts: tuple[float, ...],
               early_schedules: tuple[float, ...], guidance: float) -> list[Intervention]:
    """Every combination of the candidate values (the base sampler first when 0 is in each list).

    >>> [c.embedding_scale for c in candidates((0.0, 1.5), (0.0,), (0.0,), 3.0)]
    [0.0, 1.5]
    """
    return [Intervention(embedding_scale=a, guidance=guidance, early_boost=b, early_schedule=s)
            for a, b, s in itertools.product(embedding_scales, early_boosts, early_schedules)]


@torch.no_grad()
def prompt_embeddings(generator: Any, prompts: list[str]) -> torch.Tensor:
    """The frozen generator's prompt embeddings ``(n, width)`` (mean of the token states)."""
    from cauarena.learners.scene_diffusion.model import pooled

    states, ids = generator.encode(prompts)
    return pooled(states, ids)


class LinaPredictor(nn.Module):
    """``(n, width)`` prompt embeddings -> ``(n, candidates)`` predicted objectives; saved with its candidates."""

    def __init__(self, width: int, options: list[Intervention], hidden: int = 32) -> None:
        super().__init__()
        if not options:
            raise ConfigError("LinaPredictor needs at least one candidate intervention; got none.")
        self.options, self.hidden = list(options), hidden
        self.net = nn.Sequential(nn.Linear(width, hidden), nn.GELU(), nn.Linear(hidden, len(options)))

    def forward(self, embeddings: torch.Tensor) -> torch.Tensor:
        """Predicted objective per candidate."""
        return self.net(embeddings)

    @torch.no_grad()
    def choose(self, embeddings: torch.Tensor) -> list[Intervention]:
        """The candidate with the highest predicted objective, per prompt."""
        return [self.options[int(i)] for i in self(embeddings).argmax(dim=1)]

    def save(self, folder: Path) -> None:
        """Write ``predictor.safetensors`` and ``predictor.json`` under ``folder``."""
        from safetensors.torch import save_file

        folder.mkdir(parents=True, exist_ok=True)
        save_file({k: v.contiguous() for k, v in self.state_dict().items()}, str(folder / "predictor.safetensors"))
        meta = {"width": self.net[0].in_features, "hidden": self.hidden, "options": [o.to_dict() for o in self.options]}
        (folder / "predictor.json").write_text(json.dumps(meta, indent=1))


def load_predictor(folder: Path | str) -> LinaPredictor:
    """The predictor saved in ``folder``.

    Raises:
        ConfigError: no ``predictor.json``/``predictor.safetensors`` there.
    """
    from safetensors.torch import load_file

    folder = Path(folder)
    if not (folder / "predictor.json").is_file() or not (folder / "predictor.safetensors").is_file():
        raise ConfigError(f"No LINA predictor in {folder}: expected predictor.json and predictor.safetensors. "
                          "Fix: `cauarena train lina --out <folder>` or use the shipped predictor.")
    meta = json.loads((folder / "predictor.json").read_text())
    predictor = LinaPredictor(meta["width"], [Intervention(**o) for o in meta["options"]], meta["hidden"])
    predictor.load_state_dict(load_file(str(folder / "predictor.safetensors")))
    return predictor.eval()


__all__ = ["LinaPredictor", "candidates", "load_predictor", "prompt_embeddings"]
