"""FakeTelegram: a strict local Bot API server over real HTTP, with scripted users and groups."""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Literal
from urllib.parse import urlsplit

from aiohttp import web

from bot.fakeapi import groups
from bot.fakeapi.faults import Fault, FaultPlan, FiredFault, answer
from bot.fakeapi.images import ImageError, check_photo, image_info
from bot.fakeapi.markup import (
    ParsedText,
    TextError,
    check_caption,
    check_message_text,
    utf16_len,
)
from bot.fakeapi.spec import ApiError, ApiSpec, UploadedFile, bad_request, load_spec

JSON = dict[str, Any]
Clock = Callable[[], datetime]
Handler = Callable[[JSON], Awaitable[Any]]

MAX_UPLOAD = 50 * 1024 * 1024
# Telegram's documented flood limits; see the README of the Bot API spec we ship.
GLOBAL_PER_SECOND = 30
GROUP_PER_MINUTE = 20
PRIVATE_BURST = 8
DELETE_WINDOW = timedelta(hours=48)
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# Telegram leaves these out of getUpdates unless asked for by name.
DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_COMMAND = re.compile(r"/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{3,32}))?(?=\s|$)")
_MENTION = re.compile(r"(?<![A-Za-z0-9_])@([A-Za-z0-9_]{4,32})")
_BOT_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_LANG = re.compile(r"[a-z]{2}")
# Fields of InlineKeyboardButton that decorate it rather than say what pressing it does.
_BUTTON_DECOR = frozenset({"text", "icon_custom_emoji_id", "style"})
_TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000b49444154789c6360000200000500017a5eab3f0000000049454e44ae426082"
)


def _utc_now() -> datetime:
    return datetime.now(UTC)


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
class _StoredFile:
    file_id: str
    unique_id: str
    path: str
    data: bytes
    filename: str


class _Chat:
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


class FakeUser:
    """A person who talks to the bot; each action enqueues one Update for getUpdates."""

    def __init__(
        self,
        fake: FakeTelegram,
        *,
        user_id: int,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
    ) -> None:
        self._fake = fake
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.blocked = False
        self.started = False  # has written to the bot, so the bot may write back

    def __repr__(self) -> str:
        return f"FakeUser(id={self.id}, first_name={self.first_name!r})"

    def to_api(self) -> JSON:
        out: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            out["last_name"] = self.last_name
        if self.username:
            out["username"] = self.username
        if self.language_code:
            out["language_code"] = self.language_code
        return out

    def chat_api(self) -> JSON:
        out: JSON = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            out["last_name"] = self.last_name
        if self.username:
            out["username"] = self.username
        return out

    @property
    def messages(self) -> list[BotMessage]:
        return self._fake.messages(self.id)

    @property
    def last_message(self) -> BotMessage:
        """The newest bot message in the private chat; AssertionError if there is none."""
        return self._fake._require_last(self.id)

    async def send(
        self, text: str, *, chat: FakeGroup | None = None, topic: int | None = None
    ) -> JSON:
        """A text message (in a forum ``topic``, if given); a leading /command gets a
        bot_command entity as in real clients."""
        return self._fake._user_text(self, text, chat, topic=topic)

    async def edit(self, sent: JSON, text: str) -> JSON:
        """Edit a message this user sent earlier (pass the update that send() returned)."""
        return self._fake._user_edit(self, sent, text)

    async def reply(self, message: BotMessage, text: str, *, chat: FakeGroup | None = None) -> JSON:
        return self._fake._user_text(self, text, chat, reply_to=message)

    async def reply_to_member(self, sent: JSON, text: str, *, chat: FakeGroup) -> JSON:
        """Reply in a group to another member's message (pass the update their send() returned);
        privacy mode lets it through only as a command or a mention, as Telegram does."""
        return self._fake._user_reply_to_member(self, sent, text, chat)

    async def send_location(
        self, latitude: float, longitude: float, *, chat: FakeGroup | None = None
    ) -> JSON:
        location = {"latitude": float(latitude), "longitude": float(longitude)}
        return self._fake._user_content(self, chat, {"location": location})

    async def send_sticker(
        self, emoji: str = "\U0001f44d", *, chat: FakeGroup | None = None
    ) -> JSON:
        stored = self._fake._store_file(b"RIFF\x00\x00\x00\x00WEBP", "sticker.webp", "stickers")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
            "emoji": emoji,
        }
        return self._fake._user_content(self, chat, {"sticker": sticker})

    async def send_photo(
        self, caption: str | None = None, *, data: bytes = _TINY_PNG, chat: FakeGroup | None = None
    ) -> JSON:
        stored = self._fake._store_file(data, "photo.jpg", "photos")
        width, height = _image_size(data)
        size = {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "width": width,
            "height": height,
            "file_size": len(data),
        }
        content: JSON = {"photo": [size]}
        if caption:
            content["caption"] = caption
        return self._fake._user_content(self, chat, content)

    async def tap(self, message: BotMessage, button: str) -> str:
        """Press an inline button by text or exact callback_data; returns the callback query id."""
        return self._fake._tap(self, message, button)

    async def tap_data(self, message: BotMessage, data: str) -> str:
        """A callback query with data of our choosing, as a modified client could send it."""
        return self._fake._tap(self, message, None, forged_data=data)

    def block(self) -> None:
        """Block the bot: later sends get 403; the bot is told by a my_chat_member update."""
        if not self.blocked:
            self.blocked = True
            self._fake._private_member_update(self, "member", "kicked")

    def unblock(self) -> None:
        if self.blocked:
            self.blocked = False
            self._fake._private_member_update(self, "kicked", "member")

    async def expect_message(self, timeout: float = 5.0) -> BotMessage:  # noqa: ASYNC109
        """Settle, then return the newest bot message in the private chat since our last action."""
        return await self._fake._expect(self, self.id, timeout)


