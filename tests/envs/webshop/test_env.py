import gymnasium as gym
import pytest

import cauarena
from cauarena.envs.webshop import WebShopEnv
from cauarena.errors import ConfigError


@pytest.fixture(scope="module")
def env():
    return WebShopEnv(num_products=1000)


def _goal_product(env):
    return env.catalog.by_asin(env.goal.asin)


def test_made_through_the_registry():
    env = cauarena.make("cauarena/WebShop-v0", num_products=100, split="train", max_steps=5)
    assert isinstance(env.unwrapped, WebShopEnv) and env.unwrapped.split == "train"


def test_search_page_and_info(env):
    obs, info = env.reset(seed=0)
    assert obs == f"WebShop [SEP] Instruction: [SEP] {env.goal.instruction} [SEP] Search"
    assert info["valid_actions"] == ["search[<keywords>]"] and info["page"] == "search"
    assert info["instruction"] == info["mission"] == env.goal.instruction
    assert info["invalid_action"] is False and not {"success", "metrics"} & set(info)  # sealed until the end
    assert env.episode_summary() == {"success": False, "metrics": {
        "reward": 0.0, "progress": 0.0, "r_type": 0.0, "r_attribute": 0.0, "r_option": 0.0, "r_price": 0.0,
        "searches": 0.0}}  # nothing searched or bought yet


def test_navigation_results_item_sub_pages_and_back(env):
    env.reset(seed=1)
    obs, _, _, _, info = env.step(f"search[{env.goal.keywords}]")
    assert info["page"] == "results" and "Page 1 (Total results: 50)" in obs
    assert info["valid_actions"][:2] == ["click[back to search]", "click[next >]"]
    assert len([a for a in info["valid_actions"] if a.startswith("click[b0")]) == 10
    obs, _, _, _, info = env.step("click[next >]")
    assert "Page 2" in obs and "click[< prev]" in info["valid_actions"]
    _, _, _, _, info = env.step("click[< prev]")
    asin = info["valid_actions"][-1][len("click["):-1]
    obs, _, _, _, info = env.step(f"Click[{asin.upper()}].")
    product = env.catalog.by_asin(asin)
    assert info["page"] == "item" and product.title in obs and info["valid_actions"][-1] == "click[buy now]"
    value = product.options[0][1][0]
    obs, _, _, _, info = env.step(f"click[{value}]")
    assert obs.endswith(f"You have clicked {value}.")
    for sub in ("description", "features", "reviews", "attributes"):
        _, _, _, _, info = env.step(f"click[{sub}]")
        assert info["page"] == sub and info["valid_actions"] == ["click[back to search]", "click[< prev]"]
        obs, _, _, _, info = env.step("click[< prev]")
        assert info["page"] == "item" and f"You have clicked {value}." in obs  # selections kept
    _, _, _, _, info = env.step("click[back to search]")
    assert info["page"] == "search"


def test_buying_the_target_with_its_options_succeeds(env):
    env.reset(seed=2)
    env.step(f"search[{env.goal.name}]")
    env.page = env.page.__class__(kind="results", keywords="", results=(_goal_product(env).index,))
    env.step(f"click[{env.goal.asin.lower()}]")
    for _, value in env.goal.options:
        env.step(f"click[{value}]")
    obs, reward, terminated, truncated, info = env.step("Action: click[buy now]")
    assert (reward, terminated, truncated, info["success"]) == (1.0, True, False, True)
    assert info["metrics"]["progress"] == 1.0 and info["metrics"]["r_type"] == 1.0
    assert obs.endswith("Your score (min 0.0, max 1.0) [SEP] 1.0000") and info["valid_actions"] == []
    _, reward, terminated, _, info = env.step("click[buy now]")
    assert info["invalid_action"] and terminated and reward == 0.0


def test_buying_without_options_is_partial(env):
    env.reset(seed=3)
    env.step(f"search[{env.goal.keywords}]")
    env.page = env.page.__class__(kind="results", results=(_goal_product(env).index,))
    env.step(f"click[{env.goal.asin.lower()}]")
    _, reward, terminated, _, info = env.step("click[buy now]")
    parts = len(env.goal.attributes) + len(env.goal.options) + 1
    assert terminated and not info["success"] and reward == pytest.approx((parts - len(env.goal.options)) / parts)
    assert 0 < info["metrics"]["progress"] < 1


