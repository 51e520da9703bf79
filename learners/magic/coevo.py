"""MAGIC co-evolution: the attacker searches operator combinations, the classifier defender retrains on its misses.

One generation = an attacker phase then a defender phase (MAGIC trains the roles alternately):

1. **attacker phase** against the current defender: each step the search
   (:class:`~cauarena.learners.magic.search.CombinationSearch`) proposes a combination, plays ``batch_size``
   games on random harmful *train* queries and records the successes; the phase ends after
   ``rounds_per_phase`` steps, or earlier when the ASR over the last ``window`` steps reaches ``harm_threshold``
   (MAGIC's switch rule). Attacker generation ``g`` is the phase's ``top_k`` combinations.
2. **defender phase**: the classifier is retrained on its base set plus every prompt that got through so far
   (label 1) and the same attack on the query's benign twin (label 0), so it learns the content, not the wrapper.

:func:`cross_play` then plays every attacker generation against every defender generation on the *test* split.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cauarena.agents.magic.attackers import Attack, ScriptedAttacker
from cauarena.agents.magic.classifier import NgramClassifier, train_classifier
from cauarena.agents.magic.defenders import ClassifierDefender, FilterDefender, base_training_set
from cauarena.agents.magic.play import play_game
from cauarena.envs.magic import parallel_env, query_by_id
from cauarena.errors import ConfigError
from cauarena.learners.magic.coevo_config import CoevoConfig
from cauarena.learners.magic.search import CombinationSearch


@dataclass
class PhaseLog:
    """What one attacker phase did.

    Attributes:
        generation: 1-based.
        steps: attacker steps played.
        switched_early: the harm threshold ended the phase.
        asr: attack success rate over the phase's games (train split, against the defender of the phase).
        successful: distinct combinations with at least one success.
        new_successful: those not in the initial population.
        attacks: the generation's ``top_k`` combinations.
        defender_examples: training texts of the defender retrained after this phase.
    """

    generation: int
    steps: int
    switched_early: bool
    asr: float
    successful: list[str]
    new_successful: list[str]
    attacks: list[str]
    defender_examples: int = 0


@dataclass
class CoevoRun:
    """A finished run: the generations, their phase logs and the cross-play results."""

    config: CoevoConfig
    attackers: list[list[str]] = field(default_factory=list)
    defenders: list[NgramClassifier] = field(default_factory=list)
    phases: list[PhaseLog] = field(default_factory=list)
    matrix: list[list[dict[str, float]]] = field(default_factory=list)
    llm_phases: list[dict[str, Any]] = field(default_factory=list)


def _attacker_phase(search: CombinationSearch, defender: Any, cfg: CoevoConfig, rng: np.random.Generator,
                    generation: int) -> tuple[PhaseLog, list[tuple[Attack, str, str]]]:
    game = parallel_env(max_turns=cfg.max_turns, split="train", kind="harmful")
    search.forget()
    hits: list[tuple[Attack, str, str]] = []
    rates, wins_total, games, successful = [], 0, 0, set()
    switched = False
    for _ in range(cfg.rounds_per_phase):
        attack = search.propose()
        attacker, wins = ScriptedAttacker(attack), 0
        for _ in range(cfg.batch_size):
            seed = int(rng.integers(2**31 - 1))
            out = play_game(game, attacker, defender, seed=seed)
            if out["metrics"]["attack_success"]:
                wins += 1
                hits.append((attack, out["query_id"], "\n".join(out["prompts"])))
        search.update(attack, wins, cfg.batch_size)
        rates.append(wins / cfg.batch_size)
        wins_total, games = wins_total + wins, games + cfg.batch_size
        if wins:
            successful.add(attack.name)
        if len(rates) >= cfg.window and np.mean(rates[-cfg.window:]) >= cfg.harm_threshold:
            switched = len(rates) < cfg.rounds_per_phase  # early only if it cut the budget short
            break
    initial = set(cfg.initial_attacks)
    log = PhaseLog(generation, len(rates), switched, wins_total / games, sorted(successful),
                   sorted(successful - initial), [a.name for a in search.best(cfg.top_k)])
    return log, hits


def _twin_texts(hits: list[tuple[Attack, str, str]], cfg: CoevoConfig) -> list[str]:
    """The same attacks on each hit's benign twin, as the defender would read them."""
    game = parallel_env(max_turns=cfg.max_turns)
    texts = []
    for i, (attack, qid, _) in enumerate(hits):
        twin = query_by_id(qid).twin
        out = play_game(game, ScriptedAttacker(attack), FilterDefender(), seed=cfg.seed + i, query_id=twin)
        texts.append("\n".join(out["prompts"]))
    return texts


