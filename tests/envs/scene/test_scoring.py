"""Scoring from masks: the oracle scores 1, random images and wrong causes score low."""

import doctest

import numpy as np

import cauarena
from cauarena.agents import make_agent
from cauarena.envs.scene import scoring
from cauarena.envs.scene.render import render
from cauarena.envs.scene.scoring import score_image
from cauarena.envs.scene.world import Scene, all_scenes


def test_doctests():
    assert doctest.testmod(scoring).failed == 0


def test_every_truth_render_scores_one():
    for scene in all_scenes()[::3]:
        scores = score_image(render(scene), scene)
        assert scores["physical_alignment"] == 1.0 and scores["effect_present"] == 1.0


def test_noise_and_other_scenes_score_low():
    rng = np.random.default_rng(0)
    scenes = all_scenes()
    noise = [score_image(rng.integers(0, 256, (32, 32, 3), dtype=np.uint8), s)["physical_alignment"]
             for s in scenes[::9]]
    assert np.mean(noise) < 0.05
    other = [score_image(render(scenes[(i * 37 + 5) % len(scenes)]), scenes[i])["physical_alignment"]
             for i in range(0, len(scenes), 9)]
    assert np.mean(other) < 0.2


def test_a_shadow_on_the_wrong_side_scores_zero_but_the_named_elements_stay():
    scene = Scene("yellow", "striped", "cube", "middle", "light", "left")
    scores = score_image(render(scene.with_side("right")), scene)
    assert scores["effect"] == 0.0 and scores["object"] == 1.0 and scores["unnamed_alignment"] == 0.0


def test_a_missing_effect_is_caught():
    scene = Scene("red", "solid", "ball", "left", "water")
    image = render(scene)
    image[20:28] = render(Scene("red", "solid", "ball", "left", "water"))[28:29].repeat(8, axis=0)  # plain water
    scores = score_image(image, scene)
    assert scores["effect"] < 0.5 and scores["object"] == 1.0


def test_oracle_scores_one_and_random_low_through_the_env():
    env = cauarena.make("cauarena/CausalScene-v0")
    # a random scene has the right cause about a quarter of the time (the cause then scores 1)
    for name, low, high in (("oracle", 1.0, 1.0), ("random", 0.0, 0.35)):
        agent = make_agent(name, "scene")
        if hasattr(agent, "bind"):
            agent.bind(env)
        rewards = []
        for seed in range(12):
            observation, info = env.reset(seed=seed)
            agent.reset(seed=seed, info=info)
            rewards.append(env.step(agent.act(observation, info))[1])
        assert low <= np.mean(rewards) <= high, (name, rewards)
