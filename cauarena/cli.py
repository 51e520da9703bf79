"""The ``cauarena`` command: list envs and agents, run suites, print and write leaderboards."""

from __future__ import annotations

import importlib
import json
import os
import re
import sys
from pathlib import Path
from typing import Annotated

import typer

from cauarena.errors import CauArenaError, ConfigError

app = typer.Typer(add_completion=False, no_args_is_help=False, help=__doc__)


@app.command("list")
def list_envs(family: Annotated[str | None, typer.Option(help="only this env family")] = None) -> None:
    """Print every registered env id, one per line."""
    from cauarena.registration import env_ids

    for env_id in env_ids(family):
        typer.echo(env_id)


@app.command("agents")
def list_agents() -> None:
    """Print the built-in agent short names with the env families they serve."""
    from cauarena.agents import AGENTS

    for entry in sorted(AGENTS, key=lambda e: (e.name, e.families)):
        typer.echo(f"{entry.name:<12} {','.join(entry.families):<12} {entry.description}")
    if plugins := AGENTS.plugins():
        typer.echo("from installed packages (cauarena.agents entry points): " + ", ".join(p.name for p in plugins))
    from cauarena.agents.llm import backend_names
    from cauarena.agents.llm.backends.mock import mock_names

    typer.echo("LLM chat agents, as backend/model: " + ", ".join(f"{b}/..." for b in backend_names()))
    typer.echo("  scripted mock replies: " + ", ".join(f"mock/{m}" for m in mock_names()))


@app.command("guards")
def list_guards() -> None:
    """Print the built-in guard short names with the env families they serve."""
    from cauarena.guards import GUARDS

    for entry in sorted(GUARDS, key=lambda e: (e.name, e.families)):
        typer.echo(f"{entry.name:<12} {','.join(entry.families):<12} {entry.description}")
    typer.echo("LLM judge on any chat backend: llm-judge/<backend>/<model> (AgentDoG's output format); "
               "your own: module.path:Class")


@app.command("suites")
def list_suites() -> None:
    """Print the built-in suites."""
    from cauarena.leaderboards.suites import BUILTIN_SUITES

    for name, factory in BUILTIN_SUITES.items():
        suite = factory()
        typer.echo(f"{name:<12} {len(suite.envs)} envs x {len(suite.agents)} agents x {suite.seeds} seeds: "
                   f"{suite.description}")


def _build_suite(suite: str, envs: list[str], agents: list[str], seeds: int | None, seed_start: int | None,
                 repeats: int | None, max_steps: int | None, timeout: float | None, env_kwargs: str | None,
                 guards: list[str] | None = None):
    from cauarena.leaderboards.suites import EnvSpec, Suite, get_suite, override

    kwargs: dict = {}
    if env_kwargs:
        try:
            kwargs = json.loads(env_kwargs)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"--env-kwargs must be a JSON object, got {env_kwargs!r}: {exc}") from exc
        if not isinstance(kwargs, dict):
            raise ConfigError(f"--env-kwargs must be a JSON object, got {env_kwargs!r}.")
    if envs:
        base = Suite(name="adhoc", envs=tuple(EnvSpec(e, tuple(sorted(kwargs.items()))) for e in envs),
                     agents=tuple(agents) or ("oracle", "random"))
    else:
        base = get_suite(suite)
        if kwargs:
            raise ConfigError("--env-kwargs applies to --env runs; put kwargs for a suite in its suite file.")
    return override(base, agents=agents, seeds=seeds, seed_start=seed_start, repeats=repeats,
                    max_steps=max_steps, timeout_s=timeout, guards=guards or ())


def _nothing_to_play(spec) -> str:  # noqa: ANN001
    """Why a suite planned no episode, and the fix."""
    from cauarena.agents import AGENT_REGISTRY
    from cauarena.registration import env_entry

    families = sorted({env_entry(e.env_id).family for e in spec.envs})
    serving = sorted({e.name for e in AGENT_REGISTRY if any(f in e.families for f in families)})
    msg = (f"No episode to play: none of the agents {list(spec.agents)} (with guards {list(spec.guards)}) serves "
           f"the env families {families}. Agents for them: {serving} (see `cauarena agents`).")
    if "magic" in families:
        msg += " MAGIC agents are pairs such as 'attacker-random vs defender-keyword'."
    return msg