def _llm_phases(run: CoevoRun, generation: int, models: dict[str, str], out: Path | None, log: Any) -> None:
    """GRPO phases of the LLM seats against this generation's scripted opponents (see :mod:`.llm`)."""
    from cauarena.agents.magic.seats import MixedAttacker
    from cauarena.learners.magic.llm import grpo_phase

    cfg = run.config
    opponents = {"defender": MixedAttacker(run.attackers[-1]), "attacker": ClassifierDefender(run.defenders[-1])}
    for seat, model in models.items():
        if out is None:
            raise ConfigError("LLM seats (llm_defender / llm_attacker) need an out folder for their checkpoints.")
        phase = grpo_phase(seat, model, opponents[seat], cfg.llm_steps, out / "llm" / f"{seat}-g{generation}",
                           max_turns=cfg.max_turns, overrides=cfg.llm_grpo)
        models[seat] = phase["model"]
        run.llm_phases.append({"generation": generation, **phase})
        if log is not None:
            log({"event": "llm_grpo", "generation": generation, **{k: v for k, v in phase.items() if k != "curve"}})


def train(cfg: CoevoConfig, log: Any = None, out: Path | None = None) -> CoevoRun:
    """Run ``cfg.generations`` generations; ``log(dict)`` is called after each (e.g. to write JSON lines).

    With ``cfg.llm_defender`` / ``cfg.llm_attacker`` set, each generation ends with GRPO phases of those LLM
    seats (checkpoints under ``out/llm/``), each against the generation's new scripted opponent.
    """
    llm_models = {seat: model for seat, model in (("defender", cfg.llm_defender), ("attacker", cfg.llm_attacker))
                  if model}
    rng = np.random.default_rng(cfg.seed)
    initial = [Attack.parse(name) for name in cfg.initial_attacks]
    search = CombinationSearch(initial, rng, mutate_prob=cfg.mutate_prob, ucb_c=cfg.ucb_c, max_ops=cfg.max_ops,
                               max_parts=cfg.max_parts)
    texts, labels = base_training_set(cfg.seed)
    run = CoevoRun(cfg, attackers=[list(cfg.initial_attacks)],
                   defenders=[train_classifier(texts, labels, benign_weight=cfg.benign_weight)])
    for generation in range(1, cfg.generations + 1):
        phase, hits = _attacker_phase(search, ClassifierDefender(run.defenders[-1]), cfg, rng, generation)
        texts += [text for _, _, text in hits] + _twin_texts(hits, cfg)
        labels += [1] * len(hits) + [0] * len(hits)
        run.defenders.append(train_classifier(texts, labels, benign_weight=cfg.benign_weight))
        phase.defender_examples = len(texts)
        run.attackers.append(phase.attacks)
        run.phases.append(phase)
        if log is not None:
            log({"event": "generation", **phase.__dict__})
        if llm_models:
            _llm_phases(run, generation, llm_models, out, log)
    return run


def evaluate(attacks: list[str], classifier: NgramClassifier | None, cfg: CoevoConfig) -> dict[str, float]:
    """One cross-play cell: each attack on every *test* query (harmful and benign) against the defender.

    Returns:
        ``asr`` (harmful games with an unsafe response), ``asr_turn1`` (unsafe on the first turn),
        ``refusal_harmful``, ``compliance_benign`` (benign games not refused), ``over_refusal``, ``games``.
    """
    game = parallel_env(max_turns=cfg.max_turns, split="test")
    defender = FilterDefender() if classifier is None else ClassifierDefender(classifier)
    harmful, benign = [], []
    for attack in attacks:
        attacker = ScriptedAttacker(attack)
        for seed in range(len(game.pool)):
            m = play_game(game, attacker, defender, seed=cfg.seed + seed)["metrics"]
            (harmful if m["harmful"] else benign).append(m)
    return {
        "asr": float(np.mean([m["attack_success"] for m in harmful])),
        "asr_turn1": float(np.mean([m["attack_success"] and m["turns"] == 1 for m in harmful])),
        "refusal_harmful": float(np.mean([m["refused"] for m in harmful])),
        "compliance_benign": float(np.mean([1 - m["refused"] for m in benign])),
        "over_refusal": float(np.mean([m["over_refusal"] for m in benign])),
        "games": float(len(harmful) + len(benign)),
    }


def cross_play(run: CoevoRun) -> list[list[dict[str, float]]]:
    """The matrix ``[attacker generation][defender generation]`` of :func:`evaluate` cells (stored on ``run``)."""
    run.matrix = [[evaluate(attacks, clf, run.config) for clf in run.defenders] for attacks in run.attackers]
    return run.matrix


