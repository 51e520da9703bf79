import sys

import pytest

from cauarena.agents.llm import BACKENDS, make_backend, register_backend
from cauarena.agents.llm.backends import backend_names, split_spec
from cauarena.agents.llm.backends.mock import MockBackend
from cauarena.errors import ConfigError, DependencyNotInstalled, NameNotFound


def make_echo(model, **kwargs):
    return MockBackend(model, ["echo"], **kwargs)


def not_a_backend(model):
    return object()


def test_builtin_prefixes_and_tiny_entry_point():
    assert {"mock", "hf", "openai", "vllm", "langchain", "tiny"} <= set(backend_names())
    assert BACKENDS["tiny"] == "cauarena.learners.tinylm.backend:make_tiny_backend"


def test_register_backend_by_string():
    register_backend("echo", f"{__name__}:make_echo")
    backend = make_backend("echo/anything")
    assert backend.generate([{"role": "user", "content": "x"}]).text == "echo"
    register_backend("bad", f"{__name__}:not_a_backend")
    with pytest.raises(ConfigError, match="not a ChatBackend"):
        make_backend("bad/x")
    with pytest.raises(ConfigError, match="plain name"):
        register_backend("a/b", "m:f")
    with pytest.raises(ConfigError, match="module.path:factory"):
        register_backend("ok", "no_colon")


def test_unknown_prefix_suggests_close_names():
    with pytest.raises(NameNotFound, match=r"No backend named 'vlm'\. Did you mean: 'vllm'"):
        make_backend("vlm/model")


def test_malformed_specs():
    assert split_spec("hf//abs/path") == ("hf", "/abs/path")
    for spec in ["hf", "hf/", "/model"]:
        with pytest.raises(ConfigError, match="'backend/model'"):
            make_backend(spec)


def test_unimportable_factory_is_a_config_error():
    register_backend("gone", "cauarena.no_such_module:factory")
    with pytest.raises(ConfigError, match="Backend 'gone' of 'gone/x' cannot be loaded"):
        make_backend("gone/x")


@pytest.mark.parametrize(
    "spec, module, extra",
    [
        ("hf/{path}", "transformers", "llm"),
        ("hf/{path}", "torch", "llm"),
        ("openai/gpt-4o-mini", "httpx", "openai"),
        ("langchain/json:loads", "langchain_core.messages", "langchain"),
        ("vllm/some-model", "vllm", "vllm"),
    ],
)
def test_missing_extra_says_which_pip_install_fixes_it(monkeypatch, tmp_path, spec, module, extra):
    (tmp_path / "config.json").write_text("{}")
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` fail
    with pytest.raises(DependencyNotInstalled, match=rf"pip install 'cauarena\[{extra}\]'") as info:
        make_backend(spec.format(path=tmp_path))
    assert module in str(info.value)


def test_hf_needs_a_local_checkpoint_folder(tmp_path):
    with pytest.raises(ConfigError, match="not a checkpoint folder .* never from a hub"):
        make_backend(f"hf/{tmp_path}/nothing-here")
