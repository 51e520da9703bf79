"""``KGQAEnv``: one multi-hop question over the knowledge world per episode, then a probe of each hop."""

from __future__ import annotations

import string
from typing import Any

import gymnasium as gym
from gymnasium import spaces

from cauarena.envs._actions import text_action
from cauarena.envs.kgqa.questions import LETTERS, SPLITS, Question, QuestionSpace, make_question
from cauarena.envs.kgqa.replies import REPLY_MAX_LENGTH, read_choice, read_entity
from cauarena.envs.kgqa.world import KnowledgeWorld, build_world, load_tsv
from cauarena.errors import ConfigError

MAX_INVALID = 3
"""Invalid replies in a row after which a question counts as unanswered and the episode moves on."""
OBSERVATION_MAX_LENGTH = 4096


class KGQAEnv(gym.Env):
    """KGQA: multi-hop questions over a knowledge world, with probes that say which hops the agent knows.

    ## Description

    KALE's setting (arXiv 2601.07430): a model may state every fact a question needs and still answer it wrong
    (*known & incorrect*). Each episode poses one question of 1 to 3 hops, generated from a path of the world
    (:mod:`cauarena.envs.kgqa.questions`): "What is the country of the birthplace of the author of The Stegi
    Cycle?". Then, unless ``probe=False``, it asks the single-hop probe of each hop of the path ("What is the
    author of The Stegi Cycle?", "What is the birthplace of <author>?", ...), so the final ``info`` can say which
    hops the agent knows. The probes come after the question, so they cannot help answer it. The world is seeded
    and invented (:func:`~cauarena.envs.kgqa.world.build_world`: 1,122 entities of seven types, 3,192 triples) or a
    user's TSV of triples; ``info["world"]`` names it (public knowledge, like Wikidata).

    ## Action Space

    ``Text(max_length=4096, charset=string.printable)``: the reply; it may reason first, and only what follows
    its last ``Answer:`` counts (the whole reply without one). Multiple choice: an option letter (``B``,
    ``(b)``, ``B.``) or the option's exact name. Short answer: an entity's name (case and spacing ignored). A
    reply that picks no option or names no entity, a non-string action, or a reply over 4,096 characters is an
    **invalid action**: reward 0, the same question again with the feedback line appended,
    ``info["invalid_action"] = True``. After 3 invalid replies in a row the question counts as unanswered.
    ``step`` never raises on a malformed action.

    ## Observation Space

    ``Text(max_length=4096)``: ``Question i of n: <question>``, the four options (multiple choice) and how to
    answer, then any feedback line.

    ## Rewards

    1.0 on the ending step when the answer to the (first) question was right, else 0 (never a live score).

    ## Episode End

    Terminated after the question and its probes are answered (``1 + hops`` questions; just one with
    ``probe=False``); never truncated. At most ``3 * (1 + hops)`` steps.

    ``info`` on reset and every step: ``invalid_action``, ``feedback``, ``valid_actions`` (the letters, multiple
    choice only), ``question`` (1-based), ``questions``, ``topic``, ``relations`` (the chain asked now),
    ``options`` and ``world`` (the world's spec). Sealed until the ending step (:attr:`sealed_info_keys`):
    ``success``, ``gold`` (answer entity), ``answer`` (the one read), ``path`` (entities), ``heldout``,
    ``known_hops`` (per hop, whether its probe was answered right; empty with ``probe=False``) and ``metrics``:
    ``correct``, ``answered``, ``hops``, ``heldout``, ``correct_<h>hop``; with probes ``known_hops`` (share of hops
    known), ``all_known`` and ``known_incorrect`` (every hop known, question wrong).

    ## Arguments

    ```python
    import cauarena
    env = cauarena.make("cauarena/KGQA-v0", split="test", hops=(2, 3), choices=False)
    env = cauarena.make("cauarena/KGQA-v0", triples_path="my_kg.tsv", split="all")
    ```

    - ``world_seed`` / ``world_size``: the seeded world (``default`` or ``small``).
    - ``triples_path``: a TSV of ``head<TAB>relation<TAB>tail`` instead (:func:`~cauarena.envs.kgqa.load_tsv`).
    - ``split``: ``test`` (held-out compositions and facts), ``train`` or ``all``.
    - ``hops``: the hop counts drawn from (1 to 3).
    - ``choices``: multiple choice (4 options, as MMLU and ARC) or short answer.
    - ``probe``: ask the single-hop probes after the question.
    - ``heldout_seed``: the seed of the held-out compositions.

    ## Version History

    - v0: initial release.
    """

    metadata = {"render_modes": ["ansi"], "render_fps": 1}
    sealed_info_keys: tuple[str, ...] = ("success", "metrics", "gold", "answer", "path", "heldout", "known_hops")
    """Info keys present only on the step that ends the episode."""

    def __init__(self, world_seed: int = 0, world_size: str = "default", triples_path: str | None = None,
                 split: str = "test", hops: tuple[int, ...] | list[int] = (1, 2, 3), choices: bool = True,
                 probe: bool = True, heldout_seed: int = 0, render_mode: str | None = None) -> None:
        hops = tuple(hops)
        if split not in SPLITS:
            raise ConfigError(f"split must be one of {SPLITS}, got {split!r}.")
        if not hops or any(not isinstance(h, int) or not 1 <= h <= 3 for h in hops):
            raise ConfigError(f"hops must be a non-empty tuple of 1, 2 or 3; got {hops!r}. Fix: e.g. hops=(2, 3).")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ConfigError(f"render_mode must be None or 'ansi', got {render_mode!r}.")
        self.world: KnowledgeWorld = load_tsv(triples_path) if triples_path else build_world(world_seed, world_size)
        self.space = QuestionSpace(self.world, heldout_seed, max(hops))
        self.split, self.hops, self.choices, self.probe, self.render_mode = split, hops, choices, probe, render_mode
        extra = "".join(sorted({c for name in self.world.entities for c in name} - set(string.printable)))
        self.observation_space = spaces.Text(max_length=OBSERVATION_MAX_LENGTH, charset=string.printable + extra)
        self.action_space = spaces.Text(max_length=REPLY_MAX_LENGTH, charset=string.printable)
        self._questions: list[Question] = []
        self._answers: list[str | None] = []
        self._invalid = 0
        self._text = ""

    @property
    def question(self) -> Question | None:
        """The episode's question, answer included (privileged: for tests and analysis, not for agents)."""
        return self._questions[0] if self._questions else None

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[str, dict]:
        super().reset(seed=seed)
        main = self.space.sample(self.np_random, hops=self.hops, split=self.split, choices=self.choices)
        self._questions = [main]
        if self.probe:
            for i, relation in enumerate(main.relations):
                probe = make_question(self.world, main.path[i], (relation,), self.np_random, choices=self.choices,
                                      held=self.space.held, seed=self.space.seed)
                if probe is None:  # a hop of an unambiguous path is itself unambiguous; kept for loaded worlds
                    raise RuntimeError(f"the probe of hop {i + 1} of {main.text!r} is ambiguous")
                self._questions.append(probe)
        self._answers, self._invalid = [], 0
        self._text = self._render()
        return self._text, self._public_info(invalid=False, feedback="")

    def step(self, action: Any) -> tuple[str, float, bool, bool, dict]:
        if not self._questions or len(self._answers) >= len(self._questions):
            raise gym.error.ResetNeeded("Cannot call step() before reset() or after the episode ended; call reset().")
        entity, feedback = self._read(action)
        if entity is None:
            self._invalid += 1
            if self._invalid < MAX_INVALID:
                self._text = f"{self._render()}\n{feedback}"
                return self._text, 0.0, False, False, self._public_info(invalid=True, feedback=feedback)
        self._answers.append(entity)
        self._invalid = 0
        if len(self._answers) < len(self._questions):
            self._text = self._render() + (f"\n{feedback}" if feedback else "")
            return self._text, 0.0, False, False, self._public_info(invalid=entity is None, feedback=feedback)
        info = self._final_info(invalid=entity is None, feedback=feedback)
        self._text = self._questions[-1].text + (f"\n{feedback}" if feedback else "")
        return self._text, float(info["success"]), True, False, info

    def _read(self, action: Any) -> tuple[str | None, str]:
        text, reason = text_action(action, REPLY_MAX_LENGTH)
        if text is None:
            return None, (f"Your reply must be text (a string) of at most {REPLY_MAX_LENGTH:,} characters; {reason}. "
                          "Answer with 'Answer: <letter or name>'.")
        current = self._questions[len(self._answers)]
        if current.options:
            return read_choice(text, current.options, self.world)
        return read_entity(text, self.world)

    def _render(self) -> str:
        index = len(self._answers)
        current = self._questions[index]
        lines = [f"Question {index + 1} of {len(self._questions)}: {current.text}"]
        if current.options:
            lines += [f"{letter}. {option}" for letter, option in zip(LETTERS, current.options, strict=True)]
            lines.append("Answer with the letter of one option, e.g. 'Answer: B'.")
        else:
            lines.append("Answer with the name of one entity, e.g. 'Answer: <name>'.")
        return "\n".join(lines)

    def _public_info(self, *, invalid: bool, feedback: str) -> dict[str, Any]:
        current = self._questions[min(len(self._answers), len(self._questions) - 1)]
        info: dict[str, Any] = {
            "invalid_action": invalid, "feedback": feedback, "question": len(self._answers) + 1,
            "questions": len(self._questions), "topic": current.topic, "relations": list(current.relations),
            "options": list(current.options), "world": dict(self.world.spec),
        }
        if current.options:
            info["valid_actions"] = list(LETTERS)
        return info

    def _final_info(self, *, invalid: bool, feedback: str) -> dict[str, Any]:
        main = self._questions[0]
        summary = self.episode_summary()
        info = self._public_info(invalid=invalid, feedback=feedback)
        info.update(success=summary["success"], metrics=summary["metrics"], gold=main.answer,
                    answer=self._answers[0], path=list(main.path), heldout=main.heldout,
                    known_hops=self._known())
        return info

    def _known(self) -> list[bool]:
        return [self._answers[i] == q.answer for i, q in enumerate(self._questions[1:], start=1)
                if i < len(self._answers)]

    def episode_summary(self) -> dict[str, Any]:
        """``{"success", "metrics"}`` of the episode so far (unanswered questions count as wrong or unknown).

        Raises:
            gymnasium.error.ResetNeeded: before the first ``reset``.
        """
        if not self._questions:
            raise gym.error.ResetNeeded("No episode yet: call env.reset(seed=...) first.")
        main = self._questions[0]
        answer = self._answers[0] if self._answers else None
        correct = answer == main.answer
        metrics = {"correct": float(correct), "answered": float(answer is not None), "hops": float(main.hops),
                   "heldout": float(main.heldout), f"correct_{main.hops}hop": float(correct)}
        if self.probe:
            known = self._known() + [False] * (main.hops - len(self._known()))
            metrics.update(known_hops=sum(known) / main.hops, all_known=float(all(known)),
                           known_incorrect=float(all(known) and not correct))
        return {"success": correct, "metrics": metrics}

    def render(self) -> str | None:
        """The current question in ``ansi`` mode; None otherwise."""
        return self._text if self.render_mode == "ansi" else None


__all__ = ["MAX_INVALID", "KGQAEnv"]
