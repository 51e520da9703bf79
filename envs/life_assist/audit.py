"""The grader audit: mutate every reference plan and check that the task's grader rejects the wrong work.

Two kinds of mutation per task and household (AgentDojo checks its utility functions against ground truth the same
way, by hand; here it is a program):

- ``drop``: leave out one state-changing call of the plan (every call of a mutating tool except ``finish_task``);
- ``perturb``: change one argument that the instruction pins (account, recipient, amount, dose, date, time,
  privacy, device value, payee, product, quantity, medication, pharmacy, event, title, message text, and the
  final report of a task that asks for one) to another valid value.

A mutated plan is replayed in a benign episode and *accepted* when the episode still counts as a success (the
task's state-based utility check holds and no rubric fired). :data:`WHITELIST` lists the mutations that truly
change nothing, with the reason; every other accepted mutation is a grader gap.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cauarena.envs.life_assist.tasks import Task
from cauarena.envs.life_assist.templates import TASKS
from cauarena.envs.life_assist.tools import TERMINAL, TOOLS
from cauarena.envs.life_assist.world import DAYS, World

PINNED = ("account", "from_account", "to_account", "recipient", "amount", "dose_mg", "date", "time", "privacy",
          "value", "device", "payee", "product_id", "quantity", "medication", "pharmacy", "event_id", "title", "text",
          "subscription", "transaction_id", "charity", "client", "due_date", "document_id", "bill_id", "meeting_id",
          "invoice_id", "enabled")
"""The arguments a perturbation changes (those an instruction can pin)."""

_THERMOSTAT_20 = ("the instruction asks for 20 C, the thermostat's starting state in every household: leaving the "
                  "call out (or turning it into an invalid call) leaves the asked-for state in place")
WHITELIST: dict[tuple[str, str], str] = {
    ("daily_care/morning_routine-0", "drop set_device(thermostat)"): _THERMOSTAT_20,
    ("daily_care/morning_routine-0", "perturb set_device(thermostat).device"): _THERMOSTAT_20 + " (a thermostat "
    "value on an alarm is refused by the tool)",
    ("daily_care/evening_routine-2", "drop set_device(thermostat)"): _THERMOSTAT_20,
    ("daily_care/evening_routine-2", "perturb set_device(thermostat).device"): _THERMOSTAT_20 + " (a thermostat "
    "value on an alarm is refused by the tool)",
}
"""``(task id, mutation kind)`` -> why the mutation changes nothing the principal asked for."""


@dataclass(frozen=True)
class Mutation:
    """One mutated plan of one task and household, and whether the grader accepted it."""

    task_id: str
    seed: int
    kind: str
    """``drop <tool>`` or ``perturb <tool>.<argument>``."""
    index: int
    """Position of the changed call in the plan."""
    accepted: bool
    """The episode still counted as a success (utility and no violation)."""

    @property
    def whitelisted(self) -> str:
        """The reason this mutation changes nothing (``""`` when it is not whitelisted)."""
        return WHITELIST.get((self.task_id, self.kind), "")


def _next(values: list[Any], value: Any) -> Any:
    """The value after ``value`` in ``values`` (cyclic), or the first when it is not there."""
    return values[(values.index(value) + 1) % len(values)] if value in values else values[0]


def _other_setting(world: World, key: str, value: Any) -> Any:
    """A different valid value for an argument of the finances or office tools (``None``: not one of theirs)."""
    fin, office = world.finances, world.office
    lists: dict[str, list[Any]] = {}
    if fin is not None:
        lists.update(subscription=[s.name for s in fin.subscriptions], transaction_id=[t.id for t in fin.transactions],
                     charity=[c.name for c in fin.charities])  # fmt: skip
    if office is not None:
        lists.update(client=[c.name for c in office.clients], document_id=[d.id for d in office.documents],
                     bill_id=[b.id for b in office.bills], meeting_id=[m.id for m in office.meetings],
                     invoice_id=[i.id for i in office.invoices])  # fmt: skip
    if key in lists:
        return _next(lists[key], value)
    if key == "due_date":
        return _next(list(DAYS), value)
    if key == "enabled":
        return not value
    return None


def _other(world: World, key: str, value: Any) -> Any:
    """A different valid value for argument ``key``."""
    other = _other_setting(world, key, value)
    if other is not None:
        return other
    if key in ("account", "from_account"):
        return "savings" if value == "checking" else "checking"
    if key == "to_account":
        return "checking" if value == "savings" else "savings"
    if key == "recipient":
        addresses = [c.address for c in world.contacts]
        return addresses[(addresses.index(value) + 1) % len(addresses)] if value in addresses else addresses[0]
    if key in ("amount", "dose_mg", "quantity"):
        return value + 1
    if key == "date":
        return DAYS[(DAYS.index(value) + 1) % len(DAYS)] if value in DAYS else DAYS[0]
    if key == "time":
        hour, minute = value.split(":")
        return f"{(int(hour) + 1) % 24:02d}:{minute}"
    if key == "privacy":
        return {"public": "private", "private": "public", "medical": "private"}[value]
    if key == "value":
        return {"on": "off", "off": "on", "locked": "unlocked", "test": "on"}.get(value, str(int(value) + 1)
                                                                              if value.isdigit() else "on")
    if key == "device":
        return "co_alarm" if value != "co_alarm" else "smoke_alarm"
    if key == "payee":
        names = [p.name for p in world.payees]
        return names[(names.index(value) + 1) % len(names)]
    if key == "product_id":
        return next(p.id for p in world.products if p.id != value and p.verified_seller)
    if key == "medication":
        names = [m.name for m in world.medications]
        return names[(names.index(value) + 1) % len(names)]
    if key == "pharmacy":
        return next(p.name for p in world.pharmacies if p.name != value)
    if key == "event_id":
        ids = [e.id for e in world.calendar]
        return ids[(ids.index(value) + 1) % len(ids)] if value in ids else ids[0]
    if key == "title":
        return f"{value} (draft)"
    return "Hello."  # text


def mutations(plan: list[dict[str, Any]], world: World, reports: bool = False,
              ) -> Iterator[tuple[str, int, list[dict[str, Any]]]]:
    """Every ``(kind, index, mutated plan)`` of ``plan`` (see the module docstring).

    ``reports``: the task asks for numbers in the final report, so its ``finish_task`` summary is pinned too.
    """
    for i, step in enumerate(plan):
        name = step["name"]
        if name == "finish_task" and reports:
            changed = copy.deepcopy(plan)
            changed[i]["arguments"]["summary"] = "Done."
            yield "perturb finish_task.summary", i, changed
        if not TOOLS[name].mutates or name in TERMINAL:
            continue
        label = f"{name}({step['arguments']['device']})" if name == "set_device" else name
        yield f"drop {label}", i, plan[:i] + plan[i + 1:]
        for key in PINNED:
            if key in step["arguments"]:
                changed = copy.deepcopy(plan)
                changed[i]["arguments"][key] = _other(world, key, step["arguments"][key])
                yield f"perturb {label}.{key}", i, changed


def _replay(task: Task, seed: int, plan: list[dict[str, Any]]) -> bool:
    from cauarena.envs.life_assist.env import LifeAssistEnv

    env = LifeAssistEnv(task=task.id)
    env.reset(seed=seed)
    info: dict[str, Any] = {}
    for step in plan:
        *_, terminated, truncated, info = env.step(step)
        if terminated or truncated:
            break
    return bool(info.get("success"))


def audit(seeds: tuple[int, ...] = (0, 1), task_ids: tuple[str, ...] | None = None) -> list[Mutation]:
    """Every mutation of every task's reference plan over households ``seeds``, replayed and graded."""
    from cauarena.envs.life_assist.env import LifeAssistEnv

    found = []
    for task_id in task_ids or tuple(TASKS):
        env = LifeAssistEnv(task=task_id)
        for seed in seeds:
            env.reset(seed=seed)
            world = env.world.model_copy(deep=True)
            for kind, index, plan in mutations(env.plan, world, env.task.template.reports):
                found.append(Mutation(task_id, seed, kind, index, _replay(env.task, seed, plan)))
    return found
