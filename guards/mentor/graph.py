"""The rule knowledge graph: the static rule trees, grown by validated rules learned from self-assessments.

Nodes (``kind`` attribute): ``domain``, ``category``, ``rule`` (static or learned), ``case`` (an assessed request,
``risky`` True or False), ``factor`` (a risk factor) and ``scenario``. Edges: domain -> category
(``has_category``), category -> rule (``has_rule``), rule -> case (``validated_on``), case -> factor / scenario.
A risky case links to the rule it validated; a safe case links to its domain as a counter-example.

Retrieval for a new request is case-based: TF-IDF cosine similarity (our own, no model) against every case and
rule text. A learned rule applies when its best-matching risky case is at least ``threshold`` similar and closer
than every safe case. Saved and loaded as JSON (networkx node-link data).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from cauarena.guards.mentor.assess import Assessment
from cauarena.guards.mentor.rules import Rule, RuleTree, load_rule_tree

STOPWORDS = frozenset(
    "a an the and or of to for in on at by with so that this these those their them they it its is are be was "
    "were as from into over under about your you i me my we us our there here what which who whom how not no "
    "can could would should will may might do does did let let's".split()
)


def tokens(text: str) -> list[str]:
    """Lower-case word tokens without stopwords, plural ``s`` stripped.

    >>> tokens("Quietly favour the students whose parents donate")
    ['quietly', 'favour', 'student', 'whose', 'parent', 'donate']
    """
    words = re.findall(r"[a-z][a-z']+", text.lower())
    return [w[:-1] if w.endswith("s") and len(w) > 3 and not w.endswith("ss") else w
            for w in words if w not in STOPWORDS]


@dataclass(frozen=True)
class Retrieved:
    """A rule retrieved for a request.

    Attributes:
        rule: the rule.
        score: similarity in [0, 1] (1 for a static rule that fires).
        case: the id of the case node that matched ("" for a static or rule-text match).
    """

    rule: Rule
    score: float
    case: str = ""


class RuleGraph:
    """Rule trees plus learned rules and assessed cases, in a ``networkx.DiGraph``.

    Args:
        tree: the static rule trees to start from (default: the shipped ones); ``False`` starts empty.
        threshold: the similarity a risky case needs for its rule to apply.
    """

    def __init__(self, tree: RuleTree | bool | None = None, threshold: float = 0.45) -> None:
        self.graph = nx.DiGraph()
        self.threshold = threshold
        self._index: tuple[dict[str, float], dict[str, dict[str, float]]] | None = None
        if tree is not False:
            tree = load_rule_tree() if tree in (None, True) else tree
            for rule in tree.rules():
                self.add_rule(rule)

    # building -------------------------------------------------------------------------------------------------
    def _link(self, src: str, dst: str, relation: str, **attrs: Any) -> None:
        if dst not in self.graph:
            self.graph.add_node(dst, **attrs)
        self.graph.add_edge(src, dst, relation=relation)

    def add_rule(self, rule: Rule) -> str:
        """Add ``rule`` under its domain and category; returns its node id."""
        domain, cat, node = f"domain:{rule.domain}", f"category:{rule.domain}/{rule.category}", f"rule:{rule.id}"
        if domain not in self.graph:
            self.graph.add_node(domain, kind="domain", name=rule.domain)
        self._link(domain, cat, "has_category", kind="category", name=rule.category)
        self.graph.add_node(node, kind="rule", **{k: list(v) if isinstance(v, tuple) else v
                                                   for k, v in asdict(rule).items()})
        self.graph.add_edge(cat, node, relation="has_rule")
        self._index = None
        return node

    def add_case(self, text: str, risky: bool, domain: str, rule_id: str = "", scenario: str = "",
                 risk_factor: str = "") -> str:
        """Record an assessed request; a risky one validates ``rule_id``. Returns the case's node id."""
        node = f"case:{sum(1 for _, k in self.graph.nodes(data='kind') if k == 'case')}"
        self.graph.add_node(node, kind="case", text=text, risky=bool(risky), domain=domain)
        if risky and rule_id:
            self.graph.add_edge(f"rule:{rule_id}", node, relation="validated_on")
        else:
            dom = f"domain:{domain}"
            if dom not in self.graph:
                self.graph.add_node(dom, kind="domain", name=domain)
            self.graph.add_edge(dom, node, relation="safe_case")
        if risk_factor:
            self._link(node, f"factor:{risk_factor}", "has_factor", kind="factor", name=risk_factor)
        if scenario:
            self._link(node, f"scenario:{scenario}", "in_scenario", kind="scenario", name=scenario)
        self._index = None
        return node

    def learn(self, text: str, assessment: Assessment, domain: str, scenario: str = "",
              risk_factor: str = "") -> Rule | None:
        """Grow the graph from one assessment outcome; returns the rule the risky case validated.

        A risky assessment with a category joins the closest rule of that domain and category when the request is
        similar to that rule's cases; otherwise a new learned rule is made from the assessment's rule sentence. A
        safe assessment is stored as a counter-example. An undecided one (``risky is None``) changes nothing.
        """
        if assessment.risky is None:
            return None
        if not assessment.risky:
            self.add_case(text, False, domain, scenario=scenario, risk_factor=risk_factor)
            return None
        category = assessment.category or "unspecified"
        best = [r for r in self.retrieve(text, domain=domain) if r.rule.category == category]
        if best and best[0].score >= self.threshold:
            rule = best[0].rule
        else:
            n = sum(1 for _, d in self.graph.nodes(data=True) if d.get("source") == "learned")
            rule = Rule(f"{domain[:3]}-learned-{n + 1}", domain, category,
                        assessment.rule or f"Do not help with requests like: {text[:120]}", source="learned")
            self.add_rule(rule)
        self.add_case(text, True, domain, rule.id, scenario, risk_factor)
        return rule

    # retrieval ------------------------------------------------------------------------------------------------
    def rule(self, rule_id: str) -> Rule:
        """The :class:`Rule` stored at ``rule:<rule_id>``."""
        d = self.graph.nodes[f"rule:{rule_id}"]
        return Rule(d["id"], d["domain"], d["category"], d["text"], tuple(d["cues"]), tuple(d["objects"]),
                    d["source"])

    def rules(self) -> list[Rule]:
        """Every rule in the graph (static first, then learned, in insertion order)."""
        return [self.rule(d["id"]) for _, d in self.graph.nodes(data=True) if d.get("kind") == "rule"]

    def _build_index(self) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
        docs = {n: tokens(d["text"]) for n, d in self.graph.nodes(data=True) if d.get("kind") in ("rule", "case")}
        df = Counter(t for words in docs.values() for t in set(words))
        idf = {t: math.log((1 + len(docs)) / (1 + c)) + 1.0 for t, c in df.items()}
        return idf, {n: _unit(words, idf) for n, words in docs.items()}

    def similarities(self, text: str) -> dict[str, float]:
        """Cosine similarity of ``text`` to every rule and case node."""
        if self._index is None:
            self._index = self._build_index()
        idf, vectors = self._index
        query = _unit(tokens(text), idf, default_idf=max(idf.values(), default=1.0))
        return {n: sum(w * vec.get(t, 0.0) for t, w in query.items()) for n, vec in vectors.items()}

    def retrieve(self, text: str, k: int = 3, domain: str | None = None) -> list[Retrieved]:
        """The ``k`` rules most similar to ``text`` (best risky case, or the rule's own text), best first."""
        sims = self.similarities(text)
        best: dict[str, Retrieved] = {}
        for node, score in sims.items():
            data = self.graph.nodes[node]
            if data["kind"] == "rule":
                rule, case = self.rule(data["id"]), ""
            elif data["risky"]:
                owner = next((p for p in self.graph.predecessors(node) if p.startswith("rule:")), None)
                if owner is None:
                    continue
                rule, case = self.rule(self.graph.nodes[owner]["id"]), node
            else:
                continue
            if domain and rule.domain != domain:
                continue
            if rule.id not in best or score > best[rule.id].score:
                best[rule.id] = Retrieved(rule, score, case)
        return sorted(best.values(), key=lambda r: (-r.score, r.rule.id))[:k]

    def match(self, text: str, domain: str | None = None) -> list[Retrieved]:
        """The rules that apply to ``text``, best first.

        Static rules that fire (score 1), then learned rules whose best risky case is at least ``threshold`` similar
        and closer than any safe case.
        """
        out = [Retrieved(r, 1.0) for r in self.rules() if r.cues and (not domain or r.domain == domain)
               and r.fires(text)]
        sims = self.similarities(text)
        safe = max((s for n, s in sims.items() if self.graph.nodes[n].get("risky") is False), default=0.0)
        seen = {r.rule.id for r in out}
        for hit in self.retrieve(text, k=5, domain=domain):
            if hit.case and hit.rule.id not in seen and hit.score >= self.threshold and hit.score > safe:
                out.append(hit)
                seen.add(hit.rule.id)
        return out

    # persistence ----------------------------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write the graph as JSON (networkx node-link data plus the threshold)."""
        path = Path(path)
        graph = nx.node_link_data(self.graph, name="node", edges="edges")
        data = {"version": 1, "threshold": self.threshold, "graph": graph}
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False))
        return path

    @classmethod
    def load(cls, path: str | Path) -> RuleGraph:
        """Read a graph written by :meth:`save`."""
        data = json.loads(Path(path).read_text())
        out = cls(tree=False, threshold=data["threshold"])
        out.graph = nx.node_link_graph(data["graph"], directed=True, name="node", edges="edges")
        return out

    def stats(self) -> dict[str, int]:
        """Node counts per kind, plus learned rules and edges."""
        counts = Counter(k for _, k in self.graph.nodes(data="kind"))
        counts["learned_rule"] = sum(1 for _, d in self.graph.nodes(data=True) if d.get("source") == "learned")
        counts["edges"] = self.graph.number_of_edges()
        return dict(counts)


def _unit(words: list[str], idf: dict[str, float], default_idf: float | None = None) -> dict[str, float]:
    tf = Counter(words)
    vec = {t: c * idf.get(t, default_idf or 0.0) for t, c in tf.items()}
    vec = {t: v for t, v in vec.items() if v}
    norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {t: v / norm for t, v in vec.items()}
