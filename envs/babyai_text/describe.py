"""Text descriptions of the agent's 7x7 egocentric view, in the published BabyAI-Text grammar.

The grammar is that of BabyAI-Text (flowersteam/Grounding_LLMs_with_online_RL, ``gen_text_obs``), which
BALROG uses: in order, what the agent carries, the walls straight ahead / left / right (only when the first
non-empty cell on that line is a wall), then every visible object, column by column from the left and, in a
column, from far to near. Doors read ``a {open|closed|locked} {color} door`` (``a open``, as upstream).
"""

from __future__ import annotations

from collections.abc import Sequence

from minigrid.core.constants import IDX_TO_COLOR, IDX_TO_OBJECT, OBJECT_TO_IDX

_UNSEEN = OBJECT_TO_IDX["unseen"]
_EMPTY = OBJECT_TO_IDX["empty"]
_WALL = OBJECT_TO_IDX["wall"]
_DOOR = OBJECT_TO_IDX["door"]
_DOOR_STATES = ("open", "closed", "locked")


def steps(n: int, direction: str) -> str:
    """``"1 step left"``, ``"3 steps forward"``.

    >>> steps(1, "left"), steps(3, "forward")
    ('1 step left', '3 steps forward')
    """
    return f"{n} step{'s' if n > 1 else ''} {direction}"


def relative_position(dx: int, dy: int) -> str:
    """Where a cell ``dx`` columns right (negative: left) and ``dy`` rows ahead of the agent is.

    >>> relative_position(0, 2), relative_position(-1, 0), relative_position(2, 3)
    ('2 steps forward', '1 step left', '2 steps right and 3 steps forward')
    """
    if dx == 0:
        return steps(dy, "forward")
    side = steps(abs(dx), "left" if dx < 0 else "right")
    return side if dy == 0 else f"{side} and {steps(dy, 'forward')}"


def object_name(type_idx: int, color_idx: int, state: int) -> str:
    """``red ball``; doors carry their state: ``locked blue door``.

    >>> object_name(6, 0, 0), object_name(4, 2, 2)
    ('red ball', 'locked blue door')
    """
    name = f"{IDX_TO_COLOR[color_idx]} {IDX_TO_OBJECT[type_idx]}"
    if type_idx == _DOOR:
        return f"{_DOOR_STATES[state]} {name}"
    return name


def _wall_distance(line: Sequence[int]) -> int | None:
    """Distance to a wall along ``line`` (cells ordered from the agent outwards), if it comes first."""
    for distance, type_idx in enumerate(line, start=1):
        if type_idx not in (_UNSEEN, _EMPTY):
            return distance if type_idx == _WALL else None
    return None


def describe_view(image: object, carrying: tuple[str, str] | None = None) -> list[str]:
    """The description lines of one egocentric view.

    Args:
        image: minigrid's encoded partial view, shape ``(width, height, 3)`` indexed ``[x][y]``, with the
            agent at ``(width // 2, height - 1)`` looking towards ``y = 0`` (``gen_obs()["image"]``), as a
            numpy array or nested lists.
        carrying: ``(color, type)`` of the carried object, or ``None``.

    Returns:
        One string per fact, e.g. ``["You carry a red key", "You see a wall 2 steps forward",
        "You see a blue ball 1 step left and 1 step forward"]``.
    """
    cells = image.tolist() if hasattr(image, "tolist") else image
    width, height = len(cells), len(cells[0])
    ax, ay = width // 2, height - 1
    lines = [f"You carry a {carrying[0]} {carrying[1]}"] if carrying is not None else []
    column = [cell[0] for cell in cells[ax]]
    row = [cells[x][ay][0] for x in range(width)]
    for direction, line in (
        ("forward", column[ay - 1 :: -1] if ay else []),
        ("left", row[ax - 1 :: -1] if ax else []),
        ("right", row[ax + 1 :]),
    ):
        distance = _wall_distance(line)
        if distance is not None:
            lines.append(f"You see a wall {steps(distance, direction)}")
    for x, col in enumerate(cells):
        for y, (type_idx, color_idx, state) in enumerate(col):
            if type_idx > _WALL and (x != ax or y != ay):
                lines.append(
                    f"You see a {object_name(type_idx, color_idx, state)} {relative_position(x - ax, ay - y)}"
                )
    return lines
