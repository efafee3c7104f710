"""Chats and their members: getChat, getChatMember(s), administrators, pins, chat actions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakeapi import objects
from fakeapi.records import JSON
from fakeapi.spec import bad_request

if TYPE_CHECKING:
    from fakeapi.server import FakeTelegram

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


async def send_chat_action(fake: FakeTelegram, params: JSON) -> bool:
    objects.refuse_unsupported(params, ("business_connection_id", "message_thread_id"))
    chat = objects.chat_for_bot(fake, params["chat_id"])
    if params["action"] not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    fake.chat_actions.append({"chat_id": chat.id, "action": params["action"]})
    return True


async def get_chat(fake: FakeTelegram, params: JSON) -> JSON:
    chat = objects.chat_for_bot(fake, params["chat_id"], sending=False)
    info: JSON = {
        **objects.chat_api(fake, chat.id),
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
        pinned = objects.any_message_api(fake, chat.id, chat.pinned[-1])
        if pinned is not None:
            info["pinned_message"] = pinned
    return info


def _member_of(fake: FakeTelegram, chat_id: int, user_id: int) -> JSON:
    group = fake.groups.get(chat_id)
    if group is None:
        user = fake.users[chat_id]
        if user_id == fake.bot_id:
            return objects.member_api(fake.bot_user, "member")
        if user_id == user.id:
            return objects.member_api(user.to_api(), "member")
        raise bad_request("user not found")
    if user_id == fake.bot_id:
        status = "administrator" if group.bot_is_admin else "member"
        gone = "kicked" if group.bot_banned else "left"
        return objects.member_api(fake.bot_user, status if group.bot_is_member else gone)
    user_obj = fake.users.get(user_id)
    if user_obj is None:
        raise bad_request("user not found")
    if user_obj not in group.members:
        return objects.member_api(
            user_obj.to_api(), "kicked" if user_id in group.banned else "left"
        )
    if group.admins and group.admins[0] is user_obj:
        return objects.member_api(user_obj.to_api(), "creator")
    if user_obj in group.admins:
        return objects.member_api(user_obj.to_api(), "administrator")
    return objects.member_api(user_obj.to_api(), "member")


async def get_chat_member(fake: FakeTelegram, params: JSON) -> JSON:
    chat = objects.chat_for_bot(fake, params["chat_id"], sending=False)
    return _member_of(fake, chat.id, int(params["user_id"]))


async def get_chat_administrators(fake: FakeTelegram, params: JSON) -> list[JSON]:
    chat = objects.chat_for_bot(fake, params["chat_id"], sending=False)
    group = fake.groups.get(chat.id)
    if group is None:
        raise bad_request("there are no administrators in the private chat")
    admins = [_member_of(fake, chat.id, u.id) for u in group.admins]
    if group.bot_is_admin:
        admins.append(_member_of(fake, chat.id, fake.bot_id))
    return admins


async def get_chat_member_count(fake: FakeTelegram, params: JSON) -> int:
    chat = objects.chat_for_bot(fake, params["chat_id"], sending=False)
    group = fake.groups.get(chat.id)
    if group is None:
        return 2
    return len(group.members) + (1 if group.bot_is_member else 0)


async def pin_chat_message(fake: FakeTelegram, params: JSON) -> bool:
    objects.refuse_unsupported(params, ("business_connection_id",))
    chat, message_id = objects.message_for(fake, params)
    group = fake.groups.get(chat.id)
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


async def unpin_chat_message(fake: FakeTelegram, params: JSON) -> bool:
    objects.refuse_unsupported(params, ("business_connection_id",))
    chat = objects.chat_for_bot(fake, params["chat_id"])
    group = fake.groups.get(chat.id)
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
