"""The migrations build the schema the models describe, and the newest one can be undone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from bot.db.engine import make_engine
from bot.db.migrate import alembic_config
from bot.db.models import Base


def _migrate(connection: Connection, verb: str, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    getattr(command, verb)(config, revision)


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _columns(connection: Connection, table: str) -> set[str]:
    return {column["name"] for column in inspect(connection).get_columns(table)}


async def test_the_migrated_schema_is_the_models_schema(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_migrate, "upgrade", "head")
            assert await connection.run_sync(_differences) == []
    finally:
        await engine.dispose()


async def test_the_held_updates_migration_comes_and_goes(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_migrate, "upgrade", "head")
            await connection.run_sync(_migrate, "downgrade", "0006_received_updates")
            columns = await connection.run_sync(_columns, "received_updates")
            assert "payload" not in columns and "held_until" not in columns
            await connection.run_sync(_migrate, "upgrade", "head")
            columns = await connection.run_sync(_columns, "received_updates")
            assert {"payload", "held_until"} <= columns
    finally:
        await engine.dispose()
