"""End to end: a second offer, accepting one, the next round and the no-answer question."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.db.models import Interview, Task
from fakeapi import FakeUser
from fakeapi.running import RunningBot
from tests.flows import buttons, forge_tap, log_quick, press, say


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def interviews_of(bot: RunningBot, user_id: int) -> dict[str, Interview]:
    async with bot.runtime.session() as session:
        rows = (
            await session.scalars(
                select(Interview)
                .where(Interview.user_id == user_id)
                .options(selectinload(Interview.interviewers))
                .order_by(Interview.id)
            )
        ).all()
    return {row.company: row for row in rows}


async def open_tasks(bot: RunningBot, user_id: int) -> list[tuple[str, int | None]]:
    async with bot.runtime.session() as session:
        rows = (
            await session.scalars(
                select(Task).where(
                    Task.user_id == user_id, Task.state.in_(("pending", "sent", "snoozed"))
                )
            )
        ).all()
    return sorted((row.kind, row.interview_id) for row in rows)


async def open_card(bot: RunningBot, user: FakeUser, company: str) -> None:
    await say(bot, user, "/interviews")
    label = next(b for b in buttons(user) if b.startswith(company))
    await press(bot, user, label)


async def three_interviews(bot: RunningBot) -> FakeUser:
    bot.clock.set(at("2026-11-23T10:00:00"))
    ana = bot.fake.add_user("Ana")
    await say(bot, ana, "/timezone Berlin")
    for company in ("Acme", "Globex", "Initech"):
        await log_quick(bot, ana, company)
    return ana


async def test_a_second_offer_plans_casual_mentions_then_declines_and_withdrawals(
    bot: RunningBot,
) -> None:
    ana = await three_interviews(bot)
    await open_card(bot, ana, "Acme")
    await press(bot, ana, "🏁 Outcome")
    reply = await press(bot, ana, "Offer")
    assert "Congratulations on the offer from Acme!" in reply
    assert "When must you answer this offer?" in reply
    assert {"In 3 days", "In a week", "In two weeks", "Not sure"} <= set(buttons(ana))
    rows = await interviews_of(bot, ana.id)
    mentions = [t for t in await open_tasks(bot, ana.id) if t[0] == "mention_offer"]
    assert mentions == sorted(
        [("mention_offer", rows["Globex"].id), ("mention_offer", rows["Initech"].id)]
    )

    # a date that cannot be read gets a polite answer and the question again
    reply = await say(bot, ana, "whenever <b>")
    assert "I could not read that as one date" in reply
    reply = await say(bot, ana, "Friday")
    assert "you must decide by Friday, November 27, 2026" in reply
    assert (await interviews_of(bot, ana.id))["Acme"].decide_by == date(2026, 11, 27)

    # the nudge carries the mention, with the decision day in its draft, never an ultimatum
    bot.clock.set(at("2026-11-24T08:00:00"))
    await bot.sweep()
    text = ana.last_message.plain
    assert "let Globex know, casually" in text
    assert "never as an ultimatum" in text
    assert "I need to give them my answer by Friday, November 27, 2026." in text
    assert "I am still very interested in the Role role at Globex" in text

    # a second offer, then Acme accepted: Globex gets a courteous decline, Initech a withdrawal
    await open_card(bot, ana, "Globex")
    await press(bot, ana, "🏁 Outcome")
    await press(bot, ana, "Offer")
    await press(bot, ana, "Not sure")
    await open_card(bot, ana, "Acme")
    reply = await press(bot, ana, "🤝 I accepted this offer")
    assert "Congratulations on accepting the offer from Acme!" in reply
    assert "decline your other offer" in reply
    assert "withdraw from the interview still waiting" in reply
    assert "🤝 I accepted this offer" not in buttons(ana)
    kinds = {kind for kind, _ in await open_tasks(bot, ana.id)}
    assert {"decline_offer", "withdraw_note"} <= kinds
    assert not kinds & {"mention_offer", "check_in", "no_answer", "keep_applying"}

    reply = await say(bot, ana, "/tasks")
    assert "decline the offer from Globex courteously" in reply
    assert "After careful thought, I have decided to accept another offer." in reply
    assert "I would like to withdraw from the process." in reply


async def test_offer_buttons_are_the_owners_only(bot: RunningBot) -> None:
    ana = await three_interviews(bot)
    acme = (await interviews_of(bot, ana.id))["Acme"]
    ben = bot.fake.add_user("Ben")
    await say(bot, ben, "/start")
    message = ben.last_message
    for data in (
        f"iv:setoutcome:{acme.id}:offer",
        f"iv:setoutcome:{acme.id}:next_round",
        f"oc:accept:{acme.id}",
        f"oc:decide:{acme.id}:3",
    ):
        await forge_tap(bot, ben, message, data)
        assert bot.fake.callback_answers[-1]["text"] == "That interview no longer exists."
    stored = (await interviews_of(bot, ana.id))["Acme"]
    assert (stored.outcome, stored.decide_by, stored.offer_accepted_at) == ("awaiting", None, None)
    # an accept forged on an interview that is no offer changes nothing either
    await forge_tap(bot, ana, ana.last_message, f"oc:accept:{acme.id}")
    assert bot.fake.callback_answers[-1]["text"] == "This button is no longer active."
    await forge_tap(bot, ana, ana.last_message, f"oc:decide:{acme.id}:99")
    assert (await interviews_of(bot, ana.id))["Acme"].decide_by is None


async def test_next_round_carries_the_interviewers_tapped(bot: RunningBot) -> None:
    bot.clock.set(at("2026-11-23T10:00:00"))
    ana = bot.fake.add_user("Ana")
    await say(bot, ana, "/timezone Berlin")
    await say(bot, ana, "/log")
    await say(bot, ana, "Acme")
    await say(bot, ana, "Engineer")
    await say(bot, ana, "today 9:00")
    await press(bot, ana, "Video")
    await say(bot, ana, "Maria <Lopez>")
    await press(bot, ana, "I don't know")
    await press(bot, ana, "Skip")
    await press(bot, ana, "➕ Add another")
    await say(bot, ana, "Tom Chen")
    await press(bot, ana, "I don't know")
    await press(bot, ana, "Skip")
    await press(bot, ana, "✅ That's everyone")
    await press(bot, ana, "Within a week")
    await press(bot, ana, "Good chance")
    await press(bot, ana, "✅ Save")
    first = (await interviews_of(bot, ana.id))["Acme"]
    assert [p.name for p in first.interviewers] == ["Maria <Lopez>", "Tom Chen"]

    await open_card(bot, ana, "Acme")
    await press(bot, ana, "🏁 Outcome")
    reply = await press(bot, ana, "Next round")
    assert "The next round at Acme: when is it?" in reply
    assert "I could not read that as one date" in await say(bot, ana, "soon-ish")
    assert "That is not after the earlier round." in await say(bot, ana, "today 8:00")
    reply = await say(bot, ana, "Thursday 14:00")
    assert "Who from the earlier round will be there?" in reply
    await press(bot, ana, "☐ Maria <Lopez>")
    assert "☑ Maria <Lopez>" in buttons(ana)
    assert "☐ Tom Chen" in buttons(ana)
    reply = await press(bot, ana, "✅ Save")
    assert "The next round is saved" in reply

    async with bot.runtime.session() as session:
        rows = (
            await session.scalars(
                select(Interview)
                .where(Interview.user_id == ana.id)
                .options(selectinload(Interview.interviewers))
                .order_by(Interview.id)
            )
        ).all()
    earlier, later = rows
    assert earlier.outcome == "next_round"
    assert later.outcome == "awaiting" and later.scheduled_at > earlier.scheduled_at
    assert [p.name for p in later.interviewers] == ["Maria <Lopez>"]
    assert later.scheduled_at.astimezone(UTC).hour == 13
    tasks = await open_tasks(bot, ana.id)
    assert ("check_in", earlier.id) not in tasks and ("no_answer", earlier.id) not in tasks
    assert ("before_you_leave", later.id) in tasks
    # the earlier round's interviewers are still thanked for it
    assert ("thank_you", earlier.id) in tasks


async def test_no_answer_is_asked_after_the_check_in_and_stops_the_check_ins(
    bot: RunningBot,
) -> None:
    bot.clock.set(at("2026-11-23T10:00:00"))
    ana = bot.fake.add_user("Ana")
    await say(bot, ana, "/timezone Berlin")
    await log_quick(bot, ana, "Acme")
    acme = (await interviews_of(bot, ana.id))["Acme"]
    # within a week: answer by 30 November, check-in on 1 December, the question a week later
    bot.clock.set(at("2026-12-07T08:00:00"))
    await bot.sweep()
    assert "No answer" not in ana.last_message.plain
    bot.clock.set(at("2026-12-08T08:00:00"))
    await bot.sweep()
    assert "Shall I mark it as no answer and stop checking in?" in ana.last_message.plain
    await press(bot, ana, "Still waiting: ask me in a week")
    assert bot.fake.callback_answers[-1]["text"] == "Still waiting: I'll ask again in a week."
    async with bot.runtime.session() as session:
        task = await session.scalar(
            select(Task).where(Task.interview_id == acme.id, Task.kind == "no_answer")
        )
    assert task is not None and task.state == "snoozed"
    assert task.next_nudge_at == at("2026-12-15T08:00:00")

    # someone else's forged tap changes nothing
    ben = bot.fake.add_user("Ben")
    await say(bot, ben, "/start")
    await forge_tap(bot, ben, ben.last_message, f"oc:ghost:{task.id}")
    assert bot.fake.callback_answers[-1]["text"] == "This button is no longer active."
    assert (await interviews_of(bot, ana.id))["Acme"].outcome == "awaiting"

    bot.clock.set(at("2026-12-15T08:00:00"))
    await bot.sweep()
    await press(bot, ana, "Yes, mark no answer")
    stored = (await interviews_of(bot, ana.id))["Acme"]
    assert stored.outcome == "ghosted"
    kinds = {kind for kind, _ in await open_tasks(bot, ana.id)}
    assert not kinds & {"check_in", "no_answer", "courtesy", "keep_applying"}
    bot.clock.set(at("2026-12-30T08:00:00"))
    assert await bot.sweep() == 0
