"""What a build records beside its checkpoint: machine facts and the ``TRAINING.md`` card."""

from __future__ import annotations

import os
import platform
from typing import Any


def machine_info() -> dict[str, Any]:
    """Python, library versions, CPU count and load, recorded next to the timings."""
    import torch
    import transformers
    import trl

    load = round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None
    return {
        "python": platform.python_version(), "platform": platform.platform(), "processor": platform.processor(),
        "cpus": os.cpu_count(), "load_average_1min": load, "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(), "transformers": transformers.__version__, "trl": trl.__version__,
    }


def training_card(metrics: dict[str, Any]) -> str:
    """The ``TRAINING.md`` of a checkpoint: how it was built and what it scored on validation seeds."""
    config, data, training = metrics["config"], metrics["data"], metrics["training"]
    plan, dagger, validation = metrics["plan"], metrics["dagger"], metrics["validation"]
    levels = ", ".join(f"{level} x{n}" for level, n in config["levels"])
    webshop = config.get("prompt") == "webshop"
    source = "WebShop (its train split; the `oracle` buyer)" if webshop else "BabyAI-Text (BabyAIBot)"
    lines = [
        f"# tiny/{config['name']}",
        "",
        f"A Llama-style causal LM and a byte-level BPE tokenizer trained from scratch on {source} oracle",
        "roll-outs rendered through the ChatAgent prompts (no downloaded weights or data). Rebuild:",
        "",
        "```",
        f"cauarena train tinylm --preset {config['name']} --out <dir>",
        "```",
        "",
        f"- data: {levels} (seeds from {config['seed_start']}), each played by the oracle once and "
        f"{config['noisy_rollouts']} times with noise {config['noise_prob']}: {data['episodes']} episodes, "
        f"{data['steps']} steps, {data['rows']} rows; prompt budget {data['prompt_budget']} tokens; "
        f"{data['data_s']} s",
        f"- tokenizer: byte-level BPE, {data['vocab_size']} tokens"
        + (", lower-cased input" if config.get("lowercase") else ""),
        f"- model: {training['parameters']:,} parameters (hidden {config['hidden_size']}, {config['num_layers']} "
        f"layers, {config['num_heads']} heads, context {config['context_length']}), {config['save_dtype']}, "
        f"{metrics['checkpoint_mb']} MB",
        f"- plan: at most {plan['sft_steps']} + {plan['dagger_steps']} steps in time slots of "
        f"{plan['sft_seconds']} + {plan['dagger_seconds']} s (learning rate annealed over whichever ends first)",
        f"- SFT (TRL SFTTrainer, completion-only loss): {training['optimizer_steps']} steps "
        f"({training['epochs_done']} epochs), batch {config['batch_size']}, lr {config['learning_rate']}; "
        f"mean loss {training['train_loss']}; {training['train_s']} s",
    ]
    for number, round_ in enumerate(dagger.get("rounds", [dagger]) if dagger else [], 1):
        sft = round_["training"]
        lines.append(
            f"- DAgger round {number}: the model played {round_['episodes']} training seeds of {round_['level']} "
            f"(success {round_['model_success']:.0%}, agreeing with the bot on {round_['agreement_with_bot']:.0%} "
            f"of {round_['steps']} steps), {round_['rows']} rows labelled by the bot in {round_['collect_s']} s; "
            f"then {sft['optimizer_steps']} SFT steps on all rows, lr {config['dagger_learning_rate']}, "
            f"mean loss {sft['train_loss']}; {sft['train_s']} s"
        )
    lines.append(
        f"- total wall time: {metrics['total_wall_s']} s on {metrics['machine']['cpus']} CPUs "
        f"({metrics['machine']['torch_threads']} torch thread(s), 1-minute load average "
        f"{metrics['machine']['load_average_1min']})"
    )
    if validation:
        lines.append(
            f"- validation ({validation['env_id']}, seeds {validation['seeds'][0]}-{validation['seeds'][1]}, "
            f"greedy, through the hf/ ChatAgent): success {validation['success']:.0%}, "
            f"{validation['mean_steps']:.1f} steps per episode, {validation['prompt_tokens_per_step']:.0f} "
            f"prompt / {validation['completion_tokens_per_step']:.1f} completion tokens per step, invalid actions "
            f"{validation['invalid_action_rate']:.0%} of steps"
            + (f", {validation['context_overflows']} episode(s) ended on a page longer than the context"
               if validation.get("context_overflows") else "")
        )
    lines += ["", "Full numbers: `metrics.json`.", ""]
    return "\n".join(lines)
