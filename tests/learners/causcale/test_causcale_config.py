import pytest

from cauarena.errors import ConfigError
from cauarena.learners.causcale import CauScaleConfig


def test_defaults_validate_and_round_trip_through_json_ready_dicts():
    config = CauScaleConfig()
    assert CauScaleConfig.from_dict(config.to_dict()) == config


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("dim", 30, "divisible by heads"),
        ("attention", "sparse", "attention must be one of tied, untied"),
        ("dropout", 1.0, "dropout"),
        ("curriculum", ((0.5, 5, 10, ("linear",)),), "must end at fraction 1.0"),
        ("curriculum", ((1.0, 5, 10, ("sigmoid_add",)),), "subset of"),
        ("degree_range", (3.0, 1.0), "degree_range"),
    ],
)
def test_bad_fields_raise_with_a_fix(field, value, match):
    with pytest.raises(ConfigError, match=match):
        CauScaleConfig(**{field: value})


def test_unknown_keys_are_named():
    with pytest.raises(ConfigError, match="Unknown CauScaleConfig keys"):
        CauScaleConfig.from_dict({"hidden": 3})


def test_reduction_schedule_follows_the_published_rule():
    published = CauScaleConfig(blocks=10, reduce_from=2, reduce_every=2)
    assert [b for b in range(10) if published.reduces_after(b)] == [2, 4, 6, 8]
