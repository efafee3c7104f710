"""End to end: every draft is copyable with one tap, in every language and at any length."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain.drafts import COPY_LIMIT
from fakeapi import BotMessage, FakeUser
from fakeapi.running import RunningBot
from tests.flows import press
from tests.test_e2e_tasks import at, seed_interview

# the drafts are read from nudges these tests send by sweeping
pytestmark = pytest.mark.swept_by_hand


def copy_buttons(message: BotMessage) -> list[dict[str, Any]]:
    markup = message.reply_markup or {}
    return [
        button
        for row in markup.get("inline_keyboard", [])
        for button in row
        if str(button.get("text", "")).startswith("📋")
    ]


async def nudge_for(bot: RunningBot, person: FakeUser, **facts: Any) -> BotMessage:
    await seed_interview(bot, person, **facts)
    bot.clock.set(at("2026-11-24T08:00:00"))
    assert await bot.sweep() == 1
    return person.last_message


async def assert_copied_by_a_tap(bot: RunningBot, person: FakeUser, nudge: BotMessage) -> str:
    """The one copy button sends the draft alone, as a block the apps copy on a tap."""
    [button] = copy_buttons(nudge)
    assert "copy_text" not in button
    assert button["callback_data"].startswith("tk:draft:")
    count = len(person.messages)
    await press(bot, person, button["text"])
    assert len(person.messages) == count + 1
    sent = person.last_message
    [entity] = sent.entities
    assert entity["type"] == "pre"
    assert (entity["offset"], entity["length"]) == (0, len(sent.plain.encode("utf-16-le")) // 2)
    # the same draft the nudge shows
    assert sent.plain in nudge.plain
    return sent.plain


async def test_a_german_thank_you_is_copyable(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana", language_code="de")
    nudge = await nudge_for(bot, ana, people=["Maria Lopez"], language="de")
    draft = await assert_copied_by_a_tap(bot, ana, nudge)
    assert draft.startswith("Guten Tag Maria Lopez,")
    assert len(draft) > COPY_LIMIT


async def test_a_russian_thank_you_to_a_long_name_is_copyable(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Аня", language_code="ru")
    name = "Александра Константиновна Преображенская-Светлова"
    nudge = await nudge_for(bot, ana, people=[name], language="ru")
    draft = await assert_copied_by_a_tap(bot, ana, nudge)
    assert name in draft


async def test_an_english_draft_uses_telegrams_copy_button_when_it_fits(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    nudge = await nudge_for(bot, ana, people=["Bob"], company="Acme", role="QA")
    [button] = copy_buttons(nudge)
    text = button["copy_text"]["text"]
    assert text.startswith("Dear Bob,") and len(text) <= COPY_LIMIT


async def test_an_english_draft_with_a_long_company_is_copyable(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    company = "The International Consolidated Widget and Sprocket Manufacturing Company"
    nudge = await nudge_for(
        bot, ana, people=["Bob"], company=company, role="Senior Principal Staff Engineer"
    )
    draft = await assert_copied_by_a_tap(bot, ana, nudge)
    assert company in draft and "<" not in draft


async def test_a_draft_with_markup_characters_is_copied_as_typed(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    company = "Acme <Labs> & Sons " + "x" * 150
    nudge = await nudge_for(bot, ana, people=["Bob"], company=company)
    draft = await assert_copied_by_a_tap(bot, ana, nudge)
    assert "Acme <Labs> & Sons" in draft
