"""Graders that reject wrong work: every reference plan mutated (a call dropped, a pinned argument changed)."""

from collections import Counter

import pytest

from cauarena.envs.life_assist import SETTINGS, TASKS
from cauarena.envs.life_assist.audit import WHITELIST, audit


@pytest.fixture(scope="module")
def found():
    return audit(seeds=(0, 1))


def test_every_mutation_of_every_plan_is_rejected_or_whitelisted_with_a_reason(found):
    assert {m.task_id for m in found} == set(TASKS) and len(found) > 1500  # budget_report-0/1: the summary only
    kinds = Counter(m.kind.split()[0] for m in found)
    assert kinds["drop"] > 400 and kinds["perturb"] > 1000
    gaps = [(m.task_id, m.seed, m.kind) for m in found if m.accepted and not m.whitelisted]
    assert gaps == []
    used = {(m.task_id, m.kind) for m in found if m.accepted}
    assert used == set(WHITELIST) and all(len(reason) > 40 for reason in WHITELIST.values())


def test_the_mutations_cover_the_pinned_arguments_the_issue_names(found):
    kinds = {m.kind.rsplit(".", 1)[-1] for m in found if m.kind.startswith("perturb")}
    assert {"account", "recipient", "amount", "date", "time", "privacy"} <= kinds
    assert {"subscription", "transaction_id", "charity", "client", "due_date", "document_id", "bill_id",
            "meeting_id", "invoice_id", "payee"} <= kinds


def test_every_setting_is_audited(found):
    per_setting = Counter(TASKS[m.task_id].setting for m in found)
    assert set(per_setting) == set(SETTINGS) and min(per_setting.values()) > 300
