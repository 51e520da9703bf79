"""``CauScientistAgent``: CauScientist's proposer, scripted (greedy) or an LLM, with hybrid initialisation.

Registered as ``causcientist`` (the published method: an LLM proposes the prior graph B and then the edits;
needs ``model``), ``causcientist-greedy`` (the scripted greedy proposer, no LLM) and ``causcientist-llm-alone``
(the LLM-alone baseline: the LLM's graph as ``PRIOR``, then ``STOP``; needs ``model``).

- ``proposer="greedy"``: proposes the valid edit with the best local BIC change (the env's verifier class
  on the observed data; local terms cached), skipping edits rejected on the current graph, and ``STOP``s
  when no edit improves the BIC.
- ``proposer="llm"``: a :class:`~cauarena.agents.llm.ChatAgent` on ``model`` (``mock/...``, ``hf/...``,
  ``openai/...``) with the ``causcientist`` prompt: it reads the observation text (variables with
  descriptions, the current graph, the last verdict, the error memory) and answers one edit.
- ``proposer="none"``: no edits: the ``prior`` graph (``PRIOR``), then ``STOP``; on CausalDiscovery-v0
  the prior graph itself is the answer (an unusable prior answers the empty graph).

Hybrid initialisation: the env starts from the best-BIC graph among empty, PC and GES; the agent adds its
own prior as the first action, ``PRIOR ...``, kept if its BIC is at least as good. ``prior`` picks it:
``None`` (no prior), ``"notears"`` (NOTEARS' graph), or ``"llm"`` (CauScientist's graph B: a chat model
asked once for a whole graph from the variable names and descriptions; the LLM proposer always may do so
by itself).

On CausalDiscovery-v0 the greedy agent runs the whole loop offline: the hybrid initialisation over
``init`` (and the prior), then hill climbing, and answers the final DAG as 0/1 scores.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cauarena.agents.base import StepUsage
from cauarena.agents.causal.base import GraphAgent, TargetProposer, is_scientist_observation, observed
from cauarena.agents.causal.prompts import CAUSCIENTIST_PROMPT, parse_edit_reply
from cauarena.agents.causal.search import greedy_search
from cauarena.envs.causal.edits import Edit, EditError, parse_edit, prior_adjacency
from cauarena.errors import ConfigError

PROPOSERS = ("greedy", "llm", "none")
PRIORS = (None, "notears", "llm")


def llm_prior_messages(names: list[str], descriptions: dict[str, str], summary: str) -> list[dict[str, str]]:
    """The one-shot chat asking a model for a whole graph (CauScientist's graph B)."""
    variables = "\n".join(f"- {v}: {descriptions.get(v, '')}" for v in names)
    return [
        {"role": "system", "content": CAUSCIENTIST_PROMPT.system},
        {"role": "user", "content": (
            f"The variables describe {summary}.\nVariables:\n{variables}\nPropose the causal graph you believe "
            "in from what the variables mean. Answer with one line: PRIOR a -> b, c -> d, ... (a DAG).")},
    ]


class CauScientistAgent(GraphAgent):
    """CauScientist's proposer with hybrid initialisation; see the module docs.

    Args:
        proposer: ``greedy``, ``llm`` or ``none`` (prior, then stop).
        model: a ``backend/model`` spec (needed for ``proposer="llm"`` or ``prior="llm"``).
        prior: ``None``, ``"notears"`` or ``"llm"``.
        init: the data-driven starts on CausalDiscovery-v0 (the env does it on CauScientist-v0).
        max_iter: most edits of the offline search on CausalDiscovery-v0.
        **chat_kwargs: passed to :func:`~cauarena.agents.llm.make_chat_agent` (``replies`` for ``mock/``,
            ``temperature``, ``cache_dir``...).
    """

    def __init__(
        self,
        proposer: str = "greedy",
        model: str | None = None,
        prior: str | None = None,
        init: tuple[str, ...] = ("empty", "pc", "ges"),
        max_iter: int = 10_000,
        **chat_kwargs: Any,
    ) -> None:
        super().__init__()
        if proposer not in PROPOSERS:
            raise ConfigError(f"proposer must be one of {PROPOSERS}; got {proposer!r}.")
        if prior not in PRIORS:
            raise ConfigError(f"prior must be one of {PRIORS}; got {prior!r}.")
        if (proposer == "llm" or prior == "llm") and not model:
            raise ConfigError("The LLM proposer/prior needs model='backend/name' (e.g. 'mock/...', 'openai/gpt-4o'); "
                              "got none. Fix: pass model=..., or use 'causcientist-greedy' (no LLM).")
        if proposer == "none" and prior is None:
            raise ConfigError("proposer='none' answers its prior graph only; got prior=None. Fix: prior='llm' "
                              "(the LLM-alone baseline) or prior='notears'.")
        self.proposer, self.model, self.prior, self.init, self.max_iter = proposer, model, prior, tuple(init), max_iter
        self._chat: Any = None
        if model:
            from cauarena.agents.llm import make_chat_agent

            self._chat = make_chat_agent(model, family="causal", prompt=CAUSCIENTIST_PROMPT,
                                         parser=parse_edit_reply, **chat_kwargs)
        self._usage = StepUsage()

    @property
    def last_usage(self) -> StepUsage:
        """Tokens of the latest step (zero for the greedy proposer)."""
        return self._usage

    def reset(self, *, seed: int | None = None, info: dict[str, Any] | None = None) -> None:
        """Start an episode (the Agent protocol); ``info`` is the env's reset info."""
        super().reset(seed=seed, info=info)
        self._usage = StepUsage()
        if self._chat is not None:
            self._chat.reset(seed=seed, info=info)

    def act(self, observation: Any, info: dict[str, Any]) -> Any:
        """The next action for ``observation`` (the Agent protocol)."""
        self._usage = StepUsage()
        if is_scientist_observation(observation) and self.proposer == "llm":
            action = self._chat.act(observation, info)
            self._usage = self._chat.last_usage
            return action
        if not is_scientist_observation(observation) and self.proposer == "llm":
            raise ConfigError("The LLM proposer plays CauScientist-v0; use proposer='greedy' on CausalDiscovery-v0.")
        if is_scientist_observation(observation) and self.proposer == "none":
            return self._prior_then_stop(observation, info)
        return super().act(observation, info)

    def _prior_then_stop(self, observation: Any, info: dict[str, Any]) -> str:
        """The LLM-alone baseline's move: ``PRIOR`` with its graph on the first step, ``STOP`` after."""
        if not info.get("prior_allowed"):
            return "STOP"
        data, interventions, names = observed(observation)
        prior = self._prior(data, interventions, names)
        if prior is None or not prior.any():
            return "STOP"
        return Edit("PRIOR", edges=tuple(zip(*np.nonzero(prior), strict=True))).describe(names)

    def make_proposer(self, data: np.ndarray, interventions: np.ndarray, names: list[str]) -> TargetProposer:
        """The proposer that picks edits by the verifier's score, towards this agent's prior."""
        verifier = self.verifier(data, interventions)
        return TargetProposer(verifier, target=None, prior=self._prior(data, interventions, names))

    def estimate(self, data: np.ndarray, interventions: np.ndarray, names: list[str]) -> np.ndarray:
        """``[n, n]`` scores in ``[0, 1]``, ``[i, j]`` for ``names[i] -> names[j]``."""
        from cauarena.envs.causal.scientist_state import initial_candidates

        if self.proposer == "none":
            prior = self._prior(data, interventions, names)
            return np.zeros((len(names), len(names))) if prior is None else prior.astype(np.float64)
        verifier = self.verifier(data, interventions)
        candidates = list(initial_candidates(data, self.data_type, self.init).values())
        prior = self._prior(data, interventions, names)
        if prior is not None:
            candidates.append(prior)
        start = min(candidates, key=verifier.score)
        final, _ = greedy_search(verifier, start, max_iter=self.max_iter)
        return final.astype(np.float64)

    def _prior(self, data: np.ndarray, interventions: np.ndarray, names: list[str]) -> np.ndarray | None:
        if self.prior == "notears":
            from cauarena.agents.causal.base import scores_to_dag
            from cauarena.agents.causal.notears import NotearsAgent

            agent = NotearsAgent()
            return scores_to_dag(agent.estimate(data, interventions, names))
        if self.prior == "llm":
            return self._llm_prior(names)
        return None

    def _llm_prior(self, names: list[str]) -> np.ndarray | None:
        messages = llm_prior_messages(names, self.reset_info.get("descriptions", {}),
                                      str(self.reset_info.get("summary", "a system")))
        response = self._chat.backend.generate(messages, max_tokens=CAUSCIENTIST_PROMPT.max_tokens, temperature=0.0,
                                               seed=None, stop=[])
        self._usage = StepUsage(response.prompt_tokens, response.completion_tokens, response.latency_s, response.cached)
        action = parse_edit_reply(response.text)
        try:
            edit = parse_edit(action, names)
            if edit.op != "PRIOR":
                return None
            return prior_adjacency(edit, len(names), names)
        except EditError:
            return None  # an unusable prior: fall back to the data-driven start


__all__ = ["CauScientistAgent", "llm_prior_messages", "observed"]
