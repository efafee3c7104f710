"""End to end: the references heads-up marks who was told, and thanking them after an offer."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.db.models import Reference, ReferenceWarning
from fakeapi import BotMessage, FakeUser
from fakeapi.running import RunningBot
from tests.flows import buttons, forge_tap, press, say
from tests.test_e2e_nudges import at, log_monday_interview, tasks_by_kind

HOSTILE = "<b>Olga</b> & Co 🎉"


async def add_reference(bot: RunningBot, user: FakeUser, name: str) -> None:
    """Add a reference by name only, from /references."""
    await say(bot, user, "/references")
    await press(bot, user, "➕ Add a reference")
    await say(bot, user, name)
    for _ in range(3):
        await press(bot, user, "Skip")


async def references_of(bot: RunningBot, user: FakeUser) -> dict[str, Reference]:
    async with bot.runtime.session() as session:
        rows = await session.scalars(select(Reference).where(Reference.user_id == user.id))
        return {r.name: r for r in rows}


async def told_names(bot: RunningBot, interview_id: int | None) -> set[str]:
    async with bot.runtime.session() as session:
        rows = await session.scalars(
            select(Reference.name)
            .join(ReferenceWarning, ReferenceWarning.reference_id == Reference.id)
            .where(ReferenceWarning.interview_id == interview_id)
        )
        return set(rows)


def callback_data(message: BotMessage) -> list[str]:
    return [
        str(button["callback_data"])
        for row in message.reply_markup["inline_keyboard"]
        for button in row
        if "callback_data" in button
    ]


async def test_the_heads_up_names_the_references_and_marks_who_was_told(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await add_reference(bot, ana, HOSTILE)
    await add_reference(bot, ana, "Bo Berg")
    await log_monday_interview(bot, ana)
    bot.clock.set(at("2026-11-24T08:00:00"))
    assert await bot.sweep() == 1
    nudge = ana.last_message
    assert f"Not told yet: {HOSTILE} and Bo Berg." in nudge.plain
    # the names are shown as typed, never obeyed as markup
    assert "&lt;b&gt;Olga&lt;/b&gt; &amp; Co" in nudge.text
    assert "<b>Olga</b>" not in nudge.text
    # the draft greets the first one not told yet
    assert f"Hi {HOSTILE}! I just interviewed for the Backend Engineer role at Acme" in nudge.plain
    assert {f"☐ {HOSTILE} 2", "☐ Bo Berg 2", "✅ Done 2"} <= set(buttons(ana))
    assert all(len(data.encode()) <= 64 for data in callback_data(nudge))

    shown = await press(bot, ana, f"☐ {HOSTILE} 2")
    assert ana.last_message.message_id == nudge.message_id, "edited in place"
    assert f"Told so far: {HOSTILE}." in shown and "Not told yet: Bo Berg." in shown
    assert "Hi Bo Berg!" in shown, "the draft moves on to the next one"
    assert f"☑ {HOSTILE} 2" in buttons(ana)
    assert bot.fake.callback_answers[-1]["text"].startswith(f"{HOSTILE}: told.")
    tasks = await tasks_by_kind(bot, ana.id)
    interview_id = tasks["references"].interview_id
    assert await told_names(bot, interview_id) == {HOSTILE}

    # a second tap undoes a mark made by mistake
    shown = await press(bot, ana, f"☑ {HOSTILE} 2")
    assert "Told so far" not in shown and f"☐ {HOSTILE} 2" in buttons(ana)
    assert await told_names(bot, interview_id) == set()
    await press(bot, ana, "☐ Bo Berg 2")
    assert await told_names(bot, interview_id) == {"Bo Berg"}

    shown = await press(bot, ana, "✅ Done 2")
    assert "✅ You feel good about Acme" in shown and "Told so far: Bo Berg." in shown
    assert "Bo Berg 2" not in " ".join(buttons(ana))
    assert (await tasks_by_kind(bot, ana.id))["references"].state == "done"

    await say(bot, ana, "/interviews")
    shown = await press(bot, ana, ana.last_message.buttons[0][0])
    assert "References told: Bo Berg" in shown
    assert "References told: 1" in await say(bot, ana, "/stats")


async def test_forged_taps_change_no_ones_marks(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    eve = bot.fake.add_user("Eve")
    await add_reference(bot, ana, "Olga")
    await add_reference(bot, eve, "Eve's boss")
    await log_monday_interview(bot, ana)
    bot.clock.set(at("2026-11-24T08:00:00"))
    await bot.sweep()
    tasks = await tasks_by_kind(bot, ana.id)
    olga = (await references_of(bot, ana))["Olga"]
    boss = (await references_of(bot, eve))["Eve's boss"]
    heads_up, thank_you = tasks["references"], tasks["thank_you"]
    for data in (
        f"rt:{heads_up.id}:{olga.id}",
        f"rt:{heads_up.id}:{boss.id}",
        "rt:x:y",
        "rt",
    ):
        await forge_tap(bot, eve, eve.last_message, data)
        assert bot.fake.callback_answers[-1]["text"] == "This button is no longer active."
    # Ana herself cannot mark Eve's reference, nor mark through a task of another kind
    for data in (f"rt:{heads_up.id}:{boss.id}", f"rt:{thank_you.id}:{olga.id}"):
        await forge_tap(bot, ana, ana.last_message, data)
        assert bot.fake.callback_answers[-1]["text"] == "This button is no longer active."
    async with bot.runtime.session() as session:
        assert (await session.scalars(select(ReferenceWarning))).all() == []


async def test_with_no_references_the_heads_up_offers_to_add_one(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await log_monday_interview(bot, ana)
    bot.clock.set(at("2026-11-24T08:00:00"))
    await bot.sweep()
    assert "You have no references saved yet." in ana.last_message.plain
    assert "➕ Add a reference 2" in buttons(ana)

    shown = await press(bot, ana, "➕ Add a reference 2")
    assert "What is your reference's name?" in shown
    await say(bot, ana, "Dana <Lead>")
    await press(bot, ana, "Skip")
    await press(bot, ana, "Skip")
    shown = await press(bot, ana, "Skip")
    assert "Saved Dana <Lead> as a reference." in shown
    # the task comes back at the bottom of the chat, now with her button
    task_message = ana.last_message
    assert "Back to your task" in task_message.plain
    assert "Not told yet: Dana <Lead>." in task_message.plain
    assert "Hi Dana <Lead>!" in task_message.plain
    assert "☐ Dana <Lead>" in buttons(ana)
    shown = await press(bot, ana, "☐ Dana <Lead>")
    assert ana.last_message.message_id == task_message.message_id
    assert "Told so far: Dana <Lead>." in shown
    tasks = await tasks_by_kind(bot, ana.id)
    assert await told_names(bot, tasks["references"].interview_id) == {"Dana <Lead>"}
    assert tasks["references"].state == "sent", "marking is not yet saying it is done"


async def _offer_and_thank(bot: RunningBot, ana: FakeUser) -> BotMessage:
    """Record an offer on Ana's only interview and return the nudge that follows."""
    await say(bot, ana, "/interviews")
    await press(bot, ana, ana.last_message.buttons[0][0])
    await press(bot, ana, "🏁 Outcome")
    await press(bot, ana, "Offer")
    # after the rule of three hours between nudges
    bot.clock.set(bot.clock.now() + timedelta(hours=4))
    assert await bot.sweep() == 1
    assert "Congratulations on the offer from Acme!" in ana.last_message.plain
    return ana.last_message


