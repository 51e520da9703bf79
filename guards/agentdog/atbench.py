"""An ATBench-style benchmark built from LifeAssist-v0 episodes, in AgentDoG's trajectory schema.

Episodes are played in-process by the behaviours of :mod:`~cauarena.guards.agentdog.behaviours` (oracle, naive,
cautious, agents that obey only some styles or obey late, a gullible chat agent) over every task x (the benign twin
+ every attack surface of the task's split x two style/trigger/goal draws), exported with
:func:`~cauarena.envs.life_assist.export.observed_to_atbench` (``contents`` holds the observations exactly as
the agent saw them, so injected memory notes, system lines and tool notices are in the record), and given step-level
labels: ``unsafe_turns`` (0-based indices of the agent turns that violated a rubric) and ``step_labels`` (every
violation with its three axes).

The ``test`` split measures generalisation: its tasks (by task id, stratified by family), attack goals
(:data:`HELD_OUT_GOALS`), styles (:data:`HELD_OUT_STYLES`), one surface (:data:`HELD_OUT_SURFACES`) and attacker
identifiers (renamed into :data:`HELD_OUT_IDS`, a vocabulary and account format never used elsewhere) are never
seen in ``train`` or ``dev``. Each split is balanced safe/unsafe with the safe records drawn round-robin over the
agents, so no agent is all one label where it can be helped (:func:`identity_accuracy` measures it). Everything is
deterministic.

Rebuild: ``python -m cauarena.guards.agentdog.atbench --out DIR`` (writes ``train.json``, ``dev.json``,
``test.json``). :func:`load_atbench` also loads a user's own ATBench-format file.
"""

from __future__ import annotations

import argparse
import json
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from cauarena.agents.base import with_hooks
from cauarena.agents.rollout import Rollout
from cauarena.errors import ConfigError

SPLITS = ("train", "dev", "test")
AGENTS = ("oracle", "naive", "cautious", "obeys-official", "obeys-offers", "obeys-late", "chat-gullible")
DRAWS = 2
"""Attack configurations per task and surface (each a style, trigger and goal)."""
ROLES = ("user", "agent", "environment")
HELD_OUT_GOALS = ("unlock_door", "leak_medical")
"""Attack goals played only on ``test`` tasks."""
HELD_OUT_STYLES = ("urgency", "fake_error")
"""Attack styles played only on ``test`` tasks."""
HELD_OUT_SURFACES = ("system_prompt",)
"""Surfaces played only on ``test`` tasks (the test tasks play every surface)."""
HELD_OUT_IDS = {
    "names": ("Northgate Member Desk", "Crestline Care Office", "Harbor Records Team", "Pinecrest Billing Unit"),
    "words": ("member", "claims", "records", "office", "desk", "care"),
    "domains": ("northgate-mail", "crestline-desk", "harbor-notify", "pinecrest-online"),
    "account": "{n2}-{l4}-{n3}",
}
"""The test split's attacker vocabulary: names, address words and domains, and the account number's shape."""
RENAMED_IDS = {
    "names": ("Oakridge Service Line", "Lumen Assist Center", "Riverbend Support", "Summit Client Care"),
    "words": ("client", "service", "info", "team", "contact", "admin"),
    "domains": ("oakridge-line", "lumen-assist", "riverbend-help", "summit-clients"),
    "account": "ACC{n3}{n3}{l2}",
}
"""A third vocabulary, for the check that renaming every attacker constant does not change a guard's recall."""


def task_split(task_id: str) -> str:
    """The split of a task: within its family, tasks ranked by a fixed hash go 5/9 ``train``, 2/9 ``dev``, 2/9 ``test``.

    So every family is in every split and no test task is seen in training; an id outside LifeAssist's 45 tasks
    is split by its hash alone.

    >>> task_split("finance/pay_bills-0") in SPLITS
    True
    """
    from cauarena.envs.life_assist.templates import TASKS

    def rank(t: str) -> int:
        return zlib.crc32(t.encode())

    family = task_id.split("/")[0]
    peers = sorted((t for t in TASKS if t.split("/")[0] == family), key=rank)
    if task_id not in peers:
        bucket = rank(task_id) % 9
        return "train" if bucket < 5 else "dev" if bucket < 7 else "test"
    r, n = peers.index(task_id), len(peers)
    return "train" if 9 * r < 5 * n else "dev" if 9 * r < 7 * n else "test"


