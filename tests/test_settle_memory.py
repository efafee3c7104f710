"""A bot process settles its memory once it is up (bot.app.settle_memory): what start-up built
is collected once and frozen out of the garbage collector's sight; bots built for tests do not."""

from __future__ import annotations

import gc
from pathlib import Path

from fakeapi.running import RunningBot


async def _started(tmp_path: Path, settle: bool) -> int:
    gc.unfreeze()
    running = RunningBot(tmp_path / "afterview.db", settle=settle)
    await running.start()
    try:
        assert running.runtime.warm_cities is not None
        await running.runtime.warm_cities
        return gc.get_freeze_count()
    finally:
        await running.close()
        gc.unfreeze()


async def test_a_settling_bot_freezes_what_start_up_built(tmp_path: Path) -> None:
    # the city table alone is tens of thousands of objects
    assert await _started(tmp_path, settle=True) > 50_000


async def test_a_bot_built_for_a_test_leaves_the_collector_alone(tmp_path: Path) -> None:
    assert await _started(tmp_path, settle=False) == 0
