"""``EnvGRPOConfig``: multi-turn GRPO of a chat LM against registered text envs, validated when constructed.

Importing this module imports no model library (configs are checked in tests that must stay fast).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from cauarena.errors import ConfigError
from cauarena.learners.config_io import reject_unknown_keys

HELD_OUT_SEED_START = 1000
"""Seeds from here on are the suites' held-out test seeds (``seed_start=1000``); GRPO never trains on them."""

REWARD_NAMES = ("env_return_reward", "format_reward", "efficiency_reward")
"""The reward terms, in the order of ``reward_weights`` (see :mod:`~cauarena.learners.grpo.rewards`)."""


@dataclass(frozen=True)
class EnvGRPOConfig:
    """How to GRPO-train a model by playing whole episodes of registered envs through ``ChatAgent``.

    One optimisation step plays ``prompts_per_step`` (env, seed) pairs ``num_generations`` times each (a group
    shares its seed), scores each episode by its return (plus the weighted format and efficiency terms) and
    takes one TRL ``GRPOTrainer`` step on every reply of every episode. With ``turn_weighting="episode"`` (the
    default) each reply carries its episode's advantage times ``mean replies per episode / its episode's
    replies``, so every episode weighs the same in the loss whatever its length and a group's weighted
    advantages still sum to zero: a long failure cannot outweigh a short success.

    Attributes:
        env_ids: registered single-agent env ids to train on (rows cycle over them).
        env_kwargs: constructor kwargs for every env, as ``(key, value)`` pairs.
        model: the starting policy: ``tiny/<name>``, ``hf/<dir>`` or a checkpoint folder.
        max_steps: GRPO optimisation steps.
        prompts_per_step: distinct (env, seed) pairs per step.
        num_generations: episodes per pair (the group); 2 or more.
        seed_start: first training seed; the seeds are ``seed_start .. seed_start + num_seeds - 1``.
        num_seeds: how many training seeds (all below :data:`HELD_OUT_SEED_START`).
        max_turns: most steps played per episode (a longer episode is cut and scored as it stands); None plays
            to the env's own step limit, as the leaderboard does.
        max_reply_tokens: most tokens per reply (None: the env family's prompt template default).
        train_turns: most replies trained on per step, drawn uniformly from all the step's replies (each keeps
            its weighted advantage, so the loss is an unbiased estimate of the loss on every reply); 0 (the
            default) trains on every reply. Bounds the CPU cost of a step when episodes are long.
        turn_weighting: ``episode``: a reply's advantage is scaled by ``mean replies / its episode's replies``
            (every episode has the same total weight); ``turn``: every reply carries its episode's full
            advantage (long episodes dominate the gradient).
        greedy_eval_every: every this many steps (and at step 0) the policy also plays ``greedy_eval_seeds``
            episodes greedily (temperature 0, as the leaderboard plays) and logs ``episode/greedy_*``; 0: never.
        greedy_eval_seeds: how many seeds the greedy check plays: the first training seeds (never held-out ones;
            at most ``num_seeds``).
        temperature: sampling temperature of the roll-outs and of TRL's log-probabilities.
        learning_rate: AdamW learning rate (constant after ``warmup_steps``).
        warmup_steps: linear warm-up steps.
        beta: KL strength against the starting model (0: no reference model, TRL's default).
        epsilon: PPO clip range of the importance ratio.
        num_iterations: optimisation passes over each batch of roll-outs (TRL's mu).
        loss_type: TRL's loss normalisation (``dapo``, ``grpo``, ``dr_grpo``, ``bnpo``).
        reward_weights: weights of :data:`REWARD_NAMES` (the return, the invalid-reply penalty, the step penalty).
        lora_r: LoRA rank; 0 trains every weight (LoRA needs ``peft``).
        lora_alpha: LoRA scaling numerator.
        device: ``cpu`` or a CUDA device (``cuda``, ``cuda:0``).
        bf16: bfloat16 mixed precision (GPU only).
        time_budget_s: training stops (and saves) after this many seconds; 0 disables it.
        save_steps: trainer checkpoint interval in steps (``--resume`` continues from the latest).
        save_dtype: dtype of the final weights (``float32``, ``bfloat16``, ``float16``).
        threads: torch CPU threads (1: on a shared 2-core machine two threads ran slower).
        seed: seeds data order, sampling and initialisation of new weights (LoRA).
    """

    env_ids: tuple[str, ...] = ("cauarena/BabyAI-GoToLocal-Text-v0",)
    env_kwargs: tuple[tuple[str, Any], ...] = ()
    model: str = "tiny/babyai"
    max_steps: int = 200
    prompts_per_step: int = 4
    num_generations: int = 4
    seed_start: int = 0
    num_seeds: int = 1000
    max_turns: int | None = None
    max_reply_tokens: int | None = None
    train_turns: int = 0
    turn_weighting: str = "episode"
    greedy_eval_every: int = 10
    greedy_eval_seeds: int = 8
    temperature: float = 1.0
    learning_rate: float = 1e-4
    warmup_steps: int = 5
    beta: float = 0.0
    epsilon: float = 0.2
    num_iterations: int = 1
    loss_type: str = "dapo"
    reward_weights: tuple[float, float, float] = (1.0, 0.1, 0.0)
    lora_r: int = 0
    lora_alpha: int = 16
    device: str = "cpu"
    bf16: bool = False
    time_budget_s: float = 900.0
    save_steps: int = 50
    save_dtype: str = "float32"
    threads: int = 1
    seed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "env_ids", tuple(self.env_ids))
        object.__setattr__(self, "env_kwargs", tuple((str(k), v) for k, v in self.env_kwargs))
        object.__setattr__(self, "reward_weights", tuple(float(w) for w in self.reward_weights))
        self._check_envs()
        self._check_sizes()
        self._check_optimisation()
        self._check_runtime()

    def _check_envs(self) -> None:
        from cauarena.registration import env_entry

        if not self.env_ids:
            raise ConfigError("env_ids needs at least one env id, e.g. ('cauarena/BabyAI-GoToLocal-Text-v0',).")
        for env_id in self.env_ids:
            if env_entry(env_id).multi_agent:  # raises EnvNotFound with close names for a typo
                raise ConfigError(f"{env_id} is a multi-agent env; GRPO plays single-agent text envs.")
        if not self.model or self.model.split("/", 1)[0] in ("mock", "openai", "vllm", "langchain"):
            raise ConfigError(
                f"model {self.model!r}: GRPO trains local weights. Fix: tiny/<name>, hf/<dir> or a checkpoint folder."
            )
        if self.seed_start < 0 or self.seed_start + self.num_seeds > HELD_OUT_SEED_START:
            raise ConfigError(
                f"Training seeds {self.seed_start}..{self.seed_start + self.num_seeds - 1} must lie in "
                f"0..{HELD_OUT_SEED_START - 1}: seeds >= {HELD_OUT_SEED_START} are held out for evaluation. "
                "Fix: a lower seed_start or fewer num_seeds."
            )

    def _check_sizes(self) -> None:
        sizes = {
            "max_steps": self.max_steps, "prompts_per_step": self.prompts_per_step, "num_seeds": self.num_seeds,
            "num_iterations": self.num_iterations, "save_steps": self.save_steps, "threads": self.threads,
        }
        if self.max_turns is not None:
            sizes["max_turns"] = self.max_turns
        for key, value in sizes.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{key} must be an int >= 1; got {value!r}.")
        if isinstance(self.num_generations, bool) or not isinstance(self.num_generations, int) or (
            self.num_generations < 2
        ):
            raise ConfigError(
                f"num_generations must be an int >= 2 (a group to compare); got {self.num_generations!r}."
            )
        if isinstance(self.train_turns, bool) or not isinstance(self.train_turns, int) or self.train_turns < 0:
            raise ConfigError(f"train_turns must be an int >= 0 (0: every reply); got {self.train_turns!r}.")
        for key in ("greedy_eval_every", "greedy_eval_seeds"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ConfigError(f"{key} must be an int >= 0 (0 turns the greedy check off); got {value!r}.")
        if self.max_reply_tokens is not None and self.max_reply_tokens < 1:
            raise ConfigError(f"max_reply_tokens must be >= 1 or None; got {self.max_reply_tokens}.")

    def _check_optimisation(self) -> None:
        if self.temperature <= 0:
            raise ConfigError(f"temperature must be > 0 (GRPO samples its roll-outs); got {self.temperature}.")
        if not 0 < self.learning_rate < 1 or self.warmup_steps < 0:
            raise ConfigError(
                f"learning_rate must be in (0, 1) and warmup_steps >= 0; got {self.learning_rate}, "
                f"{self.warmup_steps}."
            )
        if self.beta < 0 or not 0 < self.epsilon < 1:
            raise ConfigError(f"beta >= 0 and epsilon in (0, 1) are needed; got {self.beta}, {self.epsilon}.")
        if self.turn_weighting not in ("episode", "turn"):
            raise ConfigError(
                f"turn_weighting must be 'episode' (every episode weighs the same) or 'turn' (every reply carries "
                f"its episode's full advantage); got {self.turn_weighting!r}."
            )
        if self.loss_type not in ("dapo", "grpo", "dr_grpo", "bnpo"):
            raise ConfigError(f"loss_type must be dapo, grpo, dr_grpo or bnpo; got {self.loss_type!r}.")
        if len(self.reward_weights) != len(REWARD_NAMES) or not any(self.reward_weights):
            raise ConfigError(
                f"reward_weights are three numbers for {REWARD_NAMES}, not all zero; got {self.reward_weights}."
            )
        if self.lora_r < 0 or self.lora_alpha < 1:
            raise ConfigError(f"lora_r >= 0 (0: full fine-tuning) and lora_alpha >= 1; got {self.lora_r}, "
                              f"{self.lora_alpha}.")

    def _check_runtime(self) -> None:
        if self.device != "cpu" and not self.device.startswith("cuda"):
            raise ConfigError(f"device must be 'cpu' or 'cuda[:N]'; got {self.device!r}.")
        if self.bf16 and self.device == "cpu":
            raise ConfigError("bf16 needs a GPU (TRL refuses bf16 on CPU). Fix: device='cuda' or bf16=False.")
        if self.time_budget_s < 0:
            raise ConfigError(f"time_budget_s must be >= 0 (0 disables it); got {self.time_budget_s}.")
        if self.save_dtype not in ("float32", "bfloat16", "float16"):
            raise ConfigError(f"save_dtype must be float32, bfloat16 or float16; got {self.save_dtype!r}.")

    @property
    def batch_episodes(self) -> int:
        """Episodes played per optimisation step (``prompts_per_step * num_generations``)."""
        return self.prompts_per_step * self.num_generations

    def seeds(self) -> range:
        """The training seeds."""
        return range(self.seed_start, self.seed_start + self.num_seeds)

    def greedy_seeds(self) -> range:
        """The seeds of the greedy check: the first ``greedy_eval_seeds`` training seeds (at most all of them)."""
        return range(self.seed_start, self.seed_start + min(self.greedy_eval_seeds, self.num_seeds))

    def to_dict(self) -> dict[str, Any]:
        """The config as JSON-safe data (tuples as lists)."""
        data = asdict(self)
        data["env_ids"] = list(self.env_ids)
        data["env_kwargs"] = {k: v for k, v in self.env_kwargs}
        data["reward_weights"] = list(self.reward_weights)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EnvGRPOConfig:
        """Rebuild a config from :meth:`to_dict` output (``env_kwargs`` may be a dict); unknown keys raise."""
        reject_unknown_keys(cls, data)
        data = dict(data)
        if isinstance(data.get("env_kwargs"), dict):
            data["env_kwargs"] = tuple(sorted(data["env_kwargs"].items()))
        if isinstance(data.get("env_ids"), str):
            data["env_ids"] = (data["env_ids"],)
        return cls(**data)
