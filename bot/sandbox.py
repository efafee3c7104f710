"""The terminal sandbox: chat with the real bot over the local fake Bot API, no Telegram needed."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import logging
import os
import queue
import re
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import func, select

from bot.db.models import Club, Task, User
from bot.domain.zones import zone_info
from bot.nudges.messages import OPEN_STATES
from bot.sandbox_view import (
    INDENT,
    Style,
    button_lines,
    flat_buttons,
    keyboard_kind,
    render_message,
)
from bot.sandbox_wait import WaitProblem, parse_duration, parse_until
from fakeapi import BotMessage, FakeGroup, FakeUser
from fakeapi.running import RunningBot

JSON = dict[str, Any]

GROUP_TITLE = "Job club (demo)"
DEMO_MEMBERS = ("Ben", "Chloe", "Dev", "Eli")
MEMBERS_IN_GROUP = 3
# Berlin, so the bot's "share your location" finds a real zone
DEMO_LOCATION = (52.5200, 13.4050)
# nudges are swept at least this often while time moves, and exactly when one falls due
STEP = timedelta(hours=1)
# what a Telegram app lets a person send in one text message
MAX_MESSAGE_LENGTH = 4096
_WAIT_COMMAND = re.compile(r"/wait(?:@\w+)?(?:\s|$)", re.IGNORECASE)

HELP = """\
Type as you would in Telegram: text goes to the bot, /commands too (start with /start).
A number taps the button with that number on the bot's newest message (or the keyboard
showing); when that message has no buttons, the number is sent as text.

