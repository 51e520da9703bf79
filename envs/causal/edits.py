"""CauScientist's edit language: parse an edit, check it against the current graph, apply it.

Text form (case-insensitive keywords, variable names as shown; ``->`` or ``→`` between them)::

    ADD a -> b        REMOVE a -> b        REVERSE a -> b        STOP
    PRIOR a -> b, c -> d        (a whole initial graph; only as the first action)

Structured form: ``{"op": "ADD", "source": "a", "target": "b"}``, ``{"op": "STOP"}``,
``{"op": "PRIOR", "edges": [["a", "b"], ["c", "d"]]}``.

Every problem raises :class:`EditError` whose message is the reason shown to the agent.

>>> names = ("smoke", "lung", "xray")
>>> parse_edit("ADD smoke -> lung", names)
Edit(op='ADD', source=0, target=1, edges=())
>>> check_edit(parse_edit("ADD lung -> lung", names), np.zeros((3, 3), dtype=np.int8), names)
Traceback (most recent call last):
...
cauarena.envs.causal.edits.EditError: ADD lung -> lung is a self-loop: an edge joins two different variables.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from cauarena.envs._actions import safe_repr, structure_problem, text_action, type_name
from cauarena.envs.causal.graphs import find_path, is_dag
from cauarena.errors import CauArenaError

OPS = ("ADD", "REMOVE", "REVERSE", "STOP", "PRIOR")
EDGE_OPS = ("ADD", "REMOVE", "REVERSE")
SYNTAX = "ADD a -> b, REMOVE a -> b, REVERSE a -> b, or STOP"
_ARROW = r"(?:->|\u2192)"
_ARROW_RE = re.compile(_ARROW)
_EDGE_OP = re.compile(r"(ADD|REMOVE|REVERSE)\s", re.IGNORECASE)
_PRIOR = re.compile(r"PRIOR\b", re.IGNORECASE)
EDIT_MAX_LENGTH = 16384
"""Longest text edit read (a PRIOR over alarm's 46 edges fits in ~1,500 characters); longer is invalid."""
NAME_MAX_LENGTH = 256
"""Longest variable name looked up (close-name suggestions are skipped past it)."""
_TRIM = " \t\r\n.;`*\"'"


class EditError(CauArenaError, ValueError):
    """An edit the env rejects without scoring it; the message is the reason the agent reads."""


@dataclass(frozen=True)
class Edit:
    """One proposal.

    Attributes:
        op: ``ADD``, ``REMOVE``, ``REVERSE``, ``STOP`` or ``PRIOR``.
        source: index of the edge's source (edge ops), else -1.
        target: index of the edge's target (edge ops), else -1.
        edges: the prior's edges as index pairs (``PRIOR``), else empty.
    """

    op: str
    source: int = -1
    target: int = -1
    edges: tuple[tuple[int, int], ...] = ()

    def describe(self, names: Sequence[str]) -> str:
        """The edit in the text form (``ADD smoke -> lung``)."""
        if self.op in EDGE_OPS:
            return f"{self.op} {names[self.source]} -> {names[self.target]}"
        if self.op == "PRIOR":
            return "PRIOR " + ", ".join(f"{names[a]} -> {names[b]}" for a, b in self.edges)
        return self.op


def shorten(text: str, limit: int = 80) -> str:
    """Printable-ASCII ``text`` cut to ``limit`` characters (for echoing an agent's action back)."""
    clean = "".join(c if 32 <= ord(c) < 127 else "?" for c in text)
    return clean if len(clean) <= limit else clean[: limit - 3] + "..."


def _resolve(name: Any, names: Sequence[str], edit_text: str) -> int:
    if type(name) is not str:
        raise EditError(f"Variable names are strings; got {safe_repr(name, 40)} in {edit_text}.")
    name = name.strip(_TRIM)
    if name in names:
        return names.index(name)
    folded = [i for i, v in enumerate(names) if v.lower() == name.lower()]
    if len(folded) == 1:
        return folded[0]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6) if len(name) <= NAME_MAX_LENGTH else []
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    shown = ", ".join(names) if len(names) <= 40 else ", ".join(names[:40]) + ", ..."
    raise EditError(f'Unknown variable "{shorten(name, 40)}" in {edit_text}.{hint} Variables: {shown}.')


