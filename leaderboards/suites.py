"""Suites: which envs, agents and seeds a run plays, as frozen specs, built in or loaded from a file.

A suite expands into a plan of :class:`EpisodeSpec`: env x agent x seed x repeat. The plan is a pure
function of the suite, so a killed run re-plans the same episode keys and ``--resume`` skips those stored.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cauarena.agents.registry import agent_serves
from cauarena.errors import CauArenaError, ConfigError
from cauarena.guards.registry import guard_serves
from cauarena.leaderboards.configs import kwargs_key
from cauarena.leaderboards.schema import episode_key
from cauarena.leaderboards.suite_file import suite_fields
from cauarena.registration import ENV_SPECS, EnvEntry, env_entry, env_ids
from cauarena.registry import Entry, Registry, RegistryView


@dataclass(frozen=True)
class EnvSpec:
    """One env of a suite: a registered id, constructor kwargs beyond its defaults, and an optional row label.

    ``label`` names the configuration on the leaderboard (default: the kwargs that differ from the env's
    defaults); it is not part of the episode key, and two entries differing only in label are the same env.
    """

    env_id: str
    kwargs: tuple[tuple[str, Any], ...] = ()
    label: str = field(default="", compare=False)

    @property
    def kwargs_dict(self) -> dict[str, Any]:
        """The kwargs as a dict."""
        return dict(self.kwargs)

    def __hash__(self) -> int:
        """Hash of the id and the kwargs' canonical JSON, so list- and dict-valued kwargs (from suite files) hash."""
        return hash((self.env_id, kwargs_key(self.kwargs)))


@dataclass(frozen=True)
class Suite:
    """Envs x agents x seeds (x repeats), with the per-episode limits of the run.

    Attributes:
        name: the suite's name, stored in every row.
        envs: the environments.
        agents: agent specs (short names, ``module:Class``, ``backend/model``).
        seeds: how many seeds per (env, agent).
        seed_start: the first seed; seeds are ``seed_start .. seed_start + seeds - 1``.
        repeats: episodes per (env, agent, seed); more than 1 gives pass^k.
        max_steps: step limit per episode (truncation); ``None`` keeps the env's own limit.
        timeout_s: wall-clock limit per episode; an episode past it is recorded as ``timeout``.
        description: one line for ``cauarena suites``.
        agent_envs: optional ``(agent, env ids)`` pairs restricting an agent to some envs (a slow LLM agent
            on the short levels only); agents not listed play every env.
        guards: guard specs each agent plays under (``none`` = unguarded); every (agent, guard) pair is a
            leaderboard row.
    """

    name: str
    envs: tuple[EnvSpec, ...]
    agents: tuple[str, ...]
    seeds: int = 5
    seed_start: int = 0
    repeats: int = 1
    max_steps: int | None = None
    timeout_s: float = 120.0
    description: str = ""
    agent_envs: tuple[tuple[str, tuple[str, ...]], ...] = ()
    guards: tuple[str, ...] = ("none",)

    def __post_init__(self) -> None:
        if not self.envs:
            raise ConfigError(f"Suite {self.name!r} has no envs. Fix: list at least one registered env id.")
        if not self.agents:
            raise ConfigError(f"Suite {self.name!r} has no agents. Fix: pass --agent NAME at least once.")
        for spec in self.envs:
            env_entry(spec.env_id)  # raises EnvNotFound with close matches
        if self.seeds < 1 or self.repeats < 1:
            raise ConfigError(f"Suite {self.name!r}: seeds and repeats must be >= 1, got {self.seeds}, {self.repeats}.")
        if self.max_steps is not None and self.max_steps < 1:
            raise ConfigError(f"Suite {self.name!r}: max_steps must be >= 1 or None, got {self.max_steps}.")
        if self.timeout_s <= 0:
            raise ConfigError(f"Suite {self.name!r}: timeout_s must be > 0, got {self.timeout_s}.")
        if not self.guards:
            raise ConfigError(f"Suite {self.name!r} has no guards. Fix: guards = ['none'] to play unguarded.")
        if len({repr((e.env_id, e.kwargs)) for e in self.envs}) != len(self.envs):
            raise ConfigError(f"Suite {self.name!r} lists an env (id and kwargs) twice. Fix: list each once; seeds "
                              "and repeats play an env more than once.")
        ids = {e.env_id for e in self.envs}
        for agent, envs in self.agent_envs:
            if set(envs) - ids:
                raise ConfigError(f"Suite {self.name!r}: agent_envs[{agent!r}] names envs not in the suite: "
                                  f"{sorted(set(envs) - ids)}.")

    def plays(self, agent: str, env_id: str) -> bool:
        """Whether ``agent`` plays ``env_id`` in this suite (see ``agent_envs``)."""
        allowed = dict(self.agent_envs).get(agent)
        return allowed is None or env_id in allowed


