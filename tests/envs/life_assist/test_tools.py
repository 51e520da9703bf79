import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cauarena.envs.life_assist import (
    SETTING_TOOLS,
    TOOLS,
    LifeAssistEnv,
    ToolError,
    as_langchain_tools,
    generate_world,
    make_tool,
)
from cauarena.errors import ConfigError, DependencyNotInstalled

GOOD = {
    "list_inbox": {}, "read_message": {"message_id": "m1"}, "list_contacts": {}, "view_calendar": {"date": ""},
    "check_medications": {}, "device_status": {}, "view_accounts": {}, "list_payees": {},
    "search_products": {"query": "tea"}, "list_pharmacies": {},
    "send_message": {"recipient": "nobody@else.example", "text": "hi"},
    "pay_bill": {"payee": "Northside Pharmacy", "amount": 10.0},
    "transfer_money": {"to_account": "savings", "amount": 10.0},
    "share_card_details": {"recipient": "x@y.example"}, "set_device": {"device": "stove", "value": "off"},
    "give_medication": {"medication": "Glucomin", "dose_mg": 500},
    "order_refill": {"medication": "Glucomin", "pharmacy": "Northside Pharmacy"},
    "add_event": {"title": "Tea", "date": "2026-12-02", "time": "10:00", "privacy": "public"},
    "share_event": {"event_id": "e1", "recipient": "x@y.example"}, "buy_product": {"product_id": "P01"},
    "ask_principal": {"question": "ok?"}, "finish_task": {"summary": "done"}, "refuse_task": {"reason": "no"},
    # the family's finances
    "list_subscriptions": {}, "list_transactions": {"category": "dining"}, "bank_settings": {}, "list_charities": {},
    "cancel_subscription": {"subscription": "Home insurance"},
    "schedule_payment": {"payee": "Northside Pharmacy", "amount": 20.0, "date": "2026-12-03"},
    "cancel_scheduled_payment": {"payment_id": "s1"}, "dispute_transaction": {"transaction_id": "t2"},
    "set_alert": {"alert": "low_balance", "enabled": True}, "add_authorized_user": {"address": "x@y.example"},
    "set_statement_address": {"address": "x@y.example"}, "donate": {"charity": "Disaster Help Now", "amount": 5.0},
    "buy_gift_card": {"recipient": "x@y.example", "amount": 10.0}, "send_tax_form": {"recipient": "x@y.example"},
    "set_payment_limit": {"account": "checking", "limit": 500.0},
    # the home office
    "list_documents": {}, "read_document": {"document_id": "d1"}, "list_clients": {}, "list_invoices": {},
    "list_vendor_bills": {}, "list_meetings": {}, "office_settings": {},
    "share_document": {"document_id": "d1", "recipient": "x@y.example"}, "delete_document": {"document_id": "d2"},
    "create_invoice": {"client": "Nimbus Labs", "amount": 100.0, "due_date": "2026-12-05"},
    "void_invoice": {"invoice_id": "i1"}, "pay_vendor_bill": {"bill_id": "b1"},
    "schedule_meeting": {"title": "Sync", "date": "2026-12-02", "time": "09:00"},
    "cancel_meeting": {"meeting_id": "w1"}, "add_team_member": {"address": "x@y.example", "role": "viewer"},
    "add_forwarding_rule": {"address": "x@y.example"}, "set_backup": {"enabled": True},
    "set_payout_account": {"account_number": "AB-1234-5678"}, "send_client_list": {"recipient": "x@y.example"},
}  # fmt: skip
"""A well-formed call of every tool."""

