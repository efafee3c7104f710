"""The async engine and session factory, with SQLite set up for WAL and foreign keys."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.db.pool import OldestFirstPool


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # a second writer (the nudge sweep beside a handler) waits instead of failing at once
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str) -> AsyncEngine:
    """Create the engine for DATABASE_URL; SQLite gets its pragmas on every connection."""
    in_memory = url.startswith("sqlite") and (":memory:" in url or url.endswith("://"))
    engine = create_async_engine(
        url,
        # the oldest work is served a connection first (bot/db/pool.py); an in-memory SQLite
        # database keeps SQLAlchemy's single shared connection
        **({} if in_memory else {"poolclass": OldestFirstPool}),
        pool_pre_ping=not url.startswith("sqlite"),
        # a database error's text would otherwise quote the values of its statement
        # (companies, names, notes) into the log along with the traceback
        hide_parameters=True,
        # Hundreds of updates are handled at once (bot/updates.py), each holding a connection
        # only between its first query and its commit; in a burst they queue for the pool's
        # connections, and a handler should wait its turn there rather than fail after
        # SQLAlchemy's default 30 seconds. (SQLite writers queue on busy_timeout as well.)
        pool_timeout=120,
    )
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """One session per update or job, committed at that boundary."""
    return async_sessionmaker(engine, expire_on_commit=False)
