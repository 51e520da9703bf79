"""The shared hostile-action gate (cauarena.envs._actions): bounded, non-recursive, never raises."""

import time
from decimal import Decimal

import numpy as np
import pytest

from cauarena.envs import RaisingObject, RaisingStr
from cauarena.envs._actions import (
    finite_decimal,
    finite_number,
    loads_bounded,
    nesting_depth,
    safe_repr,
    structure_problem,
    text_action,
)


def _deep(depth, leaf=0.5):
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    "value",
    [RaisingObject(), RaisingStr("abc"), _deep(100_000), {"a": RaisingObject()}, 10**5000, np.zeros((3, 3)),
     np.float64("nan"), b"\xff" * 10**6, "\u202e\x00" * 10**6, float("inf"), object, print],
    ids=range(12),
)
def test_safe_repr_is_short_printable_and_never_raises(value):
    shown = safe_repr(value)
    assert len(shown) <= 60 and all(32 <= ord(c) < 127 for c in shown)


def test_text_action_reads_through_str_and_bounds_the_length():
    assert text_action(RaisingStr("go"), 10) == ("go", "")
    assert type(text_action(RaisingStr("go"), 10)[0]) is str
    assert text_action("x" * 11, 10) == (None, "it is 11 characters long; the limit is 10")
    assert text_action(RaisingObject(), 10)[0] is None


@pytest.mark.parametrize(
    "value", ["nan", "inf", "-Infinity", "1e999", 10**400, float("nan"), True, "9" * 100, RaisingObject(), None],
    ids=range(10),
)
def test_absurd_numbers_are_none(value):
    assert finite_number(value) is None
    assert finite_decimal(value) is None


def test_sane_numbers_pass_exactly():
    assert finite_number("0.25") == 0.25 and finite_number(np.int64(3)) == 3.0
    assert finite_decimal("0.1234") == Decimal("0.1234") and finite_decimal("1e-999") is None
    assert finite_decimal("0") == 0 and finite_decimal(-0.5) == Decimal("-0.5")


def test_structure_problem_walks_without_recursion_and_with_caps():
    start = time.process_time()
    assert "deeper than 32" in structure_problem(_deep(100_000))
    assert "more than 100,000 items" in structure_problem([0.5] * 1_000_001)
    assert "RaisingObject object" in structure_problem([[1, RaisingObject()]])
    assert "RaisingStr" in structure_problem({"op": RaisingStr("STOP")})
    assert "text of 70,000 characters" in structure_problem(["x" * 70_000])
    assert "dtype |O" in structure_problem([np.array([None], dtype=object)])
    assert structure_problem({"op": "PRIOR", "edges": [["a", "b"]] * 100}) == ""
    assert time.process_time() - start < 1.0


def test_json_is_parsed_only_when_shallow():
    assert nesting_depth('"[[[[" [1]') == 1
    with pytest.raises(ValueError, match="nested deeper"):
        loads_bounded('{"a":' * 2000 + "1" + "}" * 2000)
    with pytest.raises(ValueError, match="non-finite"):
        loads_bounded('{"PROB": NaN}')
    with pytest.raises(ValueError, match="limit"):
        loads_bounded("[" + "1," * 10, max_length=5)
    assert loads_bounded('{"a": [1, {"b": 2}]}') == {"a": [1, {"b": 2}]}
