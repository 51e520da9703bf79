"""The small text-to-image model: a word-level tokenizer, a tiny transformer text encoder and a diffusers UNet.

``SceneDiffusion`` bundles the text encoder (trained jointly, from scratch) with a ``UNet2DConditionModel``
that denoises *space-to-depth latents*: the 32x32x3 image in [-1, 1] folded losslessly into 12x16x16
(``pixel_unshuffle``, no VAE), which makes a training step about 5x cheaper on a CPU. The UNet is conditioned by
cross-attention on the encoder's token states; the empty prompt (one ``<null>`` token) is the unconditional
input of classifier-free guidance.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from cauarena.envs.scene.world import CAUSES, COLOURS, POSITIONS, SHAPES, SIDES, TEXTURES
from cauarena.errors import ConfigError

SPECIALS = ("<pad>", "<null>", "<unk>")
WORDS = tuple(sorted({*COLOURS, *TEXTURES, *SHAPES, *POSITIONS, *CAUSES, *SIDES, "a", "on", "the", "from",
                      "water", ",", "table"}))
MAX_TOKENS = 16


@dataclass(frozen=True)
class ModelSpec:
    """The architecture (saved beside the weights as ``model.json``).

    Attributes:
        width: text-encoder width, also the UNet's cross-attention width.
        text_layers: transformer layers of the text encoder.
        heads: attention heads of the text encoder.
        channels: the UNet's ``block_out_channels``.
        layers_per_block: the UNet's ``layers_per_block``.
        train_timesteps: diffusion steps of the DDPM training schedule.
    """

    width: int = 64
    text_layers: int = 2
    heads: int = 4
    channels: tuple[int, ...] = (32, 64, 64)
    layers_per_block: int = 1
    train_timesteps: int = 1000


def tokenize(prompts: list[str]) -> torch.Tensor:
    """Token ids ``(batch, 16)``: one per word or comma, ``<unk>`` for unknown words, ``<null>`` for ``""``.

    >>> tokenize(["a red ball", ""])[:, :4].tolist()
    [[4, 16, 5, 0], [1, 0, 0, 0]]
    """
    vocab = {word: i for i, word in enumerate((*SPECIALS, *WORDS))}
    rows = []
    for prompt in prompts:
        words = re.findall(r"[a-z]+|,", prompt.lower())[:MAX_TOKENS] or ["<null>"]
        ids = [vocab.get(word, vocab["<unk>"]) for word in words]
        rows.append(ids + [0] * (MAX_TOKENS - len(ids)))
    return torch.tensor(rows, dtype=torch.long)


class TextEncoder(nn.Module):
    """Token embeddings + positions + a small transformer encoder: ``(batch, 16)`` ids -> ``(batch, 16, width)``."""

    def __init__(self, spec: ModelSpec) -> None:
        super().__init__()
        self.embed = nn.Embedding(len(SPECIALS) + len(WORDS), spec.width)
        self.position = nn.Parameter(torch.zeros(MAX_TOKENS, spec.width))
        layer = nn.TransformerEncoderLayer(spec.width, spec.heads, spec.width * 2, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, spec.text_layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(spec.width)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """Token states; padding is masked out of attention."""
        states = self.encoder(self.embed(ids) + self.position, src_key_padding_mask=ids == 0)
        return self.norm(states)


def to_latent(images: torch.Tensor) -> torch.Tensor:
    """``(batch, 32, 32, 3)`` uint8 images -> ``(batch, 12, 16, 16)`` latents in [-1, 1] (lossless).

    >>> images = torch.randint(0, 256, (2, 32, 32, 3), dtype=torch.uint8)
    >>> bool((to_image(to_latent(images)) == images).all())
    True
    """
    pixels = images.permute(0, 3, 1, 2).float() / 127.5 - 1.0
    return nn.functional.pixel_unshuffle(pixels, 2)


def to_image(latents: torch.Tensor) -> torch.Tensor:
    """Latents -> ``(batch, 32, 32, 3)`` uint8 images (clipped to [-1, 1] first)."""
    pixels = nn.functional.pixel_shuffle(latents.clamp(-1.0, 1.0), 2)
    return ((pixels + 1.0) * 127.5).round().clamp(0, 255).to(torch.uint8).permute(0, 2, 3, 1)


def pooled(states: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
    """The mean of the non-padding token states: the prompt embedding the probes and LINA read."""
    keep = (ids != 0).unsqueeze(-1).float()
    return (states * keep).sum(1) / keep.sum(1).clamp(min=1.0)


class SceneDiffusion(nn.Module):
    """The text encoder and the UNet, with save/load to one safetensors file plus ``model.json``."""

    def __init__(self, spec: ModelSpec | None = None) -> None:
        super().__init__()
        from diffusers import UNet2DConditionModel

        self.spec = spec or ModelSpec()
        self.text = TextEncoder(self.spec)
        n = len(self.spec.channels)
        self.unet = UNet2DConditionModel(
            sample_size=16, in_channels=12, out_channels=12, block_out_channels=tuple(self.spec.channels),
            layers_per_block=self.spec.layers_per_block, cross_attention_dim=self.spec.width,
            down_block_types=("DownBlock2D",) + ("CrossAttnDownBlock2D",) * (n - 1),
            up_block_types=("CrossAttnUpBlock2D",) * (n - 1) + ("UpBlock2D",),
            attention_head_dim=8, norm_num_groups=8,
        )

    def encode(self, prompts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """``(token states, token ids)`` of ``prompts``."""
        ids = tokenize(prompts)
        return self.text(ids), ids

    def forward(self, noisy: torch.Tensor, timesteps: torch.Tensor, states: torch.Tensor) -> torch.Tensor:
        """The predicted noise."""
        return self.unet(noisy, timesteps, encoder_hidden_states=states).sample

    def save(self, folder: Path) -> None:
        """Write ``model.safetensors`` and ``model.json`` under ``folder``."""
        from safetensors.torch import save_file

        folder.mkdir(parents=True, exist_ok=True)
        tensors = {k: v.detach().contiguous() for k, v in self.state_dict().items()}
        save_file(tensors, str(folder / "model.safetensors"))
        (folder / "model.json").write_text(json.dumps(asdict(self.spec), indent=1))


def load_model(folder: Path | str) -> SceneDiffusion:
    """The model saved in ``folder`` (eval mode).

    Raises:
        ConfigError: the folder holds no ``model.json``/``model.safetensors``.
    """
    from safetensors.torch import load_file

    folder = Path(folder)
    if not (folder / "model.json").is_file() or not (folder / "model.safetensors").is_file():
        raise ConfigError(f"No scene-diffusion checkpoint in {folder}: expected model.json and model.safetensors. "
                          "Fix: `cauarena train scene-diffusion --out <folder>` or use the shipped checkpoint.")
    data: dict[str, Any] = json.loads((folder / "model.json").read_text())
    model = SceneDiffusion(ModelSpec(**{**data, "channels": tuple(data["channels"])}))
    model.load_state_dict(load_file(str(folder / "model.safetensors")))
    return model.eval()


__all__ = ["MAX_TOKENS", "WORDS", "ModelSpec", "SceneDiffusion", "TextEncoder", "load_model", "pooled", "to_image",
           "to_latent", "tokenize"]
