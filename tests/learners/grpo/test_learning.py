"""GRPO improves a policy: on "say the word shown" (conftest) the return rises from chance (0.25) to >= 0.9.

The chance model replies one of four words uniformly (return 0.25 sampled; greedy it repeats one word). A
sign error (pushing rewarded replies down) or a credit error (a reply trained with another episode's advantage,
or on another turn's prompt) leaves the return at or below chance, so the test fails on either (checked once by
negating the advantages, and once by shuffling which episode each reply belongs to, in ``trainer.py``).
"""

import pytest

pytestmark = pytest.mark.slow

STEPS = 40
"""GRPO steps (2 seeds x 8 episodes x 2 turns: 32 replies per step); ~30-60 s on a shared 2-core CPU."""


def test_grpo_lifts_the_return_from_chance_to_one(chance_model, word_env_kwargs, tmp_path):
    import torch

    from cauarena.learners.grpo.grpo_config import EnvGRPOConfig
    from cauarena.learners.grpo.report import learning_curve
    from cauarena.learners.grpo.rollout import episode_summary
    from cauarena.learners.grpo.train import build_trainer, load_policy

    torch.set_num_threads(1)
    config = EnvGRPOConfig(
        env_ids=("arenakit/Count-v0",), env_kwargs=word_env_kwargs, model=str(chance_model), max_steps=STEPS,
        prompts_per_step=2, num_generations=8, max_reply_tokens=3, learning_rate=5e-3, warmup_steps=0,
        num_seeds=100, greedy_eval_every=5, greedy_eval_seeds=1, time_budget_s=0, save_steps=10**6,
    )
    model, tokenizer = load_policy(chance_model)
    trainer = build_trainer(config, model, tokenizer, chance_model, tmp_path)
    start = episode_summary(trainer.rollout_func.play_greedy(trainer))["return"]
    trainer.train()
    end = episode_summary(trainer.rollout_func.play_greedy(trainer))["return"]
    curve = learning_curve(trainer.state.log_history)
    sampled = [p["return"] for p in curve]
    first, last = sum(sampled[:5]) / 5, sum(sampled[-10:]) / 10

    trace = f"greedy {start} -> {end}, sampled (first 5 -> last 10 steps) {first:.3f} -> {last:.3f}"
    assert start <= 0.5 and first < 0.45, trace  # chance: greedy repeats one word, sampled answers 1 in 4
    assert last >= 0.9 and end >= 0.9, trace  # the sampled reward (temperature 1) and the greedy one
    assert {"greedy_success", "greedy_return"} <= set(curve[0])  # the greedy check is logged beside sampling
