"""The generator: exact answers that the stated numbers determine, the six variants, determinism, errors."""

import json

import pytest

from cauarena.envs.caugym import VARIANTS, generate_item, generate_problem
from cauarena.envs.caugym import tasks as T
from cauarena.envs.caugym.generate import GenerationError, round4
from cauarena.envs.caugym.store import Store
from cauarena.errors import ConfigError

CASES = [(task, variant) for task in T.TASKS for variant in VARIANTS]


@pytest.mark.parametrize(("task", "variant"), CASES)
def test_answers_are_the_scm_truth_and_follow_from_the_text(task, variant):
    for seed in range(6):
        p = generate_problem(seed, task, variant)
        assert p.query.task == task and p.variant == variant
        solved = T.solve(p.model.parents, p.names, p.query, p.store().get)
        if variant == "insufficient":
            assert p.gold is None and solved is None and p.removed
            continue
        assert p.gold == round4(p.truth) == round4(solved[1])
        if task in T.YES_NO_TASKS:
            assert (p.gold == 0) == p.formula.zero == T.zero_effect(p.model.parents, task, p.query.x, p.query.y)
        if variant == "deconfounding":
            assert p.formula.zs, "a deconfounding item needs an adjustment"
            naive = T.evaluate(T.formula(p.model.parents, p.query, ()), Store(dict(p.statements)).get)
            assert round4(naive) != p.gold


def test_variants_change_the_text_as_documented():
    base = generate_item(4, "ATE", "base")
    assert "Instruction:" in base.problem and "has a direct effect on" in base.problem
    omitted = generate_item(4, "ATE", "omitted")
    rephrased = generate_item(4, "ATE", "rephrased")
    assert "Instruction:" not in omitted.problem and "Question:" in omitted.problem
    assert "Picture a closed" in rephrased.problem
    assert omitted.problem == "\n".join(line for line in rephrased.problem.splitlines()
                                        if not line.startswith("Instruction:")), "omitted = rephrased - Instruction"
    assert all("LACK_CONDITION" not in generate_item(4, "ATE", v).problem for v in VARIANTS[:-1])
    assert "LACK_CONDITION" in generate_item(4, "ATE", "insufficient").problem
    redundant = generate_problem(4, "ATE", "redundant")
    plain = generate_problem(4, "ATE", "base")
    assert len(redundant.statements) >= len(plain.statements) + 3


def test_same_arguments_same_item_and_seeds_differ():
    assert generate_item(11, "NIE", "redundant") == generate_item(11, "NIE", "redundant")
    assert generate_item(11, "NIE", "redundant").problem != generate_item(12, "NIE", "redundant").problem


@pytest.mark.parametrize("names", ["real", "invented", "symbols"])
@pytest.mark.parametrize("difficulty", [3, "basic", "hard", 9])
def test_difficulty_and_name_modes(difficulty, names):
    p = generate_problem(2, "CDE", "base", difficulty, names)
    low, high = {3: (3, 3), "basic": (3, 5), "hard": (6, 9), 9: (9, 9)}[difficulty]
    assert low <= p.model.n <= high and p.names_mode == names
    if names != "real":
        assert all(v.values == ("low", "high") for v in p.variables)


def test_item_fields_and_reason_steps():
    item = generate_item(0, "PS", "base")
    assert item.Type == "PS" and item.variant == "base" and '"PROB"' in item.answer and "ANSWER" not in item.answer
    assert 2 <= len(item.Reason) <= 7 and list(item.Reason) == [f"Step {i}" for i in range(1, len(item.Reason) + 1)]
    yes = generate_item(0, "ATE", "base")
    label = json.loads(yes.answer)["ANSWER"]
    assert yes.Reason[f"Step {len(yes.Reason)}"].endswith(f"the answer is {label}.")
    lack = generate_item(0, "ATE", "insufficient")
    assert "LACK_CONDITION" in lack.answer and "LACK_CONDITION" in list(lack.Reason.values())[-1]


def test_bad_requests_say_the_fix():
    with pytest.raises(ConfigError, match="Unknown task 'ATT'"):
        generate_problem(0, "ATT")
    with pytest.raises(ConfigError, match="Unknown variant"):
        generate_problem(0, "ATE", "noisy")
    with pytest.raises(ConfigError, match="difficulty is a node count"):
        generate_problem(0, "ATE", "base", 12)
    with pytest.raises(ConfigError, match="at least 4 nodes"):
        generate_problem(0, "NDE", "deconfounding", 3)
    assert issubclass(GenerationError, RuntimeError)
