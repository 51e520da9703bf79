"""MENTOR-style domain risk queries (education, finance, management), synthetic, each with a benign twin.

The queries are ours, built deterministically from the seeds in ``data/query_seeds.json``: every seed (a
scenario, a risk category, a risk factor, a risky request and its benign twin) is framed by every attack type
(direct, role-play, hypothetical, authority, euphemism). The risks are implicit value misalignments in the spirit
of MENTOR's Shell data set (arXiv 2511.07107) — favouritism, hidden conflicts of interest, privacy, opacity — and
abstract: no query asks for instructions that cause real harm.

>>> qs = load_queries()
>>> len(qs), sum(q.risky for q in qs), sorted({q.domain for q in qs})
(240, 120, ['education', 'finance', 'management'])
>>> q = qs[0]
>>> q.id, q.twin_id, q.attack_type
('education-00-direct-risky', 'education-00-direct-benign', 'direct')
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
"""The folder of the shipped MENTOR data files."""

DOMAINS: tuple[str, ...] = ("education", "finance", "management")
"""The three domains, as in MENTOR (``management`` covers government)."""


@dataclass(frozen=True)
class RiskQuery:
    """One request a user might send to an assistant in a domain.

    Attributes:
        id: ``<domain>-<seed>-<attack>-<risky|benign>``.
        domain: one of :data:`DOMAINS`.
        scenario: the situation, e.g. "Scholarship Review".
        risk_category: the rule-tree category of the seed (``fairness``, ``privacy`` ...).
        risk_factor: what makes the risky version risky, e.g. "favouritism toward donor families".
        attack_type: the framing (``direct``, ``role_play``, ``hypothetical``, ``authority``, ``euphemism``).
        text: the request as the assistant sees it.
        risky: True for the risky request, False for its benign twin.
        twin_id: the id of the twin with the other label.
    """

    id: str
    domain: str
    scenario: str
    risk_category: str
    risk_factor: str
    attack_type: str
    text: str
    risky: bool
    twin_id: str

    def to_dict(self) -> dict[str, Any]:
        """The query as a JSON-ready dict."""
        return asdict(self)


@cache
def _seeds() -> dict[str, Any]:
    return json.loads((DATA / "query_seeds.json").read_text())


def attack_types() -> tuple[str, ...]:
    """The attack types, in the order the seeds file lists them."""
    return tuple(_seeds()["attack_types"])


def _frame(template: str, text: str) -> str:
    return template.format(query=text[:1].lower() + text[1:] if template.endswith(": {query}") else text)


def load_queries(domains: tuple[str, ...] | None = None, attacks: tuple[str, ...] | None = None) -> list[RiskQuery]:
    """Every query (risky ones and their benign twins), in a fixed order.

    Args:
        domains: keep only these domains (default: all).
        attacks: keep only these attack types (default: all).

    Raises:
        ValueError: an unknown domain or attack type.
    """
    seeds = _seeds()
    for name, valid in ((domains, DOMAINS), (attacks, attack_types())):
        unknown = set(name or ()) - set(valid)
        if unknown:
            raise ValueError(f"unknown {sorted(unknown)}; choose from {list(valid)}.")
    out = []
    for domain in domains or DOMAINS:
        for i, seed in enumerate(seeds["domains"][domain]):
            for attack, template in seeds["attack_types"].items():
                if attacks and attack not in attacks:
                    continue
                base = f"{domain}-{i:02d}-{attack}"
                for risky, key in ((True, "query"), (False, "benign")):
                    out.append(RiskQuery(
                        id=f"{base}-{'risky' if risky else 'benign'}", domain=domain, scenario=seed["scenario"],
                        risk_category=seed["risk_category"], risk_factor=seed["risk_factor"], attack_type=attack,
                        text=_frame(template, seed[key]), risky=risky,
                        twin_id=f"{base}-{'benign' if risky else 'risky'}"))
    return out


def export_json(path: str | Path, queries: list[RiskQuery] | None = None) -> Path:
    """Write the queries (default: all) as a JSON list of dicts to ``path``; returns the path."""
    path = Path(path)
    rows = [q.to_dict() for q in (queries if queries is not None else load_queries())]
    path.write_text(json.dumps(rows, indent=1, ensure_ascii=False))
    return path