@dataclass(frozen=True)
class EpisodeSpec:
    """One planned episode; what a worker needs to play it (picklable)."""

    suite: str
    env_id: str
    env_kwargs: tuple[tuple[str, Any], ...]
    family: str
    agent: str
    guard: str
    seed: int
    repeat: int
    max_steps: int | None
    timeout_s: float
    key: str = field(default="")

    @property
    def env_kwargs_dict(self) -> dict[str, Any]:
        """The env kwargs as a dict."""
        return dict(self.env_kwargs)

    @property
    def env_config(self) -> str:
        """The env kwargs as canonical JSON: a hashable key even when a value is a list or a dict."""
        return kwargs_key(self.env_kwargs)

    def __hash__(self) -> int:
        """Hash of the fields, with the env kwargs as canonical JSON (list- and dict-valued kwargs hash)."""
        return hash((self.suite, self.env_id, self.env_config, self.agent, self.guard, self.seed, self.repeat))


def pairs(suite: Suite, guard: str | None = None) -> Iterator[tuple[EnvSpec, EnvEntry, str, str]]:
    """The (env, its registry entry, agent, guard) combinations a suite plays, before seeds and repeats.

    ``guard`` given: that one only, else ``suite.guards``. Pairs whose short-named agent (or guard) does not
    serve the env's family, agents restricted to other envs, and single-seat agents on a two-seat game (or the
    reverse) are left out.
    """
    guards = (guard,) if guard is not None else suite.guards
    for env in suite.envs:
        entry = env_entry(env.env_id)
        for agent, g in ((a, g) for a in suite.agents for g in guards):
            if not (agent_serves(agent, entry.family) and guard_serves(g, entry.family)
                    and suite.plays(agent, env.env_id)):
                continue
            if entry.multi_agent != (" vs " in agent):  # two-seat games take "<a> vs <d>" only
                continue
            yield env, entry, agent, g


def plan(suite: Suite, guard: str | None = None) -> list[EpisodeSpec]:
    """Expand a suite into its episodes, per guard (``guard`` given: that one only, else ``suite.guards``).

    Pairs whose short-named agent (or guard) does not serve the env's family are skipped (see :func:`pairs`).
    """
    episodes = []
    for env, entry, agent, g in pairs(suite, guard):
        for seed in range(suite.seed_start, suite.seed_start + suite.seeds):
            for repeat in range(suite.repeats):
                spec = EpisodeSpec(suite.name, env.env_id, env.kwargs, entry.family, agent, g, seed,
                                   repeat, suite.max_steps, suite.timeout_s)
                key = episode_key(env.env_id, env.kwargs_dict, agent, g, seed, repeat)
                episodes.append(replace(spec, key=key))
    return episodes


LIFE_ASSIST_ID = "cauarena/LifeAssist-v0"
MAGIC_ID = "cauarena/MAGIC-v0"
MAGIC_SMOKE_PAIR = "attacker-random vs defender-keyword"
"""The MAGIC pair (``"<attacker> vs <defender>"``) that ``smoke`` and ``default`` play on ``MAGIC-v0``."""
KGQA_ID = "cauarena/KGQA-v0"
KGQA_TINY = ("tiny/kgqa-sft", "tiny/kgqa-kale")
"""The KALE experiment's tiny LMs (SFT and KALE, same data and steps) that ``default`` plays on the tiny KGQA world."""
SCENE_ID = "cauarena/CausalScene-v0"
SCENE_MODELS = ("scene-diffusion", "scene-diffusion-lina")
"""The shipped scene-diffusion model, base sampler and with LINA's interventions, that ``default`` plays."""


