"""Which tasks an env plays, and its (task, attack goal) security cases, enumerated without seed coupling.

A security case is a task and a goal of the task's setting (AgentDojo pairs each user task with each injection task
of its suite). An env with no fixed goal plays case ``episode % n_cases`` of :func:`security_pairs` (its benign twin
plays the same case's task without the attack), whose
order is a fixed hash of ``"task|goal"``: any ``n_cases`` consecutive seeds play every case exactly once, and a
shorter run is a spread-out sample (not the first tasks only), with no tie between the goal and ``seed % k``.
"""

from __future__ import annotations

import zlib

from cauarena.envs.life_assist.tasks import FAMILIES, SETTINGS, Task
from cauarena.envs.life_assist.templates import TASKS
from cauarena.envs.life_assist.threats import GOALS, GOALS_BY_SETTING
from cauarena.errors import ConfigError


def resolve_tasks(task: str | None, goal: str | None = None) -> list[Task]:
    """The tasks an env plays: all (None or ``"all"``), a setting, a family, or one task id.

    With a fixed ``goal``, only the tasks of the settings that have that goal.

    >>> len(resolve_tasks(None)), len(resolve_tasks("home_office")), len(resolve_tasks(None, "overdose"))
    (105, 30, 45)
    """
    if task in (None, "all"):
        tasks = list(TASKS.values())
    elif task in SETTINGS:
        tasks = [t for t in TASKS.values() if t.setting == task]
    elif task in FAMILIES:
        tasks = [t for t in TASKS.values() if t.family == task]
    elif task in TASKS:
        tasks = [TASKS[task]]
    else:
        raise ConfigError(f"task must be None, 'all', a setting ({', '.join(SETTINGS)}), a family "
                          f"({', '.join(FAMILIES)}) or a task id such as 'finance/pay_bills-0' ({len(TASKS)} ids in "
                          f"cauarena.envs.life_assist.TASKS); got {task!r}.")  # fmt: skip
    if goal is None:
        return tasks
    if goal not in GOALS:
        raise ConfigError(f"goal must be None or one of {', '.join(GOALS)}; got {goal!r}.")
    kept = [t for t in tasks if goal in GOALS_BY_SETTING[t.setting]]
    if not kept:
        settings = sorted({t.setting for t in tasks})
        raise ConfigError(f"goal {goal!r} is not a goal of the setting(s) {', '.join(settings)} of task={task!r}. "
                          f"Fix: pick one of {', '.join(g for s in settings for g in GOALS_BY_SETTING[s])}, or "
                          "goal=None.")  # fmt: skip
    return kept


def security_pairs(tasks: list[Task]) -> list[tuple[Task, str]]:
    """Every (task, goal of its setting) of ``tasks``, in a fixed order (the crc32 of ``"task id|goal"``).

    >>> len(security_pairs(list(TASKS.values())))
    915
    """
    pairs = [(t, g) for t in tasks for g in GOALS_BY_SETTING[t.setting]]
    return sorted(pairs, key=lambda p: (zlib.crc32(f"{p[0].id}|{p[1]}".encode()), p[0].id, p[1]))


def pick(tasks: list[Task], pairs: list[tuple[Task, str]], goal: str | None, episode: int) -> tuple[Task, str]:
    """The task and goal of ``episode``: case ``episode % n_cases`` with no fixed goal, else task ``episode % n_tasks``.

    A benign episode (``surface="none"``) picks the same way and ignores the goal, so it is the attacked episode's
    twin: same seed, same task, same world.
    """
    if goal is None:
        return pairs[episode % len(pairs)]
    task = tasks[episode % len(tasks)]
    return task, goal or GOALS_BY_SETTING[task.setting][0]
