"""The fake's records: what the bot sent, what it was refused, and each chat's state."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

from fakeapi.faults import Fault

JSON = dict[str, Any]


@dataclass
class Refusal:
    """A request the fake refused, as Telegram would have."""

    method: str
    params: JSON
    error_code: int
    description: str

    def __str__(self) -> str:
        return f"{self.method} -> {self.error_code} {self.description} (params: {self.params})"


@dataclass
class RequestRecord:
    """One request the bot made, with the HTTP status it got back."""

    method: str
    params: JSON
    status: int
    description: str | None = None
    # the fault injected into it, if any: for the DELIVERED kinds ``status`` is the answer that
    # was lost, for the others what the client got (0: no answer at all)
    fault: Fault | None = None
    # when the fake finished with it (time.monotonic()), for the rates a test measures
    at: float = field(default_factory=time.monotonic)


@dataclass
class BotMessage:
    """A message the bot sent, kept in its current state (edits applied, deletions flagged)."""

    message_id: int
    chat_id: int
    date: int
    kind: Literal["text", "document", "photo"] = "text"
    text: str = ""
    plain: str = ""
    parse_mode: str | None = None
    entities: list[JSON] = field(default_factory=list)
    reply_markup: JSON | None = None
    edits: int = 0
    edit_date: int | None = None
    deleted: bool = False
    pinned: bool = False
    document: tuple[bytes, str] | None = None
    photo: bytes | None = None
    file_id: str | None = None
    reply_to_message_id: int | None = None
    history: list[str] = field(default_factory=list)
    # the forum topic it was sent in
    thread_id: int | None = None

    @property
    def caption(self) -> str | None:
        return self.text if self.kind != "text" else None

    @property
    def force_reply(self) -> bool:
        return bool(self.reply_markup and self.reply_markup.get("force_reply"))

    def _rows(self) -> list[list[JSON]]:
        if not self.reply_markup:
            return []
        rows = self.reply_markup.get("inline_keyboard") or self.reply_markup.get("keyboard")
        return [list(row) for row in rows or []]

    @property
    def buttons(self) -> list[list[str]]:
        """Button texts of the inline keyboard (or reply keyboard), row by row."""
        return [[str(b.get("text", "")) for b in row] for row in self._rows()]

    @property
    def callback_data(self) -> list[list[str | None]]:
        return [[b.get("callback_data") for b in row] for row in self._rows()]

    def find_button(self, label: str) -> JSON | None:
        """The inline button whose text, or else whose callback_data, is exactly ``label``."""
        inline = (self.reply_markup or {}).get("inline_keyboard") or []
        flat = [b for row in inline for b in row]
        for key in ("text", "callback_data"):
            for button in flat:
                if button.get(key) == label:
                    return dict(button)
        return None


@dataclass
class StoredFile:
    file_id: str
    unique_id: str
    path: str
    data: bytes
    filename: str


class ChatState:
    """Per-chat state; messages are indexed by id so no request scans a whole history."""

    def __init__(self, chat_id: int) -> None:
        self.id = chat_id
        self._next = 1
        self.bot_messages: dict[int, BotMessage] = {}
        self.user_messages: dict[int, JSON] = {}
        self.deleted_user_messages: set[int] = set()
        self.pinned: list[int] = []

    def next_id(self) -> int:
        value = self._next
        self._next += 1
        return value

    def peek_id(self) -> int:
        return self._next