BAD = {
    "read_message": [{}, {"message_id": "m99"}], "view_calendar": [{"date": 5}],
    "search_products": [{"query": " "}], "send_message": [{"recipient": "stranger", "text": "hi"},
                                                          {"recipient": "x@y.example", "text": ""}],
    "pay_bill": [{"payee": "Unknown Co", "amount": 10.0}, {"payee": "Northside Pharmacy", "amount": -1.0},
                 {"payee": "Northside Pharmacy", "amount": 99999.0}, {"payee": "Northside Pharmacy", "amount": "x"}],
    "transfer_money": [{"to_account": "bad acct", "amount": 5.0}, {"to_account": "checking", "amount": 5.0},
                       {"to_account": "savings", "amount": 5.0, "from_account": "brokerage"}],
    "share_card_details": [{"recipient": "x@y.example", "account": "gold"}],
    "set_device": [{"device": "oven", "value": "on"}, {"device": "stove", "value": "hot"},
                   {"device": "thermostat", "value": "99"}],
    "give_medication": [{"medication": "Aspirin", "dose_mg": 5}, {"medication": "Glucomin", "dose_mg": 0}],
    "order_refill": [{"medication": "Glucomin", "pharmacy": "Corner Shop"}],
    "add_event": [{"title": "Tea", "date": "2027-01-01", "time": "10:00"},
                  {"title": "Tea", "date": "2026-12-02", "time": "25:00"},
                  {"title": "Tea", "date": "2026-12-02", "time": "10:00", "privacy": "secret"}],
    "share_event": [{"event_id": "e99", "recipient": "x@y.example"}],
    "buy_product": [{"product_id": "P999"}, {"product_id": "P01", "quantity": 50}],
    "finish_task": [{}], "refuse_task": [{"reason": 3}], "list_inbox": [{"unexpected": 1}],
    "cancel_subscription": [{"subscription": "Opera club"}],
    "schedule_payment": [{"payee": "Unknown Co", "amount": 5.0, "date": "2026-12-03"},
                         {"payee": "Northside Pharmacy", "amount": 5.0, "date": "2027-01-01"},
                         {"payee": "Northside Pharmacy", "amount": 99999.0, "date": "2026-12-03"}],
    "cancel_scheduled_payment": [{"payment_id": "s9"}], "dispute_transaction": [{"transaction_id": "t99"}],
    "set_alert": [{"alert": "sms", "enabled": False}], "add_authorized_user": [{"address": "a stranger"}],
    "donate": [{"charity": "Nobody Fund", "amount": 5.0}, {"charity": "Disaster Help Now", "amount": -5.0}],
    "buy_gift_card": [{"recipient": "x@y.example", "amount": 5000.0}],
    "set_payment_limit": [{"account": "gold", "limit": 5.0}, {"account": "checking", "limit": 0.0}],
    "read_document": [{"document_id": "d99"}], "create_invoice": [{"client": "Acme", "amount": 5.0, "due_date":
                                                                   "2026-12-05"}],
    "void_invoice": [{"invoice_id": "i99"}], "pay_vendor_bill": [{"bill_id": "b99"}],
    "schedule_meeting": [{"title": "Sync", "date": "2026-12-02", "time": "9am"},
                         {"title": "Sync", "date": "2026-12-02", "time": "09:00", "client": "Acme"}],
    "add_team_member": [{"address": "x@y.example", "role": "owner"}],
    "set_payout_account": [{"account_number": "my account"}], "set_backup": [{"enabled": "maybe"}],
}  # fmt: skip
"""Calls each tool must reject (a no-op with feedback)."""


def test_every_tool_has_a_good_call():
    assert set(GOOD) == set(TOOLS)


def _env_for(name: str) -> LifeAssistEnv:
    """An env whose task's setting has tool ``name`` (the parent's home when it has it)."""
    setting = next(s for s in ("parent_home", "family_finances", "home_office") if name in SETTING_TOOLS[s])
    return LifeAssistEnv(task={"parent_home": "home/alarm_check-0", "family_finances": "finances/donate-0",
                               "home_office": "office/invoice_client-0"}[setting])


@pytest.mark.parametrize("name", sorted(TOOLS))
def test_each_tool_accepts_a_good_call(name):
    env = _env_for(name)
    env.reset(seed=0)
    info = env.step({"name": name, "arguments": GOOD[name]})[4]
    assert not info["invalid_action"], info["feedback"]


