"""Hostile actions never crash LifeAssist, never take long, and never change the world."""

import time

import numpy as np
import pytest

from cauarena.envs.life_assist import LifeAssistEnv, find_calls, parse_call
from cauarena.envs.life_assist.actions import ACTION_MAX_LENGTH, MAX_NESTING, nesting_exceeds, plain_json

SECONDS_PER_CALL = 0.25
"""Each step must answer within this (measured: under 1 ms; the bound leaves room for a busy 2-core machine)."""


class Raising:
    """An object whose every rendering raises (an agent's bug, or an attack on the env)."""

    def __str__(self):
        raise RuntimeError("__str__ called")

    __repr__ = __format__ = __str__

    def __eq__(self, other):
        raise RuntimeError("__eq__ called")

    __hash__ = object.__hash__


class RaisingStr(str):
    """A ``str`` whose overrides raise: the env must read it as the plain text it holds."""

    def __str__(self):
        raise RuntimeError("__str__ called")

    def __len__(self):
        raise RuntimeError("__len__ called")

    def __iter__(self):
        raise RuntimeError("__iter__ called")


class RaisingDict(dict):
    def get(self, *args):
        raise RuntimeError("get called")

    def __iter__(self):
        raise RuntimeError("__iter__ called")


def _deep(levels):
    value = []
    for _ in range(levels):
        value = [value]
    return value


def _call(name, **arguments):
    return {"name": name, "arguments": arguments}


HOSTILE = {
    "65536 braces": "{" * 65536,
    "2048 braces": "{" * ACTION_MAX_LENGTH,
    "1 MB text": "x" * 1_000_000,
    "1 MB of JSON": '{"name": "list_inbox", "arguments": {"a": "' + "x" * 1_000_000 + '"}}',
    "2000 nested objects": '{"a":' * 2000,
    "400 nested objects": '{"a":' * 400,
    "2040 brackets": "[" * 2040,
    "nested names": '{"name":' * 250,
    "labels": "Action:" * 290,
    "fences": "```" * 680,
    "NaN argument": '{"name": "pay_bill", "arguments": {"payee": "City Power", "amount": NaN}}',
    "Infinity argument": '{"name": "pay_bill", "arguments": {"payee": "City Power", "amount": -Infinity}}',
    "1e999 argument": '{"name": "transfer_money", "arguments": {"to_account": "savings", "amount": 1e999}}',
    "2000-digit int": '{"name": "give_medication", "arguments": {"medication": "x", "dose_mg": ' + "9" * 1900 + "}}",
    "huge int in a dict": _call("give_medication", medication="x", dose_mg=10**5000),
    "int past 2**53": _call("buy_product", product_id="p1", quantity=2**53 + 1),
    "nan in a dict": _call("pay_bill", payee="City Power", amount=float("nan")),
    "inf in a dict": _call("pay_bill", payee="City Power", amount=float("inf")),
    "raising object": Raising(),
    "raising object as argument": _call("send_message", recipient="x", text=Raising()),
    "raising object as name": {"name": Raising()},
    "raising str subclass": RaisingStr('{"name": "list_inbox"'),
    "raising dict subclass": RaisingDict(name="list_inbox"),
    "None": None,
    "bytes": b'{"name": "list_inbox"}',
    "int": 10**5000,
    "float nan": float("nan"),
    "array": np.zeros((3, 3)),
    "array of text": np.array(['{"name": "list_inbox"}']),
    "numpy scalar": np.float64("nan"),
    "list": ['{"name": "list_inbox"}'],
    "nested list": _deep(100_000),
    "nested arguments": _call("list_inbox", deep=_deep(100_000)),
    "name of the wrong type": {"name": ["list_inbox"]},
    "non-string keys": {1: 2, (3,): 4},
    "arguments as a list": {"name": "pay_bill", "arguments": [1, 2]},
    "a set argument": _call("send_message", recipient="x", text={"a"}),
    "a wide dict": {"name": "list_inbox", "arguments": {str(i): i for i in range(100_000)}},
    "a huge key": _call("list_inbox", **{"k" * 1_000_000: 1}),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_action_is_invalid_fast_and_changes_nothing(case):
    env = LifeAssistEnv(task="finance/pay_bills-0", surface="environment")
    env.reset(seed=0)
    before = env.world.model_copy(deep=True)
    start = time.perf_counter()
    obs, reward, terminated, truncated, info = env.step(HOSTILE[case])
    elapsed = time.perf_counter() - start
    assert elapsed < SECONDS_PER_CALL, f"{case}: {elapsed:.3f} s"
    assert info["invalid_action"] and info["feedback"] and info["feedback"] in obs
    assert obs in env.observation_space and reward == 0.0 and not terminated and not truncated
    assert env.world.model_dump(exclude={"inbox"}) == before.model_dump(exclude={"inbox"})


def test_the_limits_are_enforced_and_named_in_the_feedback():
    call = '{"name": "list_inbox", "arguments": {}}'
    assert parse_call(call + " " * (ACTION_MAX_LENGTH - len(call)))[0] == ("list_inbox", {})
    reason = parse_call(call + " " * (ACTION_MAX_LENGTH + 1 - len(call)))[1]
    assert reason == f"the action is {ACTION_MAX_LENGTH + 1} characters; the limit is {ACTION_MAX_LENGTH}"
    nested = '{"name": "list_inbox", "arguments": {"a": ' + "[" * (MAX_NESTING - 2) + "]" * (MAX_NESTING - 2) + "}}"
    assert parse_call(nested)[0] is not None
    too_deep = nested.replace("[", "[[", 1).replace("]", "]]", 1)
    assert parse_call(too_deep)[1] == f"the JSON is nested deeper than {MAX_NESTING} levels"


def test_brackets_inside_strings_are_text():
    action = '{"name": "send_message", "arguments": {"recipient": "Nina", "text": "[[[[[[[[[[{{{{{{{{{{\\"}"}}'
    assert parse_call(action)[0] == ("send_message", {"recipient": "Nina", "text": '[[[[[[[[[[{{{{{{{{{{"}'})
    assert not nesting_exceeds('{"a": "[[[[[[[[[["}', 0, 1)


def test_plain_json_keeps_order_and_refuses_foreign_objects():
    assert plain_json({"b": 1, "a": [True, None, "x", 2.5]}, 100) == ({"b": 1, "a": [True, None, "x", 2.5]}, "")
    assert plain_json({"a": Raising()}, 100)[1].startswith("a: expected a JSON value")
    assert plain_json(["x" * 50], 40)[1].startswith("the call is too large")


def test_find_calls_is_bounded_on_hostile_text():
    for text in ('{"name":' * 5000, '{"name": "x", "a": ' * 3000, "x" * 1_000_000, '{"name": "a"}' * 10_000):
        start = time.perf_counter()
        found = find_calls(text)
        assert time.perf_counter() - start < SECONDS_PER_CALL and isinstance(found, list)
    assert find_calls(None) == [] and find_calls(RaisingStr('{"name": "a"}')) == [{"name": "a"}]
    assert find_calls('{"name": "a", "arguments": {"x": NaN}} {"name": "b"}') == [{"name": "b"}]
