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
        ("anneal_steps", -1, "anneal_steps must be an int >= 0"),
        ("min_learning_rate", 1e-2, "0 < min_learning_rate <= learning_rate"),
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


def test_the_anneal_holds_the_rate_then_decays_it_to_the_floor_at_the_last_step():
    from cauarena.learners.causcale.train import learning_rate_at

    config = CauScaleConfig(steps=100, anneal_steps=20, learning_rate=1e-3, min_learning_rate=1e-5)
    rates = [learning_rate_at(config, step) for step in range(100)]
    assert rates[:81] == [1e-3] * 81 and rates[-1] == pytest.approx(1e-5)
    assert all(a > b for a, b in zip(rates[80:], rates[81:], strict=False))  # strictly falling once it starts
    assert rates[90] == pytest.approx((1e-3 + 1e-5) / 2, rel=0.1)  # the cosine passes its middle near 89.5
    constant = CauScaleConfig(steps=100, anneal_steps=0)
    assert {learning_rate_at(constant, step) for step in range(100)} == {1e-3}
    short = CauScaleConfig(steps=10)  # the default 3,000-step anneal spans all of a 10-step run
    assert learning_rate_at(short, 0) == 1e-3 and learning_rate_at(short, 9) == pytest.approx(1e-5)
