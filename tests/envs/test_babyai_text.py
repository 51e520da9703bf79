"""BabyAI-Text: exact text on hand-built scenes, the parser, invalid actions as no-ops, fidelity to minigrid."""


import numpy as np
import pytest
from minigrid.core.constants import COLOR_TO_IDX, OBJECT_TO_IDX
from minigrid.core.grid import Grid
from minigrid.core.world_object import Ball, Box, Door, Key

import cauarena
from cauarena.envs.babyai_text import ACTION_NAMES, BabyAITextEnv, describe_view, parse_action
from cauarena.envs.babyai_text.env import make_level
from cauarena.errors import ConfigError, NameNotFound

FEEDBACK = "Valid actions: turn left, turn right, go forward, pick up, drop, toggle."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("turn left", 0),
        ("TURN RIGHT", 1),
        ("  go forward\n", 2),
        ("Action: pick up", 3),
        ("action: Turn Left.", 0),
        ("Thought: the key is in front.\nI will take it.\nAction: pick up", 3),
        ("I see a wall.\ndrop", 4),
        ("`toggle`", 5),
        ("pick_up", 3),
        ("Pick-Up!", 3),
        ("forward", 2),
        ("move forward", 2),
        ("open", 5),
        ("turn left and go forward", None),
        ("go to the red ball", None),
        ("done", None),
        ("", None),
        ("Action:", None),
        ("2", None),
    ],
)
def test_parse_action(text, expected):
    assert parse_action(text) == expected


@pytest.mark.parametrize("value", [2, None, 2.0, b"go forward", ["go forward"], {"action": "drop"}, True])
def test_parse_action_rejects_non_strings(value):
    assert parse_action(value) is None


def _image(cells, size=7):
    """A view where every cell is empty, except ``cells``: {(x, y): (type, color, state)}."""
    image = np.zeros((size, size, 3), dtype=np.uint8)
    image[:, :, 0] = OBJECT_TO_IDX["empty"]
    for (x, y), (kind, color, state) in cells.items():
        image[x, y] = (OBJECT_TO_IDX[kind], COLOR_TO_IDX[color], state)
    return image


def test_describe_view_grammar_on_a_hand_made_view():
    image = _image(
        {
            (3, 5): ("ball", "red", 0),  # right in front: blocks the wall behind it
            (3, 0): ("wall", "grey", 0),
            (0, 6): ("wall", "grey", 0),  # 3 steps left, nothing in between
            (5, 6): ("door", "blue", 0),  # an open door, 2 steps right: no wall line on the right
            (6, 6): ("wall", "grey", 0),
            (4, 2): ("key", "yellow", 0),
            (1, 4): ("door", "green", 2),
        }
    )
    assert describe_view(image, carrying=("purple", "box")) == [
        "You carry a purple box",
        "You see a wall 3 steps left",
        "You see a locked green door 2 steps left and 2 steps forward",
        "You see a red ball 1 step forward",
        "You see a yellow key 1 step right and 4 steps forward",
        "You see a open blue door 2 steps right",
    ]


def test_describe_view_walls_and_unseen_cells():
    image = _image({(3, 5): ("wall", "grey", 0), (2, 6): ("wall", "grey", 0), (6, 6): ("wall", "grey", 0)})
    image[4, 6] = (OBJECT_TO_IDX["unseen"], 0, 0)  # unseen cells do not stop the look-up
    assert describe_view(image) == [
        "You see a wall 1 step forward",
        "You see a wall 1 step left",
        "You see a wall 3 steps right",
    ]
    assert describe_view(_image({})) == []


def _hand_built_scene(env):
    """An 8x8 room; the agent at (3, 5) looks up after one 'turn left' and carries a grey key."""
    inner = env.unwrapped.minigrid_env
    grid = Grid(8, 8)
    grid.wall_rect(0, 0, 8, 8)
    grid.set(3, 3, Ball("red"))
    grid.set(1, 2, Box("blue"))
    grid.set(4, 0, Door("yellow", is_locked=True))
    grid.set(5, 5, Key("green"))
    inner.grid = grid
    inner.agent_pos, inner.agent_dir = (3, 5), 0  # facing right; "turn left" faces up
    inner.carrying = Key("grey")


