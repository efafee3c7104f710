"""The fake Bot API's group life: upgrades to supergroups, forum topics, members leaving."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import telegram
from telegram.error import BadRequest, ChatMigrated

from fakeapi import FakeTelegram, FakeUser

TOKEN = "123456:TEST-token"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, bot_username="afterview_test_bot") as server:
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[telegram.Bot]:
    client = telegram.Bot(TOKEN, base_url=fake.base_url, base_file_url=fake.base_file_url)
    async with client:
        yield client


@pytest.fixture
def ana(fake: FakeTelegram) -> FakeUser:
    return fake.add_user(first_name="Ana")


def messages_of(fake: FakeTelegram) -> list[dict[str, Any]]:
    return [u["message"] for u in fake._updates if "message" in u]


async def test_an_upgrade_tells_both_chats_and_the_old_id_is_refused(
    fake: FakeTelegram, bot: telegram.Bot, ana: FakeUser
) -> None:
    group = fake.add_group("Basic", members=[ana], admins=[ana], chat_type="group")
    new = fake.migrate_to_supergroup(group, by=ana)
    assert new.type == "supergroup" and new.members == [ana] and new.id != group.id
    old_note, new_note = messages_of(fake)
    assert (old_note["chat"]["id"], old_note["migrate_to_chat_id"]) == (group.id, new.id)
    assert (new_note["chat"]["id"], new_note["migrate_from_chat_id"]) == (new.id, group.id)

    with pytest.raises(ChatMigrated) as refused:
        await bot.send_message(group.id, "hi")
    assert refused.value.new_chat_id == new.id
    assert fake.refusals[-1].description == (
        "Bad Request: group chat was upgraded to a supergroup chat"
    )
    with pytest.raises(ValueError, match="became supergroup"):
        await ana.send("hello", chat=group)
    with pytest.raises(ValueError, match="can still be upgraded"):
        fake.migrate_to_supergroup(new, by=ana)
    sent = await bot.send_message(new.id, "hi")
    assert sent.chat.id == new.id


async def test_forum_topics_mark_messages_and_unknown_threads_are_refused(
    fake: FakeTelegram, bot: telegram.Bot, ana: FakeUser
) -> None:
    plain = fake.add_group("Plain", members=[ana], admins=[ana])
    with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
        await bot.send_message(plain.id, "hi", message_thread_id=5)

    forum = fake.add_group("Forum", members=[ana], admins=[ana])
    topic = fake.open_topic(forum, "Club", by=ana)
    assert forum.to_api()["is_forum"] is True
    created = messages_of(fake)[-1]
    assert created["message_id"] == topic and created["forum_topic_created"]["name"] == "Club"

    update = await ana.send("/club", chat=forum, topic=topic)
    said = update["message"]
    assert (said["message_thread_id"], said["is_topic_message"]) == (topic, True)
    with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
        await bot.send_message(forum.id, "hi", message_thread_id=topic + 100)

    sent = await bot.send_message(forum.id, "in the topic", message_thread_id=topic)
    assert sent.message_thread_id == topic and sent.is_topic_message
    assert forum.last_message.thread_id == topic
    # a reply to the bot's message stays in its topic
    reply = (await ana.reply(forum.last_message, "ok"))["message"]
    assert reply["message_thread_id"] == topic


async def test_leaving_and_being_removed(
    fake: FakeTelegram, bot: telegram.Bot, ana: FakeUser
) -> None:
    ben = fake.add_user(first_name="Ben")
    cy = fake.add_user(first_name="Cy")
    group = fake.add_group("Club", members=[ben, cy], admins=[ana])

    await fake.remove_member(group, ben)
    note = messages_of(fake)[-1]
    assert note["left_chat_member"]["id"] == ben.id and note["from"]["id"] == ben.id
    assert (await bot.get_chat_member(group.id, ben.id)).status == "left"

    await fake.remove_member(group, cy, by=ana)
    note = messages_of(fake)[-1]
    assert note["left_chat_member"]["id"] == cy.id and note["from"]["id"] == ana.id
    assert (await bot.get_chat_member(group.id, cy.id)).status == "kicked"
    with pytest.raises(ValueError, match="not a member"):
        await fake.remove_member(group, cy)

    # added back, they are members again
    await fake.add_member(group, cy)
    assert (await bot.get_chat_member(group.id, cy.id)).status == "member"