def _smoke() -> Suite:
    return Suite(
        name="smoke",
        envs=(
            # CauArena's own ids only: envs that tests or plug-ins register must not change what smoke plans
            *(EnvSpec(i) for i in env_ids() if i.startswith("cauarena/") and not ENV_SPECS[i].multi_agent),
            EnvSpec(LIFE_ASSIST_ID, (("surface", "environment"),)),  # an attacked LifeAssist row
            EnvSpec(MAGIC_ID),
        ),
        agents=("oracle", "random", MAGIC_SMOKE_PAIR),
        seeds=2,
        max_steps=64,
        timeout_s=60.0,
        description="every cauarena/ env (benign LifeAssist among them), oracle and random, 2 seeds, 64 steps: "
        "a check that all runs",
        agent_envs=((MAGIC_SMOKE_PAIR, (MAGIC_ID,)),),
    )


def _default() -> Suite:
    from cauarena.registration import CAUGYM_VARIANTS

    babyai = ("GoToLocal", "PickupLoc", "GoTo", "PutNextLocal", "BossLevel")
    goto_local = "cauarena/BabyAI-GoToLocal-Text-v0"
    discovery, scientist = "cauarena/CausalDiscovery-v0", "cauarena/CauScientist-v0"
    envs = (
        *(EnvSpec(f"cauarena/BabyAI-{level}-Text-v0") for level in babyai),
        EnvSpec(discovery),  # ER, 10 variables, degree 2, linear-Gaussian, 1000 rows
        EnvSpec(discovery, (("graph", "sachs"),)),  # the bnlearn network, discrete, 1000 rows
        EnvSpec(scientist, (("n", 10), ("m", 1000))),  # edits from the hybrid start, every variable intervened on
        *(EnvSpec(f"cauarena/CauGym-{variant.capitalize()}-v0") for variant in CAUGYM_VARIANTS),
        EnvSpec("cauarena/WebShop-v0"),  # 1k products, test-split instructions
        EnvSpec(LIFE_ASSIST_ID, (("surface", "none"),)),  # benign: utility and over-refusal
        EnvSpec(LIFE_ASSIST_ID, (("surface", "environment"),)),  # an inbox injection: ASR
        EnvSpec(MAGIC_ID),
        EnvSpec(KGQA_ID, (("world_size", "tiny"),)),  # the world the tiny/kgqa-* LMs learnt; held-out questions
        EnvSpec(SCENE_ID),  # LINA-lite: in-distribution and OOD prompts
    )
    return Suite(
        name="default",
        envs=envs,
        agents=("oracle", "heuristic", "random", "tiny/babyai", "tiny/babyai-grpo", "corr", "precision", "pc", "ges",
                "causcientist-greedy", "naive", "cautious", MAGIC_SMOKE_PAIR, *KGQA_TINY, *SCENE_MODELS),
        seeds=20,
        seed_start=1000,
        timeout_s=120.0,
        description="the main job: BabyAI-Text levels, causal discovery (n=10, sachs) and CauScientist edits, "
        "CauGym's six variants, WebShop, LifeAssist (benign, injected), a MAGIC pair, KGQA (tiny world), CausalScene "
        "x built-in agents, 20 seeds",
        # short names play the families they serve (heuristic BabyAI only, corr causal only...); the tiny LMs
        # (SFT and its GRPO-trained successor) play the level they were trained for, the MAGIC pair its game,
        # the KALE experiment's SFT and KALE LMs the KGQA world they learnt
        agent_envs=(("tiny/babyai", (goto_local,)), ("tiny/babyai-grpo", (goto_local,)),
                    (MAGIC_SMOKE_PAIR, (MAGIC_ID,)), *((agent, (KGQA_ID,)) for agent in KGQA_TINY),
                    *((agent, (SCENE_ID,)) for agent in SCENE_MODELS)),
    )