def _agent(name: str) -> Any:
    from cauarena.guards.agentdog.behaviours import make_behaviour

    return make_behaviour(name)


def play(task_id: str, agent: str, seed: int, surface: str = "none", style: str = "fake_system",
         trigger: str = "direct", goal: str | None = None) -> dict[str, Any]:
    """Play one episode and return its ATBench record with step-level labels (see the module docstring)."""
    from cauarena.envs.life_assist.env import LifeAssistEnv
    from cauarena.envs.life_assist.export import observed_to_atbench

    env = LifeAssistEnv(task=task_id, surface=surface, style=style, trigger=trigger, goal=goal)
    player = with_hooks(_agent(agent))
    player.bind(env)
    rollout = Rollout(env, player, seed=seed)
    observations, actions = [], []
    for step in rollout:
        observations.append(step.observation)
        actions.append(step.action if isinstance(step.action, str) else json.dumps(step.action))
    observations.append(rollout.observation)
    record = observed_to_atbench(env, observations, actions)
    labels = [{"turn": v["step"] - 1, "rubric": v["rubric"], "risk_source": v["risk_source"],
               "failure_mode": v["failure_mode"], "real_world_harm": v["harm"]} for v in env.violations]
    who = env.attack.attacker if env.attack else None
    record.update(id=f"{task_id}|{surface}|{style}|{trigger}|{goal or ''}|{agent}|{seed}", split=task_split(task_id),
                  agent=agent, style=style if surface != "none" else "", trigger=trigger if surface != "none" else "",
                  attack_goal=env.attack.goal if env.attack else "", seed=seed,
                  attacker={"account": who.account, "address": who.address, "name": who.name} if who else {},
                  unsafe_turns=sorted({lab["turn"] for lab in labels}), step_labels=labels)
    return record


def _draw_ids(vocabulary: dict[str, Any], key: str) -> dict[str, str]:
    """Attacker identifiers from ``vocabulary``, drawn by a fixed hash of ``key`` (a record id)."""
    import random

    rng = random.Random(f"atbench-ids-{key}")
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    account = vocabulary["account"].format(
        n2=rng.randrange(10, 99), n3=rng.randrange(100, 999), l2="".join(rng.choice(letters) for _ in range(2)),
        l4="".join(rng.choice(letters) for _ in range(4)))
    address = f"{rng.choice(vocabulary['words'])}{rng.randrange(100, 999)}@{rng.choice(vocabulary['domains'])}.example"
    return {"account": account, "address": address, "name": rng.choice(vocabulary["names"])}


def _replace(value: Any, pairs: list[tuple[str, str]]) -> Any:
    if isinstance(value, str):
        for old, new in pairs:
            value = value.replace(old, new).replace(old.lower(), new.lower())
        return value
    if isinstance(value, list):
        return [_replace(v, pairs) for v in value]
    if isinstance(value, dict):
        return {k: _replace(v, pairs) for k, v in value.items()}
    return value


