"""``CauGymEnv``: one causal-inference question per episode, answered in one step, scored exactly."""

from __future__ import annotations

import string
import warnings
from fractions import Fraction
from typing import Any

import gymnasium as gym
from gymnasium import spaces

from cauarena.envs._actions import safe_repr, text_action
from cauarena.envs.caugym.generate import VARIANTS, check_request, generate_problem
from cauarena.envs.caugym.items import CauGymItem, Gold, check_item, gold_of, load_items, to_item
from cauarena.envs.caugym.scorer import Score, last_answer, score_answer
from cauarena.envs.caugym.tasks import TASKS
from cauarena.errors import ConfigError

OBSERVATION_MAX_LENGTH = 16384
"""Longest problem text (generated ones stay under ~6,000 characters; published ones average 885-2,061)."""

ACTION_MAX_LENGTH = 8192
"""Longest string in the action space (what ``sample()`` draws); replies up to :data:`REPLY_MAX_LENGTH` are scored."""

REPLY_MAX_LENGTH = 65536
"""Longest reply scored; a longer one is an invalid action (the scorer reads the last 64 KiB only)."""

NO_ANSWER = (
    'No answer found in your reply. End it with JSON such as {"ANSWER": "Yes", "PROB": "0.1234"} '
    '(or {"PROB": "0.1234"} for PN/PS, or {"ANSWER": "LACK_CONDITION"} when information is missing).'
)


def _not_text(action: Any, reason: str) -> str:
    return f"Your reply must be text (a string) of at most {REPLY_MAX_LENGTH:,} characters; {reason}. {NO_ANSWER}"


def _absurd(prob_text: str | None) -> str:
    return (
        f"Your PROB {safe_repr(prob_text, 40)} is not a sane number (NaN, infinite, or beyond 10^6 in magnitude). "
        'Write it to 4 decimals, e.g. {"ANSWER": "Yes", "PROB": "0.1234"}.'
    )