@app.command("run")
def run(
    suite: Annotated[str, typer.Option(help="built-in suite name or a .toml/.json suite file")] = "default",
    env: Annotated[list[str], typer.Option(help="env id to run directly (repeatable); replaces --suite")] = [],  # noqa: B006
    agent: Annotated[list[str], typer.Option(help="agent spec (repeatable): name, module:Class, backend/model")] = [],  # noqa: B006
    guard: Annotated[list[str], typer.Option(help="guard spec (repeatable; 'none' = unguarded): name, "
                                              "module:Class, llm-judge/<backend>/<model>")] = [],  # noqa: B006
    seeds: Annotated[int | None, typer.Option(help="seeds per (env, agent)")] = None,
    seed_start: Annotated[int | None, typer.Option(help="first seed")] = None,
    repeats: Annotated[int | None, typer.Option(help="episodes per seed (>1 gives pass^k)")] = None,
    out: Annotated[str | None, typer.Option(help="run directory or SQLAlchemy URL [runs/<suite>]")] = None,
    workers: Annotated[int | None, typer.Option(help="worker processes [cores]; 0 = in-process")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="play only the episodes not yet stored")] = False,
    max_steps: Annotated[int | None, typer.Option(help="step limit per episode")] = None,
    timeout: Annotated[float | None, typer.Option(help="wall-clock seconds per episode")] = None,
    env_kwargs: Annotated[str | None, typer.Option(help="JSON kwargs for --env envs")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="LLM agents: no response cache")] = False,
    no_trajectories: Annotated[bool, typer.Option("--no-trajectories", help="do not store trajectories")] = False,
    progress: Annotated[bool, typer.Option(help="show a progress bar")] = True,
    max_memory: Annotated[str | None, typer.Option(help="memory per worker (worker + agent host), e.g. 4G; over "
                                                   "it the episode is stored as oom [80% of RAM / workers]")] = None,
    max_error_rate: Annotated[float | None, typer.Option(help="exit 1 when a row's error rate is above this "
                                                         "[default: only when a row is all errors]")] = None,
    preflight_check: Annotated[bool, typer.Option("--preflight/--no-preflight", help="build each env, agent and "
                                                  "guard once before playing")] = True,
    executor: Annotated[str, typer.Option(help="where episodes run: local (worker processes) or ray (Ray actors; "
                                          "a local Ray runtime sized by --workers)")] = "local",
    ray_address: Annotated[str | None, typer.Option(help="with --executor ray: join this Ray cluster "
                                                    "instead of starting a local runtime")] = None,
    pin_cpus: Annotated[bool, typer.Option("--pin-cpus", help="local executor: keep worker i and its agent host "
                                           "on CPU i (fast envs with trivial agents on otherwise idle CPUs)")] = False,
    lanes: Annotated[int, typer.Option(help="local executor: episodes each worker plays at once, its agents' acts "
                                       "sent to the agent host in batches (fast envs; each lane builds its own env "
                                       "and agent)")] = 1,
) -> None:
    """Run a suite (or --env ids) with agents and seeds, store every episode, print the leaderboard."""
    from cauarena.leaderboards.runner import Runner
    from cauarena.leaderboards.store import ResultsStore
    from cauarena.leaderboards.suites import plan

    memory = parse_size(max_memory) if max_memory is not None else None
    _check_executor(executor, ray_address, pin_cpus, lanes)
    if lanes > 1 and workers == 0:
        raise ConfigError("--lanes sets how many episodes each worker process plays at once; --workers 0 plays one "
                          "at a time in this process. Fix: drop --lanes, or use --workers 1 or more.")
    if max_error_rate is not None and not 0.0 <= max_error_rate <= 1.0:
        raise ConfigError(f"--max-error-rate must lie in [0, 1], got {max_error_rate}.")
    spec = _build_suite(suite, env, agent, seeds, seed_start, repeats, max_steps, timeout, env_kwargs, guard)
    out = out or os.path.join("runs", spec.name)
    episodes = plan(spec)
    if not episodes:
        raise ConfigError(_nothing_to_play(spec))
    if preflight_check:
        from cauarena.leaderboards.preflight import preflight

        preflight(spec)
    store = ResultsStore(out)
    stored = store.stored_keys([e.key for e in episodes])
    if stored and not resume:
        raise ConfigError(f"{len(stored)} of the {len(episodes)} planned episodes are already stored in {store.url}. "
                          "Fix: add --resume to play only the rest, or choose another --out.")
    chat_kwargs = {}
    if any("/" in a for a in spec.agents) and not no_cache and "://" not in out:
        chat_kwargs["cache_dir"] = str(Path(out) / "cache")
    bar = _progress_bar(len(episodes) - len(stored), enabled=progress)
    runner = Runner(store, workers=workers, keep_trajectories=not no_trajectories, chat_kwargs=chat_kwargs,
                    on_result=bar.update_result if bar else None, max_memory=memory, pin_cpus=pin_cpus,
                    lanes=lanes)
    from cauarena.leaderboards.configs import suite_labels  # the leaderboard names labelled [[envs]] rows by them

    store.record_run(runner.run_id, {"suite": spec.name, "agents": list(spec.agents), "guards": list(spec.guards),
                                     "argv": sys.argv[1:], "labels": suite_labels(spec)})
    if executor == "ray":
        from cauarena.leaderboards.ray_executor import RayExecutor

        summary = RayExecutor(runner, address=ray_address).run(episodes)
    else:
        summary = runner.run(episodes)
    if bar:
        bar.close()
    errors = ", ".join(f"{k}: {v}" for k, v in summary.errors.items()) or "none"
    typer.echo(f"run {summary.run_id}: {summary.finished} episodes played, {summary.skipped} already stored, "
               f"errors {errors}, {summary.wall_time_s:.1f} s -> {store.url}", err=True)
    df = _leaderboard(store, out)
    if df is not None and _report_errors(df, max_error_rate, store.url if "://" in out else out):
        raise typer.Exit(code=1)


