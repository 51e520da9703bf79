"""The scene-diffusion model on a tiny config: shapes, seeds, the DDIM update, save/load, the agent, training."""

import doctest
import importlib

import numpy as np
import pytest
import torch

pytest.importorskip("diffusers")
torch.set_num_threads(1)  # a tiny model: more threads only wait on each other on a busy machine

import cauarena  # noqa: E402
from cauarena.errors import ConfigError  # noqa: E402
from cauarena.learners.scene_diffusion.agent import SceneDiffusionAgent  # noqa: E402
from cauarena.learners.scene_diffusion.model import ModelSpec, SceneDiffusion, load_model, to_latent  # noqa: E402
from cauarena.learners.scene_diffusion.sampling import (  # noqa: E402
    Intervention,
    ddim_update,
    make_scheduler,
    sample,
)
from cauarena.learners.scene_diffusion.scene_diffusion_config import SceneDiffusionConfig  # noqa: E402
from cauarena.learners.scene_diffusion.train import fit  # noqa: E402

TINY = ModelSpec(width=16, text_layers=1, heads=2, channels=(8, 16))
PROMPTS = ["a red striped ball on the left, light from the right", "a blue solid cube on the middle, on water"]


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return SceneDiffusion(TINY).eval()


@pytest.mark.parametrize("name", ["model", "sampling"])
def test_doctests(name):
    assert doctest.testmod(importlib.import_module(f"cauarena.learners.scene_diffusion.{name}")).failed == 0


def test_forward_and_sample_shapes(model):
    states, ids = model.encode(PROMPTS)
    assert states.shape == (2, 16, 16) and ids.shape == (2, 16)
    noise = model(torch.randn(2, 12, 16, 16), torch.tensor([10, 500]), states)
    assert noise.shape == (2, 12, 16, 16)
    images = sample(model, PROMPTS, [0, 1], steps=2)
    assert images.shape == (2, 32, 32, 3) and images.dtype == torch.uint8


def test_same_seed_same_image_and_interventions_change_it(model):
    a = sample(model, PROMPTS[:1], [3], steps=3)
    assert torch.equal(a, sample(model, PROMPTS[:1], [3], steps=3))
    pushed = sample(model, PROMPTS[:1], [3], steps=3, interventions=[Intervention(embedding_scale=2.0,
                                                                                   early_schedule=0.5)])
    assert not torch.equal(a, pushed)


def test_ddim_update_is_diffusers_ddim_step():
    scheduler = make_scheduler()
    scheduler.set_timesteps(10)
    x, eps = torch.randn(2, 12, 16, 16), torch.randn(2, 12, 16, 16)
    for i, t in enumerate(scheduler.timesteps):
        prev = torch.full((2,), int(t) - 100 if i < 9 else -1)
        ours = ddim_update(scheduler.alphas_cumprod, x, eps, torch.full((2,), int(t)), prev)
        assert torch.allclose(ours, scheduler.step(eps, t, x).prev_sample, atol=1e-6)


def test_save_load_round_trip(model, tmp_path):
    model.save(tmp_path)
    loaded = load_model(tmp_path)
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), loaded.state_dict().values(),
                                                 strict=True))
    with pytest.raises(ConfigError, match="cauarena train scene-diffusion"):
        load_model(tmp_path / "missing")


def test_config_refuses_bad_values():
    with pytest.raises(ConfigError, match="multiple of 8"):
        SceneDiffusionConfig(channels=(12, 16))
    with pytest.raises(ConfigError, match="null_prob"):
        SceneDiffusionConfig(null_prob=1.0)


def test_a_few_training_steps_change_every_parameter():
    config = SceneDiffusionConfig(steps=2, batch_size=4, width=16, text_layers=1, channels=(8, 16), ema_decay=0.0)
    torch.manual_seed(0)
    model = SceneDiffusion(TINY)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    trained, losses = fit(model, config)
    changed = [k for k, v in trained.state_dict().items() if not torch.equal(v, before[k])]
    params = {name for name, _ in model.named_parameters()}
    assert len(losses) == 2 and params <= set(changed)


def test_the_agent_plays_an_episode(model, tmp_path):
    model.save(tmp_path)
    env = cauarena.make("cauarena/CausalScene-v0")
    observation, info = env.reset(seed=2)
    agent = SceneDiffusionAgent(tmp_path, steps=2)
    agent.reset(seed=2, info=info)
    action = agent.act(observation, info)
    assert action.shape == (32, 32, 3) and action.dtype == np.uint8
    _, reward, terminated, _, info = env.step(action)
    assert terminated and not info["invalid_action"] and 0.0 <= reward <= 1.0


def test_to_latent_is_lossless():
    images = torch.randint(0, 256, (3, 32, 32, 3), dtype=torch.uint8)
    assert to_latent(images).shape == (3, 12, 16, 16)


@pytest.mark.slow
def test_training_lowers_the_loss():
    config = SceneDiffusionConfig(steps=120, batch_size=8, width=16, text_layers=1, channels=(8, 16), ema_decay=0.0)
    torch.manual_seed(0)
    _, losses = fit(SceneDiffusion(TINY), config)
    assert np.mean(losses[-20:]) < 0.8 * np.mean(losses[:20])
