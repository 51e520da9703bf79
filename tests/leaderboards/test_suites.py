import pytest

from cauarena.errors import ConfigError, EnvNotFound, NameNotFound
from cauarena.leaderboards.suites import EnvSpec, Suite, get_suite, load_suite_file, plan


def test_builtin_suites_plan_unique_keys():
    for name in ("smoke", "default"):
        episodes = plan(get_suite(name))
        assert episodes and len({e.key for e in episodes}) == len(episodes)


def test_plan_is_deterministic_and_skips_unserved_agents():
    suite = Suite("t", envs=(EnvSpec("cauarena/BabyAI-GoToLocal-Text-v0"),), agents=("oracle", "random"), seeds=3,
                  repeats=2)
    first, second = plan(suite), plan(suite)
    assert [e.key for e in first] == [e.key for e in second] and len(first) == 12
    # the BabyAI oracle does not serve the testing family
    import arenakit  # noqa: F401

    other = Suite("t", envs=(EnvSpec("arenakit/Count-v0"),), agents=("oracle", "random"), seeds=2)
    assert {e.agent for e in plan(other)} == {"random"}


def test_unknown_suite_and_env_say_did_you_mean():
    with pytest.raises(NameNotFound, match="Did you mean: 'smoke'"):
        get_suite("smok")
    with pytest.raises(EnvNotFound, match="Did you mean"):
        Suite("t", envs=(EnvSpec("cauarena/BabyAI-GoToLocl-Text-v0"),), agents=("random",))


def test_invalid_suites_explain_the_fix(tmp_path):
    with pytest.raises(ConfigError, match="no agents"):
        Suite("t", envs=(EnvSpec("cauarena/BabyAI-GoTo-Text-v0"),), agents=())
    bad = tmp_path / "bad.toml"
    bad.write_text("envs = ['cauarena/BabyAI-GoTo-Text-v0']\nagents = ['random']\nseedz = 3\n")
    with pytest.raises(ConfigError, match=r"seedz: unknown key; did you mean 'seeds'\?"):
        load_suite_file(bad)
    broken = tmp_path / "broken.toml"
    broken.write_text("envs = [")
    with pytest.raises(ConfigError, match="Cannot read suite file"):
        load_suite_file(broken)


def test_suite_file_with_kwargs(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('agents = ["random"]\nseeds = 2\n[[envs]]\nid = "cauarena/BabyAI-GoTo-Text-v0"\n'
                    'kwargs = {max_steps = 10}\n')
    suite = get_suite(str(path))
    assert suite.name == "mine" and suite.envs[0].kwargs_dict == {"max_steps": 10}


def test_agent_envs_restricts_an_agent(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text('agents = ["random", "oracle"]\nenvs = ["cauarena/BabyAI-GoTo-Text-v0", '
                    '"cauarena/BabyAI-GoToLocal-Text-v0"]\n[agent_envs]\noracle = ["cauarena/BabyAI-GoTo-Text-v0"]\n')
    episodes = plan(get_suite(str(path)))
    assert {(e.agent, e.env_id.split("/")[1]) for e in episodes} == {
        ("random", "BabyAI-GoTo-Text-v0"), ("random", "BabyAI-GoToLocal-Text-v0"), ("oracle", "BabyAI-GoTo-Text-v0")}
    with pytest.raises(ConfigError, match="not in the suite"):
        Suite("t", envs=(EnvSpec("cauarena/BabyAI-GoTo-Text-v0"),), agents=("random",),
              agent_envs=(("random", ("cauarena/BabyAI-Pickup-Text-v0",)),))
