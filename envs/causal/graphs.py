"""Directed-graph helpers on ``[n, n]`` 0/1 adjacency matrices (entry ``[i, j]`` = 1 for the edge ``i -> j``).

A PDAG/CPDAG uses the same encoding: an undirected edge ``i - j`` is both ``[i, j]`` and ``[j, i]`` set.

>>> chain = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
>>> is_dag(chain), dag_to_cpdag(chain).tolist()
(True, [[0, 1, 0], [1, 0, 1], [0, 1, 0]])
"""

from __future__ import annotations

from collections import deque

import numpy as np


def as_adjacency(matrix: np.ndarray) -> np.ndarray:
    """A 0/1 ``int8`` copy of ``matrix`` (nonzero entries are edges) with an empty diagonal."""
    adj = (np.asarray(matrix) != 0).astype(np.int8)
    np.fill_diagonal(adj, 0)
    return adj


def topological_order(adj: np.ndarray) -> list[int] | None:
    """A topological order of the directed graph (Kahn's algorithm, smallest index first); None if cyclic.

    Mutual pairs (``[i, j]`` and ``[j, i]`` both set) count as a 2-cycle.
    """
    adj = as_adjacency(adj)
    indegree = adj.sum(axis=0).astype(int)
    ready = sorted(int(i) for i in np.flatnonzero(indegree == 0))
    order: list[int] = []
    while ready:
        node = ready.pop(0)
        order.append(node)
        for child in np.flatnonzero(adj[node]):
            indegree[child] -= 1
            if indegree[child] == 0:
                ready.append(int(child))
        ready.sort()
    return order if len(order) == adj.shape[0] else None


def is_dag(adj: np.ndarray) -> bool:
    """True when the directed graph has no cycle (a mutual pair is a cycle)."""
    return topological_order(adj) is not None


def has_cycle(adj: np.ndarray) -> bool:
    """True when the directed graph has a cycle; the ``cyclic`` flag of the metrics."""
    return not is_dag(adj)


def find_path(adj: np.ndarray, source: int, target: int) -> list[int] | None:
    """The shortest directed path ``source -> ... -> target`` (breadth first), or None."""
    adj = np.asarray(adj)
    parent = {source: source}
    queue = deque([source])
    while queue:
        node = queue.popleft()
        if node == target:
            path = [node]
            while path[-1] != source:
                path.append(parent[path[-1]])
            return path[::-1]
        for child in np.flatnonzero(adj[node]):
            child = int(child)
            if child not in parent:
                parent[child] = node
                queue.append(child)
    return None


def reachability(adj: np.ndarray) -> np.ndarray:
    """Boolean ``[n, n]``: ``[i, j]`` is True when a directed path of length >= 1 leads from i to j."""
    adj = np.asarray(adj) != 0
    n = adj.shape[0]
    reach = np.zeros((n, n), dtype=bool)
    for source in range(n):
        seen = adj[source].copy()
        frontier = seen.copy()
        while frontier.any():
            frontier = adj[frontier].any(axis=0) & ~seen
            seen |= frontier
        reach[source] = seen
    return reach


def _undirected(pdag: np.ndarray) -> np.ndarray:
    return (pdag != 0) & (pdag.T != 0)


def _adjacent(pdag: np.ndarray) -> np.ndarray:
    return (pdag != 0) | (pdag.T != 0)


def _meek_rules(pdag: np.ndarray) -> np.ndarray:
    """Apply Meek's rules R1-R3 until nothing changes (enough to complete a pattern into a CPDAG)."""
    g = pdag.copy()
    changed = True
    while changed:
        changed = False
        adjacent = _adjacent(g)
        undirected = _undirected(g)
        directed = (g != 0) & ~undirected
        for a, b in zip(*np.nonzero(np.triu(undirected)), strict=True):
            for x, y in ((a, b), (b, a)):
                # R1: z -> x - y with z, y non-adjacent  =>  x -> y
                r1 = np.any(directed[:, x] & ~adjacent[:, y] & (np.arange(len(g)) != y))
                # R2: x -> z -> y with x - y  =>  x -> y
                r2 = np.any(directed[x, :] & directed[:, y])
                # R3: x - z1 -> y, x - z2 -> y, z1 and z2 non-adjacent  =>  x -> y
                zs = np.flatnonzero(undirected[x] & directed[:, y])
                r3 = any(not adjacent[z1, z2] for i, z1 in enumerate(zs) for z2 in zs[i + 1 :])
                if r1 or r2 or r3:
                    g[y, x] = 0
                    changed = True
                    break
            if changed:
                break
    return g


