"""Inline keyboards and the callback-data codec that keeps every payload within 64 bytes."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

MAX_CALLBACK_BYTES = 64
SEPARATOR = ":"


class CallbackDataError(ValueError):
    """Raised when a payload cannot be encoded within Telegram's limit."""


def encode(action: str, *args: str | int) -> str:
    """'task:done:42' — an action and its arguments, checked against the 64-byte limit."""
    parts = [action, *(str(arg) for arg in args)]
    for part in parts:
        if SEPARATOR in part:
            raise CallbackDataError(f"separator inside a callback argument: {part!r}")
    data = SEPARATOR.join(parts)
    if not data or len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
        raise CallbackDataError(f"callback data out of bounds: {data!r}")
    return data


def decode(data: str | None) -> list[str]:
    """Split a payload back into its action and arguments."""
    if not data:
        return []
    return data.split(SEPARATOR)


def pattern(action: str) -> str:
    """The CallbackQueryHandler pattern matching one action."""
    return f"^{action}(:|$)"


def button(text: str, action: str, *args: str | int) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=encode(action, *args))


def keyboard(rows: Sequence[Sequence[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(row) for row in rows if row])


def int_arg(parts: list[str], index: int) -> int | None:
    """An integer argument of a decoded payload, or None when it is missing or forged."""
    try:
        return int(parts[index])
    except (IndexError, ValueError):
        return None
