"""CausalScene: draw a prompt's scene with its unnamed causal effects; scored from exact masks (LINA-lite).

Registered as ``cauarena/CausalScene-v0``; see :class:`CausalSceneEnv` for the card. :mod:`.world` holds the
scenes and their causal scene graphs, :mod:`.render` the exact renderer and masks, :mod:`.scoring` the scores.
"""

from cauarena.envs.headline import Metric
from cauarena.envs.scene.env import IMAGE_SHAPE, MAX_INVALID, CausalSceneEnv, image_problem
from cauarena.envs.scene.render import SIZE, effect_mask, element_masks, object_mask, render, shape_mask
from cauarena.envs.scene.scoring import PRESENT, TOLERANCE, counterfactual_masks, element_scores, score_image
from cauarena.envs.scene.world import (
    CAUSES,
    COLOURS,
    EFFECT_OF,
    HELDOUT,
    POSITIONS,
    SHAPES,
    SIDES,
    SPLITS,
    TEXTURES,
    Node,
    Scene,
    SceneGraph,
    all_scenes,
)

HEADLINE = (
    Metric("physical_alignment", "physical alignment"),
    Metric("named_alignment", "named elements"),
    Metric("unnamed_alignment", "unnamed effects"),
    Metric("ood_alignment", "OOD alignment", source="physical_alignment", where="ood"),
    *(Metric(f"effect_{e}", e, brief=False) for e in ("shadow", "reflection", "rest")),
)
"""Headline metrics of the scene tables: physical alignment, named vs unnamed elements, OOD, per effect."""

__all__ = [
    "CAUSES",
    "COLOURS",
    "EFFECT_OF",
    "HEADLINE",
    "HELDOUT",
    "IMAGE_SHAPE",
    "MAX_INVALID",
    "POSITIONS",
    "PRESENT",
    "SHAPES",
    "SIDES",
    "SIZE",
    "SPLITS",
    "TEXTURES",
    "TOLERANCE",
    "CausalSceneEnv",
    "Node",
    "Scene",
    "SceneGraph",
    "all_scenes",
    "counterfactual_masks",
    "effect_mask",
    "element_masks",
    "element_scores",
    "image_problem",
    "object_mask",
    "render",
    "score_image",
    "shape_mask",
]
