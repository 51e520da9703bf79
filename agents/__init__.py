"""Agents: the Agent protocol, the agent registry, scripted oracles and baselines, LLM chat agents."""

from cauarena.agents.base import Agent, AgentHooks, HookedAgent, PublicEnvView, SeededAgent, StepUsage, with_hooks
from cauarena.agents.checker import check_agent
from cauarena.agents.registry import (
    AGENT_REGISTRY,
    AGENTS,
    agent_names,
    agent_serves,
    load_attr,
    make_agent,
    register_agent,
    resolve_agent,
)
from cauarena.agents.rollout import Rollout, RolloutError, Step

register_agent("random", "cauarena.agents.random:RandomAgent", description="uniform over valid actions")
register_agent(
    "oracle", "cauarena.agents.babyai:BabyAIOracle", families=("babyai",), privileged=True,
    description="privileged: minigrid's BabyAIBot on the env's grid, replanning every step",
)
register_agent(
    "heuristic", "cauarena.agents.babyai:BabyAIHeuristic", families=("babyai",),
    description="reads the text: walks to the mission object, explores otherwise",
)
register_agent(
    "oracle", "cauarena.agents.caugym:CauGymOracle", families=("caugym",),
    description="parses the CauGym problem text and solves it exactly (LACK_CONDITION when it cannot)",
)
register_agent(
    "random", "cauarena.agents.caugym:CauGymGuesser", families=("caugym",),
    description="a well-formed CauGym answer with random content (chance baseline)",
)
import cauarena.agents.caugym_chat  # noqa: E402, F401  (registers the caugym prompt template and parser)
import cauarena.agents.causal.prompts  # noqa: E402,F401  (the causcientist prompt and edit parser for LLM agents)
import cauarena.agents.webshop  # noqa: E402, F401  (registers the webshop prompt template and parser)

register_agent(
    "oracle", "cauarena.agents.webshop:WebShopOracle", families=("webshop",), privileged=True,
    description="privileged WebShop buyer: searches, reads results with the goal, selects options, buys (reward 1)",
)

_CAUSAL = "cauarena.agents.causal"
for _name, _entry, _description in (
    ("oracle", "oracle:CausalOracle", "reads the true graph (privileged): AUPRC 1 / F1 1"),
    ("random", "baselines:RandomCausalAgent", "uniform scores; random edits on CauScientist"),
    ("corr", "baselines:CorrelationAgent", "|correlation| scores (CauScale's CORR)"),
    ("precision", "baselines:PrecisionAgent", "|partial correlation| from the precision matrix (INVCOV)"),
    ("pc", "baselines:PCAgent", "causal-learn PC (Fisher-z / chi-square); edits toward its graph on CauScientist"),
    ("ges", "baselines:GESAgent", "causal-learn GES (BIC / BDeu); edits toward its graph on CauScientist"),
    ("lingam", "baselines:LiNGAMAgent", "causal-learn DirectLiNGAM"),
    ("notears", "notears:NotearsAgent", "linear NOTEARS (numpy/scipy, 60 s budget)"),
    ("causcientist-greedy", "causcientist:CauScientistAgent", "CauScientist's loop with a scripted greedy BIC "
     "proposer (no LLM): hybrid init, best-BIC edits"),
):
    register_agent(_name, f"{_CAUSAL}.{_entry}", families=("causal",), description=_description,
                   privileged=_name == "oracle",
                   requires=(("causallearn", "causal"),) if _name in ("pc", "ges", "lingam") else ())
register_agent("causcientist", f"{_CAUSAL}.causcientist:CauScientistAgent", families=("causal",), proposer="llm",
               prior="llm", description="CauScientist (published): LLM prior graph + LLM edits under the BIC "
               "verifier; needs model='backend/name'")
register_agent("causcientist-llm-alone", f"{_CAUSAL}.causcientist:CauScientistAgent", families=("causal",),
               proposer="none", prior="llm", description="LLM-alone baseline: the LLM's graph, then stop; "
               "needs model='backend/name'")