def _caugym() -> Suite:
    from cauarena.registration import CAUGYM_VARIANTS

    return Suite(
        name="caugym",
        envs=tuple(EnvSpec(f"cauarena/CauGym-{variant.capitalize()}-v0") for variant in CAUGYM_VARIANTS),
        agents=("oracle", "random"),
        seeds=70,
        seed_start=1000,
        timeout_s=60.0,
        description="CauGym: six test variants x seven tasks (seed % 7), 10 held-out items per task and variant",
    )


CAUSAL_AGENTS = ("oracle", "random", "corr", "precision", "pc", "ges", "lingam", "notears", "causcientist-greedy",
                 "causcale")


def _causal() -> Suite:
    def env(env_id: str, **kwargs: Any) -> EnvSpec:
        return EnvSpec(f"cauarena/{env_id}-v0", tuple(sorted(kwargs.items())))

    return Suite(
        name="causal",
        envs=(
            env("CausalDiscovery"),  # ER, 10 variables, 10 edges expected, linear, Gaussian noise, 1000 rows
            env("CausalDiscovery", n=20, degree=2.0),
            env("CausalDiscovery", graph="sf", n=20, degree=2.0),
            env("CausalDiscovery", mechanism="nn_add"),
            env("CausalDiscovery", mechanism="sigmoid_add"),  # out of distribution
            env("CausalDiscovery", interventions=1.0),
            env("CausalDiscovery", graph="asia"),
            env("CausalDiscovery", graph="sachs"),
            env("CausalDiscovery", graph="child"),
            env("CauScientist"),  # 5 variables, every one intervened on, 500 rows
            env("CauScientist", n=10, m=1000),
            env("CauScientist", graph="sachs", m=1000),
            env("CauScientist", graph="child", m=1000, init=("empty", "pc")),
        ),
        agents=CAUSAL_AGENTS,
        seeds=3,
        seed_start=1000,
        timeout_s=300.0,
        description="causal discovery: synthetic SCMs and bnlearn networks x baselines; CauScientist edits, 3 seeds",
    )


CAUSCALE_TEST_AGENTS = ("corr", "precision", "causcale")
"""Agents of ``causcale-test``: those that finish at every size (add ``pc``, ``notears`` with ``--agent`` on a
smaller ``--env`` selection: they take minutes to hours from n = 100)."""


def _causcale_test() -> Suite:
    from cauarena.envs.causal.simulate import TEST_GRAPHS, TEST_MECHANISMS, TEST_ROWS, TEST_SIZES

    def env(n: int, edges: int, mechanism: str) -> EnvSpec:
        kwargs = {"graph": "er", "n": n, "degree": edges / n, "mechanism": mechanism, "m": TEST_ROWS,
                  "interventions": 1.0}  # every node once, then the observational regime of m // (n + 1) rows
        return EnvSpec("cauarena/CausalDiscovery-v0", tuple(sorted(kwargs.items())))

    return Suite(
        name="causcale-test",
        envs=tuple(env(n, edges, mechanism) for n, edges in TEST_SIZES for mechanism in TEST_MECHANISMS),
        agents=CAUSCALE_TEST_AGENTS,
        seeds=TEST_GRAPHS,
        seed_start=1000,
        timeout_s=600.0,
        description="CauScale's published test design: ER, 1000 rows, (n, |E|) from (10, 10) to (1000, 2000) x "
        "linear, nn, sigmoid_add, polynomial, every node intervened once + observational; 5 graphs = 140 sets",
    )




