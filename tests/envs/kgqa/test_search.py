"""KALE's multi-path A*: the landmark heuristic is a lower bound, the paths are real, cheapest first."""

import numpy as np

from cauarena.envs.kgqa import QuestionSpace, build_world, landmarks, multipath_astar, verbalise
from cauarena.envs.kgqa.search import bfs_distances


def test_the_landmark_heuristic_never_overestimates():
    world = build_world(0, "small")
    target = world.of_type("person")[0]
    marks = landmarks(world, target, k=4, m=2, radius=6)
    exact = bfs_distances(world, target, 50)
    assert len(marks.anchors) == 4 and all(0 < marks.distances[i][target] <= 2 for i in range(4))
    assert all(marks.h(entity) <= exact[entity] for entity in exact)
    assert max(marks.h(entity) for entity in exact) >= 2  # informative, not the zero heuristic


def test_astar_returns_several_valid_paths_cheapest_first():
    world = build_world(0)
    space = QuestionSpace(world)
    rng = np.random.default_rng(0)
    for _ in range(10):
        question = space.sample(rng, hops=(2, 3), split="test", choices=False)
        paths = multipath_astar(world, [question.topic], [question.answer], n_paths=3, max_hops=question.hops)
        assert paths, question.text
        assert [p.hops for p in paths] == sorted(p.hops for p in paths)
        assert paths[0].hops <= question.hops  # the question's own path is within reach
        assert len({p.triples for p in paths}) == len(paths)  # distinct facts (two relations may link a pair)
        for path in paths:
            assert path.entities[0] == question.topic and path.entities[-1] == question.answer
            facts = set(world.triples)
            assert all(t in facts for t in path.triples)
            for a, b, t in zip(path.entities, path.entities[1:], path.triples, strict=False):
                assert {a, b} == {t.head, t.tail}


def test_astar_finds_the_gold_path_among_its_paths():
    world = build_world(0)
    space = QuestionSpace(world)
    rng = np.random.default_rng(4)
    hits = 0
    for _ in range(10):
        question = space.sample(rng, hops=(2,), split="all", choices=False)
        paths = multipath_astar(world, [question.topic], [question.answer], n_paths=5, max_hops=2)
        hits += any(p.entities == question.path for p in paths)
    assert hits == 10


def test_verbalised_paths_read_as_the_facts_in_order():
    world = build_world(0, "small")
    question = QuestionSpace(world).sample(np.random.default_rng(0), hops=(2,), split="all", choices=False)
    (path,) = multipath_astar(world, [question.topic], [question.answer], n_paths=1, max_hops=2)
    text = verbalise(world, path)
    assert text.index(path.entities[0]) < text.index(path.entities[-1]) or path.hops == 1
    assert text.count(".") >= path.hops
