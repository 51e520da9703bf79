"""Knowledge-Induced (KI) data synthesis: multi-path A* from the question's entities to the answer, verbalised.

KALE finds the question's and the answer's entities (NER; here the question's topic and options are known
entities, so the question's entities are its topic), runs the multi-path A* with the landmark heuristic
(:func:`cauarena.envs.kgqa.multipath_astar`) and has an LLM verbalise each path into a rationale (the paper used
GPT-4o). Here the default verbaliser joins the facts' template sentences; a chat backend (``backend/model``)
rewrites them when the user has one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cauarena.envs.kgqa import KnowledgeWorld, Path, Question, multipath_astar, verbalise

REWRITE_PROMPT = (
    "Rewrite these facts as one short, fluent explanation that leads to the answer {answer}. Use only these "
    "facts, keep every name exactly as written, and do not add anything.\nFacts: {facts}"
)
"""The instruction an LLM verbaliser gets per path."""


@dataclass(frozen=True)
class Rationale:
    """The knowledge-induced rationale of one question.

    Attributes:
        question: the question.
        paths: the paths the search found, cheapest first.
        text: the rationale: each path verbalised, joined by spaces (empty when no path was found).
    """

    question: Question
    paths: tuple[Path, ...]
    text: str


class TemplateVerbaliser:
    """Each path as its facts' sentences, in walking order."""

    def __call__(self, world: KnowledgeWorld, path: Path, answer: str) -> str:
        """The path's facts as text."""
        return verbalise(world, path)


class ChatVerbaliser:
    """A chat model rewrites each path's facts (any ``backend/model`` of the backend registry).

    Args:
        backend: a ``ChatBackend`` or a ``backend/model`` string.
        max_tokens: the longest rewrite.
    """

    def __init__(self, backend: Any, max_tokens: int = 128) -> None:
        if isinstance(backend, str):
            from cauarena.agents.llm.backends.registry import make_backend

            backend = make_backend(backend)
        self.backend, self.max_tokens = backend, max_tokens

    def __call__(self, world: KnowledgeWorld, path: Path, answer: str) -> str:
        """The model's rewrite of the path (the template text when the model answers nothing).

        Raises:
            BackendError: the backend failed; the message names the backend and the path, and the fix.
        """
        from cauarena.agents.llm.backends import BackendError

        facts = verbalise(world, path)
        prompt = REWRITE_PROMPT.format(answer=answer, facts=facts)
        try:
            reply = self.backend.generate([{"role": "user", "content": prompt}], max_tokens=self.max_tokens)
        except BackendError as exc:
            raise BackendError(f"The KI verbaliser {self.backend.spec} failed on the path "
                               f"{' -> '.join(path.entities)}: {exc}. Fix: check the backend, or synthesise with "
                               "verbaliser='template'.") from exc
        return reply.text.strip() or facts


def make_verbaliser(spec: str) -> Any:
    """``template`` -> :class:`TemplateVerbaliser`; ``backend/model`` -> :class:`ChatVerbaliser`."""
    return TemplateVerbaliser() if spec == "template" else ChatVerbaliser(spec)


def synthesise(world: KnowledgeWorld, question: Question, *, n_paths: int = 2, max_hops: int = 3, anchors: int = 4,
               neighbourhood: int = 2, verbaliser: Any = None, seed: int = 0) -> Rationale:
    """The KI rationale of ``question``: up to ``n_paths`` A* paths from its topic to its answer, verbalised."""
    verbaliser = verbaliser or TemplateVerbaliser()
    paths = multipath_astar(world, [question.topic], [question.answer], n_paths=n_paths, max_hops=max_hops,
                            k=anchors, m=neighbourhood, seed=seed)
    text = " ".join(verbaliser(world, path, question.answer) for path in paths)
    return Rationale(question, tuple(paths), text)


__all__ = ["REWRITE_PROMPT", "ChatVerbaliser", "Rationale", "TemplateVerbaliser", "make_verbaliser", "synthesise"]
