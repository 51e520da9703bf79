"""The results store: one row per finished episode, one transaction each, any SQLAlchemy URL.

The default is a SQLite file ``results.sqlite`` in the run directory (WAL journal, so readers never block
the writer). Trajectories are kept beside the rows, zlib-compressed JSON, keyed by the episode key.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from cauarena.errors import ConfigError
from cauarena.leaderboards.schema import SCHEMA_VERSION, EpisodeResult, Trajectory

_META = sa.MetaData()

EPISODES = sa.Table(
    "episodes",
    _META,
    sa.Column("episode_key", sa.String(40), primary_key=True),
    sa.Column("schema_version", sa.Integer, nullable=False),
    sa.Column("run_id", sa.String(64), nullable=False, index=True),
    sa.Column("suite", sa.String(128), nullable=False),
    sa.Column("env_id", sa.String(256), nullable=False, index=True),
    sa.Column("env_version", sa.Integer, nullable=False),
    sa.Column("env_kwargs", sa.JSON, nullable=False),
    sa.Column("agent", sa.String(512), nullable=False),
    sa.Column("guard", sa.String(512), nullable=False),
    sa.Column("privileged", sa.Boolean, nullable=False, default=False),
    sa.Column("seed", sa.BigInteger, nullable=False),
    sa.Column("repeat", sa.Integer, nullable=False),
    sa.Column("episode_return", sa.Float, nullable=False),
    sa.Column("success", sa.Boolean, nullable=False),
    sa.Column("steps", sa.Integer, nullable=False),
    sa.Column("invalid_actions", sa.Integer, nullable=False),
    sa.Column("prompt_tokens", sa.BigInteger, nullable=False),
    sa.Column("completion_tokens", sa.BigInteger, nullable=False),
    sa.Column("metrics", sa.JSON, nullable=False),
    sa.Column("error_kind", sa.String(32), nullable=False),
    sa.Column("error_message", sa.Text, nullable=False),
    sa.Column("error_traceback", sa.Text, nullable=False, default=""),
    sa.Column("wall_time_s", sa.Float, nullable=False),
    sa.Column("truncated", sa.Boolean, nullable=False),
    sa.Column("trajectory_id", sa.String(40), nullable=True),
)

TRAJECTORIES = sa.Table(
    "trajectories",
    _META,
    sa.Column("episode_key", sa.String(40), primary_key=True),
    sa.Column("data", sa.LargeBinary, nullable=False),
)

RUNS = sa.Table(
    "runs",
    _META,
    sa.Column("run_id", sa.String(64), primary_key=True),
    sa.Column("schema_version", sa.Integer, nullable=False),
    sa.Column("config", sa.JSON, nullable=False),
)


def store_url(out: str | Path) -> str:
    """The URL of an ``--out`` value: a SQLAlchemy URL as it is, a directory as its ``results.sqlite``."""
    text = str(out)
    if "://" in text:
        return text
    path = Path(text)
    path.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(path / 'results.sqlite').resolve()}"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


class ResultsStore:
    """Reads and writes :class:`EpisodeResult` rows and their trajectories.

    Args:
        url: any SQLAlchemy URL (``sqlite:///path``, ``postgresql+psycopg://...``) or a directory, which
            gets ``results.sqlite`` inside it.
    """

    def __init__(self, url: str | Path) -> None:
        self.url = store_url(url)
        try:
            self.engine = sa.create_engine(self.url, future=True)
        except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as exc:
            raise ConfigError(f"Cannot open results store {self.url!r}: {exc}") from exc
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        _META.create_all(self.engine)
        self._check_schema()

    def _check_schema(self) -> None:
        with self.engine.connect() as conn:
            versions = {v for (v,) in conn.execute(sa.select(EPISODES.c.schema_version).distinct())}
        if versions - {SCHEMA_VERSION}:
            raise ConfigError(
                f"The store at {self.url} holds result schema versions {sorted(versions)}, this CauArena "
                f"writes version {SCHEMA_VERSION}. Fix: use a fresh --out directory."
            )

    def record_run(self, run_id: str, config: dict[str, Any]) -> None:
        """Save (or update) a run's configuration."""
        with self.engine.begin() as conn:
            conn.execute(RUNS.delete().where(RUNS.c.run_id == run_id))
            conn.execute(RUNS.insert().values(run_id=run_id, schema_version=SCHEMA_VERSION, config=config))

    def add(self, result: EpisodeResult, trajectory: Trajectory | None = None) -> bool:
        """Store one episode (and its trajectory) in one transaction.

        Returns:
            False when the episode key was already stored (nothing is written twice).
        """
        row = result.model_dump()
        if trajectory is not None:
            row["trajectory_id"] = result.episode_key
        with self.engine.begin() as conn:
            exists = conn.execute(
                sa.select(EPISODES.c.episode_key).where(EPISODES.c.episode_key == result.episode_key)
            ).first()
            if exists:
                return False
            conn.execute(EPISODES.insert().values(**row))
            if trajectory is not None:
                blob = zlib.compress(trajectory.model_dump_json().encode(), 6)
                conn.execute(TRAJECTORIES.insert().values(episode_key=result.episode_key, data=blob))
        return True

    def stored_keys(self, keys: Iterable[str] | None = None) -> set[str]:
        """Episode keys already stored (all of them, or those among ``keys``)."""
        with self.engine.connect() as conn:
            stored = {k for (k,) in conn.execute(sa.select(EPISODES.c.episode_key))}
        return stored if keys is None else stored & set(keys)

    def results(self, run_id: str | None = None) -> list[EpisodeResult]:
        """Every stored row, optionally of one run."""
        query = sa.select(EPISODES)
        if run_id is not None:
            query = query.where(EPISODES.c.run_id == run_id)
        with self.engine.connect() as conn:
            return [EpisodeResult.model_validate(dict(r._mapping)) for r in conn.execute(query)]

    def dataframe(self) -> Any:
        """Every stored row as a pandas DataFrame (one row per episode; ``metrics`` as dicts)."""
        import pandas as pd

        with self.engine.connect() as conn:
            df = pd.read_sql(sa.select(EPISODES), conn)
        if not df.empty:
            df["metrics"] = [m if isinstance(m, dict) else json.loads(m or "{}") for m in df["metrics"]]
        return df

    def trajectory(self, episode_key: str) -> Trajectory | None:
        """The stored trajectory of one episode, or ``None``."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(TRAJECTORIES.c.data).where(TRAJECTORIES.c.episode_key == episode_key)
            ).first()
        return None if row is None else Trajectory.model_validate_json(zlib.decompress(row[0]))

    def iter_trajectories(self) -> Iterator[Trajectory]:
        """Every stored trajectory (for guard training and inspection)."""
        with self.engine.connect() as conn:
            for (blob,) in conn.execute(sa.select(TRAJECTORIES.c.data)):
                yield Trajectory.model_validate_json(zlib.decompress(blob))

    def count(self) -> int:
        """Number of stored episodes."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(EPISODES)).scalar_one())

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()
