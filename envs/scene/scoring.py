"""Scoring an image against a scene's masks: each element present and placed, each effect consistent with its cause.

An element's score is ``inside * elsewhere``: ``inside`` is the share of the element's mask whose pixels match
the exact render (every channel within :data:`TOLERANCE`), ``elsewhere`` one minus the share of its
*counterfactual* mask that shows the element's colours, i.e. the element drawn where it should not be: the object
at the other positions, the shadow of a light from the other side, the reflection un-mirrored, the contact shadow
beside the object, the light in the other corner. Physical alignment is the mean of the element scores.

>>> from cauarena.envs.scene.world import Scene
>>> from cauarena.envs.scene.render import render
>>> scene = Scene("red", "solid", "cone", "left", "light", "left")
>>> score_image(render(scene), scene)["physical_alignment"]
1.0
>>> score_image(render(scene.with_side("right")), scene)["effect"]  # the shadow on the wrong side
0.0
"""

from __future__ import annotations

import numpy as np

from cauarena.envs.scene.render import SIZE, effect_mask, element_masks, object_mask, render, shape_mask
from cauarena.envs.scene.world import EFFECT_OF, POSITIONS, SIDES, Scene, object_top

TOLERANCE = 36
"""Largest per-channel difference from the exact render that still counts as a matching pixel."""
PRESENT = 0.5
"""An element with a score at or above this counts as present."""


def counterfactual_masks(scene: Scene) -> dict[str, np.ndarray]:
    """Per element, the pixels where it would be under the alternative layout or cause (minus its true pixels)."""
    own = element_masks(scene)
    taken = np.zeros((SIZE, SIZE), dtype=bool)
    for mask in own.values():
        taken |= mask
    other_object = np.zeros_like(taken)
    for position in POSITIONS:
        if position != scene.position:
            other_object |= object_mask(scene, position)
    effect = np.zeros_like(taken)
    left, top = POSITIONS[scene.position], object_top(scene.cause)
    if scene.cause == "light":
        effect = effect_mask(scene, next(s for s in SIDES if s != scene.side))
    elif scene.cause == "water":
        effect[20:28, left:left + 8] = shape_mask(scene.shape)
    else:
        effect[top + 8, max(left - 6, 3):left] = True
        effect[top + 8, left + 8:min(left + 14, 29)] = True
    cause = np.zeros_like(taken)
    if scene.cause == "light":
        cause = element_masks(scene.with_side(next(s for s in SIDES if s != scene.side)))["light"]
    return {"object": other_object & ~taken, scene.cause: cause & ~taken, scene.effect: effect & ~taken}


def matching(image: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Boolean 32x32: pixels of ``image`` within :data:`TOLERANCE` of ``truth`` on every channel."""
    diff = np.abs(image.astype(np.int16) - truth.astype(np.int16))
    return diff.max(axis=-1) <= TOLERANCE


def _share(match: np.ndarray, mask: np.ndarray) -> float:
    return float(match[mask].mean()) if mask.any() else 1.0


def _looks_like(image: np.ndarray, truth: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Boolean 32x32: pixels of ``image`` within :data:`TOLERANCE` of any colour the element has in ``truth``."""
    colours = np.unique(truth[mask].reshape(-1, 3), axis=0).astype(np.int16)
    if not len(colours):
        return np.zeros(image.shape[:2], dtype=bool)
    diff = np.abs(image.astype(np.int16)[:, :, None, :] - colours[None, None, :, :]).max(axis=-1)
    return (diff <= TOLERANCE).any(axis=-1)


def element_scores(image: np.ndarray, scene: Scene) -> dict[str, float]:
    """``{element name: inside * elsewhere}`` for the object, the cause and the effect."""
    truth = render(scene)
    match = matching(image, truth)
    counter = counterfactual_masks(scene)
    out = {}
    for name, mask in element_masks(scene).items():
        wrong = _looks_like(image, truth, mask)
        out[name] = round(_share(match, mask) * (1.0 - (float(wrong[counter[name]].mean()) if counter[name].any()
                                                         else 0.0)), 6)
    return out


def score_image(image: np.ndarray, scene: Scene) -> dict[str, float]:
    """Per-element scores and their summaries, all in [0, 1].

    Returns:
        ``object``, ``cause``, ``effect`` (scores by role), ``effect_<shadow|reflection|rest>`` (the scene's
        effect only), ``named_alignment`` (object and cause), ``unnamed_alignment`` (the effect),
        ``physical_alignment`` (mean of the three), ``<role>_present`` (score >= 0.5) and ``ood``.
    """
    scores = element_scores(image, scene)
    by_role = {"object": scores["object"], "cause": scores[scene.cause], "effect": scores[scene.effect]}
    out = dict(by_role)
    out[f"effect_{scene.effect}"] = by_role["effect"]
    out["named_alignment"] = round((by_role["object"] + by_role["cause"]) / 2, 6)
    out["unnamed_alignment"] = by_role["effect"]
    out["physical_alignment"] = round(sum(by_role.values()) / 3, 6)
    for role, value in by_role.items():
        out[f"{role}_present"] = float(value >= PRESENT)
    out["ood"] = float(scene.ood)
    return out


def blank_scores(scene: Scene) -> dict[str, float]:
    """The scores of an episode that produced no image (every element absent)."""
    return {**{key: 0.0 for key in ("object", "cause", "effect", f"effect_{scene.effect}", "named_alignment",
                                    "unnamed_alignment", "physical_alignment", "object_present", "cause_present",
                                    "effect_present")}, "ood": float(scene.ood)}


__all__ = ["EFFECT_OF", "PRESENT", "TOLERANCE", "blank_scores", "counterfactual_masks", "element_scores",
           "matching", "score_image"]