def _parse_prior(body: str, names: Sequence[str], shown: str) -> Edit:
    pairs = []
    for chunk in re.split(r"[,;\n]+", body.lstrip(" :")):
        if not chunk.strip(_TRIM + " "):
            continue
        parts = _ARROW_RE.split(chunk, maxsplit=2)
        if len(parts) != 2:
            shown_edge = shorten(chunk.strip(), 40)
            raise EditError(f'Could not read the prior edge "{shown_edge}": write PRIOR a -> b, c -> d.')
        pairs.append((parts[0], parts[1]))
    return Edit("PRIOR", edges=tuple((_resolve(a, names, shown), _resolve(b, names, shown)) for a, b in pairs))


def _parse_text(action: str, names: Sequence[str]) -> Edit:
    """Parse a text edit in linear time (no backtracking regex: the text is the agent's)."""
    text = action.strip().strip(_TRIM).strip()
    shown = f'"{shorten(text)}"'
    if text.upper() == "STOP":
        return Edit("STOP")
    if _PRIOR.match(text):
        return _parse_prior(text[5:], names, shown)
    op = _EDGE_OP.match(text)
    parts = _ARROW_RE.split(text[op.end() :], maxsplit=1) if op else []
    if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
        raise EditError(f"Could not parse {shown}. Write one edit: {SYNTAX}.")
    return Edit(op.group(1).upper(), _resolve(parts[0].strip(), names, shown), _resolve(parts[1].strip(), names, shown))


def _shown_mapping(action: dict[Any, Any]) -> str:
    """A short rendering of a (checked, plain) dict edit: its first keys and values, never a full repr."""
    items = list(dict.items(action))[:4]
    body = ", ".join(f"{safe_repr(k, 20)}: {safe_repr(v, 30)}" for k, v in items)
    return shorten("{" + body + (", ...}" if len(action) > 4 else "}"), 80)


def _parse_mapping(action: dict[Any, Any], names: Sequence[str]) -> Edit:
    shown = _shown_mapping(action)
    op = action.get("op")
    if not isinstance(op, str) or op.upper() not in OPS:
        raise EditError(
            f'A structured edit is {{"op": "ADD"|"REMOVE"|"REVERSE", "source": name, "target": name}} or '
            f'{{"op": "STOP"}}; got {shown}.'
        )
    op = op.upper()
    if op == "STOP":
        return Edit("STOP")
    if op == "PRIOR":
        edges = action.get("edges")
        if type(edges) not in (list, tuple) or not all(type(e) in (list, tuple) and len(e) == 2 for e in edges):
            raise EditError(f'A structured prior is {{"op": "PRIOR", "edges": [[a, b], ...]}}; got {shown}.')
        return Edit("PRIOR", edges=tuple((_resolve(a, names, shown), _resolve(b, names, shown)) for a, b in edges))
    return Edit(op, _resolve(action.get("source"), names, shown), _resolve(action.get("target"), names, shown))


