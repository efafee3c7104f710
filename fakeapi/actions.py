"""What scripted users do in chats, as updates for the bot (privacy mode applied in groups)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from fakeapi import objects, updates
from fakeapi.markup import utf16_len
from fakeapi.records import JSON, BotMessage

if TYPE_CHECKING:
    from fakeapi.people import FakeGroup, FakeUser
    from fakeapi.server import FakeTelegram

_COMMAND = re.compile(r"/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{3,32}))?(?=\s|$)")
_MENTION = re.compile(r"(?<![A-Za-z0-9_])@([A-Za-z0-9_]{4,32})")


def _resolve_user_chat(user: FakeUser, chat: FakeGroup | None) -> tuple[int, JSON]:
    if chat is None:
        if user.blocked:
            raise ValueError(f"{user!r} has blocked the bot; call unblock() first")
        return user.id, user.chat_api()
    if chat.migrated_to is not None:
        raise ValueError(f"{chat!r} became supergroup {chat.migrated_to}")
    if user not in chat.members:
        raise ValueError(f"{user!r} is not a member of {chat!r}; use fake.add_member first")
    return chat.id, chat.to_api()


def mark(fake: FakeTelegram, user: FakeUser, chat_id: int) -> None:
    """Remember where this action happened, so expect_message finds only newer replies."""
    fake._marks[(user.id, user.id)] = fake._chats[user.id].peek_id()
    if chat_id != user.id:
        fake._marks[(user.id, chat_id)] = fake._chats[chat_id].peek_id()


def post_message(
    fake: FakeTelegram,
    user: FakeUser,
    chat_id: int,
    chat_api: JSON,
    content: JSON,
    *,
    service: bool = False,
    reply_to: BotMessage | None = None,
) -> JSON:
    chat = fake._chats[chat_id]
    message: JSON = {
        "message_id": chat.next_id(),
        "from": user.to_api(),
        "chat": chat_api,
        "date": fake._now(),
        **content,
    }
    if reply_to is not None:
        message["reply_to_message"] = objects.message_api(fake, reply_to, nested=True)
    chat.user_messages[message["message_id"]] = message
    mark(fake, user, chat_id)
    if chat_id == user.id:
        user.started = True
        return updates.enqueue(fake, "message", message)
    group = fake.groups[chat_id]
    if group.bot_is_member and (service or _privacy_lets_through(fake, message, reply_to)):
        return updates.enqueue(fake, "message", message)
    # Privacy mode: the bot never sees it; keep it for tests that check exactly that.
    update = {"update_id": None, "message": message}
    fake.undelivered.append(update)
    return update


def _privacy_lets_through(fake: FakeTelegram, message: JSON, reply_to: BotMessage | None) -> bool:
    if reply_to is not None:
        return True
    text = str(message.get("text") or message.get("caption") or "")
    command = _COMMAND.match(text)
    if command and (command.group(2) is None or command.group(2).lower() == fake._me):
        return True
    return any(m.lower() == fake._me for m in _MENTION.findall(text))


def user_text(
    fake: FakeTelegram,
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
        current = objects.current(fake, reply_to)
        if chat is None and current.chat_id != user.id:
            chat = fake.groups.get(current.chat_id)
        reply_to = current
    chat_id, chat_api = _resolve_user_chat(user, chat)
    if reply_to is not None and reply_to.chat_id != chat_id:
        raise ValueError(f"message {reply_to.message_id} is not in chat {chat_id}")
    content: JSON = {"text": text}
    entities = text_entities(text)
    if entities:
        content["entities"] = entities
    # a reply stays in its message's topic
    topic = reply_to.thread_id if reply_to is not None else topic
    if topic is not None:
        objects.check_thread(fake.groups.get(chat_id), topic)
        content.update(objects.topic_fields(topic))
        opening = fake._chats[chat_id].user_messages.get(topic)
        if reply_to is None and opening is not None:
            # as Telegram does: a message in a topic answers the topic's first message
            content["reply_to_message"] = {
                k: v for k, v in opening.items() if k != "reply_to_message"
            }
    return post_message(fake, user, chat_id, chat_api, content, reply_to=reply_to)


def user_reply_to_member(
    fake: FakeTelegram, user: FakeUser, sent: JSON, text: str, chat: FakeGroup
) -> JSON:
    original = sent.get("message")
    if not isinstance(original, dict) or not text:
        raise ValueError("reply_to_member() takes an update returned by send() and a text")
    stored = fake._chats[chat.id].user_messages.get(original["message_id"])
    if stored is None or int(original["chat"]["id"]) != chat.id:
        raise ValueError(f"no member's message {original['message_id']} in chat {chat.id}")
    content: JSON = {"text": text}
    entities = text_entities(text)
    if entities:
        content["entities"] = entities
    content["reply_to_message"] = {k: v for k, v in stored.items() if k != "reply_to_message"}
    chat_id, chat_api = _resolve_user_chat(user, chat)
    return post_message(fake, user, chat_id, chat_api, content)


def user_edit(fake: FakeTelegram, user: FakeUser, sent: JSON, text: str) -> JSON:
    """The user edits a message they sent: Telegram delivers it again as edited_message."""
    original = sent.get("message") or sent.get("edited_message")
    if not isinstance(original, dict) or not text:
        raise ValueError("edit() takes an update returned by send() and a non-empty text")
    chat_id = int(original["chat"]["id"])
    stored = fake._chats[chat_id].user_messages.get(original["message_id"])
    if stored is None or stored["from"]["id"] != user.id:
        raise ValueError("a user can only edit their own messages")
    stored.update(text=text, edit_date=fake._now())
    stored.pop("entities", None)
    entities = text_entities(text)
    if entities:
        stored["entities"] = entities
    return updates.enqueue(fake, "edited_message", dict(stored))


def user_content(fake: FakeTelegram, user: FakeUser, chat: FakeGroup | None, content: JSON) -> JSON:
    chat_id, chat_api = _resolve_user_chat(user, chat)
    return post_message(fake, user, chat_id, chat_api, content)


def member_update(
    fake: FakeTelegram, chat_api: JSON, actor: FakeUser | None, member: JSON, old: str, new: str
) -> JSON:
    actor_api = actor.to_api() if actor else fake.bot_user
    return {
        "chat": chat_api,
        "from": actor_api,
        "date": fake._now(),
        "old_chat_member": objects.member_api(member, old),
        "new_chat_member": objects.member_api(member, new),
    }


def private_member_update(fake: FakeTelegram, user: FakeUser, old: str, new: str) -> JSON:
    payload = member_update(fake, user.chat_api(), user, fake.bot_user, old, new)
    return updates.enqueue(fake, "my_chat_member", payload)


def text_entities(text: str) -> list[JSON]:
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
