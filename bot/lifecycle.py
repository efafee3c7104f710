"""Starting and stopping the application inside a running event loop, as run_polling does,
or with the webhook server instead of polling when WEBHOOK_URL is set."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.runtime import runtime_of
from bot.web.metrics import CountingApplication
from bot.web.server import finish_webhook, start_webhook, stop_webhook


async def start_application(
    application: Application[Any, Any, Any, Any, Any, Any], poll_timeout: float = 1.0
) -> None:
    """Initialize, run post_init, start polling (or the webhook) and processing: the order
    run_polling uses."""
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    # the bot's own application in webhook mode; a bare one (the benchmarks' baselines) polls
    if (
        isinstance(application, CountingApplication)
        and runtime_of(application).settings.webhook_url
    ):
        await start_webhook(application)
        await application.start()
        return
    assert application.updater is not None
    await application.updater.start_polling(
        poll_interval=0.0, timeout=int(poll_timeout), allowed_updates=Update.ALL_TYPES
    )
    await application.start()


async def stop_application(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Stop polling (or the webhook) and processing, flush persistence, then run
    post_shutdown. Updates already taken are handled before processing stops."""
    if isinstance(application, CountingApplication):
        await stop_webhook(application)
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
        if application.post_stop:
            await application.post_stop(application)
    if isinstance(application, CountingApplication):
        await finish_webhook(application)
    await application.shutdown()
    if application.post_shutdown:
        await application.post_shutdown(application)
