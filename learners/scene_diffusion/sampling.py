"""Sampling: DDIM with classifier-free guidance, plus the inference-time interventions LINA chooses.

An :class:`Intervention` changes only how the frozen model is *used*:

- ``embedding_scale`` (prompt-embedding guidance): the token states are pushed along the prompt's physics
  direction, ``e + a * (e - e_without_cause)``, where ``e_without_cause`` encodes the prompt with its cause
  clause removed;
- ``guidance`` and ``early_boost`` (latent guidance): the classifier-free guidance scale on the predicted noise,
  multiplied by ``1 + early_boost`` during the first half of the steps (where the layout is decided);
- ``early_schedule`` (a reallocated schedule): DDIM timesteps warped as ``t_max * (t / t_max) ** p`` with
  ``p = 1 - 0.6 * early_schedule``, which spends more of the same number of steps at high noise.

``Intervention()`` is the base sampler: DDIMScheduler's own timesteps and update, guidance 3.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch

from cauarena.errors import ConfigError
from cauarena.learners.scene_diffusion.model import SceneDiffusion, to_image


@dataclass(frozen=True)
class Intervention:
    """Inference-time interventions (no weight changes); the defaults are the base sampler.

    Attributes:
        embedding_scale: push along the prompt's physics direction in the token-state space (0: none).
        guidance: classifier-free guidance scale.
        early_boost: extra guidance share during the first half of the steps (0: none).
        early_schedule: in [0, 1); 0 keeps DDIM's uniform timesteps, higher spends more steps early.
    """

    embedding_scale: float = 0.0
    guidance: float = 3.0
    early_boost: float = 0.0
    early_schedule: float = 0.0

    def __post_init__(self) -> None:
        if not 0 <= self.early_schedule < 1:
            raise ConfigError(f"early_schedule must be in [0, 1), got {self.early_schedule}.")
        if self.guidance < 0 or self.early_boost < 0:
            raise ConfigError(f"guidance and early_boost must be >= 0, got {self.guidance}, {self.early_boost}.")

    def to_dict(self) -> dict[str, float]:
        """The fields as a dict."""
        return asdict(self)


BASE = Intervention()


def make_scheduler(train_timesteps: int = 1000) -> object:
    """The DDIM sampler matching the training schedule (squared-cosine betas, x0 clipped, final alpha 1)."""
    from diffusers import DDIMScheduler

    return DDIMScheduler(num_train_timesteps=train_timesteps, beta_schedule="squaredcos_cap_v2",
                         clip_sample=True, set_alpha_to_one=True)


def warped_timesteps(base: torch.Tensor, early_schedule: float) -> torch.Tensor:
    """``base`` DDIM timesteps warped toward high noise (``early_schedule = 0`` returns them unchanged).

    >>> warped_timesteps(torch.tensor([750, 500, 250, 0]), 0.5).tolist()
    [750, 565, 348, 0]
    """
    power = 1.0 - 0.6 * early_schedule
    top = float(base.max())
    return torch.round(top * (base.double() / top) ** power).long()


def ddim_update(alphas: torch.Tensor, x: torch.Tensor, eps: torch.Tensor, t: torch.Tensor,
                t_prev: torch.Tensor) -> torch.Tensor:
    """One deterministic DDIM step per sample (``eta = 0``, x0 clipped to [-1, 1], alpha 1 below t = 0)."""
    one = torch.ones((), dtype=alphas.dtype)
    a_t = alphas[t].view(-1, 1, 1, 1)
    a_prev = torch.where(t_prev >= 0, alphas[t_prev.clamp(min=0)], one).view(-1, 1, 1, 1)
    x0 = ((x - (1 - a_t).sqrt() * eps) / a_t.sqrt()).clamp(-1.0, 1.0)
    return a_prev.sqrt() * x0 + (1 - a_prev).sqrt() * eps


def cause_free(prompt: str) -> str:
    """The prompt without its cause clause (everything after the first comma).

    >>> cause_free("a red solid ball on the left, light from the right")
    'a red solid ball on the left'
    """
    return prompt.split(",", 1)[0].strip()


def _states(model: SceneDiffusion, prompts: list[str], scales: torch.Tensor) -> torch.Tensor:
    states, _ = model.encode(prompts)
    if bool((scales != 0).any()):
        plain, _ = model.encode([cause_free(p) for p in prompts])
        states = states + scales.view(-1, 1, 1) * (states - plain)
    return states


def initial_noise(seeds: list[int]) -> torch.Tensor:
    """The starting latents, one seeded generator per image (the same seed gives the same image)."""
    return torch.stack([torch.randn((12, 16, 16), generator=torch.Generator().manual_seed(int(s))) for s in seeds])


@torch.no_grad()
def sample(model: SceneDiffusion, prompts: list[str], seeds: list[int], *, steps: int = 20,
           interventions: list[Intervention] | None = None, swap_prompts: list[str] | None = None,
           swap_at: int = -1) -> torch.Tensor:
    """Generate one image per prompt: ``(batch, 32, 32, 3)`` uint8.

    Args:
        model: the trained model (its weights are only read).
        prompts: the prompts.
        seeds: one noise seed per prompt.
        steps: DDIM steps.
        interventions: one per prompt (default: the base sampler for all).
        swap_prompts: for the layout probe, prompts that replace ``prompts`` from step ``swap_at`` on.
        swap_at: the step index at which ``swap_prompts`` take over (-1: never).

    Raises:
        ConfigError: lengths differ or ``steps`` < 1.
    """
    chosen = interventions or [BASE] * len(prompts)
    if len(seeds) != len(prompts) or len(chosen) != len(prompts) or steps < 1:
        raise ConfigError(f"sample needs one seed and one intervention per prompt and steps >= 1; got "
                          f"{len(prompts)} prompts, {len(seeds)} seeds, {len(chosen)} interventions, {steps} steps.")
    scheduler = make_scheduler(model.spec.train_timesteps)
    scheduler.set_timesteps(steps)
    base = scheduler.timesteps.long()
    field = {name: torch.tensor([getattr(i, name) for i in chosen], dtype=torch.float32)
             for name in ("embedding_scale", "guidance", "early_boost", "early_schedule")}
    times = torch.stack([warped_timesteps(base, float(e)) for e in field["early_schedule"]], dim=1)
    gap = model.spec.train_timesteps // steps
    nexts = torch.cat([times[1:], (times[-1:] - gap)]).clamp(min=-1)
    cond = _states(model, prompts, field["embedding_scale"])
    swapped = _states(model, swap_prompts, field["embedding_scale"]) if swap_prompts else cond
    null, _ = model.encode([""] * len(prompts))
    x = initial_noise(seeds)
    alphas = scheduler.alphas_cumprod
    for i in range(steps):
        states = swapped if 0 <= swap_at <= i else cond
        t = times[i]
        eps_c, eps_u = model(torch.cat([x, x]), torch.cat([t, t]), torch.cat([states, null])).chunk(2)
        scale = field["guidance"] * (1 + field["early_boost"] * float(i < steps / 2))
        eps = eps_u + scale.view(-1, 1, 1, 1) * (eps_c - eps_u)
        x = ddim_update(alphas, x, eps, t, nexts[i])
    return to_image(x)


__all__ = ["BASE", "Intervention", "cause_free", "ddim_update", "initial_noise", "make_scheduler", "sample",
           "warped_timesteps"]