Sandbox commands (they start with a colon; the bot never sees them):
  :wait 2d                    move time forward (30m, 2h, 2d, 1w, 1d 12h); nudges arrive
  :wait until monday 9:00     move time to the next such moment in your time zone
                              (/wait works too; a day without a time means 9:00)
  :time                       what time it is for the bot
  :group / :private           switch to the demo group chat / back to the private chat
  :as NAME                    speak as another demo member (:as alone lists them)
  :say TEXT                   send TEXT as it is, even a bare number
  :reply TEXT                 reply to the bot's newest message in this chat
  :location [LAT LON]         share a location (Berlin unless you give one)
  :sticker                    send a sticker
  :buttons                    show the buttons you can tap right now
  :restart                    restart the bot, as a deploy would (the database stays)
  :help                       this help
  :quit                       leave (Ctrl-D works too)"""


@dataclass
class SandboxOptions:
    """What the command line chose; the defaults suit the tests."""

    database: Path | None = None
    files: Path = field(default_factory=lambda: Path("sandbox-files"))
    start: datetime | None = None
    color: bool = False
    name: str = "Ana"
    language: str = "en"
    # interactive sessions let the bot's clock run with the wall clock between commands
    follow_real_time: bool = False


class Sandbox:
    """One terminal session: who speaks where, and what the user has already been shown."""

    def __init__(
        self, running: RunningBot, out: TextIO, options: SandboxOptions, *, temporary: bool
    ) -> None:
        self.running = running
        self.fake = running.fake
        self.out = out
        self.options = options
        self.style = Style(options.color)
        self.temporary = temporary
        self.me = self.fake.add_user(options.name, language_code=options.language)
        others = [n for n in DEMO_MEMBERS if n.lower() != options.name.lower()]
        self.members: list[FakeUser] = [self.me] + [
            self.fake.add_user(name, language_code=options.language)
            for name in others[:MEMBERS_IN_GROUP]
        ]
        # the bot joins when the user first opens the group, so its greeting is seen there
        self.group = self.fake.add_group(
            GROUP_TITLE, members=self.members, admins=[self.me], bot_is_member=False
        )
        self.speaker = self.me
        self.in_group = False
        self.done = False
        self.problems = 0
        # what each bot message looked like when last shown: edits, deleted, text
        self._seen: dict[tuple[int, int], tuple[int, bool, str]] = {}
        # the message whose reply keyboard is showing, per chat (the client keeps it, not the API)
        self._keyboards: dict[int, int | None] = {}
        self._answers_seen = 0
        self._refusals_seen = 0
        self._undelivered_seen = 0
        self._synced_at = time.monotonic()

    # ------------------------------------------------------------------ output

    def _write(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def _note(self, text: str) -> None:
        for line in text.split("\n"):
            self._write(self.style.note(line))

    def _problem(self, text: str) -> None:
        self.problems += 1
        self._note(text)

    @property
    def bot_name(self) -> str:
        return f"@{self.fake.bot_username}"

    def prompt(self) -> str:
        where = f" @ {self.group.title}" if self.in_group else ""
        return f"{self.speaker.first_name}{where} › "

    def banner(self) -> None:
        database = self.running.database
        kept = " (temporary: deleted when you quit)" if self.temporary else ""
        others = ", ".join(m.first_name for m in self.members[1:])
        self._note(
            "Afterview sandbox: the real bot, talking to a local fake of Telegram; "
            "no token and no network needed.\n"
            f"You are {self.me.first_name}, in a private chat with {self.bot_name}; "
            f"{others} are in the demo group (:group to go there).\n"
            f"Database: {database}{kept}. Files the bot sends go to {self.options.files}/.\n"
            "Type messages as in Telegram (try /start), a number to tap a button, "
            ":help for the sandbox's own commands."
        )

    # ------------------------------------------------------------------ input

    async def handle(self, line: str) -> None:
        """One line as the user typed it: a sandbox command, a button number or a message."""
        text = line.strip()
        if not text:
            if line.strip("\r\n"):
                # Telegram's apps trim a message and send nothing when nothing is left
                self._note(
                    "(Telegram sends no message of only spaces; to try invisible text, "
                    ":say it with a character such as a zero-width space)"
                )
            return
        self._follow_real_time()
        if text.startswith(":") or (
            _WAIT_COMMAND.match(text) and not self._bot_has_command("wait")
        ):
            await self._command(text[1:])
        elif text.isascii() and text.isdigit() and (target := self._tappable()) is not None:
            await self._tap_number(target, int(text))
        else:
            await self._send(text, reply_to=self._force_reply_target())

    async def scripted(self, lines: Iterable[str]) -> None:
        """Lines as if typed, each echoed after the prompt; blank lines and # comments skipped."""
        for raw in lines:
            line = raw.rstrip("\r\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            self._write(self.prompt() + line)
            await self.handle(line)
            if self.done:
                break

    async def interactive(self) -> None:
        reader = _LineReader()
        while not self.done:
            line = await reader.read(self.prompt())
            if line is None:
                self._write()
                break
            await self.handle(line)

    def _follow_real_time(self) -> None:
        now = time.monotonic()
        if self.options.follow_real_time:
            self.running.clock.advance(timedelta(seconds=now - self._synced_at))
        self._synced_at = now

    def _bot_has_command(self, name: str) -> bool:
        return any(c["command"] == name for cs in self.fake.commands.values() for c in cs)

    async def _command(self, body: str) -> None:
        name, _, arg = body.strip().partition(" ")
        name = name.lower()
        arg = arg.strip()
        if name in {"quit", "exit", "q"}:
            self._note("Bye!")
            self.done = True
        elif name in {"help", "h", "?"}:
            self._note(HELP)
        elif name == "wait":
            await self._wait(arg)
        elif name == "time":
            zone_name, zone = await self._zone()
            self._note(f"It is {_format_time(self.running.clock.now(), zone, zone_name)}.")
        elif name == "group":
            await self._open_group()
        elif name == "private":
            self.in_group = False
            self._note(f"(private chat between {self.speaker.first_name} and {self.bot_name})")
        elif name == "as":
            self._switch_speaker(arg)
        elif name == "say":
            if arg:
                await self._send(arg, reply_to=self._force_reply_target())
            else:
                self._problem("Say what? For example :say 3")
        elif name == "reply":
            await self._reply(arg)
        elif name == "location":
            await self._location(arg)
        elif name == "sticker":
            await self.speaker.send_sticker(chat=self._chat())
            await self._after_action()
        elif name == "buttons":
            self._show_buttons()
        elif name == "restart":
            self._note("(restarting the bot, as a deploy would; the database and the chats stay)")
            await self.running.restart()
            await self._after_action()
            self._note("(the bot is back)")
        else:
            self._problem(f"There is no sandbox command :{name}; :help lists them.")

    # ------------------------------------------------------------------ chats and people

    def _chat(self) -> FakeGroup | None:
        return self.group if self.in_group else None

    def _chat_id(self) -> int:
        return self.group.id if self.in_group else self.speaker.id

    async def _open_group(self) -> None:
        self.in_group = True
        if not self.group.bot_is_member:
            others = ", ".join(m.first_name for m in self.members if m is not self.me)
            self._note(
                f"({self.me.first_name} adds {self.bot_name} to “{self.group.title}”, "
                f"with {others})"
            )
            await self.fake.add_bot_to(self.group, by=self.me)
            await self._after_action()
        self._note(
            f"(you are {self.speaker.first_name} in “{self.group.title}”; as in Telegram, the "
            f"bot reads only /commands, {self.bot_name} mentions and replies here)"
        )

    def _switch_speaker(self, name: str) -> None:
        names = ", ".join(m.first_name for m in self.members)
        if not name:
            self._note(f"The demo members are {names}; you speak as {self.speaker.first_name}.")
            return
        wanted = name.lower()
        matches = [m for m in self.members if m.first_name.lower().startswith(wanted)]
        if len(matches) != 1:
            self._problem(f"Who is “{name}”? The demo members are {names}.")
            return
        self.speaker = matches[0]
        where = f"“{self.group.title}”" if self.in_group else f"a private chat with {self.bot_name}"
        self._note(f"(you are now {self.speaker.first_name}, in {where})")

    def _force_reply_target(self) -> BotMessage | None:
        """A ForceReply makes the client answer that message, so the sandbox does too."""
        messages = self.fake.messages(self._chat_id())
        for message in reversed(messages):
            if not message.deleted:
                return message if message.force_reply else None
        return None

    # ------------------------------------------------------------------ actions

    async def _send(self, text: str, *, reply_to: BotMessage | None = None) -> None:
        length = _telegram_length(text)
        if length > MAX_MESSAGE_LENGTH:
            # a Telegram app will not send it either; the bot must never see what Telegram refuses
            self._problem(
                f"(not sent: Telegram caps a message at {MAX_MESSAGE_LENGTH:,} characters and "
                f"this one has {length:,}; send it in parts)"
            )
            return
        try:
            if reply_to is not None:
                await self.speaker.reply(reply_to, text, chat=self._chat())
            else:
                await self.speaker.send(text, chat=self._chat())
        except ValueError as exc:
            self._problem(f"(could not send that: {exc})")
            return
        await self._after_action()

    async def _reply(self, text: str) -> None:
        if not text:
            self._problem("Reply what? For example :reply Sounds good")
            return
        newest = next(
            (m for m in reversed(self.fake.messages(self._chat_id())) if not m.deleted), None
        )
        if newest is None:
            self._problem("The bot has not written here yet; there is nothing to reply to.")
            return
        await self._send(text, reply_to=newest)

    async def _location(self, arg: str) -> None:
        latitude, longitude = DEMO_LOCATION
        if arg:
            try:
                latitude, longitude = (float(x) for x in arg.replace(",", " ").split())
            except ValueError:
                self._problem("Give a latitude and a longitude, like :location 48.85 2.35")
                return
        self._note(f"(you share a location: {latitude}, {longitude})")
        await self.speaker.send_location(latitude, longitude, chat=self._chat())
        await self._after_action()

    def _tappable(self) -> BotMessage | None:
        """The buttons a number taps: the newest message's, else the reply keyboard showing.

        Older inline buttons are left alone, so answering a question like "how many?" with a
        number never taps a stale card further up.
        """
        chat_id = self._chat_id()
        messages = [m for m in self.fake.messages(chat_id) if not m.deleted]
        if messages and keyboard_kind(messages[-1].reply_markup) == "inline":
            return messages[-1]
        showing = self._keyboards.get(chat_id)
        return next((m for m in reversed(messages) if m.message_id == showing), None)

    def _show_buttons(self) -> None:
        message = self._tappable()
        if message is None:
            self._note("There are no buttons to tap here right now.")
            return
        first = message.plain.strip().split("\n", 1)[0]
        self._note(f"Buttons on “{first[:60]}”:")
        for line in button_lines(message.reply_markup, self.style):
            self._write(line)

    async def _tap_number(self, message: BotMessage, number: int) -> None:
        buttons = flat_buttons(message.reply_markup)
        if not 1 <= number <= len(buttons):
            self._problem(
                f"There is no button [{number}] here; the newest buttons are 1 to {len(buttons)}. "
                "(:say sends a number as text.)"
            )
            return
        button = buttons[number - 1]
        label = str(button.get("text", ""))
        self._note(f"(you tap “{label}”)")
        if keyboard_kind(message.reply_markup) == "reply":
            await self._press_reply_button(message, button)
        else:
            await self._press_inline_button(message, button, label)

    async def _press_inline_button(self, message: BotMessage, button: JSON, label: str) -> None:
        if "callback_data" in button:
            labels = [b.get("text") for b in flat_buttons(message.reply_markup)]
            try:
                if labels.count(label) == 1:
                    await self.speaker.tap(message, label)
                else:
                    # two buttons with one label: the fake finds by label, so send the data itself
                    await self.speaker.tap_data(message, str(button["callback_data"]))
            except ValueError as exc:
                self._problem(f"(could not tap that: {exc})")
                return
            await self._after_action()
        elif "url" in button:
            await self._open_url(str(button["url"]))
        elif "copy_text" in button:
            copied = str(button["copy_text"].get("text", ""))
            self._note("Copied to the clipboard (in Telegram); here is the text:")
            for line in copied.split("\n"):
                self._write(INDENT + line)
        else:
            kinds = sorted(k for k in button if k != "text")
            self._problem(f"(the sandbox can't do what this button does: {', '.join(kinds)})")

    async def _press_reply_button(self, message: BotMessage, button: JSON) -> None:
        if (message.reply_markup or {}).get("one_time_keyboard"):
            self._keyboards[message.chat_id] = None
        if button.get("request_location"):
            await self._location("")
            return
        unsupported = {"request_contact", "request_users", "request_chat", "request_poll"}
        if unsupported & set(button) or "web_app" in button:
            kinds = sorted(k for k in button if k != "text")
            self._problem(f"(the sandbox can't do what this button does: {', '.join(kinds)})")
            return
        await self._send(str(button.get("text", "")))

    async def _open_url(self, url: str) -> None:
        payload = self._start_payload(url)
        if payload is None:
            self._note(f"(this button opens {url} in a browser; the sandbox stays here)")
            return
        self._note(
            f"(Telegram opens the private chat with {self.bot_name} and sends /start {payload})"
        )
        self.in_group = False
        await self._send(f"/start {payload}" if payload else "/start")

    def _start_payload(self, url: str) -> str | None:
        """The payload of a deep link to this bot (t.me/<bot>?start=X), or None for other links."""
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        me = self.fake.bot_username.lower()
        if parts.scheme in {"http", "https"} and parts.netloc.lower() in {"t.me", "telegram.me"}:
            if parts.path.strip("/").lower() != me:
                return None
        elif parts.scheme == "tg" and parts.netloc == "resolve":
            if query.get("domain", [""])[0].lower() != me:
                return None
        else:
            return None
        return query.get("start", [""])[0]

    # ------------------------------------------------------------------ time

    async def _zone(self) -> tuple[str, tzinfo]:
        """The speaker's time zone as the bot knows it, else the bot's default."""
        name: str | None = None
        try:
            async with self.running.runtime.session() as session:
                name = await session.scalar(select(User.timezone).where(User.id == self.speaker.id))
        except RuntimeError:
            name = None  # the database is closed, e.g. mid-restart: the default will do
        name = name or self.running.runtime.settings.default_timezone
        return name, zone_info(name)

    async def _next_due(self, after: datetime) -> datetime | None:
        """When the next open task wants a nudge, a club checks in or a question lapses, so
        time stops there."""
        from handlers.lapses import next_lapse

        async with self.running.runtime.session() as session:
            due = await session.scalar(
                select(func.min(Task.next_nudge_at)).where(
                    Task.state.in_(OPEN_STATES), Task.next_nudge_at > after
                )
            )
            # a club's check-in is a moment to stop at too
            checkin = await session.scalar(
                select(func.min(Club.next_checkin_at)).where(
                    Club.active.is_(True), Club.next_checkin_at > after
                )
            )
        lapse = await next_lapse(self.running.runtime, after)
        moments = [
            m if m.tzinfo is not None else m.replace(tzinfo=UTC)
            for m in (due, checkin, lapse)
            if m is not None
        ]
        return min(moments) if moments else None

    async def _wait(self, arg: str) -> None:
        zone_name, zone = await self._zone()
        clock = self.running.clock
        now = clock.now()
        words = arg.split(None, 1)
        if words and words[0].lower() == "until":
            until = parse_until(words[1] if len(words) > 1 else "", now, zone)
            target = until if isinstance(until, WaitProblem) else until.astimezone(UTC)
        else:
            duration = parse_duration(arg)
            target = duration if isinstance(duration, WaitProblem) else now + duration
        if isinstance(target, WaitProblem):
            self._problem(target.message)
            return
        self._note(
            f"(time moves forward {_human(target - now)}, "
            f"to {_format_time(target, zone, zone_name)})"
        )
        # what is due already goes out first, as the bot's own sweep would have sent it by now
        arrived = await self._sweep_and_show(zone, zone_name)
        while clock.now() < target:
            step = min(target, clock.now() + STEP)
            due = await self._next_due(clock.now())
            if due is not None and due < step:
                step = due
            clock.set(step)
            arrived = await self._sweep_and_show(zone, zone_name) or arrived
        quiet = "" if arrived else " Nothing arrived meanwhile."
        self._note(f"It is now {_format_time(clock.now(), zone, zone_name)}.{quiet}")

    async def _sweep_and_show(self, zone: tzinfo, zone_name: str) -> bool:
        try:
            await self.running.sweep()
            # the clubs' check-ins, goal reminders and posts, as their own job would send them
            await self.running.club_sweep()
        except TimeoutError as exc:
            self._problem(f"(the bot did not go quiet: {exc})")
        moment = self.running.clock.now()
        return await self._show_new(
            header=self.style.time(f"⏰ {_format_time(moment, zone, zone_name)}")
        )

    # ------------------------------------------------------------------ what the bot did

    async def _after_action(self) -> None:
        try:
            await self.fake.settle()
        except TimeoutError as exc:
            self._problem(f"(the bot did not go quiet: {exc})")
        await self._show_new()

    def _watched_chats(self) -> list[int]:
        """The current chat first, then every other chat the demo members can see."""
        chats = [m.id for m in self.members]
        if self.group.bot_is_member or self.fake.messages(self.group.id):
            chats.append(self.group.id)
        current = self._chat_id()
        return [current, *(c for c in chats if c != current)]

    def _chat_tag(self, chat_id: int) -> str | None:
        if chat_id == self._chat_id():
            return None
        if chat_id == self.group.id:
            return f"in {self.group.title}"
        if chat_id == self.speaker.id:
            return "in your private chat"
        user = self.fake.users[chat_id]
        return f"private chat with {user.first_name}"

    async def _show_new(self, header: str | None = None) -> bool:
        """Print each bot message that is new or changed since last time; True if any was."""
        lines: list[str] = []
        for chat_id in self._watched_chats():
            for message in self.fake.messages(chat_id):
                lines.extend(self._message_news(message))
        lines.extend(self._side_news())
        if header and lines:
            self._write(header)
        for line in lines:
            self._write(line)
        await self._follow_answer_links()
        return bool(lines)

    def _message_news(self, message: BotMessage) -> list[str]:
        key = (message.chat_id, message.message_id)
        state = (message.edits, message.deleted, message.text)
        before = self._seen.get(key)
        self._seen[key] = state
        if before == state or (before is None and message.deleted):
            return []
        if (
            before is not None
            and not message.deleted
            and before[2] == message.text
            and keyboard_kind(message.reply_markup) is None
        ):
            return []  # an answered question losing its buttons: nothing new to read
        tag = self._chat_tag(message.chat_id)
        if message.deleted:
            first = message.plain.strip().split("\n", 1)[0][:60]
            where = f" ({tag})" if tag else ""
            return [self.style.note(f"(Afterview deleted a message{where}: “{first}”)")]
        tags = [t for t in ("edited" if before is not None else None, tag) if t]
        if before is None:
            self._track_keyboard(message)
        lines = render_message(message, self.style, tags)
        if before is None and message.kind != "text":
            lines.append(self.style.note(INDENT + self._save_file(message)))
        return lines

    def _track_keyboard(self, message: BotMessage) -> None:
        markup = message.reply_markup or {}
        if keyboard_kind(markup) == "reply":
            self._keyboards[message.chat_id] = message.message_id
        elif markup.get("remove_keyboard"):
            self._keyboards[message.chat_id] = None

    def _side_news(self) -> list[str]:
        """Tap answers, messages the bot could not see, and requests Telegram would refuse."""
        lines: list[str] = []
        for answer in self.fake.callback_answers[self._answers_seen :]:
            if answer.get("text"):
                kind = "pop-up" if answer.get("show_alert") else "notice"
                lines.append(self.style.bot(f"Afterview ({kind}):") + f" {answer['text']}")
        for update in self.fake.undelivered[self._undelivered_seen :]:
            chat = update["message"]["chat"]["id"]
            if chat == self.group.id:
                lines.append(
                    self.style.note(
                        f"(the bot does not see that: in groups it reads only /commands, "
                        f"{self.bot_name} mentions and replies to its messages)"
                    )
                )
        for refusal in self.fake.refusals[self._refusals_seen :]:
            self.problems += 1
            lines.append(
                self.style.warn(f"⚠ Telegram would refuse a request of the bot: {refusal}")
            )
        self._undelivered_seen = len(self.fake.undelivered)
        self._refusals_seen = len(self.fake.refusals)
        return lines

    async def _follow_answer_links(self) -> None:
        answers = self.fake.callback_answers[self._answers_seen :]
        self._answers_seen = len(self.fake.callback_answers)
        for answer in answers:
            if answer.get("url"):
                await self._open_url(str(answer["url"]))

    def _save_file(self, message: BotMessage) -> str:
        if message.document is not None:
            data, filename = message.document
            what = "file"
        else:
            data = message.photo or b""
            filename = "photo.png" if data.startswith(b"\x89PNG") else "photo.jpg"
            what = "picture"
        safe = re.sub(r"[^\w.\-]+", "_", Path(filename).name) or "file"
        folder = self.options.files
        path = folder / f"chat{abs(message.chat_id)}-{message.message_id}-{safe}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        except OSError as exc:
            self.problems += 1
            return f"(the bot sent a {what}, {filename}, but it could not be saved: {exc})"
        return f"{'📎' if what == 'file' else '🖼'} {filename} saved to {path}"

    def returning(self) -> None:
        """On a kept database, the demo members talked to the bot before, so it may write first."""
        for member in self.members:
            member.started = True


class _LineReader:
    """Reads lines in a daemon thread, so the bot keeps running and quitting never waits on it."""

    def __init__(self) -> None:
        self._requests: queue.Queue[
            tuple[str, asyncio.AbstractEventLoop, asyncio.Future[str | None]]
        ] = queue.Queue()
        # line editing and history for input(), where the platform has it
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401
        thread = threading.Thread(target=self._run, name="sandbox-input", daemon=True)
        thread.start()

    async def read(self, prompt: str) -> str | None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[str | None] = loop.create_future()
        self._requests.put((prompt, loop, future))
        return await future

    def _run(self) -> None:
        while True:
            prompt, loop, future = self._requests.get()
            line: str | None
            try:
                line = input(prompt)
            except (EOFError, OSError, ValueError):
                line = None
            try:
                loop.call_soon_threadsafe(_resolve, future, line)
            except RuntimeError:
                return  # the loop is gone: the sandbox has ended


def _resolve(future: asyncio.Future[str | None], line: str | None) -> None:
    if not future.done():
        future.set_result(line)


def _telegram_length(text: str) -> int:
    """Telegram counts a message's length in UTF-16 code units, as its apps do."""
    return len(text.encode("utf-16-le")) // 2


def _format_time(moment: datetime, zone: tzinfo, zone_name: str) -> str:
    local = moment.astimezone(zone)
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M} ({zone_name})"