def test_observation_text_exact_on_a_hand_built_scene():
    env = cauarena.make("cauarena/BabyAI-GoToLocal-Text-v0", render_mode="ansi")
    _, info = env.reset(seed=0)
    _hand_built_scene(env)
    obs, *_ = env.step("turn left")
    assert obs == "\n".join(
        [
            f"Mission: {info['mission']}",
            "You carry a grey key",
            "You see a wall 3 steps left",
            "You see a blue box 2 steps left and 3 steps forward",
            "You see a red ball 2 steps forward",
            "You see a locked yellow door 1 step right and 5 steps forward",
            "You see a green key 2 steps right",
        ]
    )
    assert env.render() == obs
    assert obs in env.observation_space


def test_reset_info_contract():
    env = cauarena.make("cauarena/BabyAI-GoToLocal-Text-v0")
    obs, info = env.reset(seed=3)
    assert obs.startswith(f"Mission: {info['mission']}\n")
    assert info == {
        "valid_actions": list(ACTION_NAMES),
        "mission": info["mission"],
        "invalid_action": False,
        "feedback": "",
        "level": "GoToLocal",
        "max_steps": 64,
    }


def test_invalid_action_is_a_counted_no_op_with_feedback():
    env = cauarena.make("cauarena/BabyAI-GoToLocal-Text-v0")
    obs, _ = env.reset(seed=1)
    inner = env.unwrapped.minigrid_env
    before = (tuple(inner.agent_pos), inner.agent_dir, inner.grid.encode().tobytes(), inner.step_count)
    next_obs, reward, terminated, truncated, info = env.step("jump over the wall")
    after = (tuple(inner.agent_pos), inner.agent_dir, inner.grid.encode().tobytes(), inner.step_count)
    assert after[:3] == before[:3]
    assert after[3] == before[3] + 1
    assert (reward, terminated, truncated) == (0.0, False, False)
    assert info["invalid_action"] is True
    assert info["feedback"] == f'Your last action "jump over the wall" was not understood. {FEEDBACK}'
    assert next_obs == obs + "\n" + info["feedback"]
    obs_after_valid, *_, info = env.step("turn left")
    assert info["invalid_action"] is False and info["feedback"] == ""
    assert "not understood" not in obs_after_valid


def test_invalid_action_never_runs_the_mission_verifier(monkeypatch):
    env = BabyAITextEnv(level="GoToLocal")
    env.reset(seed=0)
    calls = []
    monkeypatch.setattr(env.minigrid_env.instrs, "verify", lambda action: calls.append(action) or "continue")
    env.step(None)
    env.step("???")
    assert calls == []
    env.step("turn left")
    assert calls == [0]


def test_garbage_only_agent_truncates_at_max_steps():
    env = cauarena.make("cauarena/BabyAI-GoToLocal-Text-v0", max_steps=5)
    _, info = env.reset(seed=0)
    assert info["max_steps"] == 5
    for step in range(1, 6):
        _, reward, terminated, truncated, info = env.step(12345)
        assert reward == 0.0 and not terminated
        assert truncated is (step == 5)
        assert ("success" in info) is (step == 5)  # sealed until the ending step
    assert "12345 (int) was not understood" in info["feedback"]
    assert info["success"] is False and info["metrics"] == {"progression": 0.0}


def test_feedback_echo_is_printable_and_bounded():
    env = BabyAITextEnv(level="GoToLocal")
    env.reset(seed=0)
    obs, *_, info = env.step("\u2603\n" + "y" * 500)
    assert obs in env.observation_space
    assert info["feedback"].startswith('Your last action "??yyy')
    assert len(info["feedback"]) < 200


def test_same_dynamics_reward_and_episode_end_as_minigrid():
    """Same seed and actions: the text env and raw minigrid agree step by step, and the text is the view's."""
    env = BabyAITextEnv(level="GoToLocal")
    raw = make_level("GoToLocal")
    rng = np.random.default_rng(0)
    for seed in range(3):
        obs, info = env.reset(seed=seed)
        raw_obs, _ = raw.reset(seed=seed)
        assert info["mission"] == raw_obs["mission"]
        for _ in range(80):
            action = int(rng.integers(6))
            obs, reward, terminated, truncated, info = env.step(ACTION_NAMES[action])
            raw_obs, raw_reward, raw_terminated, raw_truncated, _ = raw.step(action)
            assert (reward, terminated, truncated) == (float(raw_reward), raw_terminated, raw_truncated)
            carrying = None if raw.carrying is None else (raw.carrying.color, raw.carrying.type)
            assert obs.split("\n")[1:] == describe_view(raw_obs["image"], carrying)
            if terminated or truncated:
                assert info["success"] is (reward > 0)
                assert info["metrics"]["progression"] == float(reward > 0)
                break


