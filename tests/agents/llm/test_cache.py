import time

from cauarena.agents.llm import CachedBackend, ResponseCache, make_backend, make_chat_agent
from cauarena.agents.llm.cache import cache_key

MSGS = [{"role": "user", "content": "hello"}]


def key(**overrides):
    params = {"max_tokens": 8, "temperature": 0.0, "seed": None, "stop": []}
    return cache_key("mock/x", MSGS, **{**params, **overrides})


def test_cache_key_covers_decoding_and_skips_unseeded_sampling():
    assert key() == key(seed=3)  # greedy ignores the seed
    assert key() != key(max_tokens=9) != key(stop=["\n"])
    assert key(temperature=0.7, seed=1) != key(temperature=0.7, seed=2)
    assert key(temperature=0.7, seed=None) is None
    assert cache_key("mock/y", MSGS, max_tokens=8, temperature=0.0, seed=None, stop=[]) != key()


def test_response_cache_round_trip_and_counts(tmp_path):
    backend = make_backend("mock/s", replies=["a b", "c"])
    cached = CachedBackend(backend, ResponseCache(tmp_path / "cache"))
    first = cached.generate(MSGS)
    again = cached.generate(MSGS)
    assert (first.text, first.cached) == ("a b", False)
    assert (again.text, again.cached, again.completion_tokens) == ("a b", True, 2)
    assert backend.calls == 1
    assert cached.cache.stats() == {"hits": 1, "misses": 1, "entries": 1}
    assert (tmp_path / "cache" / "responses.sqlite").is_file()
    sampled = [cached.generate(MSGS, temperature=1.0).text for _ in range(2)]  # unseeded: never cached
    assert sampled == ["c", "a b"] and backend.calls == 3
    reopened = ResponseCache(tmp_path / "cache")  # another process, a resumed run
    stored = cache_key(backend.cache_identity(), MSGS, max_tokens=256, temperature=0.0, seed=None, stop=[])
    assert len(reopened) == 1 and reopened.get(stored).text == "a b"


def test_rerun_hits_the_cache_with_identical_replies_and_a_speed_up(tmp_path):
    def episode():
        agent = make_chat_agent("mock/slow", family="babyai", delay_s=0.05, cache_dir=tmp_path / "cache")
        agent.reset(seed=0)
        info = {"valid_actions": ["turn left", "go forward"]}
        start = time.perf_counter()
        actions, usages = [], []
        for t in range(4):
            actions.append(agent.act(f"observation {t}", info))
            usages.append(agent.last_usage)
        return actions, usages, time.perf_counter() - start, agent.backend.cache

    actions, usages, cold, cache = episode()
    again, usages2, warm, cache2 = episode()
    assert again == actions
    assert not any(u.cached for u in usages) and all(u.cached for u in usages2)
    assert [u.prompt_tokens for u in usages2] == [u.prompt_tokens for u in usages]
    assert cache.stats()["misses"] == 4 and cache2.stats()["hits"] == 4
    assert warm < cold / 3


def test_no_cache_dir_means_no_cache(tmp_path):
    agent = make_chat_agent("mock/first-valid", cache_dir=None)
    assert not isinstance(agent.backend, CachedBackend)


def test_cache_is_usable_from_another_thread(tmp_path):
    import threading

    cached = CachedBackend(make_backend("mock/s", replies=["a"]), ResponseCache(tmp_path))
    cached.generate(MSGS)
    results = []
    worker = threading.Thread(target=lambda: results.append(cached.generate(MSGS)))  # a runner's timeout thread
    worker.start()
    worker.join()
    assert results[0].cached and results[0].text == "a"
