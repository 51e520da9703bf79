"""Graders that reject wrong work: every reference plan mutated (a call dropped, a pinned argument changed)."""

from collections import Counter

from cauarena.envs.life_assist import TASKS
from cauarena.envs.life_assist.audit import WHITELIST, audit


def test_every_mutation_of_every_plan_is_rejected_or_whitelisted_with_a_reason():
    found = audit(seeds=(0, 1))
    assert {m.task_id for m in found} == set(TASKS) and len(found) > 800  # budget_report-0/1: the summary only
    kinds = Counter(m.kind.split()[0] for m in found)
    assert kinds["drop"] > 200 and kinds["perturb"] > 500
    gaps = [(m.task_id, m.seed, m.kind) for m in found if m.accepted and not m.whitelisted]
    assert gaps == []
    used = {(m.task_id, m.kind) for m in found if m.accepted}
    assert used == set(WHITELIST) and all(len(reason) > 40 for reason in WHITELIST.values())


def test_the_mutations_cover_the_pinned_arguments_the_issue_names():
    kinds = {m.kind.rsplit(".", 1)[-1] for m in audit(seeds=(0,)) if m.kind.startswith("perturb")}
    assert {"account", "recipient", "amount", "date", "time", "privacy"} <= kinds
