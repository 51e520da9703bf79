from cauarena.leaderboards.suites import get_suite, plan


def test_causal_suite_covers_both_envs_and_every_causal_agent():
    suite = get_suite("causal")
    episodes = plan(suite)
    assert len({e.key for e in episodes}) == len(episodes)
    assert {e.env_id for e in episodes} == {"cauarena/CausalDiscovery-v0", "cauarena/CauScientist-v0"}
    assert {e.agent for e in episodes} == {
        "oracle", "random", "corr", "precision", "pc", "ges", "lingam", "notears", "causcientist-greedy", "causcale"}
    graphs = {dict(e.env_kwargs).get("graph", "er") for e in episodes}
    assert {"er", "sf", "asia", "sachs", "child"} <= graphs


def test_smoke_plays_the_causal_envs_with_their_oracle():
    pairs = {(e.env_id, e.agent) for e in plan(get_suite("smoke"))}
    assert ("cauarena/CausalDiscovery-v0", "oracle") in pairs and ("cauarena/CauScientist-v0", "random") in pairs
