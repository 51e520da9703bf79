import importlib.util

import pytest

from cauarena.agents.llm import make_backend
from cauarena.errors import DependencyNotInstalled


def test_without_vllm_the_message_names_the_extra(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "vllm", None)
    with pytest.raises(DependencyNotInstalled, match=r"vllm is needed for the vllm/ backend .*cauarena\[vllm\]"):
        make_backend("vllm/any-model")


@pytest.mark.gpu
def test_vllm_generates_on_a_gpu(tmp_path):
    if importlib.util.find_spec("vllm") is None:
        pytest.skip("vllm is not installed (pip install 'cauarena[vllm]')")
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA GPU")
    import os

    model = os.environ.get("CAUARENA_VLLM_MODEL")
    if not model:
        pytest.skip("set CAUARENA_VLLM_MODEL to a local model folder")
    backend = make_backend(f"vllm/{model}", gpu_memory_utilization=0.3, max_model_len=512)
    reply = backend.generate([{"role": "user", "content": "Say hi."}], max_tokens=8, seed=0)
    assert reply.completion_tokens >= 1 and reply.prompt_tokens >= 1
    again = backend.generate([{"role": "user", "content": "Say hi."}], max_tokens=8, seed=0)
    assert again.text == reply.text
