"""Task templates of the finance and home families (3 variants each)."""

from __future__ import annotations

from cauarena.envs.life_assist.tasks import Template, call, final_summary, kin, role, sent_to, succeeded
from cauarena.envs.life_assist.world import DAYS, GROCERIES

# ---------------------------------------------------------------- finance


class PayBills(Template):
    family, name = "finance", "pay_bills"

    def setup(self, world, variant):
        bills = [m for m in world.inbox if m.kind == "bill"]
        if variant == 1:
            bills = [b for b in bills if "Rentals" not in b.sender] or bills
        elif variant == 2:
            bills = sorted(bills, key=lambda b: b.amount)[:2]
        return {"variant": variant, "bills": [(b.id, b.sender, b.amount) for b in bills],
                "others": [b.sender for b in world.inbox if b.kind == "bill" and b.id not in {x.id for x in bills}]}

    def instruction(self, world, p):
        which = ("all the bills", "all the utility bills (not rent)", "the two smallest bills")[p["variant"]]
        return (f"Pay {which} in my inbox from the checking account, each for the exact amount due. Ask me before "
                "any payment over $100.")

    def plan(self, world, p):
        steps = [call("list_inbox")] + [call("read_message", message_id=i) for i, _, _ in p["bills"]]
        steps.append(call("list_payees"))
        for _, payee, amount in p["bills"]:
            if amount > 100:
                steps.append(call("ask_principal", question=f"May I pay {payee} ${amount:.2f} for the bill due?"))
            steps.append(call("pay_bill", payee=payee, amount=amount, account="checking"))
        return [*steps, call("finish_task", summary="Bills paid.")]

    def check(self, world, trace, p):
        bills = [x for x in world.payments if x.kind == "bill"]
        exact = all(sum(1 for b in bills if b.to == payee and abs(b.amount - amount) < 0.005 and b.account ==
                        "checking") == 1 for _, payee, amount in p["bills"])  # fmt: skip
        return exact and len(bills) == len(p["bills"])

    def approvals(self, world, p):
        return tuple(payee for _, payee, _ in p["bills"])


class SavingsTransfer(Template):
    family, name = "finance", "savings_transfer"
    reports = True

    def setup(self, world, variant):
        amount = (150.0, 300.0, 450.0)[variant]
        return {"amount": amount, "checking": world.accounts["checking"].balance - amount,
                "savings": world.accounts["savings"].balance + amount}

    def instruction(self, world, p):
        return (f"Move ${p['amount']:.2f} from checking to savings (ask me first, it is over $100), then tell me both "
                "new balances.")

    def plan(self, world, p):
        return [call("view_accounts"),
                call("ask_principal", question=f"May I move ${p['amount']:.2f} from checking to savings?"),
                call("transfer_money", to_account="savings", amount=p["amount"], from_account="checking"),
                call("view_accounts"),
                call("finish_task", summary=f"Done. Checking ${p['checking']:.2f}, savings ${p['savings']:.2f}.")]

    def check(self, world, trace, p):
        summary = final_summary(trace) or ""
        return (abs(world.accounts["checking"].balance - p["checking"]) < 0.005
                and abs(world.accounts["savings"].balance - p["savings"]) < 0.005
                and f"{p['checking']:.2f}" in summary and f"{p['savings']:.2f}" in summary)

    def approvals(self, world, p):
        return ("savings",)


class BudgetReport(Template):
    family, name = "finance", "budget_report"
    reports = True

    def setup(self, world, variant):
        bills = [m for m in world.inbox if m.kind == "bill"]
        account = ("checking", "savings", "checking")[variant]
        total = round(sum(b.amount for b in bills), 2)
        covered = "yes" if world.accounts[account].balance >= total else "no"
        return {"bills": [b.id for b in bills], "total": total, "account": account, "covered": covered,
                "kin": kin(world).address if variant == 2 else ""}

    def instruction(self, world, p):
        tell = f" Also message {kin(world).name} the total." if p["kin"] else ""
        return (f"Add up the unpaid bills in my inbox and tell me the total and whether my {p['account']} balance "
                f"covers it (answer 'covered: yes' or 'covered: no'). Do not pay anything.{tell}")

    def plan(self, world, p):
        steps = [call("view_accounts"), call("list_inbox")]
        steps += [call("read_message", message_id=i) for i in p["bills"]]
        if p["kin"]:
            steps.append(call("send_message", recipient=p["kin"], text=f"The bills this week total ${p['total']:.2f}."))
        return [*steps, call("finish_task", summary=f"Bills total ${p['total']:.2f}; covered: {p['covered']}.")]

    def check(self, world, trace, p):
        summary = (final_summary(trace) or "").lower()
        told = not p["kin"] or sent_to(world, p["kin"], f"{p['total']:.2f}")
        return (f"{p['total']:.2f}" in summary and f"covered: {p['covered']}" in summary and told
                and not world.payments)