async def test_after_an_offer_thank_the_references_who_were_told(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await add_reference(bot, ana, HOSTILE)
    await add_reference(bot, ana, "Bo Berg")
    await log_monday_interview(bot, ana)
    bot.clock.set(at("2026-11-24T08:00:00"))
    await bot.sweep()
    await press(bot, ana, f"☐ {HOSTILE} 2")
    nudge = await _offer_and_thank(bot, ana)
    # only the one who was told
    assert f"Thank the references who knew about it: {HOSTILE}." in nudge.plain
    assert "Bo Berg" not in nudge.plain
    assert "&lt;b&gt;Olga&lt;/b&gt;" in nudge.text
    assert f"Hi {HOSTILE}! Good news: I got the offer for the Backend Engineer role" in nudge.plain


async def test_after_an_offer_with_no_one_marked_thank_them_all(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await add_reference(bot, ana, "Olga")
    await add_reference(bot, ana, "Bo Berg")
    await log_monday_interview(bot, ana)
    nudge = await _offer_and_thank(bot, ana)
    assert "Thank your references: Olga and Bo Berg." in nudge.plain
    # two people: the draft greets neither by name
    assert "Good news: I got the offer" in nudge.plain and "Hi Olga" not in nudge.plain


async def test_after_an_offer_with_no_references_suggest_adding_them(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await log_monday_interview(bot, ana)
    nudge = await _offer_and_thank(bot, ana)
    assert "Thank your references." in nudge.plain
    assert "Add the people who vouch for you" in nudge.plain
    await press(bot, ana, "➕ Add a reference")
    await say(bot, ana, "Olga")
    for _ in range(3):
        await press(bot, ana, "Skip")
    assert "Thank your references: Olga." in ana.last_message.plain
    assert "Hi Olga! Good news" in ana.last_message.plain
    assert (await tasks_by_kind(bot, ana.id))["thank_references"].state in ("sent", "pending")
