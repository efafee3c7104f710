"""Logging set-up that never lets the bot token into a log line."""

from __future__ import annotations

import logging

from telegram.error import InvalidToken, NetworkError


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


def setup_logging(level: str, token: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    # order matters: the exception's text joins the message first, then the token is cut out
    handler.addFilter(QuietStartupFailures())
    handler.addFilter(RedactToken(token))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL, and the URL carries the token
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
