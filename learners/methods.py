"""Every learner ``cauarena train <method>`` runs, in one :class:`~cauarena.registry.Registry`.

A method is a config dataclass (every field documented under ``Attributes:``) and one ``train(config, out, ...)``
function that writes only under ``out``. Both are ``module:attr`` strings, so listing the methods imports nothing::

    TRAIN_METHODS.find("causcale").config   # 'cauarena.learners.causcale.causcale_config:CauScaleConfig'
    register_method("mine", "my_pkg.train:train", "my_pkg.config:MyConfig", "one line for the listing")

Importing this module imports no model library.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cauarena.errors import ConfigError
from cauarena.registry import Registry

__all__ = ["TRAIN_METHODS", "TrainMethod", "find_method", "register_method"]


@dataclass(frozen=True)
class TrainMethod:
    """A learner that ``cauarena train`` runs.

    Attributes:
        name: what users type: ``cauarena train <name>``.
        target: ``module:attr`` of its ``train(config, out, **options)`` function (or the function); keyword
            options after ``out`` become command-line options too (documented under the function's ``Args:``).
        config: ``module:Class`` of its config dataclass (or the class; fields documented under ``Attributes:``).
        description: one line for ``cauarena train --help``.
        presets: ``module:attr`` of a dict from preset name to config (the shipped experiments), or ``""``.
        families: env families it trains on (glob patterns; ``("*",)``: any).
    """

    name: str
    target: Any
    config: Any
    description: str = ""
    presets: str = ""
    families: tuple[str, ...] = ("*",)


TRAIN_METHODS: Registry[TrainMethod] = Registry(
    "train method", group="cauarena.train_methods", hint="`cauarena train --help` lists them.", on_change="warn")
"""The learners ``cauarena train`` knows, by name (and an installed package's ``cauarena.train_methods`` entry
points, each naming a :class:`TrainMethod`)."""


def find_method(name: str) -> TrainMethod:
    """The method called ``name``: registered here, or an installed package's entry point (added on first use).

    Raises:
        NameNotFound: no such method; the message lists close names.
        ConfigError: the entry point does not name a :class:`TrainMethod`.
    """
    if name not in TRAIN_METHODS and (plugin := TRAIN_METHODS.plugin(name)) is not None:
        entry = plugin.load()
        if not isinstance(entry, TrainMethod):
            raise ConfigError(f"Entry point {plugin.value!r} of train method {name!r} gave {entry!r}. Fix: point "
                              "it at a cauarena.learners.TrainMethod.")
        TRAIN_METHODS.add(entry)
    return TRAIN_METHODS.find(name)


def register_method(name: str, target: Any, config: Any, description: str, presets: str = "") -> TrainMethod:
    """Register (or loudly replace) a ``cauarena train`` method; see :class:`TrainMethod` for the arguments.

    Returns:
        The registered entry.

    >>> register_method("demo", "os.path:join", "os:stat_result", "a demo").name
    'demo'
    >>> TRAIN_METHODS.remove("demo")
    """
    return TRAIN_METHODS.add(TrainMethod(name, target, config, description, presets))


_L = "cauarena.learners"
_BUILTIN = (
    ("causcale", f"{_L}.causcale.train:train", f"{_L}.causcale.causcale_config:CauScaleConfig",
     "CauScale network on fresh simulator graphs (the causcale agent's checkpoint)", ""),
    ("tinylm", f"{_L}.tinylm.train:train", f"{_L}.tinylm.tinylm_config:TinyLMConfig",
     "tiny chat LM from scratch on oracle roll-outs: tokenizer, SFT, DAgger (tiny/<name>)",
     f"{_L}.tinylm.tinylm_config:PRESETS"),
    *((f"caugym-{recipe}", f"{_L}.caugym.train:train", f"{_L}.caugym.{module}_config:{cls}", text, "")
      for recipe, module, cls, text in (
          ("base", "base", "BaseLMConfig", "CauGym: the tiny LM built from scratch (the start of the recipes)"),
          ("sft", "sft", "CauGymSFTConfig", "CauGym: supervised fine-tuning from --init"),
          ("dpo", "dpo", "CauGymDPOConfig", "CauGym: DPO on (right, wrong) reply pairs from --init"),
          ("kto", "kto", "CauGymKTOConfig", "CauGym: KTO on unpaired good and bad replies from --init"),
          ("grpo", "grpo", "CauGymGRPOConfig", "CauGym: GRPO with the CauGym scorer as reward, from --init"))),
    ("depo", f"{_L}.depo.train:train", f"{_L}.depo.pipeline_config:PipelineConfig",
     "BC -> KTO -> DEPO on the tiny LM, then the three stages evaluated by the runner",
     f"{_L}.depo.pipeline_config:PRESETS"),
    ("grpo", f"{_L}.grpo.train:train", f"{_L}.grpo.grpo_config:EnvGRPOConfig",
     "multi-turn GRPO: whole episodes through ChatAgent, reward = the env's return", ""),
    ("magic", f"{_L}.magic.train:train", f"{_L}.magic.coevo_config:CoevoConfig",
     "MAGIC co-evolution: attacker search vs retrained classifier defender, cross-play report", ""),
    ("agentdog-classifier", "cauarena.guards.agentdog.train:train",
     "cauarena.guards.agentdog.train:ClassifierTrainConfig",
     "AgentDoG step classifier guard on the ATBench-LifeAssist train split", ""),
    ("kale", f"{_L}.kale.train:train", f"{_L}.kale.kale_config:KALEConfig",
     "KALE on a tiny LM: facts, then QA with KI rationales + the KA loss", ""),
    ("scene-diffusion", f"{_L}.scene_diffusion.train:train",
     f"{_L}.scene_diffusion.scene_diffusion_config:SceneDiffusionConfig",
     "text-to-image diffusion (diffusers UNet + tiny text encoder) on CausalScene renders", ""),
    ("lina", f"{_L}.lina.train:train", f"{_L}.lina.lina_config:LinaConfig",
     "LINA-lite: prompt -> inference-time interventions on the frozen scene-diffusion model", ""),
)

for _entry in _BUILTIN:
    register_method(*_entry)
