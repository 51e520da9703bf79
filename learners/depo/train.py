"""``cauarena train depo``: BC -> KTO -> DEPO on the tiny LM, then the three stages evaluated by the runner.

Rebuild the shipped agents ``tiny/<env>-bc|kto|depo`` (``--preset babyai`` or ``--preset webshop``), then copy
the three checkpoint folders into the package (the only step that writes there)::

    cauarena train depo --preset babyai --out runs/depo/babyai
    cp -r runs/depo/babyai/babyai-{bc,kto,depo} learners/tinylm/checkpoints/

The steps are in :mod:`~cauarena.learners.depo.pipeline`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cauarena.errors import ConfigError
from cauarena.learners.depo.pipeline import STAGES, checkpoint_names, run
from cauarena.learners.depo.pipeline_config import PipelineConfig

__all__ = ["train"]


def train(config: PipelineConfig, out: Path, work_dir: Path | None = None, stages: str = "bc,kto,depo,eval",
          progress: bool = True) -> dict[str, Any]:
    """Run the pipeline's ``stages`` for ``config``; returns their metrics (also in ``<work_dir>/pipeline.json``).

    Args:
        config: the experiment (``--preset babyai`` and ``--preset webshop`` are the shipped ones).
        out: folder for the stage checkpoints ``<env>-bc``, ``<env>-kto``, ``<env>-depo`` (``hf/`` folders).
        work_dir: trainer files, the evaluation suite and its results store (None: ``<out>/work``).
        stages: comma-separated stages to run, from ``bc``, ``kto``, ``depo``, ``eval``.
        progress: show progress bars.

    Raises:
        ConfigError: an unknown stage, or KTO/DEPO without the BC checkpoint they start from.
    """
    chosen = tuple(s.strip() for s in (stages.split(",") if isinstance(stages, str) else stages) if s.strip())
    unknown = sorted(set(chosen) - {*STAGES, "eval"})
    if unknown or not chosen:
        raise ConfigError(f"stages takes a comma-separated subset of {', '.join((*STAGES, 'eval'))}; got {stages!r}.")
    out = Path(out)
    if "bc" not in chosen and set(chosen) & {"kto", "depo"}:
        if not (out / checkpoint_names(config.env)["bc"] / "config.json").is_file():
            raise ConfigError("KTO and DEPO start from the BC checkpoint. Fix: include the bc stage.")
    work = out / "work" if work_dir is None else Path(work_dir)
    return run(config, out, work, chosen, progress=progress)
