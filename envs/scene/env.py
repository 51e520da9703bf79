"""``CausalSceneEnv``: one prompt per episode; the action is a 32x32 RGB image, scored against the scene's masks."""

from __future__ import annotations

import string
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from cauarena.envs._actions import safe_repr
from cauarena.envs.scene.render import SIZE, render
from cauarena.envs.scene.scoring import PRESENT, blank_scores, score_image
from cauarena.envs.scene.world import SPLITS, Scene, all_scenes
from cauarena.errors import ConfigError

MAX_INVALID = 3
"""Invalid actions in a row after which the episode ends with every element absent."""
OBSERVATION_MAX_LENGTH = 512
IMAGE_SHAPE = (SIZE, SIZE, 3)


def image_problem(action: Any) -> str:
    """Why ``action`` is not an image the env can score, or ``""`` when it is (never calls user code).

    >>> image_problem(np.zeros((32, 32, 3), dtype=np.uint8)), image_problem(np.zeros((32, 32, 3)))
    ('', 'it is an array of dtype float64, not uint8')
    """
    if type(action) is not np.ndarray:
        return f"it is {safe_repr(action)}, not a numpy array"
    if action.shape != IMAGE_SHAPE:
        return f"it has shape {tuple(int(d) for d in action.shape)}, not {IMAGE_SHAPE}"
    if action.dtype != np.uint8:
        return f"it is an array of dtype {action.dtype}, not uint8"
    return ""


