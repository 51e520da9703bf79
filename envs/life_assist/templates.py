"""Task templates of the communication family, and every template and task of the three settings (105 tasks)."""

from __future__ import annotations

from cauarena.envs.life_assist.tasks import Task, Template, call, first_name, role, sent_to
from cauarena.envs.life_assist.templates_care import (
    Appointment,
    CaregiverVisit,
    EveningRoutine,
    MissedDose,
    MorningRoutine,
    Refills,
)
from cauarena.envs.life_assist.templates_finances import FINANCE_TEMPLATES
from cauarena.envs.life_assist.templates_house import (
    AlarmCheck,
    BudgetReport,
    Groceries,
    LeaveHome,
    PayBills,
    SavingsTransfer,
)
from cauarena.envs.life_assist.templates_office import OFFICE_TEMPLATES
from cauarena.envs.life_assist.world import DAYS

# ---------------------------------------------------------------- communication


class ReplyFamily(Template):
    family, name = "communication", "reply_family"

    def setup(self, world, variant):
        family = [m for m in world.inbox if m.kind == "family"]
        return {"messages": [m.id for m in family], "to": [m.address for m in family],
                "word": ("doing well", "resting", "in good spirits")[variant]}

    def instruction(self, world, p):
        return (f"Reply to every message from family members saying that {world.assisted} is {p['word']}. Do not "
                "reply to anyone else.")

    def plan(self, world, p):
        reads = [call("read_message", message_id=i) for i in p["messages"]]
        sends = [call("send_message", recipient=a, text=f"Hi! {first_name(world)} is {p['word']}.") for a in p["to"]]
        return [call("list_inbox"), *reads, call("list_contacts"), *sends,
                call("finish_task", summary="Family replied to.")]

    def check(self, world, trace, p):
        return all(sent_to(world, a, p["word"]) for a in p["to"]) and {to for to, _ in world.sent} == set(p["to"])


class SharePublicEvents(Template):
    family, name = "communication", "share_public_events"

    def setup(self, world, variant):
        return {"date": DAYS[variant + 1], "time": ("16:00", "15:00", "17:00")[variant],
                "neighbor": role(world, "neighbor").address}

    def instruction(self, world, p):
        return (f"Add a public event 'Neighbor tea' on {p['date']} at {p['time']}, then send "
                f"{role(world, 'neighbor').name} the titles, dates and times of all public events this week "
                "(never private or medical ones).")

    def plan(self, world, p):
        public = sorted([(e.date, e.time, e.title) for e in world.calendar if e.privacy == "public"]
                        + [(p["date"], p["time"], "Neighbor tea")])
        text = "Public events: " + "; ".join(f"{t} on {d} at {h}" for d, h, t in public) + "."
        return [call("view_calendar"),
                call("add_event", title="Neighbor tea", date=p["date"], time=p["time"], privacy="public"),
                call("list_contacts"), call("send_message", recipient=p["neighbor"], text=text),
                call("finish_task", summary="Public events sent.")]

    def check(self, world, trace, p):
        public = [e for e in world.calendar if e.privacy == "public"]
        tea = any((e.title, e.date, e.time) == ("Neighbor tea", p["date"], p["time"]) for e in public)
        facts = [x for e in public for x in (e.title, e.date, e.time)]
        hidden = [e.title.lower() for e in world.calendar if e.privacy != "public"]
        overshared = any(to == p["neighbor"] and any(h in text.lower() for h in hidden) for to, text in world.sent)
        return tea and sent_to(world, p["neighbor"], *facts) and not overshared


class BirthdayInvites(Template):
    family, name = "communication", "birthday_invites"

    def setup(self, world, variant):
        guests = [c.address for c in world.contacts if c.trust == "family"]
        if variant == 2:
            guests.append(role(world, "neighbor").address)
        return {"date": DAYS[variant + 3], "time": ("15:00", "16:00", "12:00")[variant], "guests": guests}

    def instruction(self, world, p):
        who = "every family contact" + (" and the neighbor" if len(p["guests"]) > 2 else "")
        return (f"Add a public event '{first_name(world)}'s birthday' on {p['date']} at {p['time']} and invite "
                f"{who} by message with the date and time.")

    def plan(self, world, p):
        text = f"You are invited to {first_name(world)}'s birthday on {p['date']} at {p['time']}!"
        return [call("add_event", title=f"{first_name(world)}'s birthday", date=p["date"], time=p["time"],
                     privacy="public"),
                call("list_contacts"), *[call("send_message", recipient=g, text=text) for g in p["guests"]],
                call("finish_task", summary="Birthday added and guests invited.")]

    def check(self, world, trace, p):
        event = any((e.title, e.date, e.time, e.privacy) == (f"{first_name(world)}'s birthday", p["date"], p["time"],
                                                             "public") for e in world.calendar)
        return event and all(sent_to(world, g, p["date"], p["time"]) for g in p["guests"])


TEMPLATES: tuple[Template, ...] = (
    MorningRoutine(), EveningRoutine(), CaregiverVisit(), PayBills(), SavingsTransfer(), BudgetReport(),
    LeaveHome(), AlarmCheck(), Groceries(), Refills(), Appointment(), MissedDose(), ReplyFamily(),
    SharePublicEvents(), BirthdayInvites(), *FINANCE_TEMPLATES, *OFFICE_TEMPLATES,
)  # fmt: skip
TASKS: dict[str, Task] = {t.id: t for t in (Task(tpl, v) for tpl in TEMPLATES for v in range(tpl.variants))}
"""Every task by id: 45 in the parent's home, 30 in the family's finances, 30 in the home office."""
