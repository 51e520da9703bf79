"""The hf/ backend on a tiny random Llama with a BPE tokenizer trained here (offline, a few seconds)."""

import pytest

pytest.importorskip("transformers")
pytest.importorskip("tokenizers")

from cauarena.agents.llm import BackendError, make_backend, make_chat_agent  # noqa: E402
from cauarena.agents.llm.backends.hf import SIMPLE_CHAT_TEMPLATE  # noqa: E402

pytestmark = pytest.mark.slow  # imports torch and transformers (~4 s cold)

CORPUS = [
    "Mission: go to the red ball",
    "You see a wall 2 steps forward",
    "You see a grey key 1 step left and 3 steps forward",
    "turn left", "turn right", "go forward", "pick up", "drop", "toggle",
    "Observation: Valid actions: Answer with one action from the list.",
    "<|system|> <|user|> <|assistant|>",
]


def build_checkpoint(path, chat_template=None, context=512):
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=300, special_tokens=["<unk>", "<s>", "</s>", "<pad>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(CORPUS * 10, trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token="<s>", eos_token="</s>", pad_token="<pad>", unk_token="<unk>"
    )
    if chat_template:
        tokenizer.chat_template = chat_template
    tokenizer.save_pretrained(path)
    config = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=context,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(0)
    LlamaForCausalLM(config).save_pretrained(path)
    return tokenizer


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    path = tmp_path_factory.mktemp("tiny-llama")
    return path, build_checkpoint(path)


MESSAGES = [
    {"role": "system", "content": "You are an agent."},
    {"role": "user", "content": "You see a wall 2 steps forward"},
    {"role": "assistant", "content": "turn left"},
    {"role": "user", "content": "You see a grey key"},
]


def test_fallback_template_and_exact_token_counts(checkpoint):
    path, tokenizer = checkpoint
    backend = make_backend(f"hf/{path}")
    assert backend.uses_fallback_template and backend.context_length == 512
    prompt = backend.render_prompt(MESSAGES)
    assert prompt == (
        "<s><|system|>\nYou are an agent.\n<|user|>\nYou see a wall 2 steps forward\n"
        "<|assistant|>\nturn left</s>\n<|user|>\nYou see a grey key\n<|assistant|>\n"
    )
    reply = backend.generate(MESSAGES, max_tokens=6)
    assert reply.prompt_tokens == len(tokenizer(prompt, add_special_tokens=False)["input_ids"])
    assert reply.prompt_tokens == backend.count_message_tokens(MESSAGES)
    assert 1 <= reply.completion_tokens <= 6
    assert "<|" not in reply.text  # the fallback stop


def test_greedy_is_deterministic_and_seeded_sampling_reproducible(checkpoint):
    backend = make_backend(f"hf/{checkpoint[0]}")
    assert backend.generate(MESSAGES, max_tokens=8).text == backend.generate(MESSAGES, max_tokens=8).text
    sample = [backend.generate(MESSAGES, max_tokens=8, temperature=1.0, seed=s).text for s in (1, 1, 2, 3)]
    assert sample[0] == sample[1]
    assert len(set(sample)) > 1  # other seeds, other samples (random weights: near-uniform)


def test_tokenizer_chat_template_is_used_when_present(tmp_path):
    template = "{% for m in messages %}[{{ m['role'] }}] {{ m['content'] }} {% endfor %}[assistant]"
    build_checkpoint(tmp_path, chat_template=template)
    backend = make_backend(f"hf/{tmp_path}")
    assert not backend.uses_fallback_template
    rendered = backend.render_prompt(MESSAGES[:2])
    assert rendered == "[system] You are an agent. [user] You see a wall 2 steps forward [assistant]"


def test_saved_simple_template_renders_like_the_fallback(checkpoint, tmp_path):
    build_checkpoint(tmp_path, chat_template=SIMPLE_CHAT_TEMPLATE)
    saved = make_backend(f"hf/{tmp_path}")
    assert not saved.uses_fallback_template
    assert saved.render_prompt(MESSAGES) == make_backend(f"hf/{checkpoint[0]}").render_prompt(MESSAGES)


def test_chat_agent_on_hf_with_cache(checkpoint, tmp_path):
    agent = make_chat_agent(f"hf/{checkpoint[0]}", family="babyai", max_tokens=4, cache_dir=tmp_path / "c")
    assert agent.max_prompt_tokens == 512 - 4  # capped by the model's context
    info = {"valid_actions": ["turn left", "go forward"], "mission": "go to the red ball"}
    agent.reset(seed=0)
    action = agent.act("You see a wall 2 steps forward", info)
    assert isinstance(action, str)
    usage = agent.last_usage
    assert usage.prompt_tokens <= 508 and 1 <= usage.completion_tokens <= 4 and not usage.cached
    agent.reset(seed=0)
    assert agent.act("You see a wall 2 steps forward", info) == action and agent.last_usage.cached
    identity = agent.backend.cache_identity()
    assert identity.startswith(f"hf/{checkpoint[0]}#")


def test_a_prompt_that_cannot_fit_the_context_is_a_readable_error(checkpoint):
    agent = make_chat_agent(f"hf/{checkpoint[0]}", family="babyai", max_tokens=450)
    agent.reset(seed=0)
    with pytest.raises(BackendError, match=r"overflows the model's context of 512\. Fix:"):
        agent.act("You see a wall 2 steps forward", {"valid_actions": ["turn left", "go forward"]})
