"""The renderer's masks are exact: shadows opposite the light, reflections mirrored, objects resting on tables."""

import doctest
import importlib

import numpy as np
import pytest

from cauarena.envs.scene import world
from cauarena.envs.scene.render import HORIZON, element_masks, render, shape_mask
from cauarena.envs.scene.world import Scene, all_scenes


def test_doctests():
    assert doctest.testmod(importlib.import_module("cauarena.envs.scene.render")).failed == 0
    assert doctest.testmod(world).failed == 0


def _columns(mask):
    return np.flatnonzero(mask.any(axis=0))


@pytest.mark.parametrize("position", ["left", "middle", "right"])
def test_the_shadow_lies_opposite_the_light(position):
    for side in ("left", "right"):
        scene = Scene("red", "solid", "cube", position, "light", side)
        masks = element_masks(scene)
        shadow, obj, light = _columns(masks["shadow"]), _columns(masks["object"]), _columns(masks["light"])
        centre = obj.mean()
        if side == "left":
            assert light.max() < 16 and shadow.mean() > centre
        else:
            assert light.min() > 16 and shadow.mean() < centre
        assert np.flatnonzero(masks["shadow"].any(axis=1)).min() == HORIZON  # on the floor, at the object's foot


def test_the_reflection_is_the_object_mirrored_under_the_waterline():
    scene = Scene("blue", "striped", "cone", "middle", "water")
    image, masks = render(scene), element_masks(scene)
    rows_obj = np.flatnonzero(masks["object"].any(axis=1))
    assert rows_obj.max() == HORIZON - 1
    assert (masks["reflection"][HORIZON:HORIZON + 8, 12:20] == shape_mask("cone")[::-1]).all()
    # pixel rows mirror too: the object's bottom row is reflected in the first water row
    assert not np.array_equal(image[HORIZON, 12:20], image[HORIZON + 7, 12:20])


def test_an_object_on_a_table_rests_on_its_top():
    scene = Scene("green", "dotted", "ball", "right", "table")
    masks = element_masks(scene)
    top_of_table = np.flatnonzero(masks["table"].any(axis=1)).min()
    assert np.flatnonzero(masks["object"].any(axis=1)).max() == top_of_table - 1
    assert np.flatnonzero(masks["rest"].any(axis=1)).tolist() == [top_of_table]


def test_masks_are_disjoint_and_the_image_follows_them():
    for scene in all_scenes()[::17]:
        masks = list(element_masks(scene).values())
        total = sum(m.astype(int) for m in masks)
        assert total.max() == 1
        assert render(scene).dtype == np.uint8


def test_the_ood_split_holds_exactly_the_heldout_combinations():
    ood = all_scenes("ood")
    assert {(s.colour, s.shape, s.effect) for s in ood} == set(world.HELDOUT)
    assert not any(s.ood for s in all_scenes("train"))


def test_effects_are_never_named_in_the_prompt():
    for scene in all_scenes():
        assert scene.effect not in scene.prompt and "shadow" not in scene.prompt
        assert scene.graph.node(scene.effect).named is False
