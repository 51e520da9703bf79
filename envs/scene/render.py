"""Exact rendering of a :class:`~cauarena.envs.scene.world.Scene` to a 32x32 RGB image, with a mask per element.

The image is drawn layer by layer from the scene graph's boxes, so every element's mask is known exactly:
``object`` (the shape's pixels), the cause (``light`` disc, ``water`` surface, ``table`` top and legs) and the
effect (``shadow`` opposite the light, ``reflection`` mirrored under the waterline, ``rest``: the contact shadow
on the table top under the object).

>>> from cauarena.envs.scene.world import Scene
>>> scene = Scene("blue", "solid", "cube", "middle", "light", "left")
>>> image, masks = render(scene), element_masks(scene)
>>> image.shape, image.dtype.name, sorted(masks)
((32, 32, 3), 'uint8', ['light', 'object', 'shadow'])
>>> bool(masks["shadow"][:, 16:].any()), bool(masks["shadow"][:, :16].any())
(True, False)
"""

from __future__ import annotations

import numpy as np

from cauarena.envs.scene.world import COLOURS, POSITIONS, Scene, effect_box, object_top

SIZE = 32
HORIZON = 20
"""First row of the ground (floor or water)."""
SKY = np.array((196, 216, 236), dtype=np.float64)
FLOOR = np.array((150, 120, 90), dtype=np.float64)
WATER = np.array((40, 100, 150), dtype=np.float64)
TABLE = np.array((105, 65, 35), dtype=np.float64)
LIGHT = np.array((255, 245, 150), dtype=np.float64)
WHITE = np.array((255, 255, 255), dtype=np.float64)
SHADOW_FACTOR = 0.45
REFLECTION_MIX = 0.55
"""Share of the object's colour in its reflection (the rest is the water's)."""


def shape_mask(shape: str) -> np.ndarray:
    """The 8x8 boolean silhouette of ``shape``: a disc, a square or an upright triangle (cone)."""
    y, x = np.mgrid[0:8, 0:8] + 0.5
    if shape == "ball":
        return (y - 4) ** 2 + (x - 4) ** 2 <= 16.0
    if shape == "cube":
        return np.ones((8, 8), dtype=bool)
    return np.abs(x - 4) <= (y / 8) * 4 + 0.01


def texture_colours(colour: str, texture: str) -> np.ndarray:
    """The 8x8x3 colours of an object: its colour, with light stripes on odd row pairs or a light dot grid."""
    base = np.array(COLOURS[colour], dtype=np.float64)
    light = 0.45 * base + 0.55 * WHITE
    y, x = np.mgrid[0:8, 0:8]
    marked = {"solid": np.zeros((8, 8), dtype=bool), "striped": (y // 2) % 2 == 1,
              "dotted": (y % 3 == 1) & (x % 3 == 1)}[texture]
    return np.where(marked[..., None], light, base)


def _background(scene: Scene) -> np.ndarray:
    image = np.empty((SIZE, SIZE, 3), dtype=np.float64)
    image[:HORIZON] = SKY
    image[HORIZON:] = WATER if scene.cause == "water" else FLOOR
    return image


def _table_mask() -> np.ndarray:
    mask = np.zeros((SIZE, SIZE), dtype=bool)
    mask[18:20, 3:29] = True
    mask[20:28, 5:7] = True
    mask[20:28, 25:27] = True
    return mask


def _light_mask(side: str) -> np.ndarray:
    mask = np.zeros((SIZE, SIZE), dtype=bool)
    y, x = np.mgrid[0:SIZE, 0:SIZE] + 0.5
    centre = 3.0 if side == "left" else SIZE - 3.0
    mask[(y - 3.0) ** 2 + (x - centre) ** 2 <= 4.5] = True
    return mask


def object_mask(scene: Scene, position: str | None = None) -> np.ndarray:
    """The object's pixels (at ``position``, default its own)."""
    mask = np.zeros((SIZE, SIZE), dtype=bool)
    top, left = object_top(scene.cause), POSITIONS[position or scene.position]
    mask[top:top + 8, left:left + 8] = shape_mask(scene.shape)
    return mask


def effect_mask(scene: Scene, side: str | None = None) -> np.ndarray:
    """The effect's pixels; for a light scene, ``side`` gives the shadow of a light from that side instead."""
    left = POSITIONS[scene.position]
    top, x0, bottom, x1 = effect_box(scene.cause, side or scene.side, left)
    mask = np.zeros((SIZE, SIZE), dtype=bool)
    if scene.cause == "light":
        y, x = np.mgrid[0:SIZE, 0:SIZE] + 0.5
        cy, cx, ry, rx = (top + bottom) / 2, (x0 + x1) / 2, (bottom - top) / 2, (x1 - x0) / 2
        mask[((y - cy) / ry) ** 2 + ((x - cx) / rx) ** 2 <= 1.0] = True
    elif scene.cause == "water":
        mask[top:bottom, x0:x1] = shape_mask(scene.shape)[::-1]
    else:
        mask[top:bottom, x0:x1] = True
    return mask


def element_masks(scene: Scene) -> dict[str, np.ndarray]:
    """A boolean 32x32 mask per element of the scene graph (disjoint, visible pixels only)."""
    obj, effect = object_mask(scene), effect_mask(scene)
    cause = {"light": _light_mask(scene.side), "water": np.arange(SIZE)[:, None] >= HORIZON,
             "table": _table_mask()}[scene.cause]
    cause = np.broadcast_to(cause, (SIZE, SIZE)) & ~effect & ~obj
    return {"object": obj, scene.cause: cause, scene.effect: effect & ~obj}


def render(scene: Scene) -> np.ndarray:
    """The scene's exact 32x32x3 uint8 image."""
    image = _background(scene)
    masks = element_masks(scene)
    top, left = object_top(scene.cause), POSITIONS[scene.position]
    colours = texture_colours(scene.colour, scene.texture)
    if scene.cause == "light":
        image[masks["light"]] = LIGHT
        image[masks["shadow"]] = FLOOR * SHADOW_FACTOR
    elif scene.cause == "water":
        flipped = np.zeros((SIZE, SIZE, 3))
        flipped[HORIZON:HORIZON + 8, left:left + 8] = colours[::-1]
        reflection = masks["reflection"]
        image[reflection] = REFLECTION_MIX * flipped[reflection] + (1 - REFLECTION_MIX) * WATER
    else:
        image[_table_mask()] = TABLE
        image[masks["rest"]] = TABLE * SHADOW_FACTOR
    placed = np.zeros((SIZE, SIZE, 3))
    placed[top:top + 8, left:left + 8] = colours
    image[masks["object"]] = placed[masks["object"]]
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


__all__ = ["HORIZON", "SIZE", "effect_mask", "element_masks", "object_mask", "render", "shape_mask",
           "texture_colours"]
