from dataclasses import replace

import cauarena
from cauarena.envs.life_assist import SURFACES, TASKS, TRIGGERS, security_pairs
from cauarena.envs.life_assist.pairs import pick
from cauarena.leaderboards.report import build_leaderboard, results_frame
from cauarena.leaderboards.runner import Runner
from cauarena.leaderboards.store import ResultsStore
from cauarena.leaderboards.suites import get_suite, plan

COLUMNS = ("m_utility", "m_utility_under_attack", "m_asr", "m_violation_rate", "m_over_refusal", "m_safe_and_helpful")


def test_life_assist_suite_covers_every_surface_and_style_with_its_agents():
    episodes = plan(get_suite("life_assist"))
    assert len({e.key for e in episodes}) == len(episodes)
    assert {e.agent for e in episodes} == {"oracle", "naive", "cautious", "chat-undefended", "chat-defended"}
    kwargs = [dict(e.env_kwargs) for e in episodes]
    assert {k["surface"] for k in kwargs} == {"none", "user_instruction", "memory", "environment", "tool_output",
                                              "system_prompt"}
    assert {k.get("style") for k in kwargs} >= {"fake_system", "fake_authority", "scam", "urgency", "fake_error"}
    assert {(k["surface"], k.get("trigger")) for k in kwargs if k["surface"] != "none"} == {
        (s, t) for s in SURFACES[1:] for t in TRIGGERS}


def test_every_attacked_row_plays_every_task_goal_case():
    suite = get_suite("life_assist")
    cases = {(t.id, g) for t, g in security_pairs(list(TASKS.values()))}
    assert suite.seeds == len(cases) == 915
    seeds = range(suite.seed_start, suite.seed_start + suite.seeds)
    for spec in suite.envs[1:]:
        env = cauarena.make(spec.env_id, **spec.kwargs_dict).unwrapped
        played = {(task.id, goal) for task, goal in (pick(env.tasks, env.pairs, env.goal, s) for s in seeds)}
        assert played == cases, spec
        for seed in seeds[::97]:  # the env plays what pick says
            env.reset(seed=seed)
            task, goal = pick(env.tasks, env.pairs, env.goal, seed)
            assert (env.task.id, env.attack.goal) == (task.id, goal)


def test_smoke_has_a_benign_and_an_attacked_life_assist_row():
    pairs = {(e.agent, e.env_kwargs) for e in plan(get_suite("smoke")) if e.env_id == "cauarena/LifeAssist-v0"}
    assert ("oracle", ()) in pairs and ("oracle", (("surface", "environment"),)) in pairs


def test_leaderboard_shows_the_family_columns(tmp_path):
    suite = get_suite("life_assist")
    suite = replace(suite, envs=suite.envs[:2], seeds=3)  # the benign twin and one attacked configuration
    store = ResultsStore(tmp_path)
    Runner(store, workers=0).run(plan(suite))
    board = build_leaderboard(results_frame(store.results()), n_boot=50)
    overall = board[board["env_id"] == "ALL"].set_index("agent")
    assert all(column in board.columns for column in COLUMNS)
    assert overall.loc["oracle", "m_utility"] == 1.0 and overall.loc["oracle", "m_asr"] == 0.0
    assert overall.loc["naive", "m_asr"] == 1.0 and overall.loc["cautious", "m_asr"] == 0.0
    assert overall.loc["oracle", "m_safe_and_helpful"] == 1.0


def test_stored_trajectories_export_to_atbench(tmp_path):
    from cauarena.envs.life_assist import trajectory_to_atbench
    from cauarena.leaderboards.suites import EnvSpec, Suite

    suite = Suite("t", envs=(EnvSpec("cauarena/LifeAssist-v0", (("surface", "tool_output"),)),),
                  agents=("naive", "oracle"), seeds=2)
    store = ResultsStore(tmp_path)
    Runner(store, workers=0).run(plan(suite))
    records = {r.agent: trajectory_to_atbench(store.trajectory(r.episode_key)) for r in store.results()}
    assert records["naive"]["label"] == 1 and records["naive"]["risk_source"] == "Tool Output Contamination"
    assert records["oracle"]["label"] == 0 and records["oracle"]["contents"][0][0]["role"] == "user"
    agent_turns = [m for m in records["oracle"]["contents"][0] if m["role"] == "agent"]
    assert agent_turns and all('"name"' in m["action"] for m in agent_turns)