def _check_executor(executor: str, ray_address: str | None, pin_cpus: bool = False, lanes: int = 1) -> None:
    """Refuse what the executor cannot do.

    An unknown ``--executor``, a ``--ray-address`` without ``--executor ray``, ``--pin-cpus`` or ``--lanes`` with
    it, and fewer than one lane.
    """
    from cauarena.leaderboards.runner import check_lanes

    check_lanes(lanes, "--lanes")
    if lanes > 1 and executor != "local":
        raise ConfigError("--lanes sets how many episodes a local worker plays at once; Ray's actors play one at a "
                          "time. Fix: drop --lanes, or use --executor local.")
    if executor not in ("local", "ray"):
        raise ConfigError(f"--executor takes local or ray, got {executor!r}.")
    if ray_address is not None and executor != "ray":
        raise ConfigError(f"--ray-address {ray_address!r} needs --executor ray (the local executor uses no cluster).")
    if pin_cpus and executor != "local":
        raise ConfigError("--pin-cpus places the local executor's worker processes; Ray places its actors itself. "
                          "Fix: drop --pin-cpus, or use --executor local.")


def parse_size(text: str) -> int:
    """Bytes of a size such as ``512M``, ``4G``, ``4GiB`` or ``1000000``.

    >>> parse_size("4G"), parse_size("512m"), parse_size("1024")
    (4294967296, 536870912, 1024)
    """
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", text, flags=re.IGNORECASE)
    if match is None:
        raise ConfigError(f"--max-memory takes a size such as 512M or 4G, got {text!r}.")
    value = float(match.group(1)) * 1024 ** "bkmgt".index(match.group(2).lower() or "b")
    if value < 1:
        raise ConfigError(f"--max-memory must be positive, got {text!r}.")
    return int(value)


def _report_errors(df, max_error_rate: float | None, out: str) -> bool:  # noqa: ANN001
    """Print the first error of each (env, agent, guard, kind); True when a row's error rate is over the bar."""
    errors = df[df["error_kind"] != "none"].sort_values("episode_key")
    firsts = errors.groupby(["env_id", "agent", "guard", "error_kind"], sort=True).first()
    for (env_id, agent, guard, kind), row in firsts.head(_SHOWN_ERRORS).iterrows():
        shown = agent if guard == "none" else f"{agent} + guard {guard}"
        typer.echo(f"{kind} on {env_id} by {shown}: {_one_line(row['error_message'])}", err=True)
    if len(firsts) > _SHOWN_ERRORS:
        typer.echo(f"... and {len(firsts) - _SHOWN_ERRORS} more; `cauarena errors --out {out}` lists them.", err=True)
    rates = (df["error_kind"] != "none").groupby([df["env_id"], df["agent"], df["guard"]]).mean()
    bad = rates[rates > max_error_rate] if max_error_rate is not None else rates[rates >= 1.0]
    for (env_id, agent, guard), rate in bad.items():
        typer.echo(f"error: {rate:.0%} of the episodes of {agent} (guard {guard}) on {env_id} ended in an error"
                   + ("" if max_error_rate is None else f", above --max-error-rate {max_error_rate:g}"), err=True)
    return not bad.empty


