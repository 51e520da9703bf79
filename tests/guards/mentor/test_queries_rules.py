import json

import pytest

from cauarena.guards.mentor import DOMAINS, attack_types, export_json, load_queries, load_rule_tree, rule_tree_from_dict
from cauarena.guards.taxonomy import category


def test_queries_are_deterministic_balanced_and_twinned():
    qs = load_queries()
    assert [q.to_dict() for q in qs] == [q.to_dict() for q in load_queries()]
    by_id = {q.id: q for q in qs}
    assert len(by_id) == len(qs) == 240
    for q in qs:
        twin = by_id[q.twin_id]
        assert twin.risky != q.risky and twin.scenario == q.scenario and twin.attack_type == q.attack_type
        assert q.domain in DOMAINS and q.attack_type in attack_types() and q.text and q.risk_factor
    assert {q.domain for q in qs} == set(DOMAINS)


def test_query_filters_and_export(tmp_path):
    qs = load_queries(domains=("finance",), attacks=("direct",))
    assert len(qs) == 16 and {q.domain for q in qs} == {"finance"}
    rows = json.loads(export_json(tmp_path / "q.json", qs).read_text())
    assert rows[0]["id"] == qs[0].id and set(rows[0]) >= {"scenario", "risk_factor", "attack_type", "risky"}
    with pytest.raises(ValueError, match="unknown"):
        load_queries(domains=("medicine",))


def test_rule_tree_layout_and_diagnoses_are_taxonomy_names():
    tree = load_rule_tree()
    assert set(tree.domains) == set(DOMAINS)
    ids = [r.id for r in tree.rules()]
    assert len(ids) == len(set(ids)) and all(r.cues for r in tree.rules())
    for name in tree.categories:
        d = tree.diagnosis(name)
        category("risk_source", d.risk_source), category("failure_mode", d.failure_mode), category("harm", d.harm)


def test_static_rules_fire_on_risky_and_spare_benign_twins():
    tree = load_rule_tree()
    qs = load_queries()
    assert not [q.id for q in qs if not q.risky and tree.match(q.text)]
    assert sum(bool(tree.match(q.text)) for q in qs if q.risky) >= 90
    assert tree.match("look around the room") == []


def test_rule_tree_rejects_unknown_category():
    with pytest.raises(ValueError, match="define it under 'categories'"):
        rule_tree_from_dict({"categories": {}, "domains": {"x": {"y": []}}})
