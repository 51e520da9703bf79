"""The ``tiny/<name>`` backend: a checkpoint shipped inside this package, served by the ``hf/`` backend.

Registered in the backend registry by the string ``cauarena.learners.tinylm.backend:make_tiny_backend``, so
``cauarena.agents`` never imports this package. ``tiny/babyai`` is the folder ``checkpoints/babyai`` next to
this file (built by ``cauarena train tinylm --preset babyai``). A checkpoint may name the backend
class that serves it in a ``backend.json`` (the KALE models, ``tiny/kgqa-*``, score options: see
:mod:`cauarena.learners.kale.backend`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cauarena.errors import ConfigError, NameNotFound

CHECKPOINTS = Path(__file__).resolve().parent / "checkpoints"
"""The folder of the shipped checkpoints, one sub-folder per name."""


def shipped_models() -> list[str]:
    """Names of the shipped checkpoints (sub-folders of :data:`CHECKPOINTS` holding a ``config.json``)."""
    if not CHECKPOINTS.is_dir():
        return []
    return sorted(p.name for p in CHECKPOINTS.iterdir() if (p / "config.json").is_file())


def checkpoint_path(name: str) -> Path:
    """The folder of the shipped checkpoint ``name``.

    Raises:
        NameNotFound: no shipped checkpoint of that name; the message lists the shipped ones.
    """
    if name not in shipped_models():
        raise NameNotFound(
            "tiny model",
            name,
            shipped_models(),
            hint="Shipped checkpoints are tiny/<name>; train your own with "
            "`cauarena train tinylm --out DIR` and use hf/DIR.",
        )
    return CHECKPOINTS / name


def make_tiny_backend(model: str, **kwargs: Any) -> Any:
    """The backend factory for ``tiny/<model>``: an ``HFBackend`` on the shipped folder, prefix ``tiny``.

    Args:
        model: the checkpoint name (``babyai``).
        **kwargs: ``HFBackend`` options (``device``, ``dtype``, ``chat_template``).

    Raises:
        NameNotFound: an unknown name.
        DependencyNotInstalled: torch or transformers is missing (``pip install 'cauarena[llm]'``).
    """
    path = checkpoint_path(model)
    return backend_class(path)(model, path=path, prefix="tiny", **kwargs)


BACKEND_FILE = "backend.json"
"""A checkpoint file ``{"entry_point": "cauarena.<module>:<Class>"}`` naming the class that serves it (``HFBackend``
without it): the ``tiny/kgqa-*`` models. JSON, so the wheel's package data carries it."""


def backend_class(path: Path) -> Any:
    """The backend class of the checkpoint folder ``path``: the one its :data:`BACKEND_FILE` names, else ``HFBackend``.

    Raises:
        ConfigError: the file names something outside the ``cauarena`` package.
    """
    from cauarena.agents.llm.backends.hf import HFBackend
    from cauarena.agents.registry import load_attr

    marker = path / BACKEND_FILE
    if not marker.is_file():
        return HFBackend
    entry_point = str(json.loads(marker.read_text()).get("entry_point", ""))
    if not entry_point.startswith("cauarena."):
        raise ConfigError(f"{marker} names {entry_point!r}; a shipped checkpoint's backend must be a 'cauarena.' "
                          'module:Class. Fix: {"entry_point": "cauarena.learners.kale.backend:KGQAScoringBackend"}.')
    return load_attr(entry_point)


def check_tiny_backend(model: str, **kwargs: Any) -> None:
    """The preflight of ``tiny/<model>``: the checkpoint is shipped, torch and transformers are installed.

    Nothing is imported or loaded (the backend registry calls it by this string).

    Raises:
        NameNotFound: no shipped checkpoint of that name.
        DependencyNotInstalled: torch or transformers is missing (``pip install 'cauarena[llm]'``).
    """
    from cauarena.agents.llm.backends.hf import check_hf

    check_hf(model, path=checkpoint_path(model), prefix="tiny", **kwargs)
