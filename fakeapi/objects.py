"""Shared by every area: the chat a request addresses, and Chat/Message/ChatMember objects."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from fakeapi.images import ImageError, image_info
from fakeapi.records import JSON, BotMessage, ChatState
from fakeapi.spec import ApiError, bad_request

if TYPE_CHECKING:
    from fakeapi.people import FakeGroup
    from fakeapi.server import FakeTelegram


def migrated_error(group: FakeGroup) -> ApiError:
    """What Telegram answers any request to a group that became a supergroup."""
    return ApiError(
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        {"migrate_to_chat_id": group.migrated_to},
    )


def check_thread(group: FakeGroup | None, thread_id: Any) -> int | None:
    """The topic a message goes to; a thread that is not an open topic of a forum is refused."""
    if thread_id is None:
        return None
    if group is None or not group.is_forum or thread_id not in group.topics:
        raise bad_request("message thread not found")
    return int(thread_id)


def topic_fields(thread_id: int | None) -> JSON:
    """The fields a message sent in a forum topic carries."""
    if thread_id is None:
        return {}
    return {"message_thread_id": thread_id, "is_topic_message": True}


def current(fake: FakeTelegram, message: BotMessage) -> BotMessage:
    chat = fake._chats.get(message.chat_id)
    current = chat.bot_messages.get(message.message_id) if chat else None
    if current is None:
        raise ValueError(f"no bot message {message.message_id} in chat {message.chat_id}")
    if current.deleted:
        raise ValueError(f"bot message {message.message_id} was deleted")
    return current


def chat_for_bot(fake: FakeTelegram, chat_id: Any, *, sending: bool = True) -> ChatState:
    """The chat the bot addresses, or the 400/403 Telegram gives for it."""
    if isinstance(chat_id, str):
        raise bad_request("chat not found")
    if chat_id == fake.bot_id:
        raise ApiError(403, "Forbidden: bots can't send messages to bots")
    user = fake.users.get(chat_id)
    if user is not None:
        if user.blocked and sending:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if not user.started:
            if sending:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            raise bad_request("chat not found")
        return fake._chats[chat_id]
    group = fake.groups.get(chat_id)
    if group is not None:
        if group.migrated_to is not None:
            raise migrated_error(group)
        if not group.bot_is_member:
            kind = "supergroup" if group.type == "supergroup" else "group"
            raise ApiError(403, f"Forbidden: bot is not a member of the {kind} chat")
        return fake._chats[chat_id]
    raise bad_request("chat not found")


def refuse_unsupported(params: JSON, names: Iterable[str]) -> None:
    for name in names:
        if name in params:
            raise bad_request(f"{name} is not supported by FakeTelegram")


def chat_api(fake: FakeTelegram, chat_id: int) -> JSON:
    user = fake.users.get(chat_id)
    if user is not None:
        return user.chat_api()
    return fake.groups[chat_id].to_api()


def message_api(fake: FakeTelegram, message: BotMessage, *, nested: bool = False) -> JSON:
    out: JSON = {
        "message_id": message.message_id,
        "from": fake.bot_user,
        "chat": chat_api(fake, message.chat_id),
        "date": message.date,
    }
    out.update(topic_fields(message.thread_id))
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
        stored = fake._files[message.file_id] if message.file_id else None
        if stored is not None and message.kind == "document":
            out["document"] = {
                "file_id": stored.file_id,
                "file_unique_id": stored.unique_id,
                "file_name": stored.filename,
                "mime_type": _mime_type(stored.filename),
                "file_size": len(stored.data),
            }
        elif stored is not None:
            width, height = image_size(stored.data)
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
        target = any_message_api(fake, message.chat_id, message.reply_to_message_id)
        if target is not None:
            out["reply_to_message"] = target
    return out


def any_message_api(fake: FakeTelegram, chat_id: int, message_id: int) -> JSON | None:
    chat = fake._chats[chat_id]
    if message_id in chat.bot_messages:
        return message_api(fake, chat.bot_messages[message_id], nested=True)
    user_message = chat.user_messages.get(message_id)
    if user_message is None:
        return None
    return {k: v for k, v in user_message.items() if k != "reply_to_message"}


def message_for(fake: FakeTelegram, params: JSON, *, sending: bool = True) -> tuple[ChatState, int]:
    chat = chat_for_bot(fake, params["chat_id"], sending=sending)
    return chat, int(params["message_id"])


def member_api(user: JSON, status: str) -> JSON:
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


def image_size(data: bytes) -> tuple[int, int]:
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
