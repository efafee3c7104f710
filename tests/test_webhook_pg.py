"""/healthz and /metrics on PostgreSQL while the server is away, and once it is back."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.dbfaults import ThrowawayPostgres, fresh_schema
from tests.webhookbot import get, start_webhook_bot, webhook_bot


@pytest.mark.timeout(120)
async def test_healthz_is_503_naming_the_database_while_it_is_away(
    postgres: ThrowawayPostgres, tmp_path: Path
) -> None:
    await fresh_schema(postgres.url)
    running = webhook_bot(tmp_path / "unused.db", database_url=postgres.url)
    await start_webhook_bot(running)
    try:
        assert running.application is not None and running.application.job_queue is not None
        for job in running.application.job_queue.jobs():
            # no sweep meets the outage, so what answers 503 is the database check alone
            job.schedule_removal()
        healthy = await get(running, "/healthz")
        assert healthy.status_code == 200, healthy.text
        await asyncio.to_thread(postgres.stop)
        try:
            away = await get(running, "/healthz")
            metrics = await get(running, "/metrics")
        finally:
            await asyncio.to_thread(postgres.start)
        assert away.status_code == 503
        assert away.json()["status"] == "unavailable"
        assert away.json()["database"].startswith("unreachable")
        assert away.json()["dispatcher"] == "ok"
        # /metrics still answers, and says the database is down
        assert metrics.status_code == 200
        assert "afterview_database_up 0.0" in metrics.text
        back = await get(running, "/healthz")
        assert back.status_code == 200, back.text
        assert "afterview_database_up 1.0" in (await get(running, "/metrics")).text
    finally:
        await running.close()