class FakeGroup:
    """A group or supergroup the bot may be a member of."""

    def __init__(
        self,
        fake: FakeTelegram,
        *,
        chat_id: int,
        title: str,
        chat_type: Literal["group", "supergroup"],
        members: list[FakeUser],
        admins: list[FakeUser],
        bot_is_member: bool,
        bot_is_admin: bool,
    ) -> None:
        self._fake = fake
        self.id = chat_id
        self.title = title
        self.type = chat_type
        self.members = members
        self.admins = admins
        self.bot_is_member = bot_is_member
        self.bot_is_admin = bot_is_admin
        self.bot_banned = False
        # set once a basic group became a supergroup: the old id is refused from then on
        self.migrated_to: int | None = None
        self.is_forum = False
        self.topics: dict[int, str] = {}
        self.banned: set[int] = set()

    def __repr__(self) -> str:
        return f"FakeGroup(id={self.id}, title={self.title!r})"

    def to_api(self) -> JSON:
        out: JSON = {"id": self.id, "type": self.type, "title": self.title}
        if self.is_forum:
            out["is_forum"] = True
        return out

    @property
    def messages(self) -> list[BotMessage]:
        return self._fake.messages(self.id)

    @property
    def last_message(self) -> BotMessage:
        """The newest bot message in the group; AssertionError if there is none."""
        return self._fake._require_last(self.id)

    async def expect_message(
        self,
        user: FakeUser,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> BotMessage:
        """Settle, then return the newest bot message here since ``user``'s last action."""
        return await self._fake._expect(user, self.id, timeout)


class FakeTelegram:
    """A strict, local Bot API: refuses what Telegram refuses (and a little more).

    The bot under test reaches it with ``base_url=fake.base_url`` and
    ``base_file_url=fake.base_file_url``; tests drive users and read what the bot did.
    """

    def __init__(
        self,
        token: str = "123456:TEST-token",
        bot_username: str = "afterview_test_bot",
        clock: Clock | None = None,
        latency: float = 0.0,
        enforce_rate_limits: bool = True,
        *,
        bot_first_name: str = "Afterview",
        spec: ApiSpec | None = None,
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        prefix = token.split(":", 1)[0]
        self.bot_id = int(prefix) if prefix.isdigit() else 1
        self.clock: Clock = clock or _utc_now
        self.latency = latency
        self.enforce_rate_limits = enforce_rate_limits
        self.spec = spec or load_spec()

        self.requests: list[RequestRecord] = []
        self.refusals: list[Refusal] = []
        # faults tests arm on purpose; they are recorded there, never as refusals
        self.faults = FaultPlan()
        self.callback_answers: list[JSON] = []
        self.chat_actions: list[JSON] = []
        self.undelivered: list[JSON] = []
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.descriptions: dict[str, str] = {}
        self.short_descriptions: dict[str, str] = {}
        self.menu_buttons: dict[int | None, JSON] = {}
        self.webhook_url = ""

        self.users: dict[int, FakeUser] = {}
        self.groups: dict[int, FakeGroup] = {}
        self._chats: dict[int, _Chat] = {}
        self._user_ids = itertools.count(1_000_000_001)
        self._supergroup_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._query_ids = itertools.count(4_000_000_000_001)
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._pending_queries: set[str] = set()
        self._answered_queries: set[str] = set()
        self._marks: dict[tuple[int, int], int] = {}

        self._updates: deque[JSON] = deque()
        self._next_update_id = 700_000_001
        self._allowed_updates: frozenset[str] | None = None
        self._poll_generation = 0
        self._updates_changed: asyncio.Condition | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._stopping = False

        self._inflight: dict[int, str] = {}
        self._request_ids = itertools.count(1)
        self._last_activity = time.monotonic()
        # the bot under test may say it is still working on something (see RunningBot)
        self.busy_probe: Callable[[], bool] | None = None

        self._global_window: deque[float] = deque()
        self._chat_windows: dict[int, deque[float]] = {}

        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._handlers: dict[str, Handler] = {
            "getMe": self._get_me,
            "logOut": self._ok,
            "close": self._ok,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "sendChatAction": self._send_chat_action,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setMyDescription": self._set_my_description,
            "getMyDescription": self._get_my_description,
            "setMyShortDescription": self._set_my_short_description,
            "getMyShortDescription": self._get_my_short_description,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "getChatAdministrators": self._get_chat_administrators,
            "getChatMemberCount": self._get_chat_member_count,
            "pinChatMessage": self._pin_chat_message,
            "unpinChatMessage": self._unpin_chat_message,
            "getFile": self._get_file,
        }

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Serve on 127.0.0.1, on a free port."""
        self._updates_changed = asyncio.Condition()
        self._stopping = False
        app = web.Application(client_max_size=MAX_UPLOAD + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown)
        # Long polls are woken on stop, so a short shutdown timeout never cuts a real answer.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        address = self._runner.addresses[0]
        self._port = int(address[1])

    async def stop(self) -> None:
        self._stopping = True
        await self._notify_updates()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def started(self) -> bool:
        """Whether the server is serving (between start() and stop())."""
        return self._runner is not None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeTelegram is not started")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    @property
    def bot_user(self) -> JSON:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    # ------------------------------------------------------------------ people and chats

    def add_user(
        self,
        first_name: str = "Ana",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> FakeUser:
        user = FakeUser(
            self,
            user_id=next(self._user_ids),
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        self.users[user.id] = user
        self._chats[user.id] = _Chat(user.id)
        return user

    def add_group(
        self,
        title: str = "Test group",
        members: Iterable[FakeUser] = (),
        admins: Iterable[FakeUser] = (),
        *,
        chat_type: Literal["group", "supergroup"] = "supergroup",
        bot_is_member: bool = True,
        bot_is_admin: bool = False,
    ) -> FakeGroup:
        """A group; admins are members too, and the first admin is its creator."""
        admin_list = list(admins)
        member_list = list(dict.fromkeys([*admin_list, *members]))
        n = next(self._supergroup_ids)
        chat_id = -1_001_000_000_000 - n if chat_type == "supergroup" else -400_000_000 - n
        group = FakeGroup(
            self,
            chat_id=chat_id,
            title=title,
            chat_type=chat_type,
            members=member_list,
            admins=admin_list,
            bot_is_member=bot_is_member,
            bot_is_admin=bot_is_admin,
        )
        self.groups[chat_id] = group
        self._chats[chat_id] = _Chat(chat_id)
        return group

    async def add_member(self, group: FakeGroup, user: FakeUser) -> JSON:
        """``user`` joins ``group``: a new_chat_members service message (delivered if a member)."""
        if user not in group.members:
            group.members.append(user)
        group.banned.discard(user.id)
        content = {"new_chat_members": [user.to_api()]}
        return self._post_message(user, group.id, group.to_api(), content, service=True)

    async def add_bot_to(self, group: FakeGroup, by: FakeUser) -> list[JSON]:
        """``by`` adds the bot: a my_chat_member update, then a new_chat_members message."""
        if by not in group.members:
            group.members.append(by)
        group.bot_is_member = True
        group.bot_banned = False
        status = "administrator" if group.bot_is_admin else "member"
        first = self._enqueue(
            "my_chat_member",
            self._member_update(group.to_api(), by, self.bot_user, "left", status),
        )
        content = {"new_chat_members": [self.bot_user]}
        second = self._post_message(by, group.id, group.to_api(), content, service=True)
        return [first, second]

    async def remove_bot_from(self, group: FakeGroup, by: FakeUser | None = None) -> JSON:
        """The bot leaves (or is kicked by ``by``); later sends there get 403."""
        old = "administrator" if group.bot_is_admin else "member"
        group.bot_is_member = False
        actor = by or (group.admins[0] if group.admins else None)
        new = "kicked" if by is not None else "left"
        group.bot_banned = new == "kicked"
        payload = self._member_update(group.to_api(), actor, self.bot_user, old, new)
        return self._enqueue("my_chat_member", payload)

    def migrate_to_supergroup(
        self, group: FakeGroup, by: FakeUser, *, joined_first: bool = False
    ) -> FakeGroup:
        """Upgrades a basic group to a new supergroup (see groups.migrate_to_supergroup)."""
        return groups.migrate_to_supergroup(self, group, by, joined_first=joined_first)

    def open_topic(self, group: FakeGroup, name: str, by: FakeUser) -> int:
        """Opens a forum topic in a supergroup (topics turned on); returns its thread id."""
        return groups.open_topic(self, group, name, by)

    def delete_topic(self, group: FakeGroup, thread_id: int) -> None:
        """Deletes a forum topic; sends to it get "message thread not found"."""
        groups.delete_topic(group, thread_id)

    def lose_pending_updates(self) -> int:
        """Drops the updates the bot has not fetched yet, as Telegram does with updates older
        than a day: the bot never hears of them. Call it right after what made them, before
        the bot polls again (no await in between). Returns how many were lost."""
        lost = len(self._updates)
        self.undelivered.extend(self._updates)
        self._updates.clear()
        return lost

    async def remove_member(
        self, group: FakeGroup, user: FakeUser, by: FakeUser | None = None
    ) -> JSON:
        """``user`` leaves ``group``, or ``by`` removes (bans) them: left_chat_member."""
        return groups.remove_member(self, group, user, by)

    # ------------------------------------------------------------------ reading results

    def messages(self, chat_id: int) -> list[BotMessage]:
        chat = self._chats.get(chat_id)
        return list(chat.bot_messages.values()) if chat else []

    def last_message(self, chat_id: int) -> BotMessage | None:
        chat = self._chats.get(chat_id)
        if not chat or not chat.bot_messages:
            return None
        return next(reversed(chat.bot_messages.values()))

    def _require_last(self, chat_id: int) -> BotMessage:
        message = self.last_message(chat_id)
        if message is None:
            refusals = "; ".join(str(r) for r in self.refusals[-3:]) or "none"
            raise AssertionError(f"the bot sent nothing to chat {chat_id} (refusals: {refusals})")
        return message

    def assert_no_refusals(self) -> None:
        if self.refusals:
            lines = "\n".join(f"  {r}" for r in self.refusals)
            raise AssertionError(f"FakeTelegram refused {len(self.refusals)} request(s):\n{lines}")

    @property
    def pending_updates(self) -> int:
        return len(self._updates)

    async def settle(self, quiet: float = 0.15, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until every update was fetched and confirmed and the bot has gone quiet.

        "Quiet" means no request other than an idle long poll for ``quiet`` seconds, and
        ``busy_probe`` (if set) saying the bot is idle too; the timeout is a plain argument (not
        asyncio.timeout) so the error can say what is pending.
        """
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            busy = self.busy_probe is not None and self.busy_probe()
            if busy:
                self._last_activity = now
            if not self._updates and not self._inflight and now - self._last_activity >= quiet:
                return
            if now >= deadline:
                raise TimeoutError(self._settle_report(timeout))
            await asyncio.sleep(min(0.01, max(deadline - now, 0.001)))

    def _settle_report(self, timeout: float) -> str:
        parts = [f"FakeTelegram did not settle within {timeout}s:"]
        if self._updates:
            first = self._updates[0]
            kinds = sorted({k for u in self._updates for k in u if k != "update_id"})
            parts.append(
                f"{len(self._updates)} update(s) not yet fetched and confirmed "
                f"(first update_id {first['update_id']}, kinds {kinds}); is the bot polling?"
            )
        if self._inflight:
            parts.append(f"requests still in flight: {sorted(self._inflight.values())}")
        idle = time.monotonic() - self._last_activity
        parts.append(f"last bot activity {idle:.2f}s ago")
        if self.requests:
            last = self.requests[-1]
            parts.append(f"last request: {last.method} -> {last.status}")
        return " ".join(parts)

    async def _expect(
        self,
        user: FakeUser,
        chat_id: int,
        timeout: float,  # noqa: ASYNC109
    ) -> BotMessage:
        await self.settle(timeout=timeout)
        chat = self._chats[chat_id]
        mark = self._marks.get((user.id, chat_id), 1)
        for message in reversed(chat.bot_messages.values()):
            if message.message_id < mark:
                break
            return message
        recent = [m.plain[:60] for m in list(chat.bot_messages.values())[-3:]]
        refusals = "; ".join(str(r) for r in self.refusals[-3:]) or "none"
        raise AssertionError(
            f"the bot sent no new message to chat {chat_id} since {user!r}'s last action "
            f"(latest bot messages there: {recent}; recent refusals: {refusals})"
        )

    # ------------------------------------------------------------------ user actions

    def _now(self) -> int:
        return int(self.clock().timestamp())

    def _enqueue(self, kind: str, payload: JSON) -> JSON:
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        self._updates.append(update)
        self._last_activity = time.monotonic()
        self._wake_pollers()
        return update

    def _wake_pollers(self) -> None:
        if self._updates_changed is None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop, so no long poll is waiting either
        task = loop.create_task(self._notify_updates())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _notify_updates(self) -> None:
        if self._updates_changed is None:
            return
        async with self._updates_changed:
            self._updates_changed.notify_all()

    def _resolve_user_chat(self, user: FakeUser, chat: FakeGroup | None) -> tuple[int, JSON]:
        if chat is None:
            if user.blocked:
                raise ValueError(f"{user!r} has blocked the bot; call unblock() first")
            return user.id, user.chat_api()
        if chat.migrated_to is not None:
            raise ValueError(f"{chat!r} became supergroup {chat.migrated_to}")
        if user not in chat.members:
            raise ValueError(f"{user!r} is not a member of {chat!r}; use fake.add_member first")
        return chat.id, chat.to_api()

    def _mark(self, user: FakeUser, chat_id: int) -> None:
        """Remember where this action happened, so expect_message finds only newer replies."""
        self._marks[(user.id, user.id)] = self._chats[user.id].peek_id()
        if chat_id != user.id:
            self._marks[(user.id, chat_id)] = self._chats[chat_id].peek_id()

    def _post_message(
        self,
        user: FakeUser,
        chat_id: int,
        chat_api: JSON,
        content: JSON,
        *,
        service: bool = False,
        reply_to: BotMessage | None = None,
    ) -> JSON:
        chat = self._chats[chat_id]
        message: JSON = {
            "message_id": chat.next_id(),
            "from": user.to_api(),
            "chat": chat_api,
            "date": self._now(),
            **content,
        }
        if reply_to is not None:
            message["reply_to_message"] = self._message_api(reply_to, nested=True)
        chat.user_messages[message["message_id"]] = message
        self._mark(user, chat_id)
        if chat_id == user.id:
            user.started = True
            return self._enqueue("message", message)
        group = self.groups[chat_id]
        if group.bot_is_member and (service or self._privacy_lets_through(message, reply_to)):
            return self._enqueue("message", message)
        # Privacy mode: the bot never sees it; keep it for tests that check exactly that.
        update = {"update_id": None, "message": message}
        self.undelivered.append(update)
        return update

    def _privacy_lets_through(self, message: JSON, reply_to: BotMessage | None) -> bool:
        if reply_to is not None:
            return True
        text = str(message.get("text") or message.get("caption") or "")
        command = _COMMAND.match(text)
        if command and (command.group(2) is None or command.group(2).lower() == self._me):
            return True
        return any(m.lower() == self._me for m in _MENTION.findall(text))

    @property
    def _me(self) -> str:
        return self.bot_username.lower()

    def _user_text(
        self,
        user: FakeUser,
        text: str,
        chat: FakeGroup | None,
        reply_to: BotMessage | None = None,
        *,
        topic: int | None = None,
    ) -> JSON:
        if not text:
            raise ValueError("a Telegram message can't be empty")
        if reply_to is not None:
            current = self._current(reply_to)
            if chat is None and current.chat_id != user.id:
                chat = self.groups.get(current.chat_id)
            reply_to = current
        chat_id, chat_api = self._resolve_user_chat(user, chat)
        if reply_to is not None and reply_to.chat_id != chat_id:
            raise ValueError(f"message {reply_to.message_id} is not in chat {chat_id}")
        content: JSON = {"text": text}
        entities = _text_entities(text)
        if entities:
            content["entities"] = entities
        # a reply stays in its message's topic
        topic = reply_to.thread_id if reply_to is not None else topic
        if topic is not None:
            groups.check_thread(self.groups.get(chat_id), topic)
            content.update(groups.topic_fields(topic))
            opening = self._chats[chat_id].user_messages.get(topic)
            if reply_to is None and opening is not None:
                # as Telegram does: a message in a topic answers the topic's first message
                content["reply_to_message"] = {
                    k: v for k, v in opening.items() if k != "reply_to_message"
                }
        return self._post_message(user, chat_id, chat_api, content, reply_to=reply_to)

    def _user_reply_to_member(self, user: FakeUser, sent: JSON, text: str, chat: FakeGroup) -> JSON:
        original = sent.get("message")
        if not isinstance(original, dict) or not text:
            raise ValueError("reply_to_member() takes an update returned by send() and a text")
        stored = self._chats[chat.id].user_messages.get(original["message_id"])
        if stored is None or int(original["chat"]["id"]) != chat.id:
            raise ValueError(f"no member's message {original['message_id']} in chat {chat.id}")
        content: JSON = {"text": text}
        entities = _text_entities(text)
        if entities:
            content["entities"] = entities
        content["reply_to_message"] = {k: v for k, v in stored.items() if k != "reply_to_message"}
        chat_id, chat_api = self._resolve_user_chat(user, chat)
        return self._post_message(user, chat_id, chat_api, content)

    def _user_edit(self, user: FakeUser, sent: JSON, text: str) -> JSON:
        """The user edits a message they sent: Telegram delivers it again as edited_message."""
        original = sent.get("message") or sent.get("edited_message")
        if not isinstance(original, dict) or not text:
            raise ValueError("edit() takes an update returned by send() and a non-empty text")
        chat_id = int(original["chat"]["id"])
        stored = self._chats[chat_id].user_messages.get(original["message_id"])
        if stored is None or stored["from"]["id"] != user.id:
            raise ValueError("a user can only edit their own messages")
        stored.update(text=text, edit_date=self._now())
        stored.pop("entities", None)
        entities = _text_entities(text)
        if entities:
            stored["entities"] = entities
        return self._enqueue("edited_message", dict(stored))

    def _user_content(self, user: FakeUser, chat: FakeGroup | None, content: JSON) -> JSON:
        chat_id, chat_api = self._resolve_user_chat(user, chat)
        return self._post_message(user, chat_id, chat_api, content)

    def _current(self, message: BotMessage) -> BotMessage:
        chat = self._chats.get(message.chat_id)
        current = chat.bot_messages.get(message.message_id) if chat else None
        if current is None:
            raise ValueError(f"no bot message {message.message_id} in chat {message.chat_id}")
        if current.deleted:
            raise ValueError(f"bot message {message.message_id} was deleted")
        return current

    def _tap(
        self,
        user: FakeUser,
        message: BotMessage,
        label: str | None,
        *,
        forged_data: str | None = None,
    ) -> str:
        current = self._current(message)
        if current.chat_id == user.id:
            if user.blocked:
                raise ValueError(f"{user!r} has blocked the bot; call unblock() first")
        elif user not in self.groups[current.chat_id].members:
            raise ValueError(f"{user!r} can't see chat {current.chat_id}")
        if label is None:
            data = forged_data
        else:
            button = current.find_button(label)
            if button is None:
                raise ValueError(
                    f"no inline button {label!r} on message {current.message_id}; "
                    f"current buttons: {current.buttons}, callback_data: {current.callback_data}"
                )
            if "callback_data" not in button:
                raise ValueError(f"button {label!r} has no callback_data ({sorted(button)})")
            data = button["callback_data"]
        query_id = str(next(self._query_ids))
        self._pending_queries.add(query_id)
        user.started = True
        self._mark(user, current.chat_id)
        chat_instance = str(abs(hash((self.bot_id, current.chat_id))) % 10**18)
        payload = {
            "id": query_id,
            "from": user.to_api(),
            "message": self._message_api(current),
            "chat_instance": chat_instance,
            "data": data,
        }
        self._enqueue("callback_query", payload)
        return query_id

    def _member_update(
        self, chat_api: JSON, actor: FakeUser | None, member: JSON, old: str, new: str
    ) -> JSON:
        actor_api = actor.to_api() if actor else self.bot_user
        return {
            "chat": chat_api,
            "from": actor_api,
            "date": self._now(),
            "old_chat_member": _member_api(member, old),
            "new_chat_member": _member_api(member, new),
        }

    def _private_member_update(self, user: FakeUser, old: str, new: str) -> JSON:
        payload = self._member_update(user.chat_api(), user, self.bot_user, old, new)
        return self._enqueue("my_chat_member", payload)

    def _store_file(self, data: bytes, filename: str, folder: str) -> _StoredFile:
        n = next(self._file_ids)
        suffix = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
        stored = _StoredFile(
            file_id=f"FAKE{folder[:3].upper()}{n:08d}",
            unique_id=f"U{n:08d}",
            path=f"{folder}/file_{n}.{suffix}",
            data=data,
            filename=filename,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.path] = stored
        return stored

    # ------------------------------------------------------------------ HTTP layer

    async def _read_params(self, request: web.Request) -> tuple[JSON, dict[str, UploadedFile]]:
        raw: JSON = dict(request.query)
        files: dict[str, UploadedFile] = {}
        if request.method == "GET" or not request.body_exists:
            return raw, files
        ctype = request.content_type
        if ctype == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON body") from None
            if not isinstance(body, dict):
                raise bad_request("JSON body must be an object")
            raw.update(body)
        elif ctype in {"application/x-www-form-urlencoded", "multipart/form-data"}:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = UploadedFile(
                        key, value.filename, value.content_type, value.file.read()
                    )
                else:
                    raw[key] = value
        else:
            raise bad_request(f"unsupported content type {ctype}")
        return raw, files

    async def _handle_unknown(self, request: web.Request) -> web.Response:
        self._refuse(request.path, {}, ApiError(404, "Not Found"))
        return web.json_response(ApiError(404, "Not Found").payload(), status=404)

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        request_id = next(self._request_ids)
        polling = method == "getUpdates"
        if not polling:
            self._inflight[request_id] = method
            self._last_activity = time.monotonic()
        try:
            return await self._serve(request, method)
        finally:
            if not polling:
                self._inflight.pop(request_id, None)
                self._last_activity = max(self._last_activity, time.monotonic())

    async def _serve(self, request: web.Request, method: str) -> web.StreamResponse:
        logged: JSON = {}
        fired: FiredFault | None = None
        arrived = time.monotonic()
        try:
            if self.latency:
                await asyncio.sleep(self.latency)
            raw, files = await self._read_params(request)
            logged = {**raw, **{k: f"<file {f.filename} {len(f.data)}B>" for k, f in files.items()}}
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            params = self.spec.validate(method, raw, files)
            if self.faults.armed:
                fired = self.faults.pick(method, params, logged, arrived)
                if fired is not None and fired.kind is Fault.SLOW:
                    # Telegram slow to answer: held, then served like any other request
                    await fired.rule.held(lambda: self._stopping)
                    fired = None
                if fired is not None and not fired.kind.performs:
                    # not performed, but text Telegram would refuse is the bot's fault all the same
                    self._check_content(method, params)
                    status = fired.kind.status
                    self.requests.append(RequestRecord(method, logged, status, fault=fired.kind))
                    return await answer(request, fired, lambda: self._stopping)
            if method == "getUpdates":
                result: Any = await self._get_updates(request, params)
            else:
                handler = self._handlers.get(method)
                if handler is None:
                    raise ApiError(501, f"Not Implemented: FakeTelegram does not serve {method}")
                result = await handler(params)
        except ApiError as err:
            self._refuse(method, logged, err, fault=fired.kind if fired else None)
            response = web.json_response(err.payload(), status=err.error_code)
        except _Superseded:
            # The long poll was replaced by a newer one after its client went away: no refusal.
            response = web.json_response({"ok": True, "result": []})
        except ConnectionResetError:
            # The client hung up mid-request (a bot restarting drops its long poll): nobody is
            # there to be refused, and Telegram would not count it against the bot either.
            response = web.json_response({"ok": True, "result": []})
        except Exception as exc:
            # A bug in the fake must fail the test loudly, not hide as a bare HTTP 500.
            crash = ApiError(500, f"Internal Server Error: FakeTelegram crashed: {exc!r}")
            self._refuse(method, logged, crash)
            response = web.json_response(crash.payload(), status=500)
        else:
            self.requests.append(
                RequestRecord(method, logged, 200, fault=fired.kind if fired else None)
            )
            response = web.json_response({"ok": True, "result": result})
        if fired is not None:
            # performed (and checked, so a request Telegram refuses is still a refusal), but its
            # answer is lost on the way back
            return await answer(request, fired, lambda: self._stopping)
        return response

    def _refuse(self, method: str, params: JSON, err: ApiError, fault: Fault | None = None) -> None:
        self.requests.append(RequestRecord(method, params, err.error_code, err.description, fault))
        self.refusals.append(Refusal(method, params, err.error_code, err.description))

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        if self.latency:
            await asyncio.sleep(self.latency)
        stored = self._files_by_path.get(path)
        if request.match_info["token"] != self.token or stored is None:
            self._refuse(f"file:{path}", {}, ApiError(404, "Not Found"))
            return web.json_response(ApiError(404, "Not Found").payload(), status=404)
        self.requests.append(RequestRecord(f"file:{path}", {}, 200))
        return web.Response(body=stored.data, content_type="application/octet-stream")

    # ------------------------------------------------------------------ checks shared by methods

    def _chat_for_bot(self, chat_id: Any, *, sending: bool = True) -> _Chat:
        """The chat the bot addresses, or the 400/403 Telegram gives for it."""
        if isinstance(chat_id, str):
            raise bad_request("chat not found")
        if chat_id == self.bot_id:
            raise ApiError(403, "Forbidden: bots can't send messages to bots")
        user = self.users.get(chat_id)
        if user is not None:
            if user.blocked and sending:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if not user.started:
                if sending:
                    raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
                raise bad_request("chat not found")
            return self._chats[chat_id]
        group = self.groups.get(chat_id)
        if group is not None:
            if group.migrated_to is not None:
                raise groups.migrated_error(group)
            if not group.bot_is_member:
                kind = "supergroup" if group.type == "supergroup" else "group"
                raise ApiError(403, f"Forbidden: bot is not a member of the {kind} chat")
            return self._chats[chat_id]
        raise bad_request("chat not found")

    def _check_rate(self, chat_id: int) -> None:
        if not self.enforce_rate_limits:
            return
        now = time.monotonic()
        window = self._global_window
        while window and window[0] <= now - 1.0:
            window.popleft()
        if len(window) >= GLOBAL_PER_SECOND:
            self._too_many(window[0] + 1.0 - now)
        per_chat = self._chat_windows.setdefault(chat_id, deque())
        span = 60.0 if chat_id < 0 else 1.0
        limit = GROUP_PER_MINUTE if chat_id < 0 else PRIVATE_BURST
        while per_chat and per_chat[0] <= now - span:
            per_chat.popleft()
        if len(per_chat) >= limit:
            self._too_many(per_chat[0] + span - now)
        window.append(now)
        per_chat.append(now)

    def _too_many(self, wait: float) -> None:
        retry_after = max(1, math.ceil(wait))
        # settle() should wait out the bot's back-off instead of calling it quiet too early.
        self._last_activity = max(self._last_activity, time.monotonic() + retry_after)
        raise ApiError(
            429,
            f"Too Many Requests: retry after {retry_after}",
            {"retry_after": retry_after},
        )

    def _check_markup(self, markup: JSON | None, chat: _Chat) -> None:
        if markup is None:
            return
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            count = sum(len(row) for row in rows)
            if count > 100:
                raise bad_request("too many inline keyboard buttons (at most 100)")
            for row in rows:
                for button in row:
                    self._check_inline_button(button, chat)
        elif "keyboard" in markup:
            rows = markup["keyboard"]
            if not rows or any(not row for row in rows):
                raise bad_request("keyboard rows must not be empty")
            for row in rows:
                for button in row:
                    if not button["text"]:
                        raise bad_request("keyboard button text must not be empty")
        elif "force_reply" in markup:
            if markup["force_reply"] is not True:
                raise bad_request("force_reply must be true")
        elif "remove_keyboard" in markup and markup["remove_keyboard"] is not True:
            raise bad_request("remove_keyboard must be true")

    def _check_inline_button(self, button: JSON, chat: _Chat) -> None:
        actions = [k for k in button if k not in _BUTTON_DECOR]
        if not button["text"]:
            raise bad_request("inline keyboard button text must not be empty")
        if not actions:
            raise bad_request(
                "can't parse inline keyboard button: Text buttons are unallowed in the inline "
                "keyboard"
            )
        if len(actions) > 1:
            raise bad_request(
                f"can't parse inline keyboard button: exactly one of {sorted(actions)} may be used"
            )
        if "url" in button:
            url = button["url"]
            parts = urlsplit(url)
            valid = (parts.scheme in {"http", "https"} and bool(parts.netloc)) or (
                parts.scheme == "tg" and bool(parts.netloc or parts.path)
            )
            if not valid:
                raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
        if "web_app" in button and chat.id < 0:
            raise bad_request("BUTTON_TYPE_INVALID: web_app buttons work only in private chats")

    def _reply_target(self, params: JSON, chat: _Chat) -> int | None:
        reply = params.get("reply_parameters")
        if reply is None:
            return None
        target_chat = chat
        if "chat_id" in reply and reply["chat_id"] != chat.id:
            target_chat = self._chat_for_bot(reply["chat_id"], sending=False)
        message_id = reply["message_id"]
        exists = (
            message_id in target_chat.bot_messages
            and not target_chat.bot_messages[message_id].deleted
        ) or (
            message_id in target_chat.user_messages
            and message_id not in target_chat.deleted_user_messages
        )
        if exists:
            return int(message_id)
        if reply.get("allow_sending_without_reply"):
            return None
        raise bad_request("message to be replied not found")

    def _refuse_unsupported(self, params: JSON, names: Iterable[str]) -> None:
        for name in names:
            if name in params:
                raise bad_request(f"{name} is not supported by FakeTelegram")

    def _text(self, params: JSON, key: str = "text") -> ParsedText:
        try:
            if key == "text":
                return check_message_text(
                    params.get("text", ""), params.get("parse_mode"), params.get("entities")
                )
            return check_caption(
                params.get("caption", ""), params.get("parse_mode"), params.get("caption_entities")
            )
        except TextError as err:
            raise ApiError(400, err.description) from None

    def _check_content(self, method: str, params: JSON) -> None:
        """The text or caption checks of a method, without performing it."""
        if method in ("sendMessage", "editMessageText"):
            self._text(params)
        elif method in ("sendDocument", "sendPhoto", "editMessageCaption") and "caption" in params:
            self._text(params, "caption")

    def _new_message(self, chat: _Chat, **fields: Any) -> BotMessage:
        message = BotMessage(message_id=chat.next_id(), chat_id=chat.id, date=self._now(), **fields)
        chat.bot_messages[message.message_id] = message
        return message

    def _chat_api(self, chat_id: int) -> JSON:
        user = self.users.get(chat_id)
        if user is not None:
            return user.chat_api()
        return self.groups[chat_id].to_api()

    def _message_api(self, message: BotMessage, *, nested: bool = False) -> JSON:
        out: JSON = {
            "message_id": message.message_id,
            "from": self.bot_user,
            "chat": self._chat_api(message.chat_id),
            "date": message.date,
        }
        out.update(groups.topic_fields(message.thread_id))
        if message.edit_date is not None:
            out["edit_date"] = message.edit_date
        if message.kind == "text":
            out["text"] = message.plain
            if message.entities:
                out["entities"] = message.entities
        else:
            if message.plain:
                out["caption"] = message.plain
                if message.entities:
                    out["caption_entities"] = message.entities
            stored = self._files[message.file_id] if message.file_id else None
            if stored is not None and message.kind == "document":
                out["document"] = {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.unique_id,
                    "file_name": stored.filename,
                    "mime_type": _mime_type(stored.filename),
                    "file_size": len(stored.data),
                }
            elif stored is not None:
                width, height = _image_size(stored.data)
                out["photo"] = [
                    {
                        "file_id": stored.file_id,
                        "file_unique_id": stored.unique_id,
                        "width": width,
                        "height": height,
                        "file_size": len(stored.data),
                    }
                ]
        # Telegram echoes only inline keyboards; reply keyboards and ForceReply are not returned.
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            out["reply_markup"] = message.reply_markup
        if message.reply_to_message_id is not None and not nested:
            target = self._any_message_api(message.chat_id, message.reply_to_message_id)
            if target is not None:
                out["reply_to_message"] = target
        return out

    def _any_message_api(self, chat_id: int, message_id: int) -> JSON | None:
        chat = self._chats[chat_id]
        if message_id in chat.bot_messages:
            return self._message_api(chat.bot_messages[message_id], nested=True)
        user_message = chat.user_messages.get(message_id)
        if user_message is None:
            return None
        return {k: v for k, v in user_message.items() if k != "reply_to_message"}

    def _editable(self, params: JSON) -> tuple[_Chat, BotMessage]:
        self._refuse_unsupported(params, ("business_connection_id", "rich_message"))
        if "inline_message_id" in params:
            raise bad_request("MESSAGE_ID_INVALID: FakeTelegram has no inline messages")
        if "chat_id" not in params:
            raise bad_request("chat_id is empty")
        if "message_id" not in params:
            raise bad_request("message identifier is not specified")
        chat = self._chat_for_bot(params["chat_id"])
        message = chat.bot_messages.get(params["message_id"])
        if message is None or message.deleted:
            if params["message_id"] in chat.user_messages:
                raise bad_request("message can't be edited")
            raise bad_request("message to edit not found")
        return chat, message

    def _message_for(self, params: JSON, *, sending: bool = True) -> tuple[_Chat, int]:
        chat = self._chat_for_bot(params["chat_id"], sending=sending)
        return chat, int(params["message_id"])

    # ------------------------------------------------------------------ methods

    async def _ok(self, params: JSON) -> bool:
        return True

    async def _get_me(self, params: JSON) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, request: web.Request, params: JSON) -> list[JSON]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        if "allowed_updates" in params:
            allowed = params["allowed_updates"]
            unknown = sorted(set(allowed) - self.spec.update_types)
            if unknown:
                raise bad_request(f"unknown update types in allowed_updates: {unknown}")
            self._allowed_updates = frozenset(allowed) if allowed else None
        limit = params.get("limit", 100)
        if not 1 <= limit <= 100:
            raise bad_request("limit must be 1-100")
        timeout = max(0, params.get("timeout", 0))
        self._confirm(params.get("offset"))

        # A newer getUpdates ends any older one, as on Telegram.
        self._poll_generation += 1
        generation = self._poll_generation
        await self._notify_updates()
        batch = self._collect(limit)
        if batch or timeout == 0:
            return self._delivered(batch)
        deadline = time.monotonic() + timeout
        assert self._updates_changed is not None
        async with self._updates_changed:
            while generation == self._poll_generation:
                if self._stopping:
                    return []
                batch = self._collect(limit)
                if batch:
                    return self._delivered(batch)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                try:
                    await asyncio.wait_for(self._updates_changed.wait(), remaining)
                except TimeoutError:
                    return []
        transport = request.transport
        if transport is None or transport.is_closing():
            raise _Superseded
        raise ApiError(
            409,
            "Conflict: terminated by other getUpdates request; make sure that only one bot "
            "instance is running",
        )

    def _delivered(self, batch: list[JSON]) -> list[JSON]:
        if batch:
            self._last_activity = time.monotonic()
        return batch

    def _confirm(self, offset: int | None) -> None:
        if offset is None:
            return
        if offset < 0:
            keep = -offset
            while len(self._updates) > keep:
                self._updates.popleft()
            return
        while self._updates and self._updates[0]["update_id"] < offset:
            self._updates.popleft()

    def _is_allowed(self, update: JSON) -> bool:
        kind = next(k for k in update if k != "update_id")
        if self._allowed_updates is None:
            return kind not in DEFAULT_EXCLUDED_UPDATES
        return kind in self._allowed_updates

    def _collect(self, limit: int) -> list[JSON]:
        if not self._updates:
            return []
        if not all(self._is_allowed(u) for u in self._updates):
            # Telegram never creates updates of types the bot did not ask for.
            self._updates = deque(u for u in self._updates if self._is_allowed(u))
        return list(itertools.islice(self._updates, limit))

    async def _set_webhook(self, params: JSON) -> bool:
        url = params["url"]
        if url and not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook_url = url
        return True

    async def _delete_webhook(self, params: JSON) -> bool:
        self.webhook_url = ""
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, params: JSON) -> JSON:
        info: JSON = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._allowed_updates is not None:
            info["allowed_updates"] = sorted(self._allowed_updates)
        return info

    async def _send_message(self, params: JSON) -> JSON:
        self._refuse_unsupported(
            params,
            (
                "business_connection_id",
                "direct_messages_topic_id",
                "suggested_post_parameters",
                "message_effect_id",
            ),
        )
        chat = self._chat_for_bot(params["chat_id"])
        thread_id = groups.check_thread(self.groups.get(chat.id), params.get("message_thread_id"))
        parsed = self._text(params)
        markup = params.get("reply_markup")
        self._check_markup(markup, chat)
        reply_to = self._reply_target(params, chat)
        self._check_rate(chat.id)
        message = self._new_message(
            chat,
            thread_id=thread_id,
            text=params["text"],
            plain=parsed.text,
            parse_mode=params.get("parse_mode"),
            entities=[e.to_dict() for e in parsed.entities],
            reply_markup=markup,
            reply_to_message_id=reply_to,
        )
        return self._message_api(message)

    async def _send_media(self, params: JSON, kind: Literal["document", "photo"]) -> JSON:
        self._refuse_unsupported(
            params,
            (
                "business_connection_id",
                "message_thread_id",
                "direct_messages_topic_id",
                "suggested_post_parameters",
                "message_effect_id",
            ),
        )
        chat = self._chat_for_bot(params["chat_id"])
        parsed = self._text(params, "caption")
        markup = params.get("reply_markup")
        self._check_markup(markup, chat)
        reply_to = self._reply_target(params, chat)
        stored = self._media_file(params[kind], kind)
        self._check_rate(chat.id)
        message = self._new_message(
            chat,
            kind=kind,
            text=params.get("caption", ""),
            plain=parsed.text,
            parse_mode=params.get("parse_mode"),
            entities=[e.to_dict() for e in parsed.entities],
            reply_markup=markup,
            reply_to_message_id=reply_to,
            file_id=stored.file_id,
            document=(stored.data, stored.filename) if kind == "document" else None,
            photo=stored.data if kind == "photo" else None,
        )
        return self._message_api(message)

    def _media_file(self, value: Any, kind: Literal["document", "photo"]) -> _StoredFile:
        if isinstance(value, UploadedFile):
            if not value.data:
                raise bad_request("file must be non-empty")
            if kind == "photo":
                try:
                    check_photo(value.data)
                except ImageError as err:
                    raise bad_request(str(err)) from None
            folder = "documents" if kind == "document" else "photos"
            return self._store_file(value.data, value.filename or f"{kind}.bin", folder)
        stored = self._files.get(str(value))
        if stored is not None:
            return stored
        if str(value).startswith(("http://", "https://")):
            raise bad_request(
                "wrong file identifier/HTTP URL specified (FakeTelegram can't fetch URLs; "
                "upload the file)"
            )
        raise bad_request("wrong file identifier/HTTP URL specified")

    async def _send_document(self, params: JSON) -> JSON:
        return await self._send_media(params, "document")

    async def _send_photo(self, params: JSON) -> JSON:
        return await self._send_media(params, "photo")

    async def _send_chat_action(self, params: JSON) -> bool:
        self._refuse_unsupported(params, ("business_connection_id", "message_thread_id"))
        chat = self._chat_for_bot(params["chat_id"])
        if params["action"] not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self.chat_actions.append({"chat_id": chat.id, "action": params["action"]})
        return True

    async def _edit_message_text(self, params: JSON) -> JSON:
        chat, message = self._editable(params)
        if "text" not in params:
            raise bad_request("message text is empty")
        if message.kind != "text":
            raise bad_request("there is no text in the message to edit")
        parsed = self._text(params)
        markup = params.get("reply_markup")
        self._check_markup(markup, chat)
        entities = [e.to_dict() for e in parsed.entities]
        if (
            parsed.text == message.plain
            and entities == message.entities
            and _same_markup(markup, message.reply_markup)
        ):
            raise bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        self._check_rate(chat.id)
        message.history.append(message.text)
        message.text = params["text"]
        message.plain = parsed.text
        message.parse_mode = params.get("parse_mode")
        message.entities = entities
        self._edited(message, markup)
        return self._message_api(message)

    async def _edit_message_caption(self, params: JSON) -> JSON:
        chat, message = self._editable(params)
        self._refuse_unsupported(params, ("show_caption_above_media",))
        if message.kind == "text":
            raise bad_request("there is no caption in the message to edit")
        parsed = self._text(params, "caption")
        markup = params.get("reply_markup")
        self._check_markup(markup, chat)
        entities = [e.to_dict() for e in parsed.entities]
        if (
            parsed.text == message.plain
            and entities == message.entities
            and _same_markup(markup, message.reply_markup)
        ):
            raise bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        self._check_rate(chat.id)
        message.history.append(message.text)
        message.text = params.get("caption", "")
        message.plain = parsed.text
        message.parse_mode = params.get("parse_mode")
        message.entities = entities
        self._edited(message, markup)
        return self._message_api(message)

    async def _edit_message_reply_markup(self, params: JSON) -> JSON:
        chat, message = self._editable(params)
        markup = params.get("reply_markup")
        self._check_markup(markup, chat)
        if _same_markup(markup, message.reply_markup):
            raise bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        self._check_rate(chat.id)
        self._edited(message, markup)
        return self._message_api(message)

    def _edited(self, message: BotMessage, markup: JSON | None) -> None:
        old = message.reply_markup
        # An edit without reply_markup drops the inline keyboard, as on Telegram; a ForceReply
        # or reply keyboard lives in the client and stays.
        keep = old if old is not None and "inline_keyboard" not in old else None
        message.reply_markup = markup if markup is not None else keep
        message.edits += 1
        message.edit_date = self._now()

    async def _delete_message(self, params: JSON) -> bool:
        chat, message_id = self._message_for(params, sending=False)
        message = chat.bot_messages.get(message_id)
        if message is not None and not message.deleted:
            date = message.date
        elif message_id in chat.user_messages and message_id not in chat.deleted_user_messages:
            group = self.groups.get(chat.id)
            if group is not None and not group.bot_is_admin:
                raise bad_request("message can't be deleted")
            date = int(chat.user_messages[message_id]["date"])
        else:
            raise bad_request("message to delete not found")
        age = self._now() - date
        if age >= DELETE_WINDOW.total_seconds():
            raise bad_request("message can't be deleted for everyone")
        if message is not None:
            message.deleted = True
        else:
            chat.deleted_user_messages.add(message_id)
        return True

    async def _answer_callback_query(self, params: JSON) -> bool:
        query_id = params["callback_query_id"]
        if query_id not in self._pending_queries:
            raise bad_request(QUERY_INVALID.removeprefix("Bad Request: "))
        url = params.get("url")
        if url is not None and not url.startswith(f"https://t.me/{self.bot_username}?start="):
            raise bad_request("URL_INVALID: only t.me/<bot>?start= links (or games) are allowed")
        self._pending_queries.discard(query_id)
        self._answered_queries.add(query_id)
        self.callback_answers.append(
            {
                "callback_query_id": query_id,
                "text": params.get("text"),
                "show_alert": bool(params.get("show_alert", False)),
                "url": url,
            }
        )
        return True

    def _scope_key(self, params: JSON) -> str:
        scope = params.get("scope") or {"type": "default"}
        kind = scope["type"]
        if kind in {"default", "all_private_chats", "all_group_chats", "all_chat_administrators"}:
            return str(kind)
        chat_id = scope["chat_id"]
        if isinstance(chat_id, str) or (chat_id not in self.users and chat_id not in self.groups):
            raise bad_request("chat not found")
        if kind == "chat":
            return f"chat:{chat_id}"
        group = self.groups.get(chat_id)
        if group is None:
            raise bad_request(f"scope {kind} needs a group chat")
        if kind == "chat_administrators":
            return f"chat_administrators:{chat_id}"
        user_id = scope["user_id"]
        if not any(m.id == user_id for m in group.members):
            raise bad_request("user not found")
        return f"chat_member:{chat_id}:{user_id}"

    def _language(self, params: JSON) -> str:
        language = str(params.get("language_code", ""))
        if language and not _LANG.fullmatch(language):
            raise bad_request("invalid language code specified")
        return language

    async def _set_my_commands(self, params: JSON) -> bool:
        commands = params["commands"]
        if len(commands) > 100:
            raise bad_request("too many commands: at most 100")
        seen: set[str] = set()
        for command in commands:
            name = command["command"]
            if not _BOT_COMMAND.fullmatch(name):
                raise bad_request("BOT_COMMAND_INVALID")
            if name in seen:
                raise bad_request(f"BOT_COMMAND_INVALID: duplicate command {name}")
            seen.add(name)
        key = (self._scope_key(params), self._language(params))
        if commands:
            self.commands[key] = [
                {"command": c["command"], "description": c["description"]} for c in commands
            ]
        else:
            self.commands.pop(key, None)
        return True

    async def _get_my_commands(self, params: JSON) -> list[JSON]:
        key = (self._scope_key(params), self._language(params))
        return list(self.commands.get(key, []))

    async def _delete_my_commands(self, params: JSON) -> bool:
        key = (self._scope_key(params), self._language(params))
        self.commands.pop(key, None)
        return True

    def _store_text(self, table: dict[str, str], params: JSON, field: str) -> bool:
        """setMyDescription and setMyShortDescription: an empty text removes the language's."""
        language = self._language(params)
        text = params.get(field, "")
        if text:
            table[language] = text
        else:
            table.pop(language, None)
        return True

    async def _set_my_description(self, params: JSON) -> bool:
        return self._store_text(self.descriptions, params, "description")

    async def _get_my_description(self, params: JSON) -> JSON:
        language = self._language(params)
        return {"description": self.descriptions.get(language, "")}

    async def _set_my_short_description(self, params: JSON) -> bool:
        return self._store_text(self.short_descriptions, params, "short_description")

    async def _get_my_short_description(self, params: JSON) -> JSON:
        language = self._language(params)
        return {"short_description": self.short_descriptions.get(language, "")}

    def _menu_chat(self, params: JSON) -> int | None:
        chat_id = params.get("chat_id")
        if chat_id is None:
            return None
        if chat_id not in self.users or not self.users[chat_id].started:
            raise bad_request("chat not found")
        return int(chat_id)

    async def _set_chat_menu_button(self, params: JSON) -> bool:
        chat_id = self._menu_chat(params)
        button = params.get("menu_button") or {"type": "default"}
        if button["type"] == "web_app" and not button["web_app"]["url"].startswith("https://"):
            raise bad_request("WEBAPP_URL_INVALID: an HTTPS URL is required")
        self.menu_buttons[chat_id] = button
        return True

    async def _get_chat_menu_button(self, params: JSON) -> JSON:
        chat_id = self._menu_chat(params)
        return self.menu_buttons.get(chat_id) or self.menu_buttons.get(None) or {"type": "default"}

    async def _get_chat(self, params: JSON) -> JSON:
        chat = self._chat_for_bot(params["chat_id"], sending=False)
        info: JSON = {
            **self._chat_api(chat.id),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
        if chat.pinned:
            pinned = self._any_message_api(chat.id, chat.pinned[-1])
            if pinned is not None:
                info["pinned_message"] = pinned
        return info

    def _member_of(self, chat_id: int, user_id: int) -> JSON:
        group = self.groups.get(chat_id)
        if group is None:
            user = self.users[chat_id]
            if user_id == self.bot_id:
                return _member_api(self.bot_user, "member")
            if user_id == user.id:
                return _member_api(user.to_api(), "member")
            raise bad_request("user not found")
        if user_id == self.bot_id:
            status = "administrator" if group.bot_is_admin else "member"
            gone = "kicked" if group.bot_banned else "left"
            return _member_api(self.bot_user, status if group.bot_is_member else gone)
        user_obj = self.users.get(user_id)
        if user_obj is None:
            raise bad_request("user not found")
        if user_obj not in group.members:
            return _member_api(user_obj.to_api(), "kicked" if user_id in group.banned else "left")
        if group.admins and group.admins[0] is user_obj:
            return _member_api(user_obj.to_api(), "creator")
        if user_obj in group.admins:
            return _member_api(user_obj.to_api(), "administrator")
        return _member_api(user_obj.to_api(), "member")

    async def _get_chat_member(self, params: JSON) -> JSON:
        chat = self._chat_for_bot(params["chat_id"], sending=False)
        return self._member_of(chat.id, int(params["user_id"]))

    async def _get_chat_administrators(self, params: JSON) -> list[JSON]:
        chat = self._chat_for_bot(params["chat_id"], sending=False)
        group = self.groups.get(chat.id)
        if group is None:
            raise bad_request("there are no administrators in the private chat")
        admins = [self._member_of(chat.id, u.id) for u in group.admins]
        if group.bot_is_admin:
            admins.append(self._member_of(chat.id, self.bot_id))
        return admins

    async def _get_chat_member_count(self, params: JSON) -> int:
        chat = self._chat_for_bot(params["chat_id"], sending=False)
        group = self.groups.get(chat.id)
        if group is None:
            return 2
        return len(group.members) + (1 if group.bot_is_member else 0)

    async def _pin_chat_message(self, params: JSON) -> bool:
        self._refuse_unsupported(params, ("business_connection_id",))
        chat, message_id = self._message_for(params)
        group = self.groups.get(chat.id)
        if group is not None and not group.bot_is_admin:
            raise bad_request("not enough rights to manage pinned messages in the chat")
        bot_message = chat.bot_messages.get(message_id)
        if bot_message is not None and not bot_message.deleted:
            bot_message.pinned = True
        elif message_id not in chat.user_messages or message_id in chat.deleted_user_messages:
            raise bad_request("message to pin not found")
        if message_id in chat.pinned:
            chat.pinned.remove(message_id)
        chat.pinned.append(message_id)
        return True

    async def _unpin_chat_message(self, params: JSON) -> bool:
        self._refuse_unsupported(params, ("business_connection_id",))
        chat = self._chat_for_bot(params["chat_id"])
        group = self.groups.get(chat.id)
        if group is not None and not group.bot_is_admin:
            raise bad_request("not enough rights to manage pinned messages in the chat")
        message_id = params.get("message_id")
        if message_id is None:
            if not chat.pinned:
                raise bad_request("message to unpin not found")
            message_id = chat.pinned[-1]
        if message_id not in chat.pinned:
            raise bad_request("message to unpin not found")
        chat.pinned.remove(message_id)
        if message_id in chat.bot_messages:
            chat.bot_messages[message_id].pinned = False
        return True

    async def _get_file(self, params: JSON) -> JSON:
        stored = self._files.get(params["file_id"])
        if stored is None:
            raise bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "file_size": len(stored.data),
            "file_path": stored.path,
        }


