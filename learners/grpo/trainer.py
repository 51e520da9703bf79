"""Multi-turn GRPO with TRL's ``GRPOTrainer``: episodes score the group, every turn is trained on its own prompt.

TRL's ``rollout_func`` returns one row per prompt; :class:`~cauarena.learners.grpo.rollout.RolloutPlayer`
plays a whole episode for each and hands TRL the first turn plus the episode's fields, so TRL computes the
rewards (:mod:`~cauarena.learners.grpo.rewards`), the group advantages and all its logging as usual.
:class:`EpisodeGRPOTrainer` then replaces those rows by one row per turn, ``(the exact prompt ChatAgent
sent, the sampled reply)``, each carrying its episode's advantage, and TRL's loss trains on them.

Credit per turn (:func:`turn_weights`): with ``turn_weighting="episode"`` a reply's advantage is its episode's
times ``mean replies per episode / the episode's replies``, so each episode carries the same total weight and a
group's weighted advantages sum to zero as its episode advantages do. Without it a failure of 60 turns pushes
60 replies down against a success's 6 pushed up, and most of the gradient lowers the policy's replies.
Every reply is trained on unless ``train_turns`` asks for a uniform subsample.

Why not one concatenated transcript per episode with an ``env_mask`` (TRL's multi-turn layout)? The
leaderboard's prompts are not a growing transcript: the current turn shows the valid actions and the
instruction that past turns omit, and ``fit_history`` drops the oldest turns to the budget. Training a
reply on a context the agent never sees would improve a different policy than the one evaluated. Per-turn
rows cost more tokens but are exactly the play-time contexts.

Importing this module imports torch and TRL (~11 s); :mod:`cauarena.learners.grpo` imports it lazily.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from trl import GRPOTrainer
from trl.trainer.utils import pad, use_adapter

from cauarena.learners.grpo.rollout import Episode, RolloutPlayer, episode_summary

UNSUPPORTED_KEYS = ("importance_sampling_ratio", "tool_mask", "pixel_values", "token_type_ids", "mm_token_type_ids")
"""Batch entries of TRL features that per-turn rows do not support (vLLM IS correction, tools, images)."""


class EpisodeGRPOTrainer(GRPOTrainer):
    """``GRPOTrainer`` whose ``rollout_func`` plays episodes; it trains on every turn of every episode.

    Args:
        *args: ``GRPOTrainer`` arguments.
        rollout_func: a :class:`~cauarena.learners.grpo.rollout.RolloutPlayer` (keeps the played episodes).
        train_turns: most replies trained per step, a uniform draw from all of them (0: every reply).
        **kwargs: ``GRPOTrainer`` keyword arguments.
    """

    def __init__(self, *args: Any, rollout_func: RolloutPlayer, train_turns: int = 0,
                 turn_weighting: str = "episode", greedy_eval_every: int = 0, **kwargs: Any) -> None:
        if not isinstance(rollout_func, RolloutPlayer):
            raise TypeError(f"EpisodeGRPOTrainer needs a RolloutPlayer as rollout_func; got {type(rollout_func)}.")
        if turn_weighting not in ("episode", "turn"):
            raise ValueError(f"turn_weighting must be 'episode' or 'turn'; got {turn_weighting!r}.")
        super().__init__(*args, rollout_func=rollout_func, **kwargs)
        self.train_turns = train_turns
        self.turn_weighting = turn_weighting
        self.greedy_eval_every = greedy_eval_every
        if self.use_vllm:
            raise NotImplementedError("EpisodeGRPOTrainer generates with the policy itself; use_vllm is not supported.")

    def _generate_and_score_completions(self, inputs: list[dict[str, Any]]) -> dict[str, Any]:
        batch = super()._generate_and_score_completions(inputs)
        episodes = self.rollout_func.take_episodes()
        if len(episodes) != len(batch["advantages"]):
            raise RuntimeError(f"{len(episodes)} episodes were played for {len(batch['advantages'])} TRL rows.")
        mode = "train" if self.model.training else "eval"
        for name, value in episode_summary(episodes).items():
            self._metrics[mode][f"episode/{name}"].append(value)
        self._metrics[mode]["timing/rollout_s"].append(self.rollout_func.rollout_s)
        if mode == "train" and self.greedy_eval_every and self.state.global_step % self.greedy_eval_every == 0:
            self._log_greedy(mode)
        return self._turn_batch(batch, episodes)

    def _log_greedy(self, mode: str) -> None:
        """Play the greedy check (before this step's update) and log ``episode/greedy_*``."""
        greedy = self.rollout_func.play_greedy(self)
        summary = episode_summary(greedy)
        for name in ("success", "return", "steps", "invalid_rate"):
            self._metrics[mode][f"episode/greedy_{name}"].append(summary[name])

    def _turn_batch(self, batch: dict[str, Any], episodes: Sequence[Episode]) -> dict[str, Any]:
        """The batch with one row per turn: exact prompt ids, sampled ids, the episode's advantage."""
        unsupported = [key for key in UNSUPPORTED_KEYS if key in batch]
        if unsupported:
            raise NotImplementedError(f"Per-turn GRPO rows do not support {unsupported} (vLLM IS, tools, images).")
        owners, turns = self._pick_turns(episodes)
        blanks = -len(turns) % self.args.steps_per_generation  # TRL splits the batch into equal chunks
        device = self.accelerator.device
        pad_id = self.processing_class.pad_token_id
        prompts = [torch.tensor(t.prompt_ids) for t in turns] + [torch.tensor([pad_id])] * blanks
        replies = [torch.tensor(t.completion_ids) for t in turns] + [torch.tensor([pad_id])] * blanks
        live = [1] * len(turns) + [0] * blanks

        def stack(rows: list[torch.Tensor], value: float, side: str) -> torch.Tensor:
            return pad(rows, padding_value=value, padding_side=side, pad_to_multiple_of=self.pad_to_multiple_of).to(
                device
            )

        prompt_mask = stack([torch.ones_like(p) for p in prompts], 0, "left")  # a blank attends its pad token
        completion_mask = stack([torch.full_like(c, k) for c, k in zip(replies, live, strict=True)], 0, "right")
        out: dict[str, Any] = {
            "prompt_ids": stack(prompts, pad_id, "left"),
            "prompt_mask": prompt_mask,
            "completion_ids": stack(replies, pad_id, "right"),
            "completion_mask": completion_mask,
            "advantages": torch.cat([self._turn_advantages(batch["advantages"], episodes, owners),
                                     batch["advantages"].new_zeros(blanks)]),
            "num_items_in_batch": self.accelerator.gather(completion_mask.sum()).sum(),
        }
        if "sampling_per_token_logps" in batch:
            logps = [torch.tensor(t.logprobs) for t in turns] + [torch.zeros(1)] * blanks
            out["sampling_per_token_logps"] = stack(logps, 0.0, "right")
        self._recompute_logps(batch, out)
        return out

    def _turn_advantages(self, advantages: torch.Tensor, episodes: Sequence[Episode],
                         owners: list[int]) -> torch.Tensor:
        """Each picked reply's advantage: its episode's, times the episode's weight (:func:`turn_weights`)."""
        if self.turn_weighting == "turn":
            return advantages[owners]
        weights = torch.tensor(turn_weights([len(e.turns) for e in episodes]), dtype=advantages.dtype)
        return (advantages * weights.to(advantages.device))[owners]

    def _pick_turns(self, episodes: Sequence[Episode]) -> tuple[list[int], list[Any]]:
        """``(episode index, turn)`` of the replies to train on: all, or ``train_turns`` drawn uniformly."""
        pairs = [(i, turn) for i, episode in enumerate(episodes) for turn in episode.turns]
        if self.train_turns and len(pairs) > self.train_turns:
            generator = torch.Generator().manual_seed(self.args.seed * 1_000_003 + self.state.global_step)
            keep = sorted(torch.randperm(len(pairs), generator=generator)[: self.train_turns].tolist())
            pairs = [pairs[k] for k in keep]
        mode = "train" if self.model.training else "eval"
        self._metrics[mode]["episode/trained_replies"].append(len(pairs))
        return [i for i, _ in pairs], [turn for _, turn in pairs]

    def _recompute_logps(self, batch: dict[str, Any], out: dict[str, Any]) -> None:
        """Old-policy and reference log-probabilities of the per-turn rows, where TRL needed them."""
        if "old_per_token_logps" not in batch and "ref_per_token_logps" not in batch:
            return
        ids = torch.cat([out["prompt_ids"], out["completion_ids"]], dim=1)
        mask = torch.cat([out["prompt_mask"], out["completion_mask"]], dim=1)
        keep, size = out["completion_ids"].size(1), self.args.per_device_train_batch_size
        with torch.no_grad():
            if "old_per_token_logps" in batch:
                out["old_per_token_logps"] = self._get_per_token_logps_and_entropies(
                    self.model, ids, mask, keep, batch_size=size
                )[0]
            if "ref_per_token_logps" in batch:
                if self.ref_model is not None:
                    ref = self._get_per_token_logps_and_entropies(self.ref_model, ids, mask, keep, batch_size=size)
                else:  # PEFT: the base model (or the initial adapter) is the reference, as in GRPOTrainer
                    model = self.accelerator.unwrap_model(self.model)
                    with use_adapter(model, adapter_name="ref" if "ref" in model.peft_config else None):
                        ref = self._get_per_token_logps_and_entropies(self.model, ids, mask, keep, batch_size=size)
                out["ref_per_token_logps"] = ref[0]


def turn_weights(replies: Sequence[int]) -> list[float]:
    """Per-reply weight of each episode: ``mean replies per episode / its replies`` (0 for an episode with none).

    An episode's replies then sum to the same total weight (the mean reply count) whatever its length, so with
    group advantages that sum to zero the weighted per-reply advantages do too.

    >>> turn_weights([2, 6, 4])
    [2.0, 0.6666666666666666, 1.0]
    """
    mean = sum(replies) / max(len(replies), 1)
    return [mean / n if n else 0.0 for n in replies]
