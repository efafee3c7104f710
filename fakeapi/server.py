"""FakeTelegram: a strict local Bot API server over real HTTP, with scripted users and groups."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from types import TracebackType
from typing import Literal

from aiohttp import web

from fakeapi import actions, front, groups, updates
from fakeapi.faults import FaultPlan
from fakeapi.people import FakeGroup, FakeUser
from fakeapi.records import JSON, BotMessage, ChatState, Refusal, RequestRecord, StoredFile
from fakeapi.spec import ApiSpec, load_spec
from fakeapi.webhooks import WebhookPusher

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class FakeTelegram:
    """A strict, local Bot API: refuses what Telegram refuses (and a little more).

    The bot under test reaches it with ``base_url=fake.base_url`` and
    ``base_file_url=fake.base_file_url``; tests drive users and read what the bot did. Its state
    and what tests call live here; each Bot API method lives in the module of its area, and
    ``front.METHODS`` says which.
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
        # setWebhook's state, and the loop that posts updates to the bot once one is set
        self.webhooks = WebhookPusher(self)

        self.users: dict[int, FakeUser] = {}
        self.groups: dict[int, FakeGroup] = {}
        self._chats: dict[int, ChatState] = {}
        self._user_ids = itertools.count(1_000_000_001)
        self._supergroup_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._query_ids = itertools.count(4_000_000_000_001)
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
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

    def _now(self) -> int:
        return int(self.clock().timestamp())

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Serve on 127.0.0.1, on a free port."""
        self._updates_changed = asyncio.Condition()
        self._stopping = False
        # Long polls are woken on stop, so a short shutdown timeout never cuts a real answer.
        self._runner = web.AppRunner(front.build_app(self), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        address = self._runner.addresses[0]
        self._port = int(address[1])

    @property
    def webhook_url(self) -> str:
        return self.webhooks.url

    async def stop(self) -> None:
        self._stopping = True
        await updates.notify_updates(self)
        await self.webhooks.stop()
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
        self._chats[user.id] = ChatState(user.id)
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
        self._chats[chat_id] = ChatState(chat_id)
        return group

    async def add_member(self, group: FakeGroup, user: FakeUser) -> JSON:
        """``user`` joins ``group``: a new_chat_members service message (delivered if a member)."""
        if user not in group.members:
            group.members.append(user)
        group.banned.discard(user.id)
        content = {"new_chat_members": [user.to_api()]}
        return actions.post_message(self, user, group.id, group.to_api(), content, service=True)

    async def add_bot_to(self, group: FakeGroup, by: FakeUser) -> list[JSON]:
        """``by`` adds the bot: a my_chat_member update, then a new_chat_members message."""
        if by not in group.members:
            group.members.append(by)
        group.bot_is_member = True
        group.bot_banned = False
        status = "administrator" if group.bot_is_admin else "member"
        first = updates.enqueue(
            self,
            "my_chat_member",
            actions.member_update(self, group.to_api(), by, self.bot_user, "left", status),
        )
        content = {"new_chat_members": [self.bot_user]}
        second = actions.post_message(self, by, group.id, group.to_api(), content, service=True)
        return [first, second]

    async def remove_bot_from(self, group: FakeGroup, by: FakeUser | None = None) -> JSON:
        """The bot leaves (or is kicked by ``by``); later sends there get 403."""
        old = "administrator" if group.bot_is_admin else "member"
        group.bot_is_member = False
        actor = by or (group.admins[0] if group.admins else None)
        new = "kicked" if by is not None else "left"
        group.bot_banned = new == "kicked"
        payload = actions.member_update(self, group.to_api(), actor, self.bot_user, old, new)
        return updates.enqueue(self, "my_chat_member", payload)

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
                f"(first update_id {first['update_id']}, kinds {kinds}); is the bot polling? "
                f"(webhook: {self.webhooks.url or 'none'}, "
                f"last error: {self.webhooks.last_error_message})"
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

    @property
    def _me(self) -> str:
        return self.bot_username.lower()
