"""Imported once by the runner's fork server: it loads the parent's main module there, so workers inherit it.

multiprocessing imports the parent's ``__main__`` (the ``cauarena`` command, a benchmark, a user's script that
registers its agents) into every child that does not already hold it. Its fork server means to import it once and
let children inherit it (``'__main__'`` in the preload list), but Python 3.11 (checked here) never passes the main
path to the server (it asks ``get_preparation_data`` for ``main_path``, a key that does not exist), so each worker
and each agent host paid 0.3-0.45 s of imports (the CLI, SQLAlchemy) before its first episode. The runner puts
what the children would be told in :data:`MAIN_ENV` before the server starts; this module, preloaded there, carries
it out with the same call the children make (:func:`multiprocessing.spawn.prepare`), after which their own call
finds the module in place and returns at once. The modules of the run's envs (:data:`PRELOAD_ENV`) are imported
here as well.
"""

from __future__ import annotations

import importlib
import json
import os

MAIN_ENV = "CAUARENA_FORK_MAIN"
"""The environment variable holding ``{"init_main_from_path": ...}`` or ``{"init_main_from_name": ...}``."""

PRELOAD_ENV = "CAUARENA_FORK_PRELOAD"
"""The environment variable naming, comma-separated, the modules of the run's envs to import in the server too.

Without it each worker imported its env's module itself (BabyAI-Text: 0.4 s, minigrid) before its first episode.
"""


def main_preparation() -> dict[str, str]:
    """What multiprocessing would tell a child about this process's main module (empty for none).

    >>> set(main_preparation()) <= {"init_main_from_path", "init_main_from_name"}
    True
    """
    from multiprocessing import spawn

    data = spawn.get_preparation_data("main")
    return {k: v for k, v in data.items() if k in ("init_main_from_path", "init_main_from_name")}


def unguarded_main() -> str | None:
    """The path of this process's main script when it is a file that never mentions ``__main__``, else None.

    Every worker imports the main script again (as multiprocessing does), so a script that starts a run at import
    time, without ``if __name__ == "__main__":``, would start it again in each worker, and each would die.
    """
    path = main_preparation().get("init_main_from_path")
    if not path:
        return None
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return None if "__main__" in fh.read() else path
    except OSError:
        return None


def _load_main() -> None:
    raw = os.environ.pop(MAIN_ENV, "")
    if not raw:
        return
    from multiprocessing import process, spawn

    current = process.current_process()
    current._inheriting = True  # what a child sets while it imports the main module  # noqa: SLF001
    try:
        spawn.prepare(json.loads(raw))
    except BaseException:  # noqa: BLE001, S110 - each child then imports it itself and reports what fails
        pass
    finally:
        del current._inheriting  # noqa: SLF001


def _preload_envs() -> None:
    for module in filter(None, os.environ.pop(PRELOAD_ENV, "").split(",")):
        try:
            importlib.import_module(module)
        except BaseException:  # noqa: BLE001, S110 - a worker that needs it imports it and records what fails
            pass


_load_main()
_preload_envs()