_SHOWN_ERRORS = 20


def _one_line(text: str, width: int = 200) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= width else line[: width - 3] + "..."


class _Bar:
    def __init__(self, total: int) -> None:
        from tqdm import tqdm

        self.tqdm = tqdm(total=total, unit="ep", dynamic_ncols=True, file=sys.stderr)

    def update_result(self, result) -> None:  # noqa: ANN001
        self.tqdm.set_postfix_str(f"{result.env_id.split('/')[-1]} {result.agent}", refresh=False)
        self.tqdm.update(1)

    def close(self) -> None:
        self.tqdm.close()


def _progress_bar(total: int, enabled: bool) -> _Bar | None:
    return _Bar(total) if enabled and total else None


def _require_store(out: str) -> None:
    """Refuse a run directory that holds no results store (a URL is checked when the store opens it)."""
    if "://" not in out and not (Path(out) / "results.sqlite").exists():
        raise ConfigError(f"No results.sqlite in {out}. Fix: run `cauarena run --out {out}` first.")


FORMATS = ("terminal", "md", "csv", "html", "json", "latex")
"""What ``cauarena leaderboard --format`` prints."""


def _leaderboard(store, out: str, fmt: str = "terminal", columns: str | None = None):  # noqa: ANN001, ANN202
    """Print and write the leaderboard of ``store``; returns the episode rows (None when there are none).

    ``fmt`` is what goes to stdout (the rich tables, or one report format); every report file and the plots are
    written into ``out`` when it is a directory. ``columns`` (comma-separated metric keys) chooses the metrics.
    """
    from cauarena.leaderboards.configs import stored_labels
    from cauarena.leaderboards.report import build_leaderboard, render, render_terminal, write_reports

    df = store.dataframe(lean=True)
    if df.empty:
        typer.echo(f"No results stored in {store.url} yet.", err=True)
        return None
    chosen = [c.strip() for c in columns.split(",") if c.strip()] if columns else None
    board = build_leaderboard(df, labels=stored_labels(store))
    metadata = {"store": store.url, "runs": int(df["run_id"].nunique()), "episodes": len(df),
                "suites": ", ".join(sorted(df["suite"].unique()))}
    try:
        if fmt == "terminal":
            render_terminal(board, columns=chosen)
        else:
            typer.echo(render(board, fmt, metadata=metadata, columns=chosen), nl=False)
        if "://" not in out:
            paths = write_reports(board, Path(out), metadata=metadata, columns=chosen)
            plots = sum(key.startswith("svg:") for key in paths)
            files = ", ".join(str(p) for key, p in paths.items() if not key.startswith("svg:"))
            typer.echo(f"wrote {files} and {plots} plot(s) in {Path(out) / 'plots'}", err=True)
    except ValueError as exc:  # an unknown --columns name
        raise ConfigError(str(exc)) from None
    return df


@app.command("leaderboard")
def leaderboard(
    out: Annotated[str, typer.Option(help="run directory or SQLAlchemy URL of a results store")] = "runs/default",
    format: Annotated[str, typer.Option("--format", help="what to print: terminal, md, csv, html, json or latex "
                                        "(every file is written into --out either way)")] = "terminal",  # noqa: A002
    columns: Annotated[str | None, typer.Option(help="comma-separated metrics to show instead of each family's "
                                                "headline metrics, e.g. auprc,shd,success")] = None,
) -> None:
    """Print the leaderboard of a results store; write leaderboard.md/.csv/.html/.json/.tex and plots into --out."""
    from cauarena.leaderboards.store import ResultsStore

    if format not in FORMATS:
        raise ConfigError(f"--format must be one of {', '.join(FORMATS)}, got {format!r}.")
    _require_store(out)
    _leaderboard(ResultsStore(out), out, format, columns)


