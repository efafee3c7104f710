"""A button acts only on its own message: crafted callback data never rewrites another one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.db.models import ClubMember
from fakeapi import BotMessage, FakeGroup
from fakeapi.running import RunningBot
from handlers import club_join
from tests.clubflows import club_of, known_users
from tests.flows import forge_tap, press, say

REFUSED = {"text": "That choice is no longer offered.", "show_alert": True}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def seen(bot: RunningBot, chat_id: int) -> dict[int, tuple[str, list[list[str | None]]]]:
    """Every bot message in a chat as it is now: its text and its buttons' data."""
    return {m.message_id: (m.text, m.callback_data) for m in bot.fake.messages(chat_id)}


def last_answer(bot: RunningBot) -> dict[str, object]:
    answer = bot.fake.callback_answers[-1]
    return {"text": answer["text"], "show_alert": answer["show_alert"]}


async def rows(bot: RunningBot, group: FakeGroup) -> dict[int, int | None]:
    """Each member of the club and whom they proposed to or are paired with."""
    async with bot.runtime.session() as session:
        found = await session.scalars(select(ClubMember).where(ClubMember.club_id == group.id))
        return {m.user_id: m.buddy_id for m in found.all()}


async def test_data_from_another_button_changes_no_message_and_nothing_stored(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(club_join, "INTRO_EDIT_GAP", 0.0)
    bot.clock.set(at("2026-11-23T09:00:00"))
    ana, ben, cleo = await known_users(bot, ["Ana", "Ben", "Cleo"])
    group = await club_of(bot, [ana, ben, cleo])
    intro = group.messages[0]
    assert intro.callback_data == [["cjoin:i"]]
    await say(bot, cleo, "/leave", group)
    # the check-in post, the admin's settings message, and a buddy proposal to Ben
    bot.clock.set(at("2026-11-23T17:00:30"))
    await bot.club_sweep()
    [post] = [m for m in group.messages if m.plain.startswith("📋 ")]
    await say(bot, ana, "/clubsettings", group)
    settings = group.last_message
    assert "Club settings" in settings.plain
    said = await ben.send("Anyone up for practising interviews?", chat=group)
    await bot.fake.settle()
    await ana.reply_to_member(said, "/buddy", chat=group)
    await bot.fake.settle()
    proposal = group.last_message
    assert proposal.buttons == [["Accept", "Decline"]]
    await say(bot, ana, "/clubs")
    card: BotMessage = ana.last_message
    before_group, before_ana = seen(bot, group.id), seen(bot, ana.id)
    members_before = await rows(bot, group)

    forged = [
        # a board page, in place of the check-in, the introduction, the settings, a proposal
        (cleo, post, "cboard:0"),
        (cleo, intro, "cboard:1"),
        (ben, settings, "cboard:0"),
        (ben, proposal, "cboard:0"),
        # a join "on the introduction" from messages that are not it
        (cleo, post, "cjoin:i"),
        (cleo, settings, "cjoin:i"),
        # Ben answers Ana's proposal from other messages
        (ben, post, f"bd:no:{ana.id}:{ben.id}"),
        (ben, intro, f"bd:yes:{ana.id}:{ben.id}"),
        # the admin opens menus on messages that are not the settings
        (ana, post, "cset:day"),
        (ana, intro, "cset:del"),
        (ana, proposal, "cset:back"),
        # in private: a board or a goal in place of Ana's club card
        (ana, card, f"cboard:0:{group.id}"),
        (ana, card, "cgoal:5"),
    ]
    for person, message, data in forged:
        await forge_tap(bot, person, message, data)
        assert last_answer(bot) == REFUSED, data
        assert seen(bot, group.id) == before_group, data
        assert seen(bot, ana.id) == before_ana, data
    assert await rows(bot, group) == members_before
    assert cleo.id not in members_before and members_before[ana.id] == ben.id

    # the buttons on their own messages still work
    await press(bot, ben, "Decline", group)
    assert group.messages[-1].plain.startswith("Not this time.")
    assert (await rows(bot, group))[ana.id] is None
    await press(bot, cleo, "✅ Join", group)
    assert cleo.id in await rows(bot, group)
    assert group.messages[0].plain.endswith("3 members have joined so far.")
    assert group.messages[0].message_id == intro.message_id
