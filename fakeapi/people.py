"""The scripted people and groups that tests and the sandbox drive: FakeUser and FakeGroup."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from fakeapi import actions, callbacks, files, objects
from fakeapi.records import JSON, BotMessage

if TYPE_CHECKING:
    from fakeapi.server import FakeTelegram

_TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000b49444154789c6360000200000500017a5eab3f0000000049454e44ae426082"
)


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
        return actions.user_text(self._fake, self, text, chat, topic=topic)

    async def edit(self, sent: JSON, text: str) -> JSON:
        """Edit a message this user sent earlier (pass the update that send() returned)."""
        return actions.user_edit(self._fake, self, sent, text)

    async def reply(self, message: BotMessage, text: str, *, chat: FakeGroup | None = None) -> JSON:
        return actions.user_text(self._fake, self, text, chat, reply_to=message)

    async def reply_to_member(self, sent: JSON, text: str, *, chat: FakeGroup) -> JSON:
        """Reply in a group to another member's message (pass the update their send() returned);
        privacy mode lets it through only as a command or a mention, as Telegram does."""
        return actions.user_reply_to_member(self._fake, self, sent, text, chat)

    async def send_location(
        self, latitude: float, longitude: float, *, chat: FakeGroup | None = None
    ) -> JSON:
        location = {"latitude": float(latitude), "longitude": float(longitude)}
        return actions.user_content(self._fake, self, chat, {"location": location})

    async def send_sticker(
        self, emoji: str = "\U0001f44d", *, chat: FakeGroup | None = None
    ) -> JSON:
        stored = files.store_file(
            self._fake, b"RIFF\x00\x00\x00\x00WEBP", "sticker.webp", "stickers"
        )
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
        return actions.user_content(self._fake, self, chat, {"sticker": sticker})

    async def send_photo(
        self, caption: str | None = None, *, data: bytes = _TINY_PNG, chat: FakeGroup | None = None
    ) -> JSON:
        stored = files.store_file(self._fake, data, "photo.jpg", "photos")
        width, height = objects.image_size(data)
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
        return actions.user_content(self._fake, self, chat, content)

    async def tap(self, message: BotMessage, button: str) -> str:
        """Press an inline button by text or exact callback_data; returns the callback query id."""
        return callbacks.tap(self._fake, self, message, button)

    async def tap_data(self, message: BotMessage, data: str) -> str:
        """A callback query with data of our choosing, as a modified client could send it."""
        return callbacks.tap(self._fake, self, message, None, forged_data=data)

    def block(self) -> None:
        """Block the bot: later sends get 403; the bot is told by a my_chat_member update."""
        if not self.blocked:
            self.blocked = True
            actions.private_member_update(self._fake, self, "member", "kicked")

    def unblock(self) -> None:
        if self.blocked:
            self.blocked = False
            actions.private_member_update(self._fake, self, "kicked", "member")

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
