"""The command line: `python -m bot` runs the bot; `migrate` and `sandbox` do what they say."""

from __future__ import annotations

import argparse
import sys

from pydantic import ValidationError
from telegram import Update
from telegram.error import InvalidToken, NetworkError, TimedOut

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
        print(
            f"The setting {where} is not valid: {first['msg']}. See .env.example.", file=sys.stderr
        )
        return None


def run() -> int:
    settings = _settings()
    if settings is None:
        return 2
    if not settings.bot_token.strip():
        return _fail(NO_TOKEN)
    setup_logging(settings.log_level, settings.bot_token, settings.log_format)
    from bot.app import build_application

    application = build_application(settings)
    try:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        return _fail(
            "Telegram refused the bot token: check BOT_TOKEN against what @BotFather gave you."
        )
    except (NetworkError, TimedOut):
        return _fail(
            f"Could not reach the Bot API at {settings.telegram_base_url}: check the network, "
            "or TELEGRAM_BASE_URL if you run your own Bot API server."
        )
    return 0


def migrate() -> int:
    import asyncio

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
        choices=["run", "migrate", "sandbox"],
        help="run (default): start the bot with long polling; migrate: update the database; "
        "sandbox: chat with the bot in the terminal, without Telegram (sandbox --help)",
    )
    args = parser.parse_args(arguments)
    if args.command == "sandbox":
        from bot.sandbox import main as sandbox_main

        return sandbox_main([])
    if args.command == "migrate":
        return migrate()
    return run()


if __name__ == "__main__":
    sys.exit(main())
