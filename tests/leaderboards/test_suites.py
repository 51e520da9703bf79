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


# ---------------------------------------------------------------- strict suite files: one line with the path each

GOTO = "cauarena/BabyAI-GoTo-Text-v0"
HEAD = f'agents = ["random", "oracle"]\nenvs = ["{GOTO}"]\n'


def _load_toml(tmp_path, text, name="s.toml"):
    path = tmp_path / name
    path.write_text(text)
    return load_suite_file(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f'agents = ["random"]\n[[envs]]\nid = "{GOTO}"\n[[envs]]\nid = "{GOTO}"\nkwrags = {{max_steps = 5}}\n',
         r"envs\[1\]\.kwrags: unknown key; did you mean 'kwargs'\?"),
        (HEAD + "seedz = 3\n", r"seedz: unknown key; did you mean 'seeds'\?"),
        (HEAD + 'seeds = "3"\n', r"seeds: expected an integer >= 1; got '3' \(a string\)\. Fix: write it without"),
        (HEAD + "seeds = true\n", r"seeds: expected an integer >= 1; got True \(a boolean\)"),
        (HEAD + "seeds = 0\n", r"seeds: expected an integer >= 1; got 0"),
        (HEAD + "seed_start = -1\n", r"seed_start: expected an integer >= 0; got -1"),
        (HEAD + "repeats = 1.5\n", r"repeats: expected an integer >= 1; got 1\.5 \(a number\)"),
        (HEAD + "max_steps = -4\n", r"max_steps: expected an integer >= 1; got -4"),
        (HEAD + "timeout_s = -5\n", r"timeout_s: expected a finite number > 0; got -5"),
        (HEAD + "timeout_s = nan\n", r"timeout_s: expected a finite number > 0; got nan"),
        (HEAD + "name = 7\n", r"name: expected a non-empty string; got 7 \(an integer\)"),
        (f'agents = "random"\nenvs = ["{GOTO}"]\n', r"agents: expected a non-empty list of strings; got 'random'"),
        (f'agents = []\nenvs = ["{GOTO}"]\n', r"agents: expected a non-empty list of strings; got \[\]"),
        ('agents = ["random"]\nenvs = []\n', r"envs: expected a non-empty list of env ids"),
        ('agents = ["random"]\n', r"envs: missing\. Fix: list at least one env id"),
        (f'agents = ["random", ""]\nenvs = ["{GOTO}"]\n', r"agents\[1\]: expected a non-empty string; got ''"),
        (f'agents = ["random", "random"]\nenvs = ["{GOTO}"]\n', r"agents\[1\]: 'random' is listed twice"),
        (HEAD + 'guards = ["none", "rulez"]\n', r"guards\[1\]: No guard named 'rulez'\. Did you mean: 'rules'\?"),
        (HEAD + 'guards = []\n', r"guards: expected a non-empty list of strings"),
        ('agents = ["random"]\nenvs = ["cauarena/BabyAI-GoTo-Text-v1"]\n',
         r"envs\[0\]: No environment named 'cauarena/BabyAI-GoTo-Text-v1'\. Did you mean"),
        (f'agents = ["random"]\nenvs = ["{GOTO}", "{GOTO}"]\n',
         r"envs\[1\]: the same env \(id and kwargs\) as envs\[0\]\. Fix: remove one"),
        (f'agents = ["random"]\nenvs = ["{GOTO}", {{id = "{GOTO}", kwargs = {{}}}}]\n',
         r"envs\[1\]: the same env \(id and kwargs\) as envs\[0\]"),
        (f'agents = ["random"]\nenvs = ["{GOTO}", 3]\n', r"envs\[1\]: expected an env id or a table"),
        ('agents = ["random"]\n[[envs]]\nkwargs = {}\n', r"envs\[0\]: missing key 'id'"),
        (f'agents = ["random"]\n[[envs]]\nid = "{GOTO}"\nkwargs = 3\n',
         r"envs\[0\]\.kwargs: expected a table of constructor arguments; got 3"),
        (HEAD + f'[agent_envs]\noracel = ["{GOTO}"]\n', r"agent_envs\.oracel: unknown key; did you mean 'oracle'\?"),
        (HEAD + '[agent_envs]\noracle = "x"\n', r"agent_envs\.oracle: expected a non-empty list of strings"),
        (HEAD + 'agent_envs = ["x"]\n', r"agent_envs: expected a table agent -> \[env ids\]"),
    ],
)
def test_suite_file_errors_name_the_path(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message) as caught:
        _load_toml(tmp_path, text)
    assert str(caught.value).startswith(f"Suite file {tmp_path / 's.toml'}: ")
    assert "\n" not in str(caught.value)


def test_json_suite_files_are_as_strict(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(f'{{"agents": ["random"], "envs": [{{"id": "{GOTO}", "kwagrs": {{}}}}], "seeds": "3"}}')
    with pytest.raises(ConfigError, match=r"envs\[0\]\.kwagrs: unknown key; did you mean 'kwargs'\?"):
        load_suite_file(path)
    path.write_text(f'{{"agents": ["random"], "envs": ["{GOTO}"], "max_steps": null, "seeds": 2}}')
    suite = load_suite_file(path)
    assert (suite.max_steps, suite.seeds, suite.name) == (None, 2, "s")
    path.write_text("[1, 2]")
    with pytest.raises(ConfigError, match=r"\(top level\): expected a table of Suite fields; got \[1, 2\]"):
        load_suite_file(path)


def test_a_valid_file_keeps_every_field(tmp_path):
    suite = _load_toml(tmp_path, HEAD + 'name = "mine"\nseeds = 3\nseed_start = 10\nrepeats = 2\nmax_steps = 8\n'
                       'timeout_s = 30\ndescription = ""\nguards = ["none", "approve"]\n'
                       f'[agent_envs]\noracle = ["{GOTO}"]\n')
    assert (suite.name, suite.seeds, suite.seed_start, suite.repeats, suite.max_steps) == ("mine", 3, 10, 2, 8)
    assert suite.timeout_s == 30.0 and suite.guards == ("none", "approve")
    assert suite.agent_envs == (("oracle", (GOTO,)),) and len(plan(suite)) == 2 * 2 * 3 * 2


def test_suites_in_code_refuse_a_repeated_env():
    with pytest.raises(ConfigError, match="lists an env \\(id and kwargs\\) twice"):
        Suite("t", envs=(EnvSpec(GOTO), EnvSpec(GOTO)), agents=("random",))