def parse_edit(action: Any, names: Sequence[str]) -> Edit:
    """Parse a text or structured edit; variable names are resolved to indices.

    Text is read through ``str``'s own methods and up to :data:`EDIT_MAX_LENGTH` characters; a dict must be a
    plain ``dict`` of plain values (at most 4 levels, 10,000 items), so no agent code runs while it is read.

    Raises:
        EditError: malformed text, an unknown variable, or a wrong type or size; the message says the fix.
    """
    if isinstance(action, str):
        text, reason = text_action(action, EDIT_MAX_LENGTH)
        if text is None:
            raise EditError(f"The edit is too long: {reason}. Write one edit: {SYNTAX}.")
        return _parse_text(text, names)
    if type(action) is dict:
        problem = structure_problem(action, max_depth=4, max_items=10_000, max_text=NAME_MAX_LENGTH * 4)
        if problem:
            raise EditError(f"A structured edit is a small dict of names; this one cannot be read: {problem}.")
        return _parse_mapping(action, names)
    kind = "a dict subclass" if isinstance(action, Mapping) else type_name(action)
    raise EditError(f"An edit is text ({SYNTAX}) or a plain dict; got {kind} {safe_repr(action, 60)}.")


def _cycle_text(adj: np.ndarray, source: int, target: int, names: Sequence[str]) -> str:
    path = find_path(adj, target, source)
    return " -> ".join(names[i] for i in path) if path else ""


def check_edit(edit: Edit, adj: np.ndarray, names: Sequence[str]) -> None:
    """Check an edge edit against the current graph ``adj``.

    Raises:
        EditError: self-loop, duplicate edge, missing edge, or a cycle (the message shows the path).
    """
    if edit.op not in EDGE_OPS:
        return
    a, b, text = edit.source, edit.target, edit.describe(names)
    if a == b:
        raise EditError(f"{text} is a self-loop: an edge joins two different variables.")
    if edit.op == "ADD":
        if adj[a, b]:
            raise EditError(f"{text}: the edge {names[a]} -> {names[b]} is already in the graph (duplicate).")
        if adj[b, a]:
            raise EditError(
                f"{text}: the graph already has {names[b]} -> {names[a]}; use REVERSE {names[b]} -> {names[a]}."
            )
        path = _cycle_text(adj, a, b, names)
        if path:
            raise EditError(f"{text} would create a cycle: the graph already has the path {path}.")
        return
    if not adj[a, b]:
        hint = f" (it has {names[b]} -> {names[a]})" if adj[b, a] else ""
        raise EditError(f"{text}: there is no edge {names[a]} -> {names[b]} in the graph{hint}.")
    if edit.op == "REVERSE":
        rest = adj.copy()
        rest[a, b] = 0
        path = _cycle_text(rest, b, a, names)
        if path:
            raise EditError(f"{text} would create a cycle: the graph also has the path {path}.")


def prior_adjacency(edit: Edit, n: int, names: Sequence[str]) -> np.ndarray:
    """The prior's adjacency matrix.

    Raises:
        EditError: a self-loop, a duplicate, or a cycle in the prior.
    """
    adj = np.zeros((n, n), dtype=np.int8)
    for a, b in edit.edges:
        if a == b:
            raise EditError(f"PRIOR: {names[a]} -> {names[a]} is a self-loop.")
        if adj[a, b] or adj[b, a]:
            raise EditError(f"PRIOR: the pair {names[a]}, {names[b]} appears twice.")
        adj[a, b] = 1
    if not is_dag(adj):
        raise EditError("PRIOR: the proposed graph has a cycle; a prior must be a DAG.")
    return adj


def apply_edit(adj: np.ndarray, edit: Edit) -> np.ndarray:
    """A new adjacency matrix with the (checked) edge edit applied."""
    new = adj.copy()
    a, b = edit.source, edit.target
    if edit.op == "ADD":
        new[a, b] = 1
    elif edit.op == "REMOVE":
        new[a, b] = 0
    elif edit.op == "REVERSE":
        new[a, b], new[b, a] = 0, 1
    return new


def parent_changes(adj: np.ndarray, edit: Edit) -> dict[int, tuple[int, ...]]:
    """The nodes whose parent sets an edge edit changes, with their new parent sets (for a BIC delta)."""
    new = apply_edit(adj, edit)
    nodes = {edit.target} if edit.op in ("ADD", "REMOVE") else {edit.source, edit.target}
    return {j: tuple(int(p) for p in np.flatnonzero(new[:, j])) for j in nodes}
