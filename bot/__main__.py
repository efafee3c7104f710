"""The command line: `python -m bot` runs the bot; `work`, `migrate` and `sandbox` do what they
say."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from telegram import Update
from telegram.error import InvalidToken, NetworkError, TelegramError, TimedOut
from telegram.ext import Application

from bot.config import Settings
from bot.logs import setup_logging

NO_TOKEN = (
    "No bot token: create a bot with @BotFather in Telegram, then put its token in .env as "
    "BOT_TOKEN=... (see .env.example), or try the bot without Telegram with `make sandbox`."
)


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


def _settings() -> Settings | None:
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]).upper()
        # pydantic opens the messages of our own checks with "Value error, "
        reason = str(first["msg"]).removeprefix("Value error, ")
        print(f"The setting {where} is not valid: {reason}. See .env.example.", file=sys.stderr)
        return None


def _explained(settings: Settings, go: Callable[[], object]) -> int:
    """Run the bot; a refused token or an unreachable API ends it with one sentence."""
    try:
        go()
    except InvalidToken:
        return _fail(
            "Telegram refused the bot token: check BOT_TOKEN against what @BotFather gave you."
        )
    except (NetworkError, TimedOut):
        return _fail(
            f"Could not reach the Bot API at {settings.telegram_base_url}: check the network, "
            "or TELEGRAM_BASE_URL if you run your own Bot API server."
        )
    except TelegramError as exc:
        if not settings.webhook_url:
            raise
        # setWebhook refused: the URL, its port or its certificate
        return _fail(f"Telegram refused the webhook at {settings.webhook_url}: {exc.message}")
    except OSError as exc:
        if not settings.webhook_url:
            raise
        # the webhook server could not bind its address
        return _fail(
            f"Could not listen on {settings.webhook_listen}:{settings.webhook_port} for the "
            f"webhook ({exc.strerror or exc}): check WEBHOOK_LISTEN and WEBHOOK_PORT."
        )
    return 0


async def _serve_webhook(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Webhook mode: serve until SIGTERM or SIGINT, then stop as run_polling would."""
    from bot.lifecycle import start_application, stop_application
    from bot.runtime import runtime_of
    from bot.web.server import redact_secret_in_logs

    redact_secret_in_logs(runtime_of(application).settings.webhook_secret)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await start_application(application)
        await stop.wait()
    finally:
        await stop_application(application)


def run() -> int:
    settings = _settings()
    if settings is None:
        return 2
    if not settings.bot_token.strip():
        return _fail(NO_TOKEN)
    setup_logging(settings.log_level, settings.bot_token, settings.log_format)
    from bot.app import build_application

    application = build_application(settings, settle=True)
    if settings.webhook_url:
        return _explained(settings, lambda: asyncio.run(_serve_webhook(application)))
    # run_polling deletes any webhook first, so a bot moved back from webhook mode polls
    return _explained(settings, lambda: application.run_polling(allowed_updates=Update.ALL_TYPES))


async def _work(application: Any) -> None:
    """Run the jobs (nudges, club check-ins, lapses) without taking updates, until a signal."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        await stop.wait()
        await application.stop()
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


def work() -> int:
    """A replica that sends nudges and club posts but takes no updates: beside one that polls
    (Telegram gives the updates of a bot to one poller only), on the same PostgreSQL database."""
    settings = _settings()
    if settings is None:
        return 2
    if not settings.bot_token.strip():
        return _fail(NO_TOKEN)
    setup_logging(settings.log_level, settings.bot_token)
    from bot.app import build_application

    application = build_application(settings, settle=True)
    return _explained(settings, lambda: asyncio.run(_work(application)))


def migrate() -> int:
    from bot.db.engine import make_engine
    from bot.db.migrate import upgrade_to_head

    settings = _settings()
    if settings is None:
        return 2
    setup_logging(settings.log_level, settings.bot_token, settings.log_format)
    path = settings.sqlite_path()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)

    async def _go() -> None:
        engine = make_engine(settings.database_url)
        await upgrade_to_head(engine)
        await engine.dispose()

    asyncio.run(_go())
    print("The database is up to date.")
    return 0


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == ["sandbox"]:
        # the sandbox has options of its own (and its own --help), so it reads the rest itself
        from bot.sandbox import main as sandbox_main

        return sandbox_main(arguments[1:])
    parser = argparse.ArgumentParser(prog="afterview", description=__doc__)
    parser.add_argument(
        "command",
        nargs="?",
        default="run",
        choices=["run", "work", "migrate", "sandbox"],
        help="run (default): start the bot with long polling; work: send nudges and club posts "
        "without taking updates (a second replica on PostgreSQL); migrate: update the database; "
        "sandbox: chat with the bot in the terminal, without Telegram (sandbox --help)",
    )
    args = parser.parse_args(arguments)
    if args.command == "sandbox":
        from bot.sandbox import main as sandbox_main

        return sandbox_main([])
    if args.command == "migrate":
        return migrate()
    if args.command == "work":
        return work()
    return run()


if __name__ == "__main__":
    sys.exit(main())
