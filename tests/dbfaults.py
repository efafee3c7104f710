"""The database briefly unavailable on purpose: SQLite locked by a writer, PostgreSQL restarted."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import pytest


class SqliteWriterLock:
    """Another writer holding a SQLite file: ``BEGIN EXCLUSIVE`` on a second connection.

    While it is held, every other write waits for the database (up to the connection's busy
    timeout; the bot sets ten seconds) and then fails with "database is locked". Under WAL, which
    the bot uses, readers carry on, exactly as with a real second writer.
    """

    def __init__(self, database: Path) -> None:
        self.database = database
        self._connection: sqlite3.Connection | None = None

    @property
    def held(self) -> bool:
        return self._connection is not None

    async def acquire(self) -> None:
        """Take the write lock; waits (in a thread) if another writer has it right now."""
        if self._connection is not None:
            raise RuntimeError("the lock is already held")

        def lock() -> sqlite3.Connection:
            connection = sqlite3.connect(
                self.database, timeout=30.0, isolation_level=None, check_same_thread=False
            )
            try:
                connection.execute("BEGIN EXCLUSIVE")
            except BaseException:
                connection.close()
                raise
            return connection

        self._connection = await asyncio.to_thread(lock)

    def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.rollback()
            connection.close()

    async def __aenter__(self) -> SqliteWriterLock:
        await self.acquire()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


async def lock_sqlite_for(database: Path, seconds: float) -> asyncio.Task[None]:
    """Lock the database now, for ``seconds``; the returned task ends when the lock is gone.

    The lock is held when this returns, so whatever the test does next meets it.
    """
    lock = SqliteWriterLock(database)
    await lock.acquire()

    async def hold() -> None:
        try:
            await asyncio.sleep(seconds)
        finally:
            lock.release()

    return asyncio.create_task(hold())


def postgres_binaries() -> Path | None:
    """Where initdb and pg_ctl live, or None when PostgreSQL's server is not installed."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return versions[-1].parent if versions else None


# set to 1 to run the suite knowingly without PostgreSQL's tests (a laptop without the server)
SKIP_POSTGRES = "AFTERVIEW_SKIP_POSTGRES"


def required_postgres_binaries() -> Path:
    """PostgreSQL's server binaries. Missing, the tests fail (CI must not pass without the
    PostgreSQL tests), unless AFTERVIEW_SKIP_POSTGRES=1 says to skip them on purpose."""
    binaries = postgres_binaries()
    if binaries is not None:
        return binaries
    if os.environ.get(SKIP_POSTGRES) == "1":
        pytest.skip(f"PostgreSQL's server binaries are not installed ({SKIP_POSTGRES}=1)")
    pytest.fail(
        "PostgreSQL's server binaries (initdb, pg_ctl, postgres) are not installed: install "
        f"them (Debian: postgresql), or set {SKIP_POSTGRES}=1 to skip these tests on purpose",
        pytrace=False,
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (for a server a test starts)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ThrowawayPostgres:
    """A PostgreSQL cluster in a temporary folder on a free local port, which a test can restart.

    ``stop()`` is an immediate shutdown, as a crash or a failover looks to the bot: open
    connections break and new ones are refused until ``start()``. The calls block for as long as
    pg_ctl takes; from async code, run them with ``asyncio.to_thread`` (or use ``outage``).
    """

    def __init__(self, binaries: Path) -> None:
        self.binaries = binaries
        self.folder = Path(tempfile.mkdtemp(prefix="afterview-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        # initdb refuses to run as root: run the server as the postgres user when we are root
        self._prefix: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.folder, user="postgres")
            self.folder.chmod(0o700)
            self._prefix = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "--auth=trust", "-U", "postgres", "-E", "UTF8")

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        command = [*self._prefix, str(self.binaries / tool), *args]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off"
        log = str(self.folder / "log")
        self._run("pg_ctl", "-D", str(self.data), "-w", "-l", log, "-o", options, "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def restart(self, down_for: float = 0.0) -> None:
        """Stop at once, stay down for ``down_for`` seconds, start again."""
        self.stop()
        time.sleep(down_for)
        self.start()

    async def outage(self, down_for: float) -> None:
        """The cluster restarted with ``down_for`` seconds without a server, off the event loop."""
        await asyncio.to_thread(self.restart, down_for)

    def remove(self) -> None:
        """Stop the server if it runs, and delete the cluster."""
        command = [*self._prefix, str(self.binaries / "pg_ctl"), "-D", str(self.data)]
        subprocess.run(
            [*command, "-m", "immediate", "stop"], check=False, capture_output=True, timeout=60
        )
        shutil.rmtree(self.folder, ignore_errors=True)


async def fresh_schema(url: str) -> None:
    """Drop everything in the cluster's public schema: each test starts on an empty database."""
    from bot.db.engine import make_engine

    engine = make_engine(url)
    async with engine.begin() as connection:
        await connection.exec_driver_sql("DROP SCHEMA public CASCADE")
        await connection.exec_driver_sql("CREATE SCHEMA public")
    await engine.dispose()
