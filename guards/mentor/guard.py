"""The MENTOR guard: domain rules retrieved per proposed action, self-assessment of the response, a growing graph.

Per proposed action (the model's *response*; the request is the current observation): the rules of the graph
(:class:`~cauarena.guards.mentor.graph.RuleGraph`, seeded with the static rule trees) are matched against the
action text (optionally with the observation). A matching rule blocks it with the rule's category as AgentDoG
diagnosis. With no match, a self-assessor (any chat backend) reads the request and the response, when
``assess="always"`` (which also re-validates a match by a learned rule; static rules are trusted), or when
``assess="uncertain"`` and some learned or static rule is at least ``uncertain_from`` similar. A risky assessment
blocks the action. With ``learn=True`` the assessment grows the graph (a risky one as a rule linked to the case, a
safe one as a counter-example) only when the held-out check (:class:`~cauarena.guards.mentor.validate.HeldOutCheck`
on the ``validation`` cases) confirms it. An unparseable assessment fails open.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cauarena.guards.base import Diagnosis, GuardStep, Verdict
from cauarena.guards.mentor.assess import SelfAssessor
from cauarena.guards.mentor.graph import RuleGraph
from cauarena.guards.mentor.rules import load_rule_tree
from cauarena.guards.mentor.validate import HeldOutCheck

ASSESS_MODES = ("never", "uncertain", "always")
CONTEXTS = ("action", "observation+action")


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("text"), str):
        return value["text"]
    return json.dumps(value, default=str, sort_keys=True)


class MentorGuard:
    """MENTOR as a :class:`~cauarena.guards.base.Guard`.

    Args:
        assessor: a chat backend spec for self-assessment (``mock/...``, ``tiny/...``, ``openai/...``), or None
            for rules only.
        assess: ``never``, ``uncertain`` (the default) or ``always``: when to ask the assessor.
        learn: grow the rule graph from assessment outcomes that the held-out check confirms (needs
            ``validation``).
        validation: the held-out labelled cases of that check: a JSON file of ``{"text", "risky"}`` objects, or a
            list of ``(text, risky)`` pairs, dicts or :class:`~cauarena.guards.mentor.queries.RiskQuery`.
        graph: a rule-graph JSON file written by :meth:`RuleGraph.save` to start from (default: the static trees).
        domain: restrict rules to one domain (default: all); also the domain learned rules are filed under
            when the step's info names none.
        threshold: the similarity a learned rule's case needs to apply.
        uncertain_from: the similarity from which ``assess="uncertain"`` asks the assessor.
        context: ``action`` (check the proposed action) or ``observation+action``.
        unsafe_decision: ``reject``, ``terminate`` or ``escalate``.
        **backend_kwargs: passed to the assessor's backend (``replies=`` for ``mock/``).
    """

    def __init__(self, assessor: str | None = None, assess: str = "uncertain", learn: bool = False,
                 validation: str | Path | Sequence[Any] | None = None, graph: str | Path | None = None,
                 domain: str | None = None, threshold: float = 0.45,
                 uncertain_from: float = 0.2, context: str = "action", unsafe_decision: str = "reject",
                 **backend_kwargs: Any) -> None:
        if assess not in ASSESS_MODES:
            raise ValueError(f"assess must be one of {ASSESS_MODES}; got {assess!r}.")
        if context not in CONTEXTS:
            raise ValueError(f"context must be one of {CONTEXTS}; got {context!r}.")
        if unsafe_decision not in ("reject", "terminate", "escalate"):
            raise ValueError(f"unsafe_decision must be reject, terminate or escalate; got {unsafe_decision!r}.")
        if learn and validation is None:
            raise ValueError("learn=True grows the rule graph only from assessments a held-out check confirms; got "
                             "no validation cases. Fix: pass validation=<JSON file or (text, risky) pairs> or "
                             "learn=False.")
        self.spec = {"assessor": assessor, "assess": assess, "learn": learn,
                     "validation": str(validation) if isinstance(validation, (str, Path)) else None,
                     "graph": str(graph) if graph else None,
                     "domain": domain, "threshold": threshold, "uncertain_from": uncertain_from, "context": context,
                     "unsafe_decision": unsafe_decision}
        self.graph = RuleGraph.load(graph) if graph else RuleGraph(threshold=threshold)
        self.graph.threshold = threshold
        self.tree = load_rule_tree()
        self.assessor = SelfAssessor(assessor, **backend_kwargs) if assessor else None
        self.assess_mode, self.learn, self.domain = assess, learn, domain
        self.uncertain_from, self.context, self.unsafe_decision = uncertain_from, context, unsafe_decision
        self.check = HeldOutCheck(_cases(validation)) if validation is not None else None
        self.assessments = 0

    def reset(self, *, seed: int | None = None, info: dict[str, Any] | None = None) -> None:
        """Nothing to reset: the rule graph keeps what it learned across episodes."""

    def review(self, trajectory: Sequence[GuardStep], proposed_action: Any) -> Verdict:
        """Check the proposed action (the response to the current observation, which is the request)."""
        info: dict[str, Any] = {}
        request = ""
        if trajectory:
            info = trajectory[-1].info or {}
            request = _text(trajectory[-1].observation)
        return self.check_response(request, _text(proposed_action), domain=info.get("domain") or self.domain)

    def rules_for(self, text: str, k: int = 3) -> list[str]:
        """The texts of the rules that apply to ``text`` or are most similar to it (for a prompt), best first."""
        hits = self.graph.match(text, self.domain) or self.graph.retrieve(text, k=k, domain=self.domain)
        return [h.rule.text for h in hits[:k]]

    def check_text(self, text: str, domain: str | None = None) -> Verdict:
        """The verdict on a request (or action) text alone, with no response to assess."""
        return self.check_response(text, "", domain)

    def check_response(self, request: str, response: str, domain: str | None = None) -> Verdict:
        """The verdict on ``response`` to ``request``.

        Rules are matched on the response (with ``context="observation+action"`` on the request too); the
        self-assessment reads both.
        """
        text = response or request
        if self.context == "observation+action" and request and response:
            text = f"{request}\n{response}"
        if not text.strip():
            return Verdict("approve", "nothing to check", 0.0)
        hits = self.graph.match(text, self.domain)
        if hits and not (self.assess_mode == "always" and self.assessor is not None and hits[0].case):
            rule = hits[0].rule
            return Verdict(self.unsafe_decision, f"violates {rule.source} rule {rule.id} ({rule.category}): "
                           f"{rule.text}", max(0.5, min(1.0, hits[0].score)), self._diagnosis(rule.category))
        top = self.graph.retrieve(text, k=1, domain=self.domain)
        similarity = top[0].score if top else 0.0
        ask = self.assess_mode == "always" or (self.assess_mode == "uncertain" and similarity >= self.uncertain_from)
        if ask and self.assessor is not None:
            domain = domain or (top[0].rule.domain if top else "general")
            return self._assess(self.assessor, request if response else text, response, text, domain)
        return Verdict("approve", "no rule applies", min(0.49, similarity / 2))

    def _assess(self, assessor: SelfAssessor, request: str, response: str, text: str, domain: str) -> Verdict:
        self.assessments += 1
        found = assessor.assess(request, response, domain)
        if self.learn and self.check is not None and self.check.confirms(self.graph, text, found, domain):
            self.graph.learn(text, found, domain)
        if found.risky is None:
            return Verdict("approve", f"self-assessment unparseable ({found.raw[:60]!r}); failing open", 0.25)
        if not found.risky:
            return Verdict("approve", "self-assessment found no implicit risk", 0.1)
        reason = f"self-assessment: {found.category or 'unspecified'} risk" + (f"; rule: {found.rule}" if found.rule
                                                                                else "")
        return Verdict(self.unsafe_decision, reason, 0.9, self._diagnosis(found.category))

    def _diagnosis(self, category: str) -> Diagnosis:
        return self.tree.diagnosis(category)

    def save_graph(self, path: str | Path) -> Path:
        """Write the (possibly grown) rule graph as JSON."""
        return self.graph.save(path)

    def close(self) -> None:
        """Close the assessor's backend."""
        if self.assessor is not None:
            self.assessor.close()


def _cases(validation: str | Path | Sequence[Any]) -> list[Any]:
    if isinstance(validation, (str, Path)):
        return list(json.loads(Path(validation).read_text()))
    return list(validation)