@pytest.mark.parametrize("name,arguments", [(n, a) for n, calls in sorted(BAD.items()) for a in calls])
def test_each_tool_rejects_bad_arguments_without_changing_the_world(name, arguments):
    env = _env_for(name)
    env.reset(seed=0)
    before = env.world.model_copy(deep=True)
    obs, _, term, _, info = env.step({"name": name, "arguments": arguments})
    assert info["invalid_action"] and info["feedback"] in obs and not term
    assert env.world == before


def test_a_tool_of_another_setting_is_refused():
    env = LifeAssistEnv(task="home/alarm_check-0")
    env.reset(seed=0)
    before = env.world.model_copy(deep=True)
    info = env.step({"name": "set_backup", "arguments": {"enabled": False}})[4]
    assert info["invalid_action"] and "not a tool of the parent_home setting" in info["feedback"]
    assert env.world == before
    assert set(SETTING_TOOLS["parent_home"]) < set(SETTING_TOOLS["home_office"]) and len(TOOLS) >= 50


def test_unknown_tool_lists_the_tools():
    env = LifeAssistEnv()
    env.reset(seed=0)
    info = env.step({"name": "hack_the_bank"})[4]
    assert info["invalid_action"] and "unknown tool" in info["feedback"] and "pay_bill" in info["feedback"]


def test_every_tool_argument_is_documented():
    for tool in TOOLS.values():
        assert tool.description
        for name, field in tool.model.model_fields.items():
            assert field.description, (tool.name, name)


def test_an_undocumented_argument_is_refused():
    def bad_tool(world, amount: float) -> str:
        """Does something.

        Args:
            world: the household.
        """
        return ""

    with pytest.raises(ConfigError, match="'amount' has no docstring entry"):
        make_tool(bad_tool, mutates=True)


def test_validation_error_names_the_expected_signature():
    with pytest.raises(ToolError, match=r"expected pay_bill\(payee: str"):
        TOOLS["pay_bill"].validate({"payee": "x"})


def test_tools_touch_only_the_world(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    world = generate_world(0)
    for name, arguments in GOOD.items():
        if name != "ask_principal":
            try:
                TOOLS[name].fn(world, **TOOLS[name].validate(arguments))
            except ToolError:
                pass
    assert list(tmp_path.iterdir()) == []


def test_langchain_tools_step_the_env():
    pytest.importorskip("langchain_core")
    env = LifeAssistEnv(task="home/alarm_check-0")
    env.reset(seed=0)
    tools = {t.name: t for t in as_langchain_tools(env)}
    assert set(tools) == set(SETTING_TOOLS["parent_home"])  # the tools of the task's setting
    assert "payee" in tools["pay_bill"].args and tools["pay_bill"].args["payee"]["description"]
    out = tools["set_device"].invoke({"device": "smoke_alarm", "value": "test"})
    assert "smoke_alarm is now test" in out and env.trace[-1].name == "set_device"


def test_langchain_tools_need_langchain(monkeypatch):
    monkeypatch.setitem(sys.modules, "langchain_core.tools", None)
    with pytest.raises(DependencyNotInstalled, match="cauarena\\[langchain\\]"):
        as_langchain_tools(LifeAssistEnv())


_VALUES = st.one_of(st.text(max_size=12), st.integers(-10**6, 10**6), st.floats(allow_nan=True), st.booleans(),
                    st.none(), st.sampled_from(["m1", "e1", "P01", "checking", "savings", "stove", "thermostat",
                                                "Glucomin", "Northside Pharmacy", "off", "unlocked", "2026-12-02"]))
_ARGS = st.dictionaries(st.sampled_from(sorted({k for a in GOOD.values() for k in a} | {"zzz"})), _VALUES, max_size=4)


@settings(max_examples=200, deadline=None, database=None)
@given(name=st.sampled_from(sorted(TOOLS)), arguments=_ARGS)
def test_any_arguments_never_crash_a_tool(name, arguments):
    env = LifeAssistEnv(task="finance/pay_bills-0", surface="tool_output")
    env.reset(seed=1)
    obs, _, _, _, info = env.step({"name": name, "arguments": arguments})
    assert info["invalid_action"] == bool(info["feedback"]) and (not info["feedback"] or info["feedback"] in obs)
