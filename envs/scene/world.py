"""The scene world: attributes, prompts, causal scene graphs (CSG) and the in-distribution / OOD split.

A scene is one object (colour, texture, shape, position) and one cause: a light from the left or right
(effect: a shadow on the opposite side), water under the object (effect: its mirrored reflection) or a table
(effect: the object rests on it, with a contact shadow on the table top). Every scene is a pure function of its
attributes, so its pixels and masks are exact (:mod:`cauarena.envs.scene.render`). The prompt names the object,
its position and the cause, and never the effect.

>>> scene = Scene("red", "striped", "ball", "left", "light", "right")
>>> scene.prompt
'a red striped ball on the left, light from the right'
>>> [node.name for node in scene.graph.nodes], scene.graph.edges
(['object', 'light', 'shadow'], (('light', 'shadow'), ('object', 'shadow')))
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from cauarena.errors import ConfigError

COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (220, 40, 40), "green": (40, 180, 60), "blue": (50, 80, 230), "yellow": (235, 205, 30),
}
"""Object colours (RGB)."""
TEXTURES = ("solid", "striped", "dotted")
SHAPES = ("ball", "cube", "cone")
POSITIONS = {"left": 5, "middle": 12, "right": 19}
"""Position word -> left column of the object's 8x8 box."""
CAUSES = ("light", "water", "table")
SIDES = ("left", "right")
EFFECT_OF = {"light": "shadow", "water": "reflection", "table": "rest"}
"""The unnamed effect each cause brings about."""
HELDOUT = (("red", "ball", "reflection"), ("blue", "cube", "shadow"), ("green", "cone", "rest"),
           ("yellow", "ball", "shadow"))
"""Colour x object x effect combinations never seen in training: the OOD split."""
SPLITS = ("train", "ood", "all")


@dataclass(frozen=True)
class Node:
    """A CSG node: one element of the scene.

    Attributes:
        name: ``object``, the cause (``light``/``water``/``table``) or the effect (``shadow``/``reflection``/``rest``).
        role: ``object``, ``cause`` or ``effect``.
        named: whether the prompt names it (effects never are).
        attributes: the element's attributes (colour, texture, shape, side...).
        box: its layout box ``(top, left, bottom, right)``, bottom/right exclusive.
    """

    name: str
    role: str
    named: bool
    attributes: tuple[tuple[str, str], ...]
    box: tuple[int, int, int, int]


@dataclass(frozen=True)
class SceneGraph:
    """A causal scene graph: nodes with attributes and layout boxes, and causal edges ``(cause, effect)``."""

    nodes: tuple[Node, ...]
    edges: tuple[tuple[str, str], ...]

    def node(self, name: str) -> Node:
        """The node called ``name``.

        Raises:
            KeyError: no such node.
        """
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(f"no node {name!r} in the scene graph; nodes are {[n.name for n in self.nodes]}")

    def to_dict(self) -> dict:
        """A JSON-serialisable form (for ``info`` and reports)."""
        return {"nodes": [{"name": n.name, "role": n.role, "named": n.named, "attributes": dict(n.attributes),
                           "box": list(n.box)} for n in self.nodes],
                "edges": [list(edge) for edge in self.edges]}


@dataclass(frozen=True)
class Scene:
    """One scene: its attributes, from which the prompt, the CSG, the image and the masks follow exactly."""

    colour: str
    texture: str
    shape: str
    position: str
    cause: str
    side: str = "left"
    graph: SceneGraph = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for value, allowed, what in ((self.colour, COLOURS, "colour"), (self.texture, TEXTURES, "texture"),
                                     (self.shape, SHAPES, "shape"), (self.position, POSITIONS, "position"),
                                     (self.cause, CAUSES, "cause"), (self.side, SIDES, "side")):
            if value not in allowed:
                raise ConfigError(f"Scene {what} must be one of {list(allowed)}, got {value!r}.")
        if self.cause != "light" and self.side != "left":
            raise ConfigError(f"Only a light has a side; got cause={self.cause!r} with side={self.side!r}. "
                              "Fix: leave side='left' for water and table scenes.")
        object.__setattr__(self, "graph", _graph(self))

    @property
    def effect(self) -> str:
        """The unnamed effect of the scene's cause."""
        return EFFECT_OF[self.cause]

    @property
    def ood(self) -> bool:
        """Whether the scene's colour x object x effect combination is held out of training."""
        return (self.colour, self.shape, self.effect) in HELDOUT

    @property
    def prompt(self) -> str:
        """The text prompt: object, position and cause; the effect is left unnamed."""
        cause = {"light": f"light from the {self.side}", "water": "on water", "table": "on a table"}[self.cause]
        return f"a {self.colour} {self.texture} {self.shape} on the {self.position}, {cause}"

    def with_side(self, side: str) -> Scene:
        """The same scene lit from ``side`` (light scenes only)."""
        return Scene(self.colour, self.texture, self.shape, self.position, self.cause, side)


def object_top(cause: str) -> int:
    """Top row of the object's 8x8 box: it stands on the floor or water (row 20) or on the table top (row 18)."""
    return 10 if cause == "table" else 12


def _graph(scene: Scene) -> SceneGraph:
    top, left = object_top(scene.cause), POSITIONS[scene.position]
    obj = Node("object", "object", True, (("colour", scene.colour), ("texture", scene.texture),
                                          ("shape", scene.shape), ("position", scene.position)),
               (top, left, top + 8, left + 8))
    cause_box = {"light": (1, 1, 5, 5) if scene.side == "left" else (1, 27, 5, 31), "water": (20, 0, 32, 32),
                 "table": (18, 3, 28, 29)}[scene.cause]
    cause = Node(scene.cause, "cause", True, (("side", scene.side),) if scene.cause == "light" else (), cause_box)
    effect = Node(scene.effect, "effect", False, (), effect_box(scene.cause, scene.side, left))
    return SceneGraph((obj, cause, effect), ((scene.cause, scene.effect), ("object", scene.effect)))


def effect_box(cause: str, side: str, left: int) -> tuple[int, int, int, int]:
    """The layout box of the effect of ``cause`` for an object whose box starts at column ``left``."""
    if cause == "light":  # the shadow falls away from the light, on the floor at the object's foot
        return (20, left + 4, 23, left + 13) if side == "left" else (20, left - 5, 23, left + 4)
    if cause == "water":
        return (20, left, 28, left + 8)
    return (18, left, 19, left + 8)


def all_scenes(split: str = "all") -> list[Scene]:
    """Every scene of ``split`` (``train``: the in-distribution scenes; ``ood``: the held-out combinations).

    >>> len(all_scenes()), len(all_scenes("train")), len(all_scenes("ood"))
    (432, 378, 54)
    """
    if split not in SPLITS:
        raise ConfigError(f"split must be one of {SPLITS}, got {split!r}.")
    scenes = []
    for colour, texture, shape, position in itertools.product(COLOURS, TEXTURES, SHAPES, POSITIONS):
        for cause, side in (("light", "left"), ("light", "right"), ("water", "left"), ("table", "left")):
            scenes.append(Scene(colour, texture, shape, position, cause, side))
    return [s for s in scenes if split == "all" or s.ood == (split == "ood")]


__all__ = ["CAUSES", "COLOURS", "EFFECT_OF", "HELDOUT", "POSITIONS", "SHAPES", "SIDES", "SPLITS", "TEXTURES",
           "Node", "Scene", "SceneGraph", "all_scenes", "effect_box", "object_top"]
