"""Multi-turn roll-outs for TRL's ``rollout_func``: whole episodes played through the leaderboard's ``ChatAgent``.

The training dataset has one row per (env id, seed); its ``prompt`` is the JSON of an :class:`EpisodeKey`
and TRL's sampler repeats it ``num_generations`` times, so a group shares its seed. For each row,
:class:`RolloutPlayer` resets the env with that seed and lets a ``ChatAgent`` (the env family's prompt
template and parser, exactly as ``make_chat_agent`` builds them for the runner) play the episode on a
:class:`~cauarena.learners.grpo.policy.PolicyBackend`, sampling at the configured temperature with a
sampling seed of its own per roll-out. Every reply is recorded with the exact prompt it answered.

TRL gets one row per episode: its first turn's ids and the episode's fields (return, success, steps,
invalid actions), which the reward functions read. The trainer then trains on every turn of the episode
with the episode's advantage (see :mod:`~cauarena.learners.grpo.trainer`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from cauarena.agents.llm.backends import ContextOverflow
from cauarena.agents.rollout import Rollout, RolloutError
from cauarena.errors import ConfigError
from cauarena.learners.grpo.grpo_config import EnvGRPOConfig
from cauarena.learners.grpo.policy import TurnSample


@dataclass(frozen=True)
class EpisodeKey:
    """Which episode a dataset row stands for.

    >>> key = EpisodeKey("cauarena/BabyAI-GoToLocal-Text-v0", 7)
    >>> EpisodeKey.from_prompt(key.prompt()) == key
    True
    """

    env_id: str
    seed: int

    def prompt(self) -> str:
        """The row's ``prompt`` text (TRL needs one; it logs it beside the first reply)."""
        return json.dumps({"env_id": self.env_id, "seed": self.seed})

    @classmethod
    def from_prompt(cls, prompt: Any) -> EpisodeKey:
        """Parse :meth:`prompt` output back.

        Raises:
            ConfigError: the prompt is not such a key (a dataset not built by :func:`episode_dataset_rows`).
        """
        try:
            data = json.loads(prompt)
            return cls(str(data["env_id"]), int(data["seed"]))
        except (TypeError, ValueError, KeyError) as exc:
            raise ConfigError(
                f"GRPO dataset prompts are EpisodeKey JSON ({{'env_id': ..., 'seed': ...}}); got {prompt!r}. "
                "Fix: build the dataset with episode_dataset_rows."
            ) from exc


def episode_dataset_rows(config: EnvGRPOConfig) -> list[dict[str, str]]:
    """One ``{"prompt": EpisodeKey JSON}`` row per training (env id, seed), env ids interleaved."""
    return [{"prompt": EpisodeKey(env_id, seed).prompt()} for seed in config.seeds() for env_id in config.env_ids]


@dataclass(frozen=True)
class Episode:
    """One played episode.

    Attributes:
        key: the env id and seed.
        turns: every reply with its exact prompt, in order.
        env_return: the sum of the env's rewards.
        success: ``info["success"]`` at the end.
        steps: env steps taken.
        invalid_actions: steps the env answered as invalid (``info["invalid_action"]``).
        cut: the turn limit, or an observation too long for the model's context, ended the episode (neither
            terminated nor truncated by the env).
    """

    key: EpisodeKey
    turns: tuple[TurnSample, ...]
    env_return: float
    success: bool
    steps: int
    invalid_actions: int
    cut: bool


def play_episode(env: Any, agent: Any, backend: Any, key: EpisodeKey, sample_seed: int,
                 max_turns: int | None) -> Episode:
    """Play one episode of ``agent`` (on ``backend``, which records :class:`TurnSample`) from ``key.seed``.

    ``max_turns`` None plays until the env ends the episode (its own step limit), as the leaderboard does.
    """
    rollout = Rollout(env, agent, seed=key.seed, agent_seed=sample_seed, max_steps=max_turns)
    backend.take_samples()
    try:
        rollout.run()
    except RolloutError as exc:
        # the policy cannot read this observation: the episode ends here, scored as it stands (cut); when not even
        # the first observation fits there is nothing to train on, so say so (as for any other failure)
        if not (isinstance(exc.error, ContextOverflow) and exc.phase == "act" and rollout.n_steps > 0):
            raise exc.error from None
    turns = tuple(backend.take_samples())
    return Episode(key, turns, rollout.episode_return(), bool(rollout.info.get("success", False)), rollout.n_steps,
                   rollout.invalid, not rollout.ended)


def episode_fields(episodes: Sequence[Episode], max_turns: int | None) -> dict[str, list[Any]]:
    """TRL's ``rollout_func`` output for ``episodes``: first-turn ids, then the fields the rewards read.

    ``turn_limit`` (the efficiency reward's scale) is ``max_turns``, or without one the longest episode played.

    >>> ep = Episode(EpisodeKey("x/Y-v0", 1), (TurnSample((1, 2), (3, 4), (-0.1, -0.2)),), 0.5, True, 1, 0, False)
    >>> fields = episode_fields([ep], max_turns=24)
    >>> fields["prompt_ids"], fields["env_return"], fields["turn_limit"]
    ([[1, 2]], [0.5], [24])
    >>> episode_fields([ep], max_turns=None)["turn_limit"]
    [1]
    """
    limit = max_turns if max_turns is not None else max([e.steps for e in episodes] + [1])
    return {
        "prompt_ids": [list(e.turns[0].prompt_ids) for e in episodes],
        "completion_ids": [list(e.turns[0].completion_ids) for e in episodes],
        "logprobs": [list(e.turns[0].logprobs) for e in episodes],
        "env_return": [e.env_return for e in episodes],
        "success": [float(e.success) for e in episodes],
        "steps": [e.steps for e in episodes],
        "invalid_actions": [e.invalid_actions for e in episodes],
        "turn_limit": [limit] * len(episodes),
    }


