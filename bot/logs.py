"""Logging set-up: text or JSON lines, never the bot token, never what people wrote."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Coroutine, Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

from telegram import TelegramObject, Update
from telegram.error import InvalidToken, NetworkError

LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# the update being handled, so every line logged while handling it can say which one it was
current_update_id: ContextVar[int | None] = ContextVar("current_update_id", default=None)

# python-telegram-bot's DEBUG lines that carry whole requests, answers and updates, i.e. what
# people wrote: the positions of the arguments that hold it. Arguments of other telegram.*
# lines are withheld by type (see WithholdPayloads), so a template renamed upstream still
# loses its payload; the log privacy test runs at DEBUG to catch anything that slips through.
PAYLOAD_TEMPLATES: dict[str, tuple[int, ...]] = {
    "Calling Bot API endpoint `%s` with parameters `%s`": (1,),
    "Call to Bot API endpoint `%s` finished with return value `%s`": (1,),
    "Processing update %s": (0,),
    "Dropping pending update: %s": (0,),
    "Webhook received data: %s": (0,),
    "Request had the wrong secret token: %s": (0,),
}


class RedactToken(logging.Filter):
    """Replaces the token wherever it appears in a record's final text."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._token:
            return True
        message = record.getMessage()
        if self._token in message:
            record.msg = message.replace(self._token, "<token>")
            record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            if self._token in text:
                record.exc_text = text.replace(self._token, "<token>")
        return True


class QuietStartupFailures(logging.Filter):
    """Keeps the library's line but not its traceback for a refused token or a network error:
    the command line says what to do in one sentence, and polling errors stay one line each."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, InvalidToken | NetworkError) and record.name.startswith("telegram"):
            record.msg = f"{record.getMessage()} ({error})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


class SweepStillRunning(logging.Filter):
    """Drops APScheduler's warning that a repeating job's next run was skipped because the last
    is still running. The sweeps are built for that (a dispatch of thousands of nudges is one
    run that takes minutes), and the warning would come once a second all the while."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in record.getMessage()


def quiet_skipped_runs() -> None:
    """Installs SweepStillRunning on APScheduler's logger (once): called where the logging is
    set up and where the sweeps are scheduled, so embedded uses (tests, benchmarks) get it too."""
    scheduler = logging.getLogger("apscheduler.scheduler")
    if not any(isinstance(f, SweepStillRunning) for f in scheduler.filters):
        scheduler.addFilter(SweepStillRunning())


def _withheld(value: object) -> str:
    if isinstance(value, Update):
        return f"<update {value.update_id}>"
    return f"<{type(value).__name__} withheld>"


def _carries_payload(value: object) -> bool:
    if isinstance(value, list | tuple):
        # a list of update ids says nothing about anyone; anything else in a list might
        return not all(isinstance(item, int) for item in value)
    return isinstance(value, TelegramObject | Mapping | bytes)


class WithholdPayloads(logging.Filter):
    """Cuts the requests, answers and updates out of python-telegram-bot's lines: they hold
    messages, names and notes, which have no place in an operator's log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("telegram") or not record.args:
            return True
        if isinstance(record.args, Mapping):
            record.args = {
                key: _withheld(value) if _carries_payload(value) else value
                for key, value in record.args.items()
            }
            return True
        args = record.args if isinstance(record.args, tuple) else (record.args,)
        positions = PAYLOAD_TEMPLATES.get(str(record.msg), ())
        record.args = tuple(
            _withheld(value) if index in positions or _carries_payload(value) else value
            for index, value in enumerate(args)
        )
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, and the update
    being handled and the exception's text when there are any."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        entry: dict[str, Any] = {
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        update_id = getattr(record, "update_id", None)
        if update_id is None:
            update_id = current_update_id.get()
        if update_id is not None:
            entry["update_id"] = update_id
        # RedactToken may have left a cleaned text in exc_text; formatting anew would undo it
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def setup_logging(
    level: str, token: str, log_format: str = "text", stream: TextIO | None = None
) -> None:
    """Send every log line to ``stream`` (standard error by default) as text or JSON."""
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    # order matters: the exception's text joins the message first, then the token is cut out
    handler.addFilter(QuietStartupFailures())
    handler.addFilter(WithholdPayloads())
    handler.addFilter(RedactToken(token))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL, and the URL carries the token
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    quiet_skipped_runs()
    # aiosqlite's DEBUG lines quote every statement's values: names, companies, notes
    logging.getLogger("aiosqlite").setLevel(logging.INFO)


ProcessUpdate = Callable[[object], Coroutine[Any, Any, None]]


def track_update_ids(process_update: ProcessUpdate) -> ProcessUpdate:
    """Wraps Application.process_update so that what is logged while an update is handled
    (its handlers, the tasks they start, the error handler) carries that update's id."""

    async def tracked(update: object) -> None:
        if not isinstance(update, Update):
            await process_update(update)
            return
        token = current_update_id.set(update.update_id)
        try:
            await process_update(update)
        finally:
            current_update_id.reset(token)

    return tracked