def _human(delta: timedelta) -> str:
    minutes = round(delta.total_seconds() / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [
        f"{value} {unit}{'s' if value != 1 else ''}"
        for value, unit in ((days, "day"), (hours, "hour"), (minutes, "minute"))
        if value
    ]
    return " ".join(parts) or "less than a minute"


@asynccontextmanager
async def open_sandbox(options: SandboxOptions, out: TextIO) -> AsyncIterator[Sandbox]:
    """The fake Bot API and the real bot started on a database, with a session on top."""
    with tempfile.TemporaryDirectory(prefix="afterview-sandbox-") as folder:
        database = options.database or Path(folder) / "afterview.db"
        returning = database.exists()
        database.parent.mkdir(parents=True, exist_ok=True)
        # the one place that reads the wall clock; everything else reads the movable clock
        start = options.start or datetime.now(UTC).replace(microsecond=0)
        running = RunningBot(database, start=start)
        try:
            await running.start()
            sandbox = Sandbox(running, out, options, temporary=options.database is None)
            if returning:
                sandbox.returning()
            yield sandbox
        finally:
            await running.close()


async def run_sandbox(
    lines: Iterable[str] | None, out: TextIO, options: SandboxOptions | None = None
) -> int:
    """A whole session: interactive when ``lines`` is None, else scripted; 1 if a script hit
    a problem (an unknown command, a missing button, a request Telegram would refuse)."""
    options = options or SandboxOptions()
    async with open_sandbox(options, out) as sandbox:
        sandbox.banner()
        if lines is None:
            await sandbox.interactive()
            return 0
        await sandbox.scripted(lines)
        return 1 if sandbox.problems else 0


def _parse_start(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"“{text}” is not an ISO 8601 moment like 2026-11-23T09:00"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot sandbox",
        description="Chat with the real bot in the terminal, over a local fake of Telegram.",
    )
    parser.add_argument(
        "--script",
        metavar="FILE",
        help="read the lines from FILE ('-' for standard input) as if typed, then quit",
    )
    parser.add_argument("--plain", action="store_true", help="no colours")
    parser.add_argument(
        "--database", metavar="PATH", type=Path, help="keep the data in PATH (default: temporary)"
    )
    parser.add_argument(
        "--files",
        metavar="DIR",
        type=Path,
        default=Path("sandbox-files"),
        help="where files and pictures the bot sends are saved (default: ./sandbox-files)",
    )
    parser.add_argument(
        "--start",
        metavar="WHEN",
        type=_parse_start,
        help="the bot's clock at the start, ISO 8601 like 2026-11-23T09:00 (UTC); default: now",
    )
    parser.add_argument("--name", default="Ana", help="your first name (default: Ana)")
    parser.add_argument(
        "--language", default="en", help="your Telegram app's language code (default: en)"
    )
    args = parser.parse_args(argv)

    lines: list[str] | None = None
    if args.script == "-" or (args.script is None and not sys.stdin.isatty()):
        lines = sys.stdin.read().splitlines()
    elif args.script is not None:
        try:
            lines = Path(args.script).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            print(f"Could not read the script: {exc}", file=sys.stderr)
            return 2
    if isinstance(sys.stdout, io.TextIOWrapper):
        # an odd terminal encoding must not end the session on the first emoji
        sys.stdout.reconfigure(errors="replace")
    color = not args.plain and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    options = SandboxOptions(
        database=args.database,
        files=args.files,
        start=args.start,
        color=color,
        name=args.name,
        language=args.language,
        follow_real_time=lines is None,
    )
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from telegram.warnings import PTBUserWarning

    # PTB's advice on conversation settings is for the bot's developers, not a chat transcript
    warnings.filterwarnings("ignore", category=PTBUserWarning)
    try:
        return asyncio.run(run_sandbox(lines, sys.stdout, options))
    except KeyboardInterrupt:
        print("\nBye!")
        return 130


if __name__ == "__main__":
    sys.exit(main())