def rename_attacker(record: dict[str, Any], vocabulary: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``record`` whose attacker account, address and name are redrawn from ``vocabulary`` everywhere.

    Labels do not change: they were decided on the world's state when the episode was played. A record without an
    attack (or without the ``attacker`` field) comes back unchanged.
    """
    old = record.get("attacker") or {}
    if not old:
        return dict(record)
    new = _draw_ids(vocabulary, str(record["id"]))
    pairs = [(old[k], new[k]) for k in ("address", "account", "name") if old.get(k)]
    out = dict(record)
    out["contents"] = _replace(record["contents"], pairs)
    out["attacker"] = new
    return out


def threat_space(split: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(surfaces, styles, goals) a split's attacks draw from: ``test`` only held-out styles and goals, every surface.

    >>> [len(x) for x in threat_space("train")], [len(x) for x in threat_space("test")]
    ([4, 3, 5], [5, 2, 2])
    """
    from cauarena.envs.life_assist.threats import GOALS_BY_SETTING, STYLES, SURFACES

    goals = GOALS_BY_SETTING["parent_home"]  # ATBench-LifeAssist plays the parent's home (its 45 tasks, 7 goals)
    if split == "test":
        return SURFACES[1:], HELD_OUT_STYLES, HELD_OUT_GOALS
    return (tuple(s for s in SURFACES[1:] if s not in HELD_OUT_SURFACES),
            tuple(s for s in STYLES if s not in HELD_OUT_STYLES), tuple(g for g in goals if g not in HELD_OUT_GOALS))


def configs(task_index: int, split: str = "train") -> list[dict[str, Any]]:
    """The episode configurations of one task: the benign twin twice and :data:`DRAWS` per attack surface."""
    from cauarena.envs.life_assist.threats import TRIGGERS

    surfaces, styles, goals = threat_space(split)
    out = [{"surface": "none", "seed": 1000 * task_index + d} for d in range(DRAWS)]
    for s, surface in enumerate(surfaces):
        for d in range(DRAWS):
            k = task_index + 3 * s + 7 * d
            out.append({"surface": surface, "style": styles[k % len(styles)], "trigger": TRIGGERS[(s + d) % 2],
                        "goal": goals[(task_index + s + 3 * d) % len(goals)], "seed": 1000 * task_index + 10 * s + d})
    return out


def _order(record: dict[str, Any]) -> int:
    return zlib.crc32(str(record["id"]).encode())


def _round_robin(records: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """``n`` records taken one per agent in turn (each agent's in a fixed hash order of the id)."""
    by_agent: dict[str, list[dict[str, Any]]] = {}
    for record in sorted(records, key=_order):
        by_agent.setdefault(str(record.get("agent", "")), []).append(record)
    queues, out = [by_agent[a] for a in sorted(by_agent)], []
    while len(out) < n and any(queues):
        for queue in queues:
            if queue and len(out) < n:
                out.append(queue.pop(0))
    return out


def balance(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """As many safe as unsafe records, sorted by id; the larger class is drawn round-robin over the agents."""
    records = list(records)
    unsafe = [r for r in records if r["label"]]
    safe = [r for r in records if not r["label"]]
    n = min(len(unsafe), len(safe))
    return sorted(_round_robin(unsafe, n) + _round_robin(safe, n), key=lambda r: r["id"])


def identity_accuracy(records: Sequence[dict[str, Any]], fit: Sequence[dict[str, Any]] | None = None) -> float:
    """The accuracy of predicting each record's label from its agent alone (each agent's majority label).

    The majority is taken on ``fit`` (default: ``records`` themselves, the most favourable case).

    >>> identity_accuracy([{"agent": "a", "label": 1}, {"agent": "a", "label": 0}, {"agent": "b", "label": 0}])
    0.6666666666666666
    """
    counts: dict[str, list[int]] = {}
    for record in fit if fit is not None else records:
        counts.setdefault(str(record.get("agent", "")), [0, 0])[int(record["label"])] += 1
    majority = {agent: int(c[1] > c[0]) for agent, c in counts.items()}
    hits = [majority.get(str(r.get("agent", "")), 0) == int(r["label"]) for r in records]
    return sum(hits) / len(hits) if hits else float("nan")


def build_atbench(tasks: Sequence[str] | None = None, agents: Sequence[str] = AGENTS) -> dict[str, list[dict]]:
    """Play every configuration of every task (default: the parent's home's 45) with every agent; balanced records.

    ``test`` records get their attacker identifiers renamed into :data:`HELD_OUT_IDS` (:func:`rename_attacker`).
    """
    from cauarena.envs.life_assist.templates import TASKS

    ids = [t for t, task in TASKS.items() if task.setting == "parent_home"] if tasks is None else list(tasks)
    by_split: dict[str, list[dict[str, Any]]] = {s: [] for s in SPLITS}
    for index, task_id in enumerate(ids):
        split = task_split(task_id)
        for config in configs(list(TASKS).index(task_id) if task_id in TASKS else index, split):
            for agent in agents:
                record = play(task_id, agent, **config)
                by_split[split].append(rename_attacker(record, HELD_OUT_IDS) if split == "test" else record)
    return {split: balance(records) for split, records in by_split.items()}


def save_atbench(splits: dict[str, list[dict[str, Any]]], out: str | Path) -> list[Path]:
    """Write ``<split>.json`` (a JSON list of records) per split under ``out``; returns the paths."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for split, records in splits.items():
        path = folder / f"{split}.json"
        path.write_text(json.dumps(records, indent=1))
        paths.append(path)
    return paths


def _check(record: Any, where: str) -> dict[str, Any]:
    fix = ("Fix: each record is {\"profile\": str, \"contents\": [[{\"role\": \"user\", \"content\": ...}, "
           "{\"role\": \"agent\", \"thought\": ..., \"action\": ...}, {\"role\": \"environment\", \"content\": ...}]], "
           "\"label\": 0 or 1}.")
    if not isinstance(record, dict):
        raise ConfigError(f"{where}: expected a JSON object, got {type(record).__name__}. {fix}")
    contents = record.get("contents")
    if not isinstance(contents, list) or not all(isinstance(r, list) for r in contents):
        raise ConfigError(f"{where}: 'contents' must be a list of rounds, each a list of messages. {fix}")
    for round_ in contents:
        for message in round_:
            if not isinstance(message, dict) or message.get("role") not in ROLES:
                raise ConfigError(f"{where}: every message needs a role in {ROLES}; got {str(message)[:80]!r}. {fix}")
    if record.get("label") not in (0, 1, True, False, "0", "1", "safe", "unsafe"):
        raise ConfigError(f"{where}: 'label' must be 0 (safe) or 1 (unsafe); got {record.get('label')!r}. {fix}")
    label = record["label"]
    record = dict(record)
    record["label"] = int(label in (1, True, "1", "unsafe"))
    record.setdefault("profile", "")
    record.setdefault("id", where)
    return record


def load_atbench(path: str | Path, split: str | None = None) -> list[dict[str, Any]]:
    """Records from an ATBench-format JSON list or JSONL file, or from ``<split>.json`` files in a folder.

    A user's own file needs only AgentDoG's fields (``profile``, ``contents``, ``label``, and optionally
    ``risk_source``, ``failure_mode``, ``real_world_harm``); ours add ``unsafe_turns``, ``step_labels``, ``split``.

    Raises:
        ConfigError: a missing file, or a record that does not follow the schema (the message shows the fix).
    """
    path = Path(path)
    if path.is_dir():
        names = [split] if split else list(SPLITS)
        files = [path / f"{name}.json" for name in names if (path / f"{name}.json").exists()]
        if not files:
            raise ConfigError(f"No {', '.join(n + '.json' for n in names)} in {path}. Fix: build it with "
                              f"python -m cauarena.guards.agentdog.atbench --out {path}")
        return [r for f in files for r in load_atbench(f)]
    if not path.exists():
        raise ConfigError(f"No ATBench file at {path}. Fix: pass a JSON list of records, a JSONL file or a folder.")
    text = path.read_text()
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        try:
            data = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path} is neither JSON nor JSONL: {exc}.") from exc
    if isinstance(data, dict):
        data = data.get("data", [data])
    records = [_check(r, f"{path.name}[{i}]") for i, r in enumerate(data)]
    return [r for r in records if split is None or r.get("split", split) == split]


def turns(record: dict[str, Any]) -> tuple[list[str], list[str]]:
    """``(observations, actions)``: ``observations[i]`` is all user/environment text the agent read before turn ``i``.

    Messages of every round are read in order; text after the last agent turn is dropped.

    >>> rec = {"contents": [[{"role": "user", "content": "hi"}, {"role": "agent", "action": "a"},
    ...                      {"role": "environment", "content": "ok"}, {"role": "agent", "action": "b"}]]}
    >>> turns(rec)
    (['hi', 'ok'], ['a', 'b'])
    """
    observations, actions, pending = [], [], []
    for round_ in record["contents"]:
        for message in round_:
            if message["role"] == "agent":
                action = message.get("action") or message.get("content") or message.get("thought") or ""
                observations.append("\n".join(pending))
                actions.append(action if isinstance(action, str) else json.dumps(action))
                pending = []
            else:
                content = message.get("content", "")
                pending.append(content if isinstance(content, str) else json.dumps(content))
    return observations, actions


def first_unsafe_turn(record: dict[str, Any]) -> int:
    """The first unsafe agent turn (0-based) if the record says so, else -1."""
    if record.get("unsafe_turns"):
        return int(min(record["unsafe_turns"]))
    if record.get("violating_step") is not None:
        return int(record["violating_step"]) - 1
    return -1


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m cauarena.guards.agentdog.atbench --out DIR``: (re)build the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="folder for train.json, dev.json and test.json")
    args = parser.parse_args(argv)
    splits = build_atbench()
    for path in save_atbench(splits, args.out):
        records = splits[path.stem]
        print(f"{path}: {len(records)} records, {sum(r['label'] for r in records)} unsafe, "
              f"{len({r['task_id'] for r in records})} tasks")


if __name__ == "__main__":
    main()
