"""LINA: the predictor learns the signal, training never updates the generator, the agent plays."""

import doctest
import importlib

import numpy as np
import pytest
import torch

pytest.importorskip("diffusers")
torch.set_num_threads(1)  # a tiny model: more threads only wait on each other on a busy machine

import cauarena  # noqa: E402
from cauarena.errors import ConfigError  # noqa: E402
from cauarena.learners.lina.agent import LinaAgent  # noqa: E402
from cauarena.learners.lina.lina_config import LinaConfig  # noqa: E402
from cauarena.learners.lina.predictor import candidates, load_predictor  # noqa: E402
from cauarena.learners.lina.train import fit_predictor, state_digest, train_with  # noqa: E402
from cauarena.learners.scene_diffusion.model import ModelSpec, SceneDiffusion  # noqa: E402

TINY = ModelSpec(width=16, text_layers=1, heads=2, channels=(8, 16))
CONFIG = LinaConfig(prompts=3, steps=2, embedding_scales=(0.0, 1.5), early_boosts=(0.0,), early_schedules=(0.0,),
                    epochs=5, batch=8)


@pytest.mark.parametrize("name", ["predictor", "signal"])
def test_doctests(name):
    assert doctest.testmod(importlib.import_module(f"cauarena.learners.lina.{name}")).failed == 0


def test_training_leaves_the_generator_weights_unchanged(tmp_path):
    torch.manual_seed(0)
    generator = SceneDiffusion(TINY).eval()
    before = {k: v.clone() for k, v in generator.state_dict().items()}
    digest = state_digest(generator)
    result = train_with(generator, CONFIG, tmp_path)
    assert result["generator_unchanged"] and result["generator_digest"] == digest
    assert all(torch.equal(v, before[k]) for k, v in generator.state_dict().items())
    assert (tmp_path / "predictor.safetensors").is_file() and len(load_predictor(tmp_path).options) == 2


def test_the_predictor_learns_which_intervention_pays_per_prompt():
    rng = np.random.default_rng(0)
    embeddings = torch.tensor(rng.normal(size=(200, 8)), dtype=torch.float32)
    better_second = embeddings[:, 0] > 0  # the signal: candidate 1 pays when feature 0 is positive
    table = np.stack([np.where(better_second, 0.2, 0.6), np.where(better_second, 0.7, 0.1)], axis=1)
    options = candidates((0.0, 1.5), (0.0,), (0.0,), 3.0)
    predictor = fit_predictor(embeddings, table, options, LinaConfig(epochs=300))
    held = torch.tensor(rng.normal(size=(100, 8)), dtype=torch.float32)
    chosen = [o.embedding_scale == 1.5 for o in predictor.choose(held)]
    assert np.mean(np.array(chosen) == (held[:, 0] > 0).numpy()) > 0.9


def test_config_refuses_bad_values():
    with pytest.raises(ConfigError, match="early_schedules must lie in"):
        LinaConfig(early_schedules=(1.0,))
    with pytest.raises(ConfigError, match="at least one candidate"):
        LinaConfig(early_boosts=())


def test_the_lina_agent_plays_an_episode(tmp_path):
    torch.manual_seed(0)
    generator = SceneDiffusion(TINY).eval()
    generator.save(tmp_path / "gen")
    train_with(generator, CONFIG, tmp_path / "lina")
    env = cauarena.make("cauarena/CausalScene-v0")
    observation, info = env.reset(seed=5)
    agent = LinaAgent(tmp_path / "gen", tmp_path / "lina", steps=2)
    agent.reset(seed=5, info=info)
    _, reward, terminated, _, info = env.step(agent.act(observation, info))
    assert terminated and not info["invalid_action"] and 0.0 <= reward <= 1.0