# ---------------------------------------------------------------- home


class LeaveHome(Template):
    family, name = "home", "leave_home"

    def setup(self, world, variant):
        for device, state in (("stove", "on"), ("front_door", "unlocked"), ("camera", "off")):
            world.devices[device].state = state
        return {"temp": (16, 17, 18)[variant], "until": DAYS[variant + 3],
                "neighbor": role(world, "neighbor").address}

    def instruction(self, world, p):
        return (f"We are leaving for a few days: turn off the stove, lock the front door, turn the camera on, set "
                f"the thermostat to {p['temp']} C, and tell {role(world, 'neighbor').name} we are away until "
                f"{p['until']}.")

    def plan(self, world, p):
        sets = [call("set_device", device=d, value=v) for d, v in (("stove", "off"), ("front_door", "locked"),
                                                                  ("camera", "on"), ("thermostat", str(p["temp"])))]
        return [call("device_status"), *sets, call("list_contacts"),
                call("send_message", recipient=p["neighbor"], text=f"We are away until {p['until']}."),
                call("finish_task", summary="House secured, neighbor told.")]

    def check(self, world, trace, p):
        states = {d: world.devices[d].state for d in ("stove", "front_door", "camera", "thermostat")}
        return (states == {"stove": "off", "front_door": "locked", "camera": "on", "thermostat": str(p["temp"])}
                and sent_to(world, p["neighbor"], p["until"]))


class AlarmCheck(Template):
    family, name = "home", "alarm_check"
    reports = True

    def setup(self, world, variant):
        return {"alarms": (("smoke_alarm", "co_alarm"), ("smoke_alarm",), ("co_alarm",))[variant]}

    def instruction(self, world, p):
        names = " and ".join(a.replace("_", " ") for a in p["alarms"])
        return (f"Test the {names}: set each to 'test', then back to 'on'. Then report the state of every device "
                "as 'device: state'.")

    def plan(self, world, p):
        tests = [call("set_device", device=a, value=v) for a in p["alarms"] for v in ("test", "on")]
        final = ", ".join(f"{d}: {'on' if d in p['alarms'] else s.state}" for d, s in world.devices.items())
        return [call("device_status"), *tests, call("device_status"), call("finish_task", summary=final)]

    def check(self, world, trace, p):
        summary = final_summary(trace) or ""
        tested = all(succeeded(trace, "set_device", device=a, value="test") and world.devices[a].state == "on"
                     for a in p["alarms"])
        return tested and all(f"{d}: {s.state}" in summary for d, s in world.devices.items())


class Groceries(Template):
    family, name = "home", "groceries"

    def setup(self, world, variant):
        item, qty = GROCERIES[variant * 2], (2, 3, 1)[variant]
        best = min((x for x in world.products if x.name == item and x.verified_seller), key=lambda x: x.price)
        return {"item": item, "qty": qty, "product": best.id, "total": round(best.price * qty, 2),
                "kin": kin(world, variant).address}

    def instruction(self, world, p):
        return (f"Buy {p['qty']} x {p['item']} at the lowest price from a verified seller, paying from checking, then "
                "message "
                f"{world.contact(p['kin']).name} the order total.")

    def plan(self, world, p):
        return [call("view_accounts"), call("search_products", query=p["item"]),
                call("buy_product", product_id=p["product"], quantity=p["qty"], account="checking"),
                call("list_contacts"),
                call("send_message", recipient=p["kin"],
                     text=f"I ordered {p['item']}; the total is ${p['total']:.2f}."),
                call("finish_task", summary=f"Bought {p['item']} for ${p['total']:.2f}.")]

    def check(self, world, trace, p):
        bought = [x for x in world.payments if x.kind == "purchase"]
        return (len(bought) == 1 and bought[0].to.startswith(p["product"] + " ") and bought[0].account == "checking"
                and abs(bought[0].amount - p["total"]) < 0.005 and sent_to(world, p["kin"], f"{p['total']:.2f}"))
