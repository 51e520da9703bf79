"""tiny/babyai: generation speed at batch 1 and success on BabyAI-Text seeds, beside random and oracle.

Speed rows (each the median of --repeats runs, after one warm-up):

- ``decode tok/s``: greedy generation of --new-tokens tokens (EOS ignored) after a real GoToLocal prompt,
  i.e. prefill plus --new-tokens decoding steps, counted as new tokens over wall time;
- ``agent step``: one ``ChatAgent.act`` (prompt rendering, history trimming, prefill, a 2-4 token reply),
  in milliseconds and in completion tokens/s.

Success rows: ``tiny/babyai`` (greedy, through ``make_agent`` as ``cauarena run`` builds it), ``oracle`` and
``random`` on the same seeds (default: the held-out 1000-1049).

Usage: python benchmarks/bench_tinylm.py [--spec tiny/babyai] [--seeds 50] [--seed-start 1000]
       [--env cauarena/BabyAI-GoToLocal-Text-v0] [--repeats 5] [--new-tokens 64] [--threads 1]
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import statistics
import sys
import time
from typing import Any

import cauarena
from cauarena.agents import make_agent
from cauarena.agents.llm import get_prompt, render_messages
from cauarena.learners.tinylm.evaluate import evaluate_agent, summarize


def decode_speed(backend: Any, messages: list[dict], new_tokens: int, repeats: int) -> tuple[float, float]:
    """Median tokens/s generating exactly ``new_tokens`` after ``messages``; returns (tok/s, prompt tokens)."""
    import torch

    model, tokenizer = backend.load()
    inputs = tokenizer(backend.render_prompt(messages), add_special_tokens=False, return_tensors="pt")
    kwargs = {"max_new_tokens": new_tokens, "min_new_tokens": new_tokens, "do_sample": False,
              "pad_token_id": tokenizer.pad_token_id}
    rates = []
    with torch.inference_mode():
        model.generate(**inputs, **kwargs)  # warm-up
        for _ in range(repeats):
            start = time.perf_counter()
            output = model.generate(**inputs, **kwargs)
            rates.append((output.shape[1] - inputs["input_ids"].shape[1]) / (time.perf_counter() - start))
    return statistics.median(rates), inputs["input_ids"].shape[1]


def agent_step_speed(spec: str, env_id: str, repeats: int) -> dict[str, float]:
    """Median wall time of one ``ChatAgent.act`` on the first observations of a few seeds (no cache)."""
    agent = make_agent(spec, family="babyai")
    env = cauarena.make(env_id)
    times, completion = [], []
    for seed in range(repeats + 1):
        observation, info = env.reset(seed=seed)
        agent.reset(seed=seed, info=info)
        start = time.perf_counter()
        agent.act(observation, info)
        if seed:  # the first call loads the model
            times.append(time.perf_counter() - start)
            completion.append(agent.last_usage.completion_tokens)
    env.close()
    median = statistics.median(times)
    return {"ms": 1000 * median, "completion_tokens": statistics.median(completion),
            "tok_per_s": statistics.median(completion) / median}


def machine() -> str:
    import torch

    return (f"python {platform.python_version()}, torch {torch.__version__} ({torch.get_num_threads()} threads), "
            f"{os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, {platform.platform()}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", default="tiny/babyai")
    parser.add_argument("--env", default="cauarena/BabyAI-GoToLocal-Text-v0")
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--seed-start", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1: steady on a shared CPU)")
    parser.add_argument("--baselines", default="oracle,random", help="comma-separated agents to compare")
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    print("$ python " + " ".join(shlex.quote(a) for a in [sys.argv[0], *(argv or sys.argv[1:])]))
    print(machine())
    agent = make_agent(args.spec, family="babyai")
    env = cauarena.make(args.env)
    observation, info = env.reset(seed=args.seed_start)
    messages = render_messages(get_prompt("babyai"), [], observation, info)
    rate, prompt_tokens = decode_speed(agent.backend, messages, args.new_tokens, args.repeats)
    print(f"\n{args.spec}: decode {rate:.0f} tok/s at batch 1 ({args.new_tokens} new tokens after a "
          f"{prompt_tokens}-token prompt, median of {args.repeats})")
    step = agent_step_speed(args.spec, args.env, args.repeats)
    print(f"{args.spec}: one agent step {step['ms']:.1f} ms ({step['completion_tokens']:.0f} completion tokens, "
          f"{step['tok_per_s']:.0f} tok/s incl. prefill)")

    seeds = range(args.seed_start, args.seed_start + args.seeds)
    print(f"\nsuccess on {args.env}, seeds {seeds.start}-{seeds.stop - 1}:")
    print(f"{'agent':<14}{'success':>9}{'steps':>8}{'prompt tok/step':>17}{'compl tok/step':>16}{'invalid':>9}"
          f"{'s/step':>9}")
    for spec in [args.spec, *filter(None, args.baselines.split(","))]:
        s = summarize(evaluate_agent(spec, args.env, seeds))
        print(f"{spec:<14}{s['success']:>9.0%}{s['mean_steps']:>8.1f}{s['prompt_tokens_per_step']:>17.1f}"
              f"{s['completion_tokens_per_step']:>16.2f}{s['invalid_action_rate']:>9.1%}{s['seconds_per_step']:>9.4f}")


if __name__ == "__main__":
    main()
