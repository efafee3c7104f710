"""The migration that gives references a note: upgrade keeps old rows, downgrade undoes it."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from bot.db.engine import make_engine
from bot.db.migrate import alembic_config


def _migrate(connection: Connection, verb: str, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    getattr(command, verb)(config, revision)


def _reference_columns(connection: Connection) -> set[str]:
    return {column["name"] for column in inspect(connection).get_columns("references")}


async def test_the_note_column_comes_and_goes_and_rows_survive(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_migrate, "upgrade", "0001")
            assert "note" not in await connection.run_sync(_reference_columns)
            await connection.execute(
                text(
                    "INSERT INTO users (id, first_name, nudge_hour, quiet_hour, "
                    "keep_applying_days, daily_nudge_cap, paused, nudges_on_day, reachable, "
                    "created_at, updated_at) VALUES (7, 'Ana', 9, 21, 3, 3, 0, 0, 1, "
                    "'2026-11-01 10:00:00', '2026-11-01 10:00:00')"
                )
            )
            await connection.execute(
                text(
                    'INSERT INTO "references" (user_id, name, relation, contact, created_at) '
                    "VALUES (7, 'Olga', 'former manager', 'olga@x.test', '2026-11-01 10:00:00')"
                )
            )
        async with engine.begin() as connection:
            await connection.run_sync(_migrate, "upgrade", "head")
            assert "note" in await connection.run_sync(_reference_columns)
            row = (await connection.execute(text('SELECT name, note FROM "references"'))).one()
            assert tuple(row) == ("Olga", "")
        async with engine.begin() as connection:
            await connection.run_sync(_migrate, "downgrade", "0001")
            assert "note" not in await connection.run_sync(_reference_columns)
            row = (await connection.execute(text('SELECT name, relation FROM "references"'))).one()
            assert tuple(row) == ("Olga", "former manager")
    finally:
        await engine.dispose()
