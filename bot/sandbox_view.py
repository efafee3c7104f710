"""How the sandbox shows bot messages, their buttons and its own notes in a terminal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fakeapi import BotMessage
from fakeapi.markup import render_terminal

JSON = dict[str, Any]
INDENT = "  "

_RESET = "\x1b[0m"
_BOT = "\x1b[1;36m"
_NOTE = "\x1b[2m"
_BUTTON = "\x1b[33m"
_WARN = "\x1b[1;31m"
_TIME = "\x1b[1;35m"


@dataclass(frozen=True)
class Style:
    """ANSI colours for a terminal, or nothing at all for scripts, pipes and --plain."""

    color: bool

    def _paint(self, code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if self.color and text else text

    def bot(self, text: str) -> str:
        return self._paint(_BOT, text)

    def note(self, text: str) -> str:
        return self._paint(_NOTE, text)

    def button(self, text: str) -> str:
        return self._paint(_BUTTON, text)

    def warn(self, text: str) -> str:
        return self._paint(_WARN, text)

    def time(self, text: str) -> str:
        return self._paint(_TIME, text)


def keyboard_kind(markup: JSON | None) -> str | None:
    """``inline`` or ``reply`` for a markup with buttons; None for none, ForceReply or removal."""
    if not markup:
        return None
    if any(markup.get("inline_keyboard") or []):
        return "inline"
    if any(markup.get("keyboard") or []):
        return "reply"
    return None


def flat_buttons(markup: JSON | None) -> list[JSON]:
    """The buttons of an inline or reply keyboard in reading order; numbers count from 1."""
    kind = keyboard_kind(markup)
    if kind is None or markup is None:
        return []
    rows = markup["inline_keyboard"] if kind == "inline" else markup["keyboard"]
    # a reply keyboard button may be a bare string in the Bot API
    return [b if isinstance(b, dict) else {"text": str(b)} for row in rows for b in row]


def button_lines(markup: JSON | None, style: Style) -> list[str]:
    """One line per keyboard row, every button numbered: ``[1] Today   [2] Yesterday``."""
    kind = keyboard_kind(markup)
    if kind is None or markup is None:
        return []
    rows = markup["inline_keyboard"] if kind == "inline" else markup["keyboard"]
    lines: list[str] = []
    number = 0
    for row in rows:
        cells: list[str] = []
        for raw in row:
            button = raw if isinstance(raw, dict) else {"text": str(raw)}
            number += 1
            cells.append(style.button(f"[{number}] {button.get('text', '')}{_suffix(button)}"))
        lines.append(INDENT + "   ".join(cells))
    if kind == "reply":
        lines[0] = lines[0] + style.note("   (keyboard)")
    return lines


def _suffix(button: JSON) -> str:
    """A hint for buttons that do something other than send a tap to the bot."""
    if "url" in button:
        return " ↗"
    if "copy_text" in button:
        return " ⧉"
    return ""


def message_text(message: BotMessage, style: Style) -> str:
    """The message's text or caption, its formatting rendered for the terminal."""
    if message.parse_mode:
        return render_terminal(message.text, message.parse_mode, color=style.color)
    return message.plain


def render_message(message: BotMessage, style: Style, tags: list[str]) -> list[str]:
    """``Afterview (edited): text`` with continuation lines indented, then its buttons."""
    header = "Afterview" + (f" ({', '.join(tags)})" if tags else "") + ":"
    text = message_text(message, style)
    body = text.split("\n") if text else []
    if message.kind != "text" and not body:
        body = [""]
    lines = [f"{style.bot(header)} {body[0]}".rstrip() if body else style.bot(header)]
    lines.extend(INDENT + line if line else "" for line in body[1:])
    lines.extend(button_lines(message.reply_markup, style))
    if message.force_reply:
        lines.append(style.note(INDENT + "(asks for a reply: what you type next answers it)"))
    return lines
