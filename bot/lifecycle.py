"""Starting and stopping the application inside a running event loop, as run_polling does."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application


async def start_application(
    application: Application[Any, Any, Any, Any, Any, Any], poll_timeout: float = 1.0
) -> None:
    """Initialize, run post_init, start polling and processing: the order run_polling uses."""
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    assert application.updater is not None
    await application.updater.start_polling(
        poll_interval=0.0, timeout=int(poll_timeout), allowed_updates=Update.ALL_TYPES
    )
    await application.start()


async def stop_application(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Stop polling and processing, flush persistence, then run post_shutdown."""
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
        if application.post_stop:
            await application.post_stop(application)
    await application.shutdown()
    if application.post_shutdown:
        await application.post_shutdown(application)
