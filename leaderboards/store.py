"""The results store: one row per finished episode, one transaction each, any SQLAlchemy URL.

The default is a SQLite file ``results.sqlite`` in the run directory (WAL journal, so readers never block
the writer; ``synchronous=NORMAL``, and ``synchronous_commit=off`` on PostgreSQL: a crash may lose the last
commits but never corrupts the store, and ``--resume`` plays a lost episode again).
Trajectories are kept beside the rows, zlib-compressed JSON, keyed by the episode key.

Several runs may write into one store at once: the schema is created with ``IF NOT EXISTS`` (under an advisory
lock on PostgreSQL) and an episode is inserted-or-ignored on its key, so each key is stored once. A store that
cannot be used (corrupt, truncated, read-only, unreachable, another schema, in memory) is refused with one
:class:`~cauarena.errors.ConfigError` line before anything is written to it.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import stat
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateIndex, CreateTable

from cauarena.errors import ConfigError, DependencyNotInstalled
from cauarena.leaderboards.schema import SCHEMA_VERSION, EpisodeResult, Trajectory

_META = sa.MetaData()

EPISODES = sa.Table(
    "episodes",
    _META,
    sa.Column("episode_key", sa.String(40), primary_key=True),
    sa.Column("schema_version", sa.Integer, nullable=False),
    sa.Column("run_id", sa.Text, nullable=False, index=True),
    sa.Column("suite", sa.Text, nullable=False),
    sa.Column("env_id", sa.Text, nullable=False, index=True),
    sa.Column("env_version", sa.Integer, nullable=False),
    sa.Column("env_kwargs", sa.JSON, nullable=False),
    sa.Column("agent", sa.Text, nullable=False),
    sa.Column("guard", sa.Text, nullable=False),
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
    sa.Column("run_id", sa.Text, primary_key=True),
    sa.Column("schema_version", sa.Integer, nullable=False),
    sa.Column("config", sa.JSON, nullable=False),
)

_PG_SCHEMA_LOCK = 0x0CA0A4E4A
"""PostgreSQL advisory lock key held while creating the schema, so concurrent creators queue."""
_SQLITE_MAGIC = b"SQLite format 3\x00"
_SQLITE_BUSY_S = 30.0
"""Seconds a SQLite writer waits for another writer's lock before it gives up."""
_FIX_FRESH = "Fix: move it aside (or restore it from a backup) and use a fresh --out."


@dataclass(frozen=True)
class StoredError:
    """One stored episode that ended in an error (what ``cauarena errors`` lists)."""

    episode_key: str
    env_id: str
    agent: str
    guard: str
    seed: int
    kind: str
    message: str
    traceback: str