def dag_to_cpdag(dag: np.ndarray) -> np.ndarray:
    """The CPDAG (essential graph) of a DAG: v-structure edges directed, then Meek's rules R1-R3.

    Returns:
        ``int8 [n, n]``: compelled edges one way, reversible edges both ways.
    """
    dag = as_adjacency(dag)
    skeleton = (dag | dag.T).astype(np.int8)
    pdag = skeleton.copy()
    adjacent = skeleton != 0
    n = dag.shape[0]
    for child in range(n):
        parents = np.flatnonzero(dag[:, child])
        for i, a in enumerate(parents):
            for b in parents[i + 1 :]:
                if not adjacent[a, b]:  # a -> child <- b is a v-structure
                    pdag[child, a] = 0
                    pdag[child, b] = 0
    return _meek_rules(pdag).astype(np.int8)


def pdag_to_dag(pdag: np.ndarray) -> np.ndarray:
    """A DAG in the class of ``pdag`` (Dor and Tarsi, 1992); a best-effort DAG when none exists.

    Directed edges are kept, undirected ones oriented. When the PDAG has no consistent extension (PC can
    output conflicting orientations), the remaining undirected edges are oriented along a topological
    order of the directed part, and directed edges that close a cycle are dropped.
    """
    g = as_adjacency(pdag)
    n = g.shape[0]
    dag = np.where(_undirected(g), 0, g).astype(np.int8)
    alive = list(range(n))
    work = g.astype(bool)
    while alive:
        for x in alive:
            und = work[x] & work[:, x]
            out_directed = work[x] & ~work[:, x]
            if out_directed.any():
                continue
            neighbours = np.flatnonzero(work[x] | work[:, x])
            if all(
                all(work[y, z] or work[z, y] for z in neighbours if z != y) for y in np.flatnonzero(und)
            ):
                for y in np.flatnonzero(und):
                    dag[y, x], dag[x, y] = 1, 0
                work[x, :] = False
                work[:, x] = False
                alive.remove(x)
                break
        else:
            return _fallback_extension(g)
    return dag


def _fallback_extension(pdag: np.ndarray) -> np.ndarray:
    undirected = _undirected(pdag)
    directed = np.where(undirected, 0, pdag).astype(np.int8)
    dag = acyclic_projection(directed, np.ones(directed.shape))
    order = topological_order(dag)
    rank = np.empty(len(order), dtype=int)
    rank[order] = np.arange(len(order))
    for a, b in zip(*np.nonzero(np.triu(undirected)), strict=True):
        if rank[a] < rank[b]:
            dag[a, b] = 1
        else:
            dag[b, a] = 1
    return dag


def acyclic_projection(adj: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """A DAG inside ``adj``: edges are kept strongest first unless they close a cycle (greedy).

    Args:
        adj: a directed graph, possibly cyclic (mutual pairs are 2-cycles).
        weights: ``[n, n]`` edge strengths; ties are broken by index.

    >>> acyclic_projection(np.array([[0, 1], [1, 0]]), np.array([[0, 0.9], [0.4, 0]])).tolist()
    [[0, 1], [0, 0]]
    """
    adj = as_adjacency(adj)
    weights = np.asarray(weights, dtype=float)
    edges = sorted(edge_list(adj), key=lambda e: (-weights[e], e))
    dag = np.zeros_like(adj)
    for a, b in edges:
        if find_path(dag, b, a) is None:
            dag[a, b] = 1
    return dag


def find_cycle(adj: np.ndarray) -> list[int] | None:
    """The nodes of one directed cycle (``[a, b, c]`` for ``a -> b -> c -> a``), or None for a DAG."""
    adj = np.asarray(adj) != 0
    for a, b in zip(*np.nonzero(adj), strict=True):
        path = find_path(adj, int(b), int(a))
        if path is not None:
            return path
    return None


def edge_list(adj: np.ndarray) -> list[tuple[int, int]]:
    """The edges ``(i, j)`` of ``adj`` in row-major order."""
    return [(int(i), int(j)) for i, j in zip(*np.nonzero(np.asarray(adj)), strict=True)]
