"""Group life in the fake Bot API: upgrades to supergroups, forum topics, members leaving."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakeapi import actions, objects, updates
from fakeapi.records import JSON

if TYPE_CHECKING:
    from fakeapi.people import FakeGroup, FakeUser
    from fakeapi.server import FakeTelegram


def migrate_to_supergroup(
    fake: FakeTelegram, group: FakeGroup, by: FakeUser, *, joined_first: bool = False
) -> FakeGroup:
    """Upgrades a basic group: a new supergroup with the same people; the old chat says
    ``migrate_to_chat_id``, the new one ``migrate_from_chat_id``, and the old id is refused.
    As Telegram does, a bot in the group also gets a my_chat_member update for the new
    supergroup: after the migration messages, or before them with ``joined_first``."""
    if group.type != "group" or group.migrated_to is not None:
        raise ValueError(f"{group!r} is not a basic group that can still be upgraded")
    new = fake.add_group(
        group.title,
        members=list(group.members),
        admins=list(group.admins),
        chat_type="supergroup",
        bot_is_member=group.bot_is_member,
        bot_is_admin=group.bot_is_admin,
    )
    status = "administrator" if new.bot_is_admin else "member"

    def bot_joined() -> None:
        if new.bot_is_member:
            update = actions.member_update(fake, new.to_api(), by, fake.bot_user, "left", status)
            updates.enqueue(fake, "my_chat_member", update)

    if joined_first:
        bot_joined()
    actions.post_message(
        fake, by, group.id, group.to_api(), {"migrate_to_chat_id": new.id}, service=True
    )
    group.migrated_to = new.id
    actions.post_message(
        fake, by, new.id, new.to_api(), {"migrate_from_chat_id": group.id}, service=True
    )
    if not joined_first:
        bot_joined()
    return new


def make_forum(group: FakeGroup) -> None:
    """Turns topics on in a supergroup."""
    if group.type != "supergroup":
        raise ValueError("only a supergroup can have topics")
    group.is_forum = True


def open_topic(fake: FakeTelegram, group: FakeGroup, name: str, by: FakeUser) -> int:
    """A new forum topic; its thread id is the id of its forum_topic_created service message."""
    make_forum(group)
    thread_id = fake._chats[group.id].peek_id()
    group.topics[thread_id] = name
    content = {
        "forum_topic_created": {"name": name, "icon_color": 7322096},
        **objects.topic_fields(thread_id),
    }
    actions.post_message(fake, by, group.id, group.to_api(), content, service=True)
    return thread_id


def delete_topic(group: FakeGroup, thread_id: int) -> None:
    """An admin deletes a forum topic: a message sent to it is refused from then on."""
    if thread_id not in group.topics:
        raise ValueError(f"{group!r} has no topic {thread_id}")
    del group.topics[thread_id]


def remove_member(
    fake: FakeTelegram, group: FakeGroup, user: FakeUser, by: FakeUser | None = None
) -> JSON:
    """``user`` leaves (or ``by`` removes them, which bans them): a left_chat_member service
    message, and getChatMember says left or kicked from then on."""
    if user not in group.members:
        raise ValueError(f"{user!r} is not a member of {group!r}")
    actor = by or user
    content = {"left_chat_member": user.to_api()}
    # sent while they are still a member, as Telegram does
    sent = actions.post_message(fake, actor, group.id, group.to_api(), content, service=True)
    group.members.remove(user)
    if user in group.admins:
        group.admins.remove(user)
    if by is not None and by is not user:
        group.banned.add(user.id)
    return sent
