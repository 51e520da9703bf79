"""A small ATBench-LifeAssist copy built in-process: one task per split and family pair, every agent."""

import pytest

from cauarena.guards.agentdog.atbench import build_atbench

TASKS = ("finance/pay_bills-0", "health/missed_dose-1", "home/leave_home-1", "finance/savings_transfer-0",
         "home/alarm_check-1", "communication/reply_family-0")
"""Test-split tasks first (pay_bills-0, missed_dose-1), then train and dev ones."""


@pytest.fixture(scope="session")
def small_bench():
    return build_atbench(TASKS)
