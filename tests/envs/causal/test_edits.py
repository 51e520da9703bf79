
import numpy as np
import pytest

from cauarena.envs.causal.edits import Edit, EditError, apply_edit, check_edit, parse_edit, prior_adjacency

NAMES = ("smoke", "lung", "xray", "Dysp")
GRAPH = np.array([[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0], [0, 0, 0, 0]], dtype=np.int8)  # smoke->lung->xray


@pytest.mark.parametrize(
    ("action", "edit"),
    [
        ("ADD smoke -> xray", Edit("ADD", 0, 2)),
        ("  add smoke->xray. ", Edit("ADD", 0, 2)),
        ("REVERSE lung \u2192 xray", Edit("REVERSE", 1, 2)),
        ("remove smoke -> lung", Edit("REMOVE", 0, 1)),
        ("ADD SMOKE -> dysp", Edit("ADD", 0, 3)),  # names match case-insensitively when unambiguous
        ("stop", Edit("STOP")),
        ({"op": "add", "source": "xray", "target": "Dysp"}, Edit("ADD", 2, 3)),
        ({"op": "STOP"}, Edit("STOP")),
        ("PRIOR smoke -> lung, lung -> xray", Edit("PRIOR", edges=((0, 1), (1, 2)))),
        ("PRIOR", Edit("PRIOR")),
        ({"op": "PRIOR", "edges": [["smoke", "xray"]]}, Edit("PRIOR", edges=((0, 2),))),
    ],
)
def test_parse_text_and_structured_edits(action, edit):
    assert parse_edit(action, NAMES) == edit


@pytest.mark.parametrize(
    ("action", "match"),
    [
        ("jump over the wall", "Could not parse .* Write one edit: ADD a -> b"),
        ("ADD smoke", "Could not parse"),
        ("ADD smokes -> lung", 'Unknown variable "smokes" .* Did you mean: smoke\\?'),
        ("ADD foo -> lung", 'Unknown variable "foo" .* Variables: smoke, lung, xray, Dysp'),
        (42, "An edit is text"),
        (None, "An edit is text"),
        ({"action": "ADD smoke -> lung"}, "A structured edit is"),
        ({"op": "ADD", "source": 1, "target": "lung"}, "Variable names are strings"),
        ("PRIOR smoke lung", "Could not read the prior edge"),
    ],
)
def test_parse_errors_say_the_fix(action, match):
    with pytest.raises(EditError, match=match):
        parse_edit(action, NAMES)


@pytest.mark.parametrize(
    ("action", "match"),
    [
        ("ADD lung -> lung", "self-loop"),
        ("ADD smoke -> lung", "already in the graph \\(duplicate\\)"),
        ("ADD lung -> smoke", "already has smoke -> lung; use REVERSE smoke -> lung"),
        ("ADD xray -> smoke", "would create a cycle: the graph already has the path smoke -> lung -> xray"),
        ("REMOVE smoke -> xray", "there is no edge smoke -> xray"),
        ("REMOVE lung -> smoke", "no edge lung -> smoke in the graph \\(it has smoke -> lung\\)"),
        ("REVERSE xray -> lung", "no edge xray -> lung"),
    ],
)
def test_check_edit_messages(action, match):
    with pytest.raises(EditError, match=match):
        check_edit(parse_edit(action, NAMES), GRAPH, NAMES)


def test_reverse_that_closes_a_cycle_is_rejected():
    graph = GRAPH.copy()
    graph[0, 2] = 1  # smoke -> xray as well: reversing it gives xray -> smoke -> lung -> xray
    with pytest.raises(EditError, match="would create a cycle: the graph also has the path smoke -> lung -> xray"):
        check_edit(Edit("REVERSE", 0, 2), graph, NAMES)


def test_apply_and_prior():
    assert apply_edit(GRAPH, Edit("REVERSE", 0, 1))[1, 0] == 1
    assert apply_edit(GRAPH, Edit("REMOVE", 0, 1)).sum() == 1
    assert prior_adjacency(parse_edit("PRIOR smoke -> lung", NAMES), 4, NAMES).sum() == 1
    with pytest.raises(EditError, match="the proposed graph has a cycle"):
        prior_adjacency(parse_edit("PRIOR smoke -> lung, lung -> xray, xray -> smoke", NAMES), 4, NAMES)
    with pytest.raises(EditError, match="the pair lung, smoke appears twice"):
        prior_adjacency(parse_edit("PRIOR smoke -> lung, lung -> smoke", NAMES), 4, NAMES)
    with pytest.raises(EditError, match="self-loop"):
        prior_adjacency(parse_edit("PRIOR xray -> xray", NAMES), 4, NAMES)
