"""Suite files may give env kwargs as lists and tables (TOML/JSON have no tuples): they plan, hash and play."""

from cauarena.leaderboards.runner import Runner
from cauarena.leaderboards.store import ResultsStore
from cauarena.leaderboards.suites import get_suite, plan

SUITE = """
name = "listkw"
seeds = 2
agents = ["random"]
[[envs]]
id = "cauarena/KGQA-v0"
kwargs = { world_size = "tiny", hops = [1, 2] }
"""


def test_a_list_valued_kwarg_from_a_suite_file_is_planned_and_played(tmp_path):
    path = tmp_path / "listkw.toml"
    path.write_text(SUITE)
    suite = get_suite(str(path))
    episodes = plan(suite)
    assert len(episodes) == 2 and len(set(episodes)) == 2 and len(set(suite.envs)) == 1
    store = ResultsStore(tmp_path / "out")
    Runner(store, workers=0).run(episodes)
    results = store.results()
    assert len(results) == 2 and all(r.error_kind == "none" for r in results)
    assert all(r.env_kwargs["hops"] == [1, 2] and r.metrics["hops"] in (1.0, 2.0) for r in results)
