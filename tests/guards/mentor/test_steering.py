"""Activation steering on a shipped tiny LM (tiny/babyai-reactive, a 2-layer Llama): the intended shift, removable."""

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from cauarena.agents.llm import make_backend  # noqa: E402
from cauarena.agents.llm.prompts import get_prompt, render_messages  # noqa: E402
from cauarena.guards.mentor.steering import (  # noqa: E402
    Steering,
    SteeringVector,
    continuation_logprob,
    next_token_logprobs,
    residual_activations,
    steering_vector,
)

ACTIONS = ["turn left", "turn right", "go forward", "pick up", "drop", "toggle"]


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    return make_backend("tiny/babyai-reactive")


def _prompt(backend, obj, side, steps):
    obs = (f"Mission: go to the {obj}\nYou see a {obj} {steps} steps {side} and 1 step forward\n"
           "You see a wall 3 steps forward")
    return backend.render_prompt(render_messages(get_prompt("babyai"), [], obs, {"valid_actions": ACTIONS}))


@pytest.fixture(scope="module")
def pairs(tiny):
    objs = ["red key", "blue ball", "green box", "grey key"]
    right = [_prompt(tiny, o, "right", n) for o in objs for n in (2, 3)]
    left = [_prompt(tiny, o, "left", n) for o in objs for n in (2, 3)]
    return right, left


HELD_OUT = [("purple ball", "right", 2), ("yellow box", "left", 3), ("purple key", "left", 2)]


@pytest.mark.parametrize("layer", [0, 1])
def test_steering_shifts_next_token_in_the_intended_direction(tiny, pairs, layer):
    vec = steering_vector(tiny, *pairs, layer=layer)  # "object on the right" minus "object on the left"
    tokenizer = tiny.load()[1]
    right, left = tokenizer.convert_tokens_to_ids("turnĠright"), tokenizer.convert_tokens_to_ids("turnĠleft")
    for case in HELD_OUT:
        prompt = _prompt(tiny, *case)
        base = next_token_logprobs(tiny, prompt)
        shifted = {}
        for strength in (-2.0, 2.0):
            with Steering(tiny, vec, strength) as steer:
                assert steer.active
                shifted[strength] = next_token_logprobs(tiny, prompt)
        assert shifted[2.0][right] > base[right] + 0.1 > shifted[-2.0][right] + 0.2
        odds = {s: float(lp[right] - lp[left]) for s, lp in [(-2.0, shifted[-2.0]), (0.0, base), (2.0, shifted[2.0])]}
        assert odds[2.0] > odds[0.0] > odds[-2.0]


def test_steering_is_removable_deterministic_and_zero_is_a_no_op(tiny, pairs):
    vec = steering_vector(tiny, *pairs, layer=1)
    again = steering_vector(tiny, *pairs, layer=1)
    assert torch.equal(vec.vector, again.vector) and vec.meta["pairs"] == 8 and vec.vector.shape == (128,)
    prompt = _prompt(tiny, "purple ball", "right", 2)
    base = next_token_logprobs(tiny, prompt)
    steer = Steering(tiny, vec, 3.0).attach()
    steered = next_token_logprobs(tiny, prompt)
    steer.remove()
    assert not steer.active and not torch.equal(base, steered)
    assert torch.equal(next_token_logprobs(tiny, prompt), base)
    with Steering(tiny, vec, 0.0):
        assert torch.allclose(next_token_logprobs(tiny, prompt), base)


def test_steering_applies_during_generation(tiny, pairs):
    vec = steering_vector(tiny, *pairs, layer=1)
    messages = render_messages(get_prompt("babyai"), [], "Mission: go to the red ball\nYou see a red ball 2 steps "
                               "left and 1 step forward", {"valid_actions": ACTIONS})
    plain = tiny.generate(messages, max_tokens=4, temperature=0.0).text
    with Steering(tiny, vec, 8.0):
        pushed = tiny.generate(messages, max_tokens=4, temperature=0.0).text
    with Steering(tiny, vec, -8.0):
        pulled = tiny.generate(messages, max_tokens=4, temperature=0.0).text
    assert "turn right" in pushed and "turn right" not in pulled
    assert tiny.generate(messages, max_tokens=4, temperature=0.0).text == plain


def test_vector_roundtrip_activations_and_errors(tiny, pairs):
    vec = steering_vector(tiny, *pairs, layer=-1, normalize=True)
    assert vec.layer == 1 and abs(float(vec.vector.norm()) - 1.0) < 1e-5
    back = SteeringVector.from_dict(vec.to_dict())
    assert torch.allclose(back.vector, vec.vector) and back.layer == 1
    acts = residual_activations(tiny, pairs[0][:3], layer=0, position="mean")
    assert acts.shape == (3, 128)
    lp = continuation_logprob(tiny, pairs[0][0], "turn right")
    assert lp < 0
    with pytest.raises(ValueError, match="out of range"):
        steering_vector(tiny, *pairs, layer=5)
    with pytest.raises(ValueError, match="at least one"):
        steering_vector(tiny, [], pairs[1], layer=0)
    with pytest.raises(TypeError, match="cannot be steered"):
        steering_vector(make_backend("mock/first-valid"), *pairs, layer=0)
