"""A real PostgreSQL server for tests and benchmarks, started from the Debian package ``postgresql``.

``initdb`` and ``pg_ctl`` build a cluster in a temporary folder, listening on 127.0.0.1 at a free port with
its unix socket inside that folder; it is stopped and removed at the end. As root (initdb refuses root) the
server runs as the ``postgres`` user through ``runuser``. The superuser ``cauarena`` has a password, so
tests see the password masking at work.

Use the pytest fixtures ``postgres_server`` (one server per session) and ``postgres_url`` (a fresh database
per test), or :func:`running_postgres` from a script.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PASSWORD = "s3cret-pg-Pw"
USER = "cauarena"


@dataclass(frozen=True)
class PostgresServer:
    """A running server: its folder, port, and a URL factory."""

    root: Path
    port: int

    def url(self, database: str = "postgres") -> str:
        """A ``postgresql+psycopg://`` URL of ``database`` (with the password in it)."""
        return f"postgresql+psycopg://{USER}:{PASSWORD}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """Create a fresh, empty database and return its URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        dsn = f"host=127.0.0.1 port={self.port} user={USER} password={PASSWORD} dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def pg_bin_dir() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``: on PATH, else Debian's newest /usr/lib/postgresql/N/bin."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return versions[-1].parent if versions else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_server_user(root: Path) -> list[str]:
    """The command prefix that runs the server as an unprivileged user (``[]`` when we already are one)."""
    if os.geteuid() != 0:
        return []
    try:
        user = pwd.getpwnam("postgres")
    except KeyError as exc:
        raise RuntimeError("running as root and no 'postgres' user exists; install the postgresql package") from exc
    for path in (root, *root.rglob("*")):
        os.chown(path, user.pw_uid, user.pw_gid)
    return ["runuser", "-u", "postgres", "--"]


def _run(cmd: list[str], root: Path) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if proc.returncode:
        log = (root / "server.log").read_text() if (root / "server.log").exists() else ""
        raise RuntimeError(f"{' '.join(cmd[:4])} failed ({proc.returncode}): {proc.stderr[-2000:]}\n{log[-2000:]}")


@contextlib.contextmanager
def running_postgres(settings: dict[str, str] | None = None) -> Iterator[PostgresServer]:
    """Start a throw-away server, yield it, stop it and delete its folder.

    Args:
        settings: extra server settings (``-c name=value``), e.g. ``{"fsync": "off"}``.
    """
    bindir = pg_bin_dir()
    if bindir is None:
        raise RuntimeError("initdb/pg_ctl not found; install the Debian package postgresql")
    root = Path(tempfile.mkdtemp(prefix="cauarena-pg-"))
    (root / "pwfile").write_text(PASSWORD + "\n")
    prefix = _as_server_user(root)
    port = _free_port()
    data = root / "data"
    _run([*prefix, str(bindir / "initdb"), "-D", str(data), "-U", USER, f"--pwfile={root / 'pwfile'}",
          "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync"], root)
    options = {"listen_addresses": "127.0.0.1", "port": str(port), "unix_socket_directories": str(root),
               **(settings or {})}
    opts = " ".join(f"-c {k}={v}" for k, v in options.items())
    pg_ctl = [*prefix, str(bindir / "pg_ctl"), "-D", str(data)]
    _run([*pg_ctl, "-l", str(root / "server.log"), "-w", "-t", "60", "-o", opts, "start"], root)
    try:
        yield PostgresServer(root=root, port=port)
    finally:
        subprocess.run([*pg_ctl, "-m", "immediate", "-w", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One real PostgreSQL server for the test session (skips when the package or driver is missing)."""
    pytest.importorskip("psycopg", reason="the postgres extra is not installed: pip install 'cauarena[postgres]'")
    if pg_bin_dir() is None:
        pytest.skip("PostgreSQL server binaries not found; `.ci/run` installs the Debian package postgresql")
    with running_postgres() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """The URL of a fresh, empty database on the session's server."""
    return postgres_server.create_database()