@app.command("compare")
def compare(
    target: Annotated[str, typer.Option(help="the agent to compare (as stored, e.g. tiny/babyai-grpo)")],
    baseline: Annotated[list[str], typer.Option(help="an agent to compare against (repeatable)")],
    out: Annotated[str, typer.Option(help="run directory or SQLAlchemy URL of a results store")] = "runs/default",
    markdown: Annotated[str | None, typer.Option(help="also write the Markdown report here")] = None,
    json_out: Annotated[str | None, typer.Option("--json", help="also write the report as JSON here")] = None,
) -> None:
    """Paired comparison of --target against each --baseline: same env, config, guard and seed, with 95% intervals."""
    from cauarena.leaderboards.compare import main as compare_main

    _require_store(out)
    argv = ["--out", out, "--target", target, *(a for b in baseline for a in ("--baseline", b))]
    argv += ["--markdown", markdown] if markdown else []
    argv += ["--json", json_out] if json_out else []
    compare_main(argv)


@app.command("errors")
def errors(
    out: Annotated[str, typer.Option(help="run directory or SQLAlchemy URL of a results store")] = "runs/default",
    limit: Annotated[int | None, typer.Option(help="list at most this many")] = None,
    traceback: Annotated[bool, typer.Option("--traceback", help="print each traceback too")] = False,
) -> None:
    """List the stored episodes that ended in an error: env, agent, guard, seed, kind and message."""
    from cauarena.leaderboards.store import ResultsStore

    _require_store(out)
    if limit is not None and limit < 1:
        raise ConfigError(f"--limit must be at least 1, got {limit}.")
    store = ResultsStore(out)
    rows = store.errors(limit=limit)
    for row in rows:
        guard = "" if row.guard == "none" else f" guard={row.guard}"
        typer.echo(f"{row.kind:<12} {row.env_id} agent={row.agent}{guard} seed={row.seed}: {_one_line(row.message)}")
        if traceback and row.traceback:
            typer.echo(row.traceback.rstrip())
    typer.echo(f"{len(rows)} errored episode(s) in {store.url}", err=True)


@app.command("train", context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
             add_help_option=False)
def train(
    ctx: typer.Context,
    method: Annotated[str | None, typer.Argument(help="the learner; `cauarena train --help` lists them")] = None,
) -> None:
    """Train a model: `cauarena train <method> --out DIR [options]`; `cauarena train <method> --help` lists them."""
    from cauarena.learners.command import listing, method_command

    if method is None or method in ("--help", "-h"):
        typer.echo("Usage: cauarena train METHOD --out DIR [OPTIONS]\n\nTrain a model; it writes only under --out. "
                   "`cauarena train METHOD --help` lists every option (config fields with type, default and "
                   f"doc).\n\nMethods:\n{listing()}")
        return
    command = typer.main.get_command(method_command(method))
    code = command.main(args=list(ctx.args), prog_name=f"cauarena train {method}", standalone_mode=False)
    if isinstance(code, int) and code:
        raise typer.Exit(code)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``cauarena`` script; CauArena errors print one line and exit with code 2."""
    try:
        code = app(args=argv, standalone_mode=False)  # a typer.Exit inside a command comes back as its code
    except CauArenaError as exc:
        typer.echo(f"error: {exc}", err=True)
        return 2
    except (typer.Exit, SystemExit) as exc:
        return int(getattr(exc, "exit_code", getattr(exc, "code", 0)) or 0)
    except _USAGE_ERRORS as exc:  # a misspelt option, a bad int: one line, as the fix
        typer.echo(f"error: {_usage_line(exc)} (see `cauarena --help` or `cauarena <command> --help`)", err=True)
        return 2
    except _ABORT:
        return 130
    except OSError as exc:  # a path the user gave that cannot be written or read
        typer.echo(f"error: {exc.strerror or exc} ({exc.filename or ''}). Fix: choose another --out path.", err=True)
        return 2
    return code if isinstance(code, int) else 0


def _usage_line(exc: Exception) -> str:
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    return " ".join(str(message).split())


def _click_exceptions() -> tuple[tuple[type[Exception], ...], tuple[type[BaseException], ...]]:
    """Typer's click exception classes (typer 0.29 vendors click as ``typer._click``) and plain click's."""
    usage: list[type[Exception]] = []
    abort: list[type[BaseException]] = [KeyboardInterrupt, typer.Abort]
    for name in ("typer._click.exceptions", "click.exceptions"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        usage.append(module.ClickException)
        abort.extend(c for c in (getattr(module, "Abort", None),) if c is not None)
    return tuple(usage), tuple(abort)


_USAGE_ERRORS, _ABORT = _click_exceptions()


if __name__ == "__main__":
    sys.exit(main())