class CauGymEnv(gym.Env):
    """CauGym: causal-inference questions on binary SCMs (ATE, CDE, ETT, NDE, NIE, PN, PS), one per episode.

    ## Description

    Each episode is one problem in the published CauGym layout: a hypothetical world described in words (a
    random binary DAG, 3-5 or 8-9 nodes as published), conditional probabilities to 4 decimals, an
    ``Instruction:`` naming the estimand and a ``Question:``. Problems come from our generator (exact answers
    from enumerating the SCM, see :mod:`cauarena.envs.caugym.generate`) in one of six variants (``base``,
    ``rephrased``, ``omitted``, ``deconfounding``, ``redundant``, ``insufficient``), or from a CauGym-format
    JSON file (``items_path``), e.g. the published test sets. Registered as ``cauarena/CauGym-v0`` (any
    kwargs) and ``cauarena/CauGym-<Variant>-v0`` (one variant, the seven tasks by seed).

    ## Action Space

    ``Text(max_length=8192, charset=string.printable)``: the reply. It may reason at length; it must end
    with an answer: ``{"ANSWER": "Yes"|"No", "PROB": "0.1234"}`` (PN/PS: ``{"PROB": "0.1234"}``), or
    ``{"ANSWER": "LACK_CONDITION"}`` when the information is not enough. Only the **last** answer counts
    (:mod:`cauarena.envs.caugym.scorer`). Replies longer than 8,192 characters are still scored up to
    ``REPLY_MAX_LENGTH`` = 65,536 characters. A reply with no answer at all (including ``""``), a reply over
    65,536 characters, a non-string action, or a last answer whose PROB is an absurd number (``nan``, ``inf``,
    ``1e999``, beyond 10^6 in magnitude, non-zero below 10^-30) is an **invalid action**: the episode ends
    with reward 0, ``info["invalid_action"] = True`` and the feedback line appended to the observation.
    ``step`` never raises on a malformed action, whatever its type or size.

    ## Observation Space

    ``Text(max_length=16384)`` over printable ASCII (plus any other characters of a loaded file): the
    problem text, and after an invalid reply the feedback line.

    ## Rewards

    1.0 when the reply is fully correct (``info["success"]``): PROB equal to the gold value at 4 decimals, the
    Yes/No right where the task has one; on insufficient items, ``LACK_CONDITION`` and no number. Else 0.

    ## Episode End

    Terminated after the one step. Never truncated.

    ``info`` (JSON-safe) at reset: ``variant``, ``seed`` (generated) or ``item`` (file index), ``names``,
    ``nodes``, ``invalid_action`` False, ``feedback`` ``""`` (not the task: the omitted variant hides it).
    Sealed until the (only) step, which ends the episode (:attr:`sealed_info_keys`): ``success``, ``task``,
    ``gold`` (the item's answer), ``reply_answer`` (the answer that counted, or None), ``relabelled`` and
    ``metrics`` (floats, leaderboard columns):
    ``correct``, ``answered``, ``correct_<task>``; on answerable items ``prob_correct``, ``false_alarm``,
    ``abs_error`` (when a number was given) and, for ATE/CDE/ETT/NDE/NIE, ``yesno_correct``; on
    insufficient items ``lack_hit``.

    ## Arguments

    ```python
    import cauarena
    env = cauarena.make("cauarena/CauGym-v0", task="ATE", variant="deconfounding", difficulty="hard")
    env = cauarena.make("cauarena/CauGym-v0", items_path="test_datasets/base_dataset.json")
    ```

    - ``task``: one of ATE, CDE, ETT, NDE, NIE, PN, PS; None cycles through them by seed (``seed % 7``).
    - ``variant``: one of the six variants (generated items only).
    - ``difficulty``: node count 3-9, ``basic`` (3-5), ``hard`` (6-9), ``any`` (3-9), or None: the published
      sizes of the variant (base/rephrased/omitted 3-5 nodes, the others 8-9).
    - ``names``: ``real``, ``invented``, ``symbols``, or None (drawn per item).
    - ``items_path``: a CauGym-format ``.json``/``.jsonl`` file; item ``seed % len(items)`` is served
      (``reset()`` without a seed serves the next one); ``task`` then filters the file by ``Type``. Items the env
      cannot pose (unknown Type, empty problem, unreadable answer, a text over 16,384 characters) are refused at
      load time with their file index and reason (``env.refused``, and one warning), never mid-run.
    - ``relabel``: for loaded items, take Yes/No from the item's last Reason step when its label contradicts it.
    - ``prob_tolerance``: widen the PROB match (default 0, exact at 4 decimals; the published scorer used 5e-4).
    - ``render_mode``: None or ``"ansi"``.

    ## Fidelity

    Problem layout and base wording, the seven tasks, the six variants, the item types (zero-effect questions,
    NDE without a mediator), graph sizes, the answer JSON and its conventions (ETT = factual minus
    counterfactual, Yes iff < 0; "No" when ``|value| < 0.001``) follow the published CauGym
    (OpenCausaLab/CauGym). ``omitted`` is the rephrased problem without its Instruction line, as published;
    ``rephrased`` is our template paraphrase (the published one is a free LLM paraphrase). The scorer is ours:
    the last answer only, PROB exact at 4 decimals, Yes/No scored separately, LACK_CONDITION right only on
    insufficient items and only without a number. See FIDELITY.md.

    ## Version History

    - v0: initial release.
    """

    metadata = {"render_modes": ["ansi"], "render_fps": 1}
    sealed_info_keys: tuple[str, ...] = ("success", "metrics", "task", "gold", "reply_answer", "relabelled")
    """Info keys present only on the step that ends the episode."""

    def __init__(
        self,
        task: str | None = None,
        variant: str = "base",
        difficulty: int | str | None = None,
        names: str | None = None,
        items_path: str | None = None,
        relabel: bool = True,
        prob_tolerance: float = 0.0,
        render_mode: str | None = None,
    ) -> None:
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ConfigError(f"render_mode must be None or 'ansi', got {render_mode!r}.")
        if task is not None and task not in TASKS:
            raise ConfigError(f"Unknown task {task!r}. Fix: one of {', '.join(TASKS)} (or None for all seven).")
        if not 0 <= prob_tolerance < 1:
            raise ConfigError(f"prob_tolerance must be in [0, 1); got {prob_tolerance!r}.")
        self.task, self.variant, self.difficulty, self.names = task, variant, difficulty, names
        self.relabel, self.render_mode = relabel, render_mode
        self.tolerance = Fraction(str(prob_tolerance))
        self.refused: list[tuple[int, str]] = []
        """Loaded items the env cannot pose: ``(file index, reason)``."""
        self.items = self._load(items_path) if items_path else None
        if self.items is None:
            for t in [task] if task else TASKS:
                check_request(t, variant, difficulty, names or "real")
        extra = "".join(sorted({c for i in self.items or [] for c in i.problem} - set(string.printable)))
        self.observation_space = spaces.Text(max_length=OBSERVATION_MAX_LENGTH, charset=string.printable + extra)
        self.action_space = spaces.Text(max_length=ACTION_MAX_LENGTH, charset=string.printable)
        self._item: CauGymItem | None = None
        self._gold: Gold | None = None
        self._next = 0
        self._text = ""
        self._info: dict[str, Any] = {}
        self._summary: dict[str, Any] | None = None

    def _load(self, path: str) -> list[CauGymItem]:
        items, self.refused = [], []
        for index, item in enumerate(load_items(path)):
            reason = check_item(item)
            if reason is None and len(item.problem) > OBSERVATION_MAX_LENGTH:
                reason = f"the problem has {len(item.problem)} characters, over {OBSERVATION_MAX_LENGTH}"
            if reason is None:
                items.append(item)
            else:
                self.refused.append((index, reason))
        if self.refused:
            shown = "; ".join(f"item {i}: {why}" for i, why in self.refused[:5])
            warnings.warn(f"{path}: {len(self.refused)} item(s) refused, not served ({shown}).", stacklevel=3)
        if not items:
            raise ConfigError(f"{path}: every item was refused ({self.refused[0][1]}). Fix: CauGym-format items.")
        if self.task is not None:
            items = [i for i in items if i.Type == self.task]
            if not items:
                raise ConfigError(f"{path} has no items of Type {self.task!r}. Fix: another task, or task=None.")
        return items

    @property
    def item(self) -> CauGymItem | None:
        """The current item, answer included (privileged: for tests and analysis, not for agents)."""
        return self._item

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[str, dict]:
        """Start an episode; the observation and ``info`` are described in the class docstring."""
        super().reset(seed=seed)
        info: dict[str, Any]
        if self.items is not None:
            index = (seed if seed is not None else self._next) % len(self.items)
            self._next = index + 1
            self._item = self.items[index]
            info = {"item": index, "variant": self._item.variant or "", "names": "", "nodes": 0}
        else:
            item_seed = seed if seed is not None else int(self.np_random.integers(2**31 - 1))
            task = self.task or TASKS[item_seed % len(TASKS)]
            problem = generate_problem(item_seed, task, self.variant, self.difficulty, self.names)
            self._item = to_item(problem)
            info = {"seed": item_seed, "variant": self.variant, "names": problem.names_mode, "nodes": problem.model.n}
        self._gold = gold_of(self._item, self.relabel)
        self._text = self._item.problem
        self._info = {**info, "invalid_action": False, "feedback": ""}
        self._summary = None
        return self._text, dict(self._info)

    def step(self, action: Any) -> tuple[str, float, bool, bool, dict]:
        """Play ``action``; a malformed one is answered in the observation (see the class docstring)."""
        if self._item is None or self._gold is None:
            raise gym.error.ResetNeeded("Cannot call step() before reset(); call env.reset(seed=...) first.")
        text, reason = text_action(action, REPLY_MAX_LENGTH)
        last = last_answer(text) if text is not None else None
        info = {**self._info, "task": self._item.Type, "gold": self._item.answer, "relabelled": self._gold.relabelled}
        if last is None or last.prob_absurd:
            if text is None:
                feedback = _not_text(action, reason)
            else:
                feedback = _absurd(last.prob_text) if last is not None else NO_ANSWER
            observation = f"{self._item.problem}\n{feedback}"
            info.update(invalid_action=True, feedback=feedback, success=False, reply_answer=None,
                        metrics=self._metrics(None))
            self._summary = {"success": False, "metrics": info["metrics"]}
            return observation, 0.0, True, False, info
        score = score_answer(last, self._gold, self.tolerance)
        reply = {"answer": last.yesno, "prob": last.prob_text, "lack": last.lack}
        info.update(success=score.success, reply_answer=reply, metrics=self._metrics(score))
        self._summary = {"success": score.success, "metrics": info["metrics"]}
        return self._item.problem, float(score.success), True, False, info

    def episode_summary(self) -> dict[str, Any]:
        """``{"success", "metrics"}`` of the episode so far: the step's result, or an unanswered item before it.

        Raises:
            gymnasium.error.ResetNeeded: before the first ``reset``.
        """
        if self._item is None or self._gold is None:
            raise gym.error.ResetNeeded("No episode yet: call env.reset(seed=...) first.")
        if self._summary is None:
            return {"success": False, "metrics": self._metrics(None)}
        return {"success": self._summary["success"], "metrics": dict(self._summary["metrics"])}

    def _metrics(self, score: Score | None) -> dict[str, float]:
        assert self._gold is not None and self._item is not None
        success = bool(score and score.success)
        metrics = {"correct": float(success), "answered": float(bool(score))}
        metrics[f"correct_{self._item.Type}"] = float(success)
        if self._gold.lack:
            metrics["lack_hit"] = float(bool(score and score.lack_declared))
            return metrics
        metrics["prob_correct"] = float(bool(score and score.prob_correct))
        metrics["false_alarm"] = float(bool(score and score.lack_declared))
        if self._gold.yesno:
            metrics["yesno_correct"] = float(bool(score and score.yesno_correct))
        if score and score.abs_error is not None:
            metrics["abs_error"] = score.abs_error
        return metrics

    def render(self) -> str | None:
        """The problem text in ``ansi`` mode; None otherwise."""
        return self._text if self.render_mode == "ansi" else None


__all__ = ["CauGymEnv", "VARIANTS"]
