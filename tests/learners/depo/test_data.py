import random

import pytest

from cauarena.agents.llm import get_prompt
from cauarena.agents.llm.prompts import render_messages
from cauarena.learners.depo import data, rollouts
from cauarena.learners.depo.data import LABEL_RULES, label, label_all, preference_rows, sft_rows
from cauarena.learners.depo.rollouts import Style, collect


def words(text):
    return len(text.split())


def count_prompt(messages):
    return sum(words(m["content"]) for m in messages)


@pytest.fixture(scope="module")
def webshop_trajectories():
    return collect("webshop", range(12), 2, random.Random(0), env_kwargs={"num_products": 100, "split": "train"})


@pytest.fixture(scope="module")
def babyai_trajectories():
    return collect("babyai", range(12), 2, random.Random(0))


@pytest.mark.parametrize("env", ["babyai", "webshop"])
def test_styles_change_steps_and_replies_as_documented(env, request):
    make = rollouts.babyai_rollout if env == "babyai" else rollouts.webshop_rollout
    import cauarena

    game = cauarena.make(rollouts.ENV_IDS[env], **({"num_products": 100, "split": "train"} if env == "webshop" else {}))
    plain = make(game, 3, Style(), random.Random(0))
    habit = make(game, 3, Style(habit=True), random.Random(0))
    assert plain.success and habit.success
    assert len(habit.steps) == len(plain.steps) + 4
    first = rollouts.LOOK_AROUND if env == "babyai" else ()
    assert tuple(s.action for s in habit.steps[: len(first)]) == first
    verbose = plain.with_thought("verbose")
    first = verbose.replies[0]
    assert first.startswith("Thought: ") and first.endswith(f"Action: {plain.steps[0].action}")
    assert plain.replies == [s.action for s in plain.steps]
    short = plain.with_thought("short").replies
    assert all(words(v) > 2 * words(s) for v, s in zip(verbose.replies, short, strict=True))
    if env == "webshop":
        sloppy = make(game, 3, Style(sloppy=True), random.Random(0))
        assert sloppy.reward < 1.0 and len(sloppy.steps) == len(plain.steps) - 1


def test_webshop_habit_reads_description_and_features(webshop_trajectories):
    habit = [t for t in webshop_trajectories if t.style.habit and not t.style.sloppy]
    assert habit
    for trajectory in habit:
        actions = [s.action for s in trajectory.steps]
        start = actions.index("click[description]")
        assert tuple(actions[start : start + 4]) == rollouts.WEBSHOP_DETOUR


@pytest.mark.parametrize("env", ["babyai", "webshop"])
def test_labels_follow_the_rules(env, request):
    trajectories = request.getfixturevalue(f"{env}_trajectories")
    rule = LABEL_RULES[env]
    labelled = label_all(trajectories, rule, words, alpha_tokens=3.0, alpha_steps=3.0)
    kinds = {label(t, rule) for t in trajectories}
    assert {"desirable", "undesirable"} <= kinds
    for item in labelled:
        steps = len(item.trajectory.steps)
        if item.label == "desirable":
            assert item.trajectory.reward >= rule.success_reward - 1e-9 and steps <= rule.max_desirable_steps
            assert item.trajectory.style.thought != "verbose"  # DEPO shortens desirable thoughts
            assert item.bonus > 0
        else:
            assert item.bonus == 0.0 and item.trajectory.reward >= rule.band_low - 1e-9


def test_bonus_prefers_fewer_tokens_and_steps(webshop_trajectories):
    plain = next(t for t in webshop_trajectories if label(t, LABEL_RULES["webshop"]) == "desirable")
    bonuses = {
        thought: label_all([plain.with_thought(thought)], LABEL_RULES["webshop"], words, alpha_tokens=3.0,
                           alpha_steps=3.0, shorten_desirable=False)[0].bonus
        for thought in ("none", "short", "verbose")
    }
    assert bonuses["none"] > bonuses["short"] > bonuses["verbose"] > 0


def test_rows_are_what_the_chat_agent_sends(webshop_trajectories):
    template = get_prompt("webshop")
    trajectory = webshop_trajectories[0]
    rows = sft_rows([trajectory], template, count_prompt, 10_000)
    assert len(rows) == len(trajectory.steps)
    last = rows[-1]
    step = trajectory.steps[-1]
    history = [data.Turn(s.observation, r) for s, r in zip(trajectory.steps, trajectory.replies, strict=True)][:-1]
    assert last["prompt"] == render_messages(template, history, step.observation, step.info)
    assert last["completion"] == [{"role": "assistant", "content": trajectory.replies[-1]}]
    tight = sft_rows([trajectory], template, count_prompt, 150)
    assert all(count_prompt(r["prompt"]) <= 150 or len(r["prompt"]) == 2 for r in tight)


def test_preference_rows_carry_label_and_bonus(babyai_trajectories):
    labelled = label_all(babyai_trajectories, LABEL_RULES["babyai"], words, alpha_tokens=2.0, alpha_steps=2.0)
    rows = preference_rows(labelled, get_prompt("babyai"), count_prompt, 10_000)
    assert len(rows) == sum(len(x.trajectory.steps) for x in labelled)
    assert {type(r["label"]) for r in rows} == {bool}
    assert all((r["bonus"] > 0) == r["label"] for r in rows)


def test_the_first_seeds_roll_out_alike_whatever_the_total():
    """pref_seeds relies on it: KTO/DEPO train on exactly the first roll-outs BC saw."""
    assert collect("babyai", range(6), 1, random.Random(0))[:3] == collect("babyai", range(3), 1, random.Random(0))