def test_success_reward_is_minigrids_formula():
    env = BabyAITextEnv(level="GoToLocal")
    env.reset(seed=0)
    inner = env.minigrid_env
    target = inner.instrs.desc.obj_poss[0]
    # Put the agent right behind the target, facing it, then any valid action verifies the mission.
    for direction, (dx, dy) in enumerate([(1, 0), (0, 1), (-1, 0), (0, -1)]):
        cell = (int(target[0]) - dx, int(target[1]) - dy)
        if inner.grid.get(*cell) is None:
            inner.agent_pos, inner.agent_dir = cell, direction
            break
    inner.step_count = 9
    _, reward, terminated, _, info = env.step("drop")
    assert terminated and info["success"] is True
    assert reward == pytest.approx(1 - 0.9 * 10 / inner.max_steps)


def test_level_generation_prints_are_silenced(capfd):
    env = cauarena.make("cauarena/BabyAI-GoToLocal-Text-v0")
    env.reset(seed=8)  # raw minigrid prints "Sampling rejected: ..." for this seed
    env.step("go forward")
    assert capfd.readouterr().out == ""


def test_unknown_level_suggests_close_names():
    with pytest.raises(NameNotFound, match=r"No BabyAI level named 'GoToLokal'\. Did you mean: 'GoToLocal'"):
        BabyAITextEnv(level="GoToLokal")


@pytest.mark.parametrize("max_steps", [0, -3, 2.5, True, "10"])
def test_bad_max_steps_is_a_config_error(max_steps):
    with pytest.raises(ConfigError, match="max_steps must be a positive int or None"):
        BabyAITextEnv(level="GoToLocal", max_steps=max_steps)


def test_bad_render_mode_is_a_config_error():
    with pytest.raises(ConfigError, match="render_mode must be None or 'ansi'"):
        BabyAITextEnv(level="GoToLocal", render_mode="human")


def test_level_kwargs_reach_minigrid():
    env = BabyAITextEnv(level="GoToLocal", level_kwargs={"room_size": 6})
    env.reset(seed=0)
    assert env.minigrid_env.room_size == 6


def test_step_before_reset_says_how_to_fix():
    import gymnasium as gym

    with pytest.raises(gym.error.ResetNeeded, match="reset"):
        BabyAITextEnv(level="GoToLocal").step("turn left")


def test_any_minigrid_babyai_level_can_be_wrapped():
    env = BabyAITextEnv(level="OpenDoor")
    obs, info = env.reset(seed=0)
    assert obs.startswith("Mission: open")
    assert info["level"] == "OpenDoor"


def test_score_is_sealed_until_the_end_and_summary_tracks_it():
    env = BabyAITextEnv(level="GoToLocal")
    _, info = env.reset(seed=0)
    assert not set(env.sealed_info_keys) & set(info)
    assert env.episode_summary() == {"success": False, "metrics": {"progression": 0.0}}
    _, _, terminated, truncated, info = env.step("turn left")
    assert not (terminated or truncated) and "success" not in info and "metrics" not in info


@pytest.mark.parametrize(
    "action",
    [None, b"drop", "x" * 1_000_000, "turn left" + " " * 20_000, 10**400, float("nan"), [[[]]], object()],
)
def test_hostile_actions_are_counted_no_ops_with_feedback(action):
    env = BabyAITextEnv(level="GoToLocal")
    env.reset(seed=0)
    observation, reward, _, _, info = env.step(action)
    assert info["invalid_action"] is True and reward == 0.0 and info["feedback"] in observation
    assert observation in env.observation_space and len(info["feedback"]) < 300


def test_an_action_whose_methods_raise_gets_feedback():
    class Evil(str):
        def __str__(self):
            raise RuntimeError("no")

        __repr__ = __len__ = __iter__ = strip = splitlines = __str__

    env = BabyAITextEnv(level="GoToLocal")
    env.reset(seed=0)
    _, _, _, _, info = env.step(Evil("turn left"))
    assert info["invalid_action"] is False  # read through str's own methods: it names an action
    _, _, _, _, info = env.step(Evil("nonsense"))
    assert info["invalid_action"] is True and 'Your last action "nonsense"' in info["feedback"]