def store_url(out: str | Path) -> str:
    """The URL of an ``--out`` value: a SQLAlchemy URL as it is, a directory as its ``results.sqlite``.

    Raises:
        ConfigError: the directory cannot be created (a file is in the way, no permission, read-only disk).
    """
    text = str(out)
    if "://" in text:
        return text
    path = Path(text)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        raise ConfigError(f"--out {text} must be a directory, but {exc.filename} is a file. "
                          "Fix: choose another --out.") from exc
    except OSError as exc:
        raise ConfigError(f"Cannot create the run directory {text}: {exc.strerror}. "
                          "Fix: choose a writable --out.") from exc
    return f"sqlite:///{(path / 'results.sqlite').resolve()}"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute(f"PRAGMA busy_timeout={int(_SQLITE_BUSY_S * 1000)}")
    _switch_to_wal(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _switch_to_wal(cursor: Any) -> None:
    """Set the WAL journal, retrying while another opener holds the lock.

    SQLite answers "database is locked" to a journal-mode switch without waiting on the busy timeout when two
    connections open a new file at once, so the switch is retried here.
    """
    import sqlite3

    deadline = time.monotonic() + _SQLITE_BUSY_S
    for attempt in itertools.count():
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(min(0.005 * 2**attempt, 0.25))


def _one_line(exc: BaseException) -> str:
    """The root cause of a driver error as one line (no SQL, no background link)."""
    cause = getattr(exc, "orig", None) or exc
    return " ".join(str(cause).split()) or type(cause).__name__


def _parse_url(text: str) -> sa.URL:
    try:
        return sa.make_url(text)
    except sa.exc.ArgumentError as exc:
        raise ConfigError(f"Cannot open results store {text!r}: {exc}. Fix: pass a directory or a SQLAlchemy "
                          "URL such as sqlite:///path/results.sqlite or postgresql+psycopg://host/db.") from exc


def _refuse_in_memory(url: sa.URL, shown: str) -> None:
    if url.get_backend_name() != "sqlite":
        return
    db = url.database or ""
    if db in ("", ":memory:") or db.startswith("file::memory:") or "mode=memory" in db + str(url.query):
        raise ConfigError(f"The results store {shown} is in memory: every result would be lost when the run "
                          "ends. Fix: pass a directory or a sqlite:///path/results.sqlite URL.")


def _is_writable(path: Path) -> bool:
    """Writable by this process, by its mode bits (root ignores them) and by its filesystem."""
    st = path.stat()
    if not os.access(path, os.W_OK) or not stat.S_IMODE(st.st_mode) & 0o222:
        return False
    return not os.statvfs(path).f_flag & os.ST_RDONLY


def _check_sqlite_file(path: Path) -> None:
    """Refuse a SQLite store that is missing its folder, read-only, not SQLite, or truncated; write nothing."""
    if not path.parent.is_dir():
        raise ConfigError(f"The results store {path} cannot be created: {path.parent} is not a directory. "
                          "Fix: create the folder or choose another --out.")
    if not _is_writable(path.parent):
        raise ConfigError(f"The results store {path} is in a read-only folder ({path.parent}): SQLite must write "
                          "its journal beside it. Fix: make the folder writable or copy the store elsewhere.")
    if not path.exists():
        return
    if not _is_writable(path):
        raise ConfigError(f"The results store {path} is read-only. Fix: make it writable (chmod u+w) "
                          "or copy it elsewhere.")
    size = path.stat().st_size
    if size == 0:
        return
    with path.open("rb") as fh:
        header = fh.read(100)
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        raise ConfigError(f"The results store {path} is not a SQLite database (corrupt or another kind of "
                          f"file). {_FIX_FRESH}")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    header_valid = header[24:28] == header[92:96]
    wal = path.with_name(path.name + "-wal")
    replaying = wal.exists() and wal.stat().st_size > 0  # a checkpoint cut short: the WAL completes the file
    if header_valid and pages and size < pages * page_size and not replaying:
        raise ConfigError(f"The results store {path} is truncated ({size} of {pages * page_size} bytes). "
                          f"{_FIX_FRESH}")


def _readonly_sqlite_engine(path: Path) -> sa.Engine:
    """An engine that can only read ``path`` (``mode=ro``), for checking a store before writing to it."""
    import sqlite3

    uri = f"{path.resolve().as_uri()}?mode=ro"
    return sa.create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True), poolclass=sa.NullPool)


def _check_tables(conn: sa.Connection, shown: str) -> None:
    """Refuse existing tables that are not this CauArena's (other columns, other schema versions)."""
    existing = set(sa.inspect(conn).get_table_names())
    for table in _META.sorted_tables:
        if table.name not in existing:
            continue
        columns = {c["name"] for c in sa.inspect(conn).get_columns(table.name)}
        if "schema_version" in columns and table is EPISODES:
            versions = sorted(v for (v,) in conn.execute(sa.text("SELECT DISTINCT schema_version FROM episodes")))
            if set(versions) - {SCHEMA_VERSION}:
                raise ConfigError(f"The store at {shown} holds result schema versions {versions}, this CauArena "
                                  f"writes version {SCHEMA_VERSION}. Fix: use a fresh --out directory.")
        missing = sorted(set(table.c.keys()) - columns)
        if missing:
            raise ConfigError(f"The store at {shown} has a {table.name!r} table that is not a CauArena results "
                              f"table (no columns {', '.join(missing)}). Fix: use a fresh --out directory.")


