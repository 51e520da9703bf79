import pytest

from cauarena.agents.llm import ActionParser, extract_action, get_parser, match_action, parse_action

BABYAI = ["turn left", "turn right", "go forward", "pick up", "drop", "toggle"]


@pytest.mark.parametrize(
    "reply, expected",
    [
        ("go forward", "go forward"),
        ("  Go Forward.  ", "go forward"),
        ("Action: turn left", "turn left"),
        ("action : `toggle`", "toggle"),
        ("**Action:** pick up", "pick up"),
        ("Action:\n  drop", "drop"),
        ("Thought: the box is to my left, so I turn.\nAction: turn left", "turn left"),
        ("Thought: I could turn left or go forward.\nAction: go forward", "go forward"),
        ("Thought: first.\nAction: turn right\nThought: again.\nAction: drop", "drop"),
        ('{"action": "pick up"}', "pick up"),
        ('```json\n{"thought": "ahead", "action": "go forward"}\n```', "go forward"),
        ('I answer {"Action": "Turn Right"} now', "turn right"),
        ("turn right\n\nBecause the wall is ahead.", "turn right"),
        ("Let me think about it.\nturn left", "turn left"),
        ("PICK_UP", "pick up"),
        ('"drop"', "drop"),
    ],
)
def test_parse_action_tolerates_common_formats(reply, expected):
    assert parse_action(reply, BABYAI) == expected


@pytest.mark.parametrize(
    "reply",
    [
        "fly to the moon",
        "I think I should go forward and then turn left",  # mentions actions, names none
        "Thought: go forward is tempting.\nAction: jump",  # the named action wins, even when invalid
        "",
        '{"move": "go forward"}',
    ],
)
def test_unparseable_reply_passes_through_raw(reply):
    assert parse_action(reply, BABYAI) == reply.strip()


def test_without_valid_actions_the_formatted_action_or_raw_text_is_returned():
    assert parse_action("Thought: search.\nAction: search[red shoes]") == "search[red shoes]"
    assert parse_action('{"action": "click[Buy Now]"}') == "click[Buy Now]"
    assert parse_action("  free text  ") == "free text"


def test_extract_action_is_none_for_plain_text():
    assert extract_action("go forward") is None
    assert extract_action("Action: go forward") == "go forward"
    assert extract_action('{"action": 3}') == "3"


def test_match_action_returns_the_canonical_spelling():
    assert match_action("GO-FORWARD!", ["Go Forward"]) == "Go Forward"
    assert match_action("nothing", BABYAI) is None


def test_babyai_parser_knows_aliases_and_reads_valid_actions_from_info():
    parser = get_parser("babyai")
    info = {"valid_actions": BABYAI}
    assert parser("Action: forward", info) == "go forward"
    assert parser("left", info) == "turn left"
    assert parser("open", info) == "toggle"
    assert parser("forward", {}) == "forward"  # no list: nothing to map to
    assert get_parser("no-such-family") is get_parser("default")


def test_custom_parser_aliases():
    parser = ActionParser(aliases=(("go", "move"),))
    assert parser("Go.", {"valid_actions": ["move", "stay"]}) == "move"
