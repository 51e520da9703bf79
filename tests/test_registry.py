import warnings

import pytest

from cauarena.errors import ConfigError, NameNotFound
from cauarena.registry import Entry, Registry, load


def make_registry(**kwargs):
    registry = Registry("widget", hint="`cauarena widgets` lists them.", **kwargs)
    registry.add(Entry("plain", "collections:OrderedDict"))
    registry.add(Entry("oracle", "collections:Counter", ("babyai", "web*")))
    return registry


def test_find_picks_the_entry_that_serves_the_family_and_the_latest_wins():
    registry = make_registry()
    assert registry.find("oracle", "webshop").target == "collections:Counter"
    registry.add(Entry("oracle", "collections:deque", ("webshop",)))
    assert registry.find("oracle", "webshop").target == "collections:deque"
    assert registry.find("oracle", "babyai").target == "collections:Counter"
    assert registry.serves("oracle", "babyai") and not registry.serves("oracle", "magic")
    assert not registry.serves("nobody", "babyai")


def test_unknown_names_and_unserved_families_say_what_to_do():
    registry = make_registry()
    with pytest.raises(NameNotFound, match="oracel.*oracle"):
        registry.find("oracel", "babyai")
    with pytest.raises(ConfigError, match=r"no implementation for env family 'magic'.*\['babyai', 'web\*'\]"):
        registry.find("oracle", "magic")


def test_reregistering_warns_only_when_the_entry_changes():
    registry = make_registry()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        registry.add(Entry("plain", "collections:OrderedDict"))  # same entry: no-op, no warning
    with pytest.warns(UserWarning, match="Overriding widget 'plain'"):
        registry.add(Entry("plain", "collections:deque"))
    assert [e.target for e in registry.entries("plain")] == ["collections:deque"]
    strict = make_registry(on_change="error")
    with pytest.raises(ConfigError, match="register it under another name"):
        strict.add(Entry("plain", "collections:deque"))


def test_make_loads_module_attr_targets_and_takes_objects_as_they_are():
    registry = make_registry()
    assert registry.make("oracle", "babyai", a=2) == {"a": 2}
    registry.add(Entry("obj", dict))
    assert registry.make("obj", "any", b=1) == {"b": 1}


def test_snapshot_restores_the_entries():
    registry = make_registry()
    with registry.snapshot():
        registry.add(Entry("temp", "collections:deque"))
        registry.remove("plain")
        assert "temp" in registry and "plain" not in registry
    assert "temp" not in registry and "plain" in registry and len(registry) == 2


def test_load_reports_bad_specs_with_the_fix():
    with pytest.raises(ConfigError, match="Expected 'module.path:attr'"):
        load("no_colon")
    with pytest.raises(ConfigError, match="Cannot import module 'no_such_mod_xyz'.*Fix"):
        load("no_such_mod_xyz:thing")
    with pytest.raises(ConfigError, match="has no attribute 'nothing'"):
        load("collections:nothing")
    assert load("os.path:join") is __import__("os").path.join


def test_a_view_reads_and_writes_the_registry_as_a_dict():
    registry = make_registry()
    view = registry.view(value=lambda e: e.target, wrap=Entry)
    assert list(view) == ["plain", "oracle"] and view["oracle"] == "collections:Counter" and len(view) == 2
    view["extra"] = "collections:deque"
    assert registry.find("extra").target == "collections:deque"
    with pytest.warns(UserWarning, match="Overriding widget 'extra'"):
        view["extra"] = "collections:OrderedDict"
    del view["extra"]
    assert "extra" not in registry and view.get("extra") is None
    with pytest.raises(KeyError):
        del view["extra"]
    entries = registry.view()
    with pytest.raises(ConfigError, match="under the key 'other'"):
        entries["other"] = Entry("plain", "collections:deque")
