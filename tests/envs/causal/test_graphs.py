
import numpy as np
import pytest

from cauarena.envs.causal.graphs import (
    acyclic_projection,
    dag_to_cpdag,
    find_cycle,
    find_path,
    has_cycle,
    is_dag,
    pdag_to_dag,
    reachability,
    topological_order,
)
from cauarena.envs.causal.simulate import er_dag


def adj(n, *edges):
    a = np.zeros((n, n), dtype=np.int8)
    for i, j in edges:
        a[i, j] = 1
    return a


def test_topological_order_and_cycles():
    assert topological_order(adj(3, (2, 1), (1, 0))) == [2, 1, 0]
    assert topological_order(adj(3, (0, 1), (1, 2), (2, 0))) is None
    assert has_cycle(adj(2, (0, 1), (1, 0)))  # a mutual pair is a 2-cycle
    assert is_dag(np.zeros((4, 4)))
    assert find_cycle(adj(3, (0, 1), (1, 2), (2, 0))) in ([0, 1, 2], [1, 2, 0], [2, 0, 1])
    assert find_cycle(adj(3, (0, 1))) is None


def test_paths_and_reachability():
    chain = adj(4, (0, 1), (1, 2), (2, 3))
    assert find_path(chain, 0, 3) == [0, 1, 2, 3]
    assert find_path(chain, 3, 0) is None
    reach = reachability(chain)
    assert reach[0, 3] and not reach[3, 0] and not reach[0, 0]


@pytest.mark.parametrize(
    ("dag", "cpdag"),
    [
        # chain a -> b -> c: everything reversible
        (adj(3, (0, 1), (1, 2)), adj(3, (0, 1), (1, 0), (1, 2), (2, 1))),
        # collider a -> b <- c: compelled
        (adj(3, (0, 1), (2, 1)), adj(3, (0, 1), (2, 1))),
        # collider then b -> d: R1 compels b -> d
        (adj(4, (0, 1), (2, 1), (1, 3)), adj(4, (0, 1), (2, 1), (1, 3))),
        # a full triangle: no v-structure, all undirected
        (adj(3, (0, 1), (0, 2), (1, 2)), adj(3, (0, 1), (1, 0), (0, 2), (2, 0), (1, 2), (2, 1))),
        # a -> b <- c, b -> d (R1), a -> d: R2 (a -> b -> d with a - d) compels a -> d
        (adj(4, (0, 1), (2, 1), (1, 3), (0, 3)), adj(4, (0, 1), (2, 1), (1, 3), (0, 3))),
        # x -> z1 -> y <- z2 <- x, x -> y: R3 compels x -> y; x - z1 and x - z2 stay undirected
        (
            adj(4, (0, 1), (0, 2), (1, 3), (2, 3), (0, 3)),
            adj(4, (0, 3), (1, 3), (2, 3), (0, 1), (1, 0), (0, 2), (2, 0)),
        ),
        # a -> c <- b, a -> d, b -> d, c -> d: c - d stays reversible (d -> c keeps every v-structure)
        (adj(4, (0, 2), (1, 2), (0, 3), (1, 3), (2, 3)), adj(4, (0, 2), (1, 2), (0, 3), (1, 3), (2, 3), (3, 2))),
    ],
)
def test_dag_to_cpdag_hand_cases(dag, cpdag):
    assert dag_to_cpdag(dag).tolist() == cpdag.tolist()


def test_pdag_extension_stays_in_the_class():
    rng = np.random.default_rng(0)
    for _ in range(30):
        dag = er_dag(8, 1.5, rng)
        cpdag = dag_to_cpdag(dag)
        extension = pdag_to_dag(cpdag)
        assert is_dag(extension)
        assert dag_to_cpdag(extension).tolist() == cpdag.tolist()


def test_pdag_without_extension_falls_back_to_a_dag():
    # a -> b - c <- d with b - c undirected: orienting b - c either way makes a new v-structure
    pdag = adj(4, (0, 1), (1, 2), (2, 1), (3, 2))
    out = pdag_to_dag(pdag)
    assert is_dag(out) and out[0, 1] and out[3, 2] and out[1, 2] + out[2, 1] == 1


def test_acyclic_projection_drops_the_weakest_edge_of_a_cycle():
    cycle = adj(3, (0, 1), (1, 2), (2, 0))
    weights = np.array([[0, 0.9, 0], [0, 0, 0.8], [0.1, 0, 0]])
    assert acyclic_projection(cycle, weights).tolist() == adj(3, (0, 1), (1, 2)).tolist()
