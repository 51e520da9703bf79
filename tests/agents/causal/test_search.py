import numpy as np
import pytest

from cauarena.agents.causal.search import apply, best_edit, greedy_search, scored_edits
from cauarena.envs.causal.dataset import DatasetConfig, make_dataset
from cauarena.envs.causal.edits import Edit
from cauarena.envs.causal.graphs import is_dag
from cauarena.envs.causal.metrics import directed_prf
from cauarena.envs.causal.scores import make_verifier


@pytest.fixture
def instance():
    data = make_dataset(DatasetConfig(n=5, m=1000, interventions=1.0), np.random.default_rng(0))
    return data, make_verifier(data.data, data.interventions, data.data_type)


def test_every_scored_edit_keeps_a_dag_and_its_delta_is_exact(instance):
    data, verifier = instance
    graph = np.zeros((5, 5), dtype=np.int8)
    graph[0, 1] = graph[1, 2] = 1
    edits = scored_edits(verifier, graph)
    assert edits == sorted(edits, key=lambda e: (e[0], e[1].op, e[1].source, e[1].target))
    assert Edit("ADD", 2, 0) not in [e for _, e in edits]  # would close 0 -> 1 -> 2 -> 0
    for delta, edit in edits:
        new = apply(graph, edit)
        assert is_dag(new)
        assert delta == pytest.approx(verifier.score(new) - verifier.score(graph))


def test_best_edit_respects_allowed_and_exclude(instance):
    _, verifier = instance
    empty = np.zeros((5, 5), dtype=np.int8)
    delta, edit = best_edit(verifier, empty)
    assert edit.op == "ADD" and delta < 0
    assert best_edit(verifier, empty, exclude={edit})[1] != edit
    assert best_edit(verifier, empty, allowed=lambda e: e.op == "REMOVE") is None


def test_greedy_search_lowers_the_bic_and_finds_the_graph(instance):
    data, verifier = instance
    final, history = greedy_search(verifier, np.zeros((5, 5), dtype=np.int8))
    assert history and all(delta < 0 for delta, _ in history)
    assert verifier.score(final) < verifier.score(np.zeros((5, 5)))
    f1s = []  # over several graphs: one seed's F1 depends on its draws (U(-1, 1) interventions shift little)
    for seed in range(6):
        other = make_dataset(DatasetConfig(n=5, m=1000, interventions=1.0), np.random.default_rng(seed))
        found, _ = greedy_search(make_verifier(other.data, other.interventions, other.data_type), np.zeros((5, 5)))
        f1s.append(directed_prf(found, other.adjacency)[2])
    assert np.mean(f1s) >= 0.85 and min(f1s) >= 0.6
