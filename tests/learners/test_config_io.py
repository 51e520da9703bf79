from dataclasses import dataclass

import pytest

from cauarena.errors import ConfigError
from cauarena.learners import config_io


def test_overrides_need_key_value():
    with pytest.raises(ConfigError, match="--set takes key=value; got 'epochs'"):
        config_io.parse_overrides(["epochs"])


def test_unknown_keys_are_named_with_the_known_ones():
    @dataclass
    class Small:
        a: int = 1

    config_io.reject_unknown_keys(Small, {"a": 2})
    with pytest.raises(ConfigError, match=r"Unknown Small keys \['b'\]. Known: a."):
        config_io.reject_unknown_keys(Small, {"a": 2, "b": 3})