class _Superseded(Exception):
    """A long poll replaced by a newer one whose client had already gone."""


def _member_api(user: JSON, status: str) -> JSON:
    member: JSON = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(
            {
                "can_be_edited": False,
                "is_anonymous": False,
                "can_manage_chat": True,
                "can_delete_messages": True,
                "can_manage_video_chats": True,
                "can_restrict_members": True,
                "can_promote_members": False,
                "can_change_info": True,
                "can_invite_users": True,
                "can_post_stories": False,
                "can_edit_stories": False,
                "can_delete_stories": False,
                "can_pin_messages": True,
            }
        )
    elif status == "kicked":
        member["until_date"] = 0
    return member


def _same_markup(new: JSON | None, old: JSON | None) -> bool:
    def norm(markup: JSON | None) -> str:
        if not markup or ("inline_keyboard" in markup and not any(markup["inline_keyboard"])):
            return ""
        if "inline_keyboard" not in markup:
            return ""  # only inline keyboards survive on a sent message
        return json.dumps(markup, sort_keys=True)

    return norm(new) == norm(old)


def _text_entities(text: str) -> list[JSON]:
    entities: list[JSON] = []
    command = _COMMAND.match(text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command.group(0))})
    for match in _MENTION.finditer(text):
        entities.append(
            {
                "type": "mention",
                "offset": utf16_len(text[: match.start()]),
                "length": utf16_len(match.group(0)),
            }
        )
    return entities


def _image_size(data: bytes) -> tuple[int, int]:
    try:
        info = image_info(data)
    except ImageError:
        # a photo a fake user sent need not be a real image
        return 800, 600
    return info.width, info.height


def _mime_type(filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return {
        "csv": "text/csv",
        "txt": "text/plain",
        "json": "application/json",
        "pdf": "application/pdf",
        "ics": "text/calendar",
        "png": "image/png",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "zip": "application/zip",
    }.get(suffix, "application/octet-stream")