class RolloutPlayer:
    """TRL's ``rollout_func``: ``player(prompts, trainer)`` plays one episode per prompt.

    Args:
        config: the GRPO config (env ids and kwargs, temperature, turn and reply limits, seed).
        backend_factory: ``factory(trainer) -> backend``: a chat backend with ``take_samples()`` (normally a
            :class:`~cauarena.learners.grpo.policy.PolicyBackend` on ``trainer.model``).

    Attributes:
        episodes: the episodes of the latest call, in prompt order (the trainer takes them).
        rollout_s: wall seconds of the latest call.
    """

    def __init__(self, config: EnvGRPOConfig, backend_factory: Callable[[Any], Any]) -> None:
        self.config = config
        self.backend_factory = backend_factory
        self.episodes: list[Episode] = []
        self.rollout_s = 0.0
        self._envs: dict[str, Any] = {}
        self._calls = 0

    def __call__(self, prompts: Sequence[Any], trainer: Any) -> dict[str, list[Any]]:
        start = time.perf_counter()
        backend = self.backend_factory(trainer)
        keys = [EpisodeKey.from_prompt(p) for p in prompts]
        agents: dict[str, Any] = {}
        step = int(getattr(getattr(trainer, "state", None), "global_step", self._calls))
        self.episodes = []
        for index, key in enumerate(keys):
            if key.env_id not in agents:
                agents[key.env_id] = self._agent(key.env_id, backend)
            seed = sampling_seed(self.config.seed, step, index)
            env = self._env(key.env_id)
            self.episodes.append(play_episode(env, agents[key.env_id], backend, key, seed, self.config.max_turns))
        self._calls += 1
        self.rollout_s = time.perf_counter() - start
        return episode_fields(self.episodes, self.config.max_turns)

    def play_greedy(self, trainer: Any) -> list[Episode]:
        """Play the config's :meth:`~EnvGRPOConfig.greedy_seeds` greedily (temperature 0), as the leaderboard plays.

        The replies are not trained on; the returned episodes only report how the greedy policy does.
        """
        backend = self.backend_factory(trainer)
        agents: dict[str, Any] = {}
        episodes = []
        for seed in self.config.greedy_seeds():
            for env_id in self.config.env_ids:
                if env_id not in agents:
                    agents[env_id] = chat_agent(backend, env_id, self.config, temperature=0.0)
                key = EpisodeKey(env_id, seed)
                episodes.append(play_episode(self._env(env_id), agents[env_id], backend, key, 0, self.config.max_turns))
        backend.take_samples()
        return episodes

    def take_episodes(self) -> list[Episode]:
        """The episodes of the latest call (the list is emptied)."""
        episodes, self.episodes = self.episodes, []
        return episodes

    def _env(self, env_id: str) -> Any:
        if env_id not in self._envs:
            from cauarena.registration import make

            self._envs[env_id] = make(env_id, **dict(self.config.env_kwargs))
        return self._envs[env_id]

    def _agent(self, env_id: str, backend: Any) -> Any:
        return chat_agent(backend, env_id, self.config)

    def close(self) -> None:
        """Close the envs."""
        for env in self._envs.values():
            env.close()
        self._envs = {}


def chat_agent(backend: Any, env_id: str, config: EnvGRPOConfig, temperature: float | None = None) -> Any:
    """A ``ChatAgent`` on ``backend`` with the env family's template and parser, as the runner builds it.

    Only the temperature (``config.temperature`` unless ``temperature`` is given; 0 is greedy) and
    ``max_reply_tokens`` (when set) differ from a leaderboard agent.
    """
    import cauarena.agents  # noqa: F401  (registers the families' prompts and parsers)
    from cauarena.agents.llm import ChatAgent, get_parser, get_prompt
    from cauarena.registration import env_entry

    family = env_entry(env_id).family
    return ChatAgent(backend, get_prompt(family), get_parser(family),
                     temperature=config.temperature if temperature is None else temperature,
                     max_tokens=config.max_reply_tokens)


def sampling_seed(seed: int, step: int, index: int) -> int:
    """The sampling seed of roll-out ``index`` at optimisation ``step``: distinct, reproducible, resumable.

    >>> sampling_seed(0, 3, 1) == sampling_seed(0, 3, 1) != sampling_seed(0, 3, 2)
    True
    """
    return int(np.random.SeedSequence([seed, step, index]).generate_state(1)[0]) % (2**31 - 64)


def episode_summary(episodes: Sequence[Episode]) -> Mapping[str, float]:
    """Mean return, success, steps, invalid-action rate, cut rate and trained replies of ``episodes``.

    >>> ep = Episode(EpisodeKey("x/Y-v0", 1), (), 0.5, True, 4, 1, False)
    >>> episode_summary([ep])["invalid_rate"]
    0.25
    """
    n = max(len(episodes), 1)
    steps = max(sum(e.steps for e in episodes), 1)
    return {
        "return": sum(e.env_return for e in episodes) / n,
        "success": sum(e.success for e in episodes) / n,
        "steps": sum(e.steps for e in episodes) / n,
        "invalid_rate": sum(e.invalid_actions for e in episodes) / steps,
        "cut": sum(e.cut for e in episodes) / n,
        "replies": sum(len(e.turns) for e in episodes) / n,
    }