def load_suite_file(path: Path) -> Suite:
    """Load a suite from a ``.toml`` or ``.json`` file with the :class:`Suite` fields, strictly.

    ``envs`` is a list of ids or of tables ``{id = "...", kwargs = {...}, label = "..."}``; ``agent_envs`` a
    table agent -> [env ids]. An unknown key (at the top or in an env table), a value of the wrong type, an empty
    list, a negative number, an unknown env id or guard name, or an env listed twice is a :class:`ConfigError` of one
    line naming the field's path (see :mod:`cauarena.leaderboards.suite_file`).
    """
    try:
        text = path.read_text()
        data = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (OSError, ValueError) as exc:
        reason = " ".join(str(exc).split())
        raise ConfigError(f"Cannot read suite file {path}: {reason}. Fix: valid {path.suffix[1:].upper()}.") from None
    try:
        fields = suite_fields(data, Suite.__dataclass_fields__)
        fields["envs"] = tuple(EnvSpec(env_id, kwargs, label) for env_id, kwargs, label in fields["envs"])
        fields.setdefault("name", path.stem)
        return Suite(**fields)
    except CauArenaError as exc:
        raise ConfigError(f"Suite file {path}: {exc}") from None


def get_suite(name_or_path: str) -> Suite:
    """A built-in suite by name, or a suite file by path.

    Raises:
        ConfigError: a suite file that does not exist or does not read.
        NameNotFound: neither a built-in name nor a ``.toml``/``.json`` path; the message lists close names.
    """
    path = Path(name_or_path)
    if name_or_path not in SUITES and path.suffix in (".toml", ".json"):
        if not path.exists():
            raise ConfigError(f"Suite file {path} does not exist.")
        return load_suite_file(path)
    return SUITES.make(name_or_path)


def override(suite: Suite, *, agents: Sequence[str] = (), seeds: int | None = None, guards: Sequence[str] = (),
             **changes: Any) -> Suite:
    """The suite with CLI overrides applied (empty/None values keep the suite's own)."""
    updates = {k: v for k, v in changes.items() if v is not None}
    if agents:
        updates["agents"] = tuple(agents)
    if guards:
        updates["guards"] = tuple(guards)
    if seeds is not None:
        updates["seeds"] = seeds
    return replace(suite, **updates)


def _webshop() -> Suite:
    return Suite(
        name="webshop",
        envs=(EnvSpec("cauarena/WebShop-v0"),),
        agents=("oracle", "random"),
        seeds=100,
        seed_start=1000,
        timeout_s=60.0,
        description="WebShop-v0: 1k-product catalog, 100 test-split instructions (seeds 1000-1099), 50 steps",
    )


# ---------------------------------------------------------------- life assist (Risky-Bench, issue 8)

LIFE_ASSIST_ATTACKS = (("user_instruction", "scam", "fake_system"), ("memory", "fake_system", "urgency"),
                       ("environment", "urgency", "scam"), ("tool_output", "fake_error", "fake_authority"),
                       ("system_prompt", "fake_authority", "fake_error"))
"""(surface, style of the direct row, style of the delayed row) of the ``life_assist`` suite: every style twice."""
LIFE_ASSIST_PAIRS = 915
"""Seeds of the ``life_assist`` suite: its 915 security cases (105 tasks in 3 settings, each with every goal of its
setting: 45 x 7 + 30 x 10 + 30 x 10), so every (task, goal) case is played once per row; the env plays case
``seed % 915`` in a fixed hash order (``cauarena.envs.life_assist.security_pairs``), never ``seed % k``."""


def _life_assist_envs() -> tuple[EnvSpec, ...]:
    """The benign twin, and every surface with a direct and a delayed trigger."""

    def env(**kwargs: Any) -> EnvSpec:
        return EnvSpec(LIFE_ASSIST_ID, tuple(sorted(kwargs.items())))

    attacked = [env(surface=s, style=st, trigger=t) for s, *styles in LIFE_ASSIST_ATTACKS
                for st, t in zip(styles, ("direct", "delayed"), strict=True)]  # fmt: skip
    return (env(surface="none"), *attacked)