def _create_schema(conn: sa.Connection) -> None:
    """Create missing tables and indexes; safe while another process does the same."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_SCHEMA_LOCK})
    if conn.dialect.name in ("sqlite", "postgresql"):
        for table in _META.sorted_tables:
            conn.execute(CreateTable(table, if_not_exists=True))
            for index in sorted(table.indexes, key=lambda ix: ix.name or ""):
                conn.execute(CreateIndex(index, if_not_exists=True))
    else:
        _META.create_all(conn, checkfirst=True)


@functools.cache
def _insert_statement(table: sa.Table, dialect: str) -> Any:
    """The insert of one ``table`` row that skips a stored key, built once and executed with the row as parameters.

    Values bound as parameters (not ``.values(**row)``) keep one statement in SQLAlchemy's compiled cache instead of
    a new one per row: with it the parent's CPU per stored BabyAI episode fell from 2.45-3.14 to 2.12 ms
    (``benchmarks/bench_runner_costs.py``, BENCHMARKS.md, issue 18).
    """
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing().returning(*table.primary_key.columns)
    return table.insert()


def _insert_ignore(conn: sa.Connection, table: sa.Table, row: dict[str, Any]) -> bool:
    """Insert ``row`` unless its primary key is stored; True when it was inserted."""
    dialect = conn.dialect.name
    insert = _insert_statement(table, dialect)
    if dialect == "sqlite":
        return conn.execute(insert, row).rowcount == 1
    if dialect == "postgresql":
        return conn.execute(insert, row).first() is not None  # no rowcount
    with conn.begin_nested() as savepoint:
        try:
            conn.execute(insert, row)
        except sa.exc.IntegrityError:
            savepoint.rollback()
            return False
    return True


_NOT_LEAN = frozenset({"error_traceback", "trajectory_id", "env_version", "truncated"})
"""Columns a leaderboard never reads (left out of ``dataframe(lean=True)``)."""
_JSON_TEXT = frozenset({"env_kwargs", "metrics"})
"""JSON columns read as text on the lean path (the leaderboard decodes them: once per distinct value, column-wise)."""


def _read_adbc_sqlite(engine: sa.Engine, sql: str) -> Any:
    """``sql`` read into a DataFrame column by column through ADBC (``cauarena[scale]``); None when not usable.

    Only for SQLite files, and only when ``adbc-driver-sqlite`` is installed: it hands pandas Arrow columns, not
    a Python object per cell, which is what makes a leaderboard over a million episodes fast.
    """
    if engine.dialect.name != "sqlite" or not engine.url.database:
        return None
    try:
        import adbc_driver_sqlite.dbapi as adbc
    except ImportError:
        return None
    uri = f"file:{quote(str(Path(engine.url.database).resolve()))}?mode=ro"  # quoted: a path may hold '?' or '#'
    with adbc.connect(uri, autocommit=True) as conn, \
            conn.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetch_arrow_table().to_pandas()


class ResultsStore:
    """Reads and writes :class:`EpisodeResult` rows and their trajectories.

    Args:
        url: any SQLAlchemy URL (``sqlite:///path``, ``postgresql+psycopg://...``) or a directory, which
            gets ``results.sqlite`` inside it. In-memory SQLite is refused.

    Attributes:
        url: the store's URL with any password masked (safe to print and to store).

    Raises:
        ConfigError: one line naming the store and the fix when it cannot be used; nothing is written to it.
        DependencyNotInstalled: the URL's driver is missing (``pip install 'cauarena[postgres]'``).
    """

    def __init__(self, url: str | Path) -> None:
        parsed = _parse_url(store_url(url))
        if parsed.drivername == "postgresql":  # SQLAlchemy's default is psycopg2; the postgres extra has psycopg 3
            parsed = parsed.set(drivername="postgresql+psycopg")
        self.url = parsed.render_as_string(hide_password=True)
        self._password = str(parsed.password) if parsed.password else ""
        _refuse_in_memory(parsed, self.url)
        if parsed.get_backend_name() == "sqlite":
            _check_sqlite_file(Path(parsed.database))
        self.engine = self._create_engine(parsed)
        self._open()

    def _create_engine(self, url: sa.URL) -> sa.Engine:
        connect_args = {}
        if url.drivername == "postgresql+psycopg":
            # As SQLite's synchronous=NORMAL: a crash of the server may lose the last commits, never corrupts;
            # --resume replays a lost episode. A commit then does not wait for the disk (2x episodes/s).
            connect_args = {"connect_timeout": 10, "options": "-c synchronous_commit=off"}
        try:
            engine = sa.create_engine(url, connect_args=connect_args)
        except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as exc:
            raise ConfigError(f"Cannot open results store {self.url!r}: {_one_line(exc)}. Fix: use a dialect "
                              "SQLAlchemy knows (sqlite, postgresql+psycopg, ...).") from exc
        except ImportError as exc:
            if url.get_driver_name() == "psycopg":
                raise DependencyNotInstalled("psycopg", "postgres", f"the results store {self.url}") from exc
            raise ConfigError(f"The driver {url.get_driver_name()!r} of results store {self.url} is not installed "
                              f"({exc}). Fix: install it, or use postgresql+psycopg:// with pip install "
                              "'cauarena[postgres]'.") from exc
        if engine.dialect.name == "sqlite":
            sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine

    def _open(self) -> None:
        """Check existing tables (read-only where the dialect allows), then create the missing ones."""
        try:
            path = Path(self.engine.url.database or "")
            if self.engine.dialect.name == "sqlite" and path.exists():
                probe = _readonly_sqlite_engine(path)
                try:
                    with probe.connect() as conn:
                        _check_tables(conn, self.url)
                finally:
                    probe.dispose()
            with self.engine.begin() as conn:
                if self.engine.dialect.name != "sqlite":
                    _check_tables(conn, self.url)
                _create_schema(conn)
        except ConfigError:
            self.engine.dispose()
            raise
        except sa.exc.DBAPIError as exc:
            self.engine.dispose()
            raise self._unusable(exc) from None

    def _unusable(self, exc: sa.exc.DBAPIError) -> ConfigError:
        """The one-line error for a store the database driver could not open or set up."""
        cause = self._scrub(_one_line(exc))
        if self.engine.dialect.name == "sqlite":
            what = "is corrupt" if not isinstance(exc, sa.exc.OperationalError) else "cannot be used"
            return ConfigError(f"The results store {self.url} {what}: {cause}. {_FIX_FRESH}")
        if isinstance(exc, sa.exc.OperationalError):
            return ConfigError(f"Cannot connect to the results store {self.url}: {cause}. Fix: start the server, "
                               "or correct host, port, database and credentials in --out.")
        return ConfigError(f"Cannot set up the results store {self.url}: {cause}. Fix: let the user create tables "
                           "in that database, or choose another database in --out.")

    def _scrub(self, value: Any) -> Any:
        """``value`` with the connection password replaced by ``***`` in every string inside it.

        The password is masked wherever it follows ``:`` and precedes ``@`` (as in a URL, raw or
        percent-encoded), and anywhere at all when it is long enough not to be an ordinary word.
        """
        if not self._password:
            return value
        if isinstance(value, str):
            for secret in {self._password, quote(self._password, safe=""), quote_plus(self._password)}:
                value = value.replace(f":{secret}@", ":***@")
                if len(secret) >= 6:
                    value = value.replace(secret, "***")
            return value
        if isinstance(value, dict):
            return {k: self._scrub(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._scrub(v) for v in value]
        return value

    def __repr__(self) -> str:
        return f"ResultsStore({self.url!r})"

    def record_run(self, run_id: str, config: dict[str, Any]) -> None:
        """Save (or update) a run's configuration; a password of the store's URL is masked in it."""
        row = {"run_id": run_id, "schema_version": SCHEMA_VERSION, "config": self._scrub(config)}
        with self.engine.begin() as conn:
            conn.execute(RUNS.delete().where(RUNS.c.run_id == run_id))
            _insert_ignore(conn, RUNS, row)

    def add(self, result: EpisodeResult, trajectory: Trajectory | None = None) -> bool:
        """Store one episode (and its trajectory) in one transaction, unless its key is already stored.

        Safe while other processes write into the same store: the insert is ignored on a stored key.

        Returns:
            False when the episode key was already stored (nothing is written twice).
        """
        row = result.model_dump()
        row["error_message"] = self._scrub(row["error_message"])
        row["error_traceback"] = self._scrub(row["error_traceback"])
        if trajectory is not None:
            row["trajectory_id"] = result.episode_key
        with self.engine.begin() as conn:
            if not _insert_ignore(conn, EPISODES, row):
                return False
            if trajectory is not None:
                blob = zlib.compress(trajectory.model_dump_json().encode(), 6)
                _insert_ignore(conn, TRAJECTORIES, {"episode_key": result.episode_key, "data": blob})
        return True

    def stored_keys(self, keys: Iterable[str] | None = None) -> set[str]:
        """Episode keys already stored (all of them, or those among ``keys``)."""
        with self.engine.connect() as conn:
            stored = {k for (k,) in conn.execute(sa.select(EPISODES.c.episode_key))}
        return stored if keys is None else stored & set(keys)

    def results(self, run_id: str | None = None) -> list[EpisodeResult]:
        """Every stored row, optionally of one run, ordered by episode key."""
        query = sa.select(EPISODES).order_by(EPISODES.c.episode_key)
        if run_id is not None:
            query = query.where(EPISODES.c.run_id == run_id)
        with self.engine.connect() as conn:
            return [EpisodeResult.model_validate(dict(r._mapping)) for r in conn.execute(query)]

    def errors(self, limit: int | None = None) -> list[StoredError]:
        """The stored episodes that ended in an error, ordered by episode key (at most ``limit`` of them)."""
        c = EPISODES.c
        query = (sa.select(c.episode_key, c.env_id, c.agent, c.guard, c.seed, c.error_kind, c.error_message,
                           c.error_traceback)
                 .where(c.error_kind != "none").order_by(c.episode_key).limit(limit))
        with self.engine.connect() as conn:
            return [StoredError(*row) for row in conn.execute(query)]

    def dataframe(self, *, lean: bool = False) -> Any:
        """Every stored row as a pandas DataFrame, ordered by episode key.

        Args:
            lean: only the columns a leaderboard reads (no traceback or trajectory pointer), with ``env_kwargs``
                and ``metrics`` as their JSON text rather than a dict per row (the leaderboard decodes them
                column-wise), read through ADBC when ``cauarena[scale]`` is installed, else through the driver's
                own cursor: the fast path for large stores (``benchmarks/bench_leaderboard_scale.py``). Without
                ``lean``, ``metrics`` holds dicts.
        """
        import pandas as pd

        if lean:
            return self._lean_dataframe()
        query = sa.select(*EPISODES.c).order_by(EPISODES.c.episode_key)
        with self.engine.connect() as conn:
            df = pd.read_sql(query, conn)
        if not df.empty:
            df["metrics"] = [m if isinstance(m, dict) else json.loads(m or "{}") for m in df["metrics"]]
        return df

    def _lean_dataframe(self) -> Any:
        """:meth:`dataframe` with ``lean=True``: columnar through ADBC on SQLite when installed, else the driver."""
        columns = [c for c in EPISODES.c if c.name not in _NOT_LEAN]
        select = [sa.cast(c, sa.Text).label(c.name) if c.name in _JSON_TEXT else c for c in columns]
        query = sa.select(*select).order_by(EPISODES.c.episode_key)
        sql = str(query.compile(dialect=self.engine.dialect, compile_kwargs={"literal_binds": True}))
        df = _read_adbc_sqlite(self.engine, sql)
        if df is None or df.empty:  # an empty Arrow result has no column types
            df = self._read_dbapi(sql, [c.name for c in columns])
        for column in columns:
            if isinstance(column.type, sa.Boolean):
                df[column.name] = df[column.name].astype(bool)
        return df

    def _read_dbapi(self, sql: str, names: list[str]) -> Any:
        """Rows of ``sql`` through the database driver's own cursor (no SQLAlchemy row objects)."""
        import pandas as pd

        with self.engine.connect() as conn:
            cursor = conn.connection.dbapi_connection.cursor()
            try:
                cursor.execute(sql)
                rows = cursor.fetchall()
            finally:
                cursor.close()
        return pd.DataFrame(dict(zip(names, zip(*rows, strict=True) if rows else [()] * len(names), strict=True)))

    def trajectory(self, episode_key: str) -> Trajectory | None:
        """The stored trajectory of one episode, or ``None``."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(TRAJECTORIES.c.data).where(TRAJECTORIES.c.episode_key == episode_key)
            ).first()
        return None if row is None else Trajectory.model_validate_json(zlib.decompress(row[0]))

    def iter_trajectories(self) -> Iterator[Trajectory]:
        """Every stored trajectory, ordered by episode key (for guard training and inspection)."""
        with self.engine.connect() as conn:
            query = sa.select(TRAJECTORIES.c.data).order_by(TRAJECTORIES.c.episode_key)
            for (blob,) in conn.execute(query):
                yield Trajectory.model_validate_json(zlib.decompress(blob))

    def count(self) -> int:
        """Number of stored episodes."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(EPISODES)).scalar_one())

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()