# The CauScale network ships with its learner; agents/ never imports learners/, so it joins by this string.
register_agent(
    "causcale", "cauarena.learners.causcale.agent:CauScaleAgent", families=("causal",),
    description="CauScale network trained here (shipped checkpoint): edge probabilities in one forward pass",
)

import cauarena.agents.magic.chat  # noqa: E402, F401  (registers the magic-attacker/-defender prompts and parser)

for _name, _entry, _description in (
    ("attacker-fixed", "attackers:ScriptedAttacker", "MAGIC attacker: one fixed operator combination (default plain)"),
    ("attacker-random", "attackers:RandomAttacker", "MAGIC attacker: a random operator combination per episode"),
    ("defender-none", "defenders:FilterDefender", "MAGIC defender: capable reader, no safety filter"),
    ("defender-keyword", "defenders:KeywordDefender", "MAGIC defender: refuses on topic keywords"),
    ("defender-classifier", "defenders:ClassifierDefender", "MAGIC defender: char n-gram classifier trained here"),
    ("defender-refuse", "defenders:RefuseAllDefender", "MAGIC defender: refuses everything"),
    ("defender-oracle", "defenders:OracleDefender", "MAGIC defender: privileged, reads the seed's label (R_D 1.5)"),
):
    register_agent(_name, f"cauarena.envs.magic.{_entry}", families=("magic",), description=_description,
                   privileged=_name == "defender-oracle")
register_agent("oracle", "cauarena.agents.magic.seats:SeatOracleDefender", families=("magic-defender",),
               privileged=True, description="MAGIC defender seat: privileged, reads the seed's label (R_D 1.5)")
register_agent("oracle", "cauarena.agents.magic.seats:SeatOracleAttacker", families=("magic-attacker",),
               privileged=True, description="MAGIC attacker seat: privileged best response among candidate attacks")

__all__ = [
    "AGENTS",
    "AGENT_REGISTRY",
    "Agent",
    "AgentHooks",
    "HookedAgent",
    "PublicEnvView",
    "Rollout",
    "RolloutError",
    "Step",
    "SeededAgent",
    "StepUsage",
    "agent_names",
    "agent_serves",
    "check_agent",
    "load_attr",
    "make_agent",
    "register_agent",
    "resolve_agent",
    "with_hooks",
]

import cauarena.agents.life_assist  # noqa: E402, F401  (registers the life_assist prompt template and parser)

for _name, _entry, _description in (
    ("oracle", "LifeAssistOracle", "privileged: the task's reference plan; other text is data (safe and helpful)"),
    ("naive", "NaiveAgent", "privileged plan, but carries out any tool call written in any text it reads"),
    ("cautious", "CautiousAgent", "declines tasks touching money, medication, locks or purchases, and odd text"),
):
    register_agent(_name, f"cauarena.agents.life_assist:{_entry}", families=("life_assist",),
                   description=_description, privileged=True)

import cauarena.agents.kgqa  # noqa: E402, F401  (registers the kgqa prompt template and parser)

register_agent("oracle", "cauarena.agents.kgqa:KGQAOracle", families=("kgqa",),
               description="follows the question's relation chain in the public world (KG lookup, not privileged)")
register_agent("random", "cauarena.agents.kgqa:KGQARandom", families=("kgqa",),
               description="a random option letter (or a random entity for short answers)")

register_agent("oracle", "cauarena.agents.scene:SceneOracle", families=("scene",), privileged=True,
               description="privileged: the renderer on the episode's true scene (every element scores 1)")
register_agent("random", "cauarena.agents.scene:SceneRandom", families=("scene",),
               description="the exact render of a random scene (right by luck only)")
# The diffusion agents ship with their learners; agents/ never imports learners/, so they join by string.
register_agent("scene-diffusion", "cauarena.learners.scene_diffusion.agent:SceneDiffusionAgent", families=("scene",),
               description="the scene-diffusion model trained here (shipped checkpoint), base DDIM sampler",
               requires=(("diffusers", "scene"),))
register_agent("scene-diffusion-lina", "cauarena.learners.lina.agent:LinaAgent", families=("scene",),
               description="the same frozen model with LINA's per-prompt interventions (shipped predictor)",
               requires=(("diffusers", "scene"),))