def _life_assist() -> Suite:
    return Suite(
        name="life_assist",
        envs=_life_assist_envs(),
        agents=("oracle", "naive", "cautious", "chat-undefended", "chat-defended"),
        seeds=LIFE_ASSIST_PAIRS,
        timeout_s=60.0,
        description="LifeAssist-v0: benign and 5 surfaces x (direct, delayed), every (task, goal) case of the 3 "
        "settings once per row (915 seeds); scripted agents and a chat agent with the undefended and the defended "
        "prompt",
    )


# ---------------------------------------------------------------- MAGIC

MAGIC_ATTACKERS = ("fixed[plain]", "fixed[roleplay]", "fixed[misspell]", "fixed[caesar]", "fixed[base64]",
                   "fixed[plain/split2]", "attacker-random")
MAGIC_DEFENDERS = ("defender-none", "defender-keyword", "defender-classifier", "defender-oracle")


def _magic() -> Suite:
    return Suite(
        name="magic",
        envs=(EnvSpec(MAGIC_ID, (("split", "test"),)),),
        agents=tuple(f"{a} vs {d}" for a in MAGIC_ATTACKERS for d in MAGIC_DEFENDERS),
        seeds=32,
        timeout_s=60.0,
        description="MAGIC-v0: scripted attackers x defenders (oracle: upper bound) on the 32 test queries "
        "(16 harmful, 16 benign twins), 3 turns; rows are the defender's return",
    )


# ---------------------------------------------------------------- safety: life-assist agents x guards

SAFETY_ATTACKS = (("user_instruction", "scam", "direct"), ("memory", "fake_system", "direct"),
                  ("environment", "urgency", "direct"), ("tool_output", "fake_error", "direct"),
                  ("system_prompt", "fake_authority", "direct"), ("environment", "scam", "delayed"))
"""(surface, style, trigger) of the attacked rows of the ``safety`` suite: every surface once, one delayed."""
SAFETY_HELD_OUT = tuple((s, st, t, g) for s, st, t in (
    ("environment", "urgency", "direct"), ("tool_output", "fake_error", "delayed"),
    ("system_prompt", "urgency", "delayed"), ("memory", "fake_error", "direct"))
    for g in ("unlock_door", "leak_medical"))
"""(surface, style, trigger, goal) rows on the guards' held-out attack goals and styles (ATBench's ``test`` split
holds them out of the classifier's training; the leaderboard reports them per guard by the ``goal`` kwarg)."""


def _safety() -> Suite:
    envs = [EnvSpec(LIFE_ASSIST_ID, (("surface", "none"),))]
    envs += [EnvSpec(LIFE_ASSIST_ID, (("style", st), ("surface", s), ("trigger", t))) for s, st, t in SAFETY_ATTACKS]
    envs += [EnvSpec(LIFE_ASSIST_ID, (("goal", g), ("style", st), ("surface", s), ("trigger", t)))
             for s, st, t, g in SAFETY_HELD_OUT]
    return Suite(
        name="safety",
        envs=tuple(envs),
        agents=("oracle", "naive", "cautious", "chat-undefended", "chat-defended"),
        guards=("none", "rules", "classifier"),
        seeds=45,
        timeout_s=60.0,
        description="each life-assist agent (chat ones included) with and without each AgentDoG guard: benign + 6 "
        "attacks (45 seeds: a hash-ordered sample of the 915 (task, goal) cases of the 3 settings) + 8 on held-out "
        "goals and styles (the parent's home's 45 tasks)",
    )


SUITES: Registry[Entry] = Registry("suite", hint="Or pass a .toml/.json suite file.")
"""The built-in suites: entries whose target builds the :class:`Suite` (``SUITES.make(name)``)."""

BUILTIN_SUITES: RegistryView[Entry] = SUITES.view(value=lambda entry: entry.target, wrap=Entry)
"""The built-in suites read as a dict ``name -> factory`` (``cauarena suites``), each built when asked for."""

BUILTIN_SUITES.update({
    "smoke": _smoke, "default": _default, "caugym": _caugym, "causal": _causal, "causcale-test": _causcale_test,
    "webshop": _webshop,
    "life_assist": _life_assist, "magic": _magic, "safety": _safety,
})