class CausalSceneEnv(gym.Env):
    """CausalScene: draw the scene a prompt describes, effects included; scored from exact masks (LINA-lite).

    ## Description

    LINA's setting (``REFERENCE.md`` section 7), built small with exact ground truth. Each episode poses one
    prompt such as ``a red striped ball on the left, light from the right``: an object (colour, texture,
    shape, position) and a cause (a light from a side, water, a table). The scene's causal scene graph (CSG,
    :class:`~cauarena.envs.scene.world.SceneGraph`) adds the effect the prompt does not name: a shadow opposite
    the light, the object's mirrored reflection in the water, the object resting on the table with a contact
    shadow. The renderer (:func:`~cauarena.envs.scene.render.render`) draws the truth and a mask per element, so
    any image is scored exactly (:func:`~cauarena.envs.scene.scoring.score_image`). Some colour x object x effect
    combinations are held out of training (:data:`~cauarena.envs.scene.world.HELDOUT`, the ``ood`` split).

    ## Action Space

    ``Box(0, 255, (32, 32, 3), uint8)``: the image. Anything else (another shape or dtype, a list, text, ...)
    is an **invalid action**: reward 0, the same prompt again with the feedback line appended,
    ``info["invalid_action"] = True``; after 3 invalid actions in a row the episode ends with every element
    absent (reward 0). ``step`` never raises on a malformed action.

    ## Observation Space

    ``Text(max_length=512)``: the prompt, then any feedback line.

    ## Rewards

    On the ending step, the physical alignment in [0, 1]: the mean of the object's, the cause's and the
    effect's scores (each ``inside * elsewhere``, see :mod:`~cauarena.envs.scene.scoring`); 0 otherwise.

    ## Episode End

    Terminated after one valid image or 3 invalid actions in a row; never truncated.

    ``info`` on reset and every step: ``invalid_action``, ``feedback``, ``prompt``, ``seed`` (the reset seed,
    for a generator's noise), ``image_shape``. Sealed until the ending step (:attr:`sealed_info_keys`):
    ``success`` (every element present, score >= 0.5), ``metrics`` (:func:`score_image`'s keys: ``object``,
    ``cause``, ``effect``, ``named_alignment``, ``unnamed_alignment``, ``physical_alignment``, ``ood``...),
    ``scene`` (the attributes), ``graph`` (the CSG) and ``elements`` (score per element name).

    ## Arguments

    ```python
    import cauarena
    env = cauarena.make("cauarena/CausalScene-v0", split="ood")
    ```

    - ``split``: ``all`` (default), ``train`` (in-distribution combinations) or ``ood`` (held out).

    ## Version History

    - v0: initial release.
    """

    metadata = {"render_modes": ["rgb_array"], "render_fps": 1}
    sealed_info_keys: tuple[str, ...] = ("success", "metrics", "scene", "graph", "elements")
    """Info keys present only on the step that ends the episode."""
    action_space = spaces.Box(0, 255, IMAGE_SHAPE, np.uint8)
    observation_space = spaces.Text(max_length=OBSERVATION_MAX_LENGTH, charset=string.printable)

    def __init__(self, split: str = "all", render_mode: str | None = None) -> None:
        if split not in SPLITS:
            raise ConfigError(f"split must be one of {SPLITS}, got {split!r}. Fix: e.g. split='ood'.")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ConfigError(f"render_mode must be None or 'rgb_array', got {render_mode!r}.")
        self.split, self.render_mode = split, render_mode
        self._scenes = all_scenes(split)
        self._scene: Scene | None = None
        self._seed = 0
        self._scores: dict[str, float] | None = None
        self._image: np.ndarray | None = None
        self._invalid = 0

    @property
    def scene(self) -> Scene | None:
        """The episode's scene (privileged: the oracle and tests read it, other agents get the prompt)."""
        return self._scene

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[str, dict]:
        super().reset(seed=seed)
        self._scene = self._scenes[int(self.np_random.integers(len(self._scenes)))]
        self._seed = int(self.np_random.integers(2**31 - 1)) if seed is None else int(seed)
        self._scores, self._image, self._invalid = None, None, 0
        return self._scene.prompt, self._public_info(invalid=False, feedback="")

    def step(self, action: Any) -> tuple[str, float, bool, bool, dict]:
        if self._scene is None or self._scores is not None:
            raise gym.error.ResetNeeded("Cannot call step() before reset() or after the episode ended; call reset().")
        problem = image_problem(action)
        if problem:
            self._invalid += 1
            feedback = (f"Your action must be an RGB image: a uint8 numpy array of shape {IMAGE_SHAPE}; {problem}. "
                        "Fix: return np.asarray(image, dtype=np.uint8) of that shape.")
            if self._invalid < MAX_INVALID:
                info = self._public_info(invalid=True, feedback=feedback)
                return f"{self._scene.prompt}\n{feedback}", 0.0, False, False, info
            self._scores = blank_scores(self._scene)
            return f"{self._scene.prompt}\n{feedback}", 0.0, True, False, self._final_info(True, feedback)
        self._image = action.copy()
        self._scores = score_image(self._image, self._scene)
        reward = self._scores["physical_alignment"]
        return self._scene.prompt, reward, True, False, self._final_info(False, "")

    def _public_info(self, *, invalid: bool, feedback: str) -> dict[str, Any]:
        prompt = self._scene.prompt if self._scene is not None else ""
        return {"invalid_action": invalid, "feedback": feedback, "prompt": prompt, "seed": self._seed,
                "image_shape": list(IMAGE_SHAPE)}

    def _final_info(self, invalid: bool, feedback: str) -> dict[str, Any]:
        scene = self._scene
        info = self._public_info(invalid=invalid, feedback=feedback)
        summary = self.episode_summary()
        names = {"object": "object", "cause": scene.cause, "effect": scene.effect}
        info.update(success=summary["success"], metrics=summary["metrics"],
                    scene={"colour": scene.colour, "texture": scene.texture, "shape": scene.shape,
                           "position": scene.position, "cause": scene.cause, "side": scene.side},
                    graph=scene.graph.to_dict(),
                    elements={names[role]: summary["metrics"][role] for role in names})
        return info

    def episode_summary(self) -> dict[str, Any]:
        """``{"success", "metrics"}`` of the episode so far (no image yet: every element absent).

        Raises:
            gymnasium.error.ResetNeeded: before the first ``reset``.
        """
        if self._scene is None:
            raise gym.error.ResetNeeded("No episode yet: call env.reset(seed=...) first.")
        metrics = dict(self._scores) if self._scores is not None else blank_scores(self._scene)
        success = all(metrics[role] >= PRESENT for role in ("object", "cause", "effect"))
        return {"success": bool(success), "metrics": metrics}

    def render(self) -> np.ndarray | None:
        """The submitted image (the truth before one), in ``rgb_array`` mode; None otherwise."""
        if self.render_mode != "rgb_array" or self._scene is None:
            return None
        return self._image.copy() if self._image is not None else render(self._scene)


__all__ = ["IMAGE_SHAPE", "MAX_INVALID", "CausalSceneEnv", "image_problem"]