@pytest.mark.parametrize(("action", "reason"), [
    ("click[buy now]", "cannot be clicked"),
    ("search[]", "expected search"),
    ("purchase it", "expected search"),
    (7, "actions are strings, got int"),
    (None, "actions are strings, got NoneType"),
    ("search[" + "tea " * 5000 + "]", "the action is 20,008 characters long; the limit is 16,384"),
])
def test_invalid_actions_are_counted_no_ops_with_feedback(env, action, reason):
    obs0, _ = env.reset(seed=4)
    obs, reward, terminated, truncated, info = env.step(action)
    assert info["invalid_action"] and reason in info["feedback"] and reward == 0.0
    assert obs == f"{obs0}\n{info['feedback']}" and info["step"] == 1 and info["page"] == "search"
    assert info["feedback"].endswith("Valid actions: search[<keywords>].")


def test_search_only_on_the_search_page(env):
    env.reset(seed=4)
    env.step("search[shampoo]")
    _, _, _, _, info = env.step("search[conditioner]")
    assert info["invalid_action"] and "no search box" in info["feedback"] and info["page"] == "results"


def test_truncated_at_max_steps_invalid_steps_included():
    env = WebShopEnv(num_products=100, max_steps=3)
    env.reset(seed=0)
    assert env.step("x")[3] is False and env.step("search[shampoo]")[3] is False
    _, _, terminated, truncated, _ = env.step("click[back to search]")
    assert (terminated, truncated) == (False, True)


def test_same_seed_same_instruction_and_splits_differ(env):
    env.reset(seed=9)
    first = env.goal
    env.reset(seed=10)
    env.reset(seed=9)
    assert env.goal == first
    other = WebShopEnv(num_products=1000, split="train")
    other.reset(seed=9)
    assert other.goal.asin != first.asin


def test_step_before_reset_and_bad_kwargs():
    with pytest.raises(gym.error.ResetNeeded):
        WebShopEnv(num_products=100).step("search[x]")
    with pytest.raises(ConfigError, match="split must be one of"):
        WebShopEnv(num_products=100, split="dev")
    with pytest.raises(ConfigError, match="max_steps"):
        WebShopEnv(num_products=100, max_steps=0)
    with pytest.raises(ConfigError, match="num_products"):
        WebShopEnv(num_products=5)


def test_render_ansi():
    env = WebShopEnv(num_products=100, render_mode="ansi")
    obs, _ = env.reset(seed=0)
    assert env.render() == obs


@pytest.mark.parametrize("action", [
    "search[" * 100_000, "click[" + "a" * 10_000 + "]", "Action: " * 2000, [[[[]]]], 10**400, float("inf"),
    b"search[tea]", "search[" + "x" * 16_000 + "]",
])
def test_hostile_actions_are_answered_quickly(env, action):
    import time

    env.reset(seed=4)
    start = time.process_time()
    obs, reward, _, _, info = env.step(action)
    assert time.process_time() - start < 1.0
    assert reward == 0.0 and (info["invalid_action"] is False or info["feedback"] in obs)
    assert obs in env.observation_space


def test_an_action_whose_methods_raise_gets_feedback(env):
    class Evil(str):
        def __str__(self):
            raise RuntimeError("no")

        __repr__ = __len__ = __iter__ = strip = __getitem__ = __str__

    env.reset(seed=4)
    _, _, _, _, info = env.step(Evil("search[shampoo]"))
    assert info["invalid_action"] is False and info["page"] == "results"
    _, _, _, _, info = env.step(Evil("nonsense"))
    assert info["invalid_action"] is True and '"nonsense"' in info["feedback"]


def test_summary_and_final_info_agree_on_purchase(env):
    env.reset(seed=0)
    env.step("search[" + env.goal.instruction[:80] + "]")
    listed = env.page.listed
    env.step(f"click[{env.catalog.products[listed[0]].asin.lower()}]")
    _, _, terminated, _, info = env.step("click[buy now]")
    assert terminated and info["success"] == env.episode_summary()["success"]
    assert info["metrics"] == env.episode_summary()["metrics"]
