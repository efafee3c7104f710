"""End to end: /tasks pages, the list of what comes next, late thank-yous, snoozes, outcomes."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.db.models import Interview, Interviewer, Task, User
from bot.nudges.planner import replan_interview
from fakeapi import BotMessage, FakeUser
from fakeapi.running import RunningBot
from tests.conftest import stored_user
from tests.flows import buttons, log_quick, press, say

# these tests count nudges: they go out only when a test sweeps
pytestmark = pytest.mark.swept_by_hand


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


MONDAY = at("2026-11-23T09:00:00")


async def seed_interview(
    bot: RunningBot,
    person: FakeUser,
    people: list[str],
    company: str = "Acme",
    role: str = "Backend Engineer",
    scheduled_at: datetime = MONDAY,
    language: str | None = None,
    feeling: str = "unsure",
    response_by_days: int | None = None,
) -> int:
    """A user in Berlin with an interview and its tasks planned; returns the interview's id."""
    now = bot.clock.now()
    async with bot.runtime.session() as session, session.begin():
        user = await session.get(User, person.id)
        if user is None:
            person.started = True
            user = User(
                id=person.id,
                first_name=person.first_name,
                language=language,
                timezone="Europe/Berlin",
                created_at=now,
                updated_at=now,
            )
            session.add(user)
        interview = Interview(
            user_id=person.id,
            company=company,
            role=role,
            scheduled_at=scheduled_at,
            format="video",
            response_timeframe="date" if response_by_days else "unknown",
            response_by=(scheduled_at + timedelta(days=response_by_days)).date()
            if response_by_days
            else None,
            feeling=feeling,
            created_at=now,
            updated_at=now,
            interviewers=[
                Interviewer(name=name, title="Lead", position=n) for n, name in enumerate(people)
            ],
        )
        session.add(interview)
        await session.flush()
        await replan_interview(session, user, interview, now)
        return interview.id


async def tasks_of(bot: RunningBot, user_id: int) -> list[Task]:
    async with bot.runtime.session() as session:
        return list(
            (
                await session.scalars(select(Task).where(Task.user_id == user_id).order_by(Task.id))
            ).all()
        )


def labels_of(message: BotMessage) -> list[str]:
    return [text for row in message.buttons for text in row]


async def test_tasks_pages_what_is_due_and_says_how_many_more(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    names = [f"Person {n:02d}" for n in range(15)]
    await seed_interview(bot, ana, names)
    # Tuesday morning: fifteen thank-yous are due
    bot.clock.set(at("2026-11-24T10:00:00"))
    shown = await say(bot, ana, "/tasks")
    first = ana.last_message
    assert "Your tasks (1–4 of 15)" in shown
    assert "Person 00" in shown and "Person 03" in shown and "Person 04" not in shown
    assert "…and 11 more after these." in shown
    labels = labels_of(first)
    assert "Next ▶" in labels and "◀ Previous" not in labels
    # four tasks, each with its row of three and a copy button, and the pager
    assert len(labels) == 4 * 4 + 1
    count = len(ana.messages)

    shown = await press(bot, ana, "Next ▶")
    assert len(ana.messages) == count, "a page turns in the same message"
    assert "Your tasks (5–8 of 15)" in first.plain
    assert "Person 04" in first.plain and "Person 03" not in first.plain
    assert "…and 7 more after these." in first.plain
    assert {"◀ Previous", "Next ▶"} <= set(labels_of(first))

    # a tap on this page acts on this page's task and keeps the pager
    await press(bot, ana, "Skip 1")
    skipped = [t for t in await tasks_of(bot, ana.id) if t.state == "skipped"]
    async with bot.runtime.session() as session:
        person = await session.get(Interviewer, skipped[0].interviewer_id)
    assert person is not None and person.name == "Person 04"
    assert {"◀ Previous", "Next ▶"} <= set(labels_of(first))
    # fourteen left to do: the page goes on after Person 07, so none is passed over
    assert "Your tasks (5–7 of 14)" in first.plain
    await press(bot, ana, "Next ▶")
    assert "Your tasks (8–11 of 14)" in first.plain
    assert "Person 08" in first.plain and "Person 11" in first.plain
    await press(bot, ana, "Next ▶")
    assert "Your tasks (12–14 of 14)" in first.plain
    assert all(f"Person {n}" in first.plain for n in (12, 13, 14))
    assert "Next ▶" not in labels_of(first)


async def test_coming_up_is_sorted_by_deadline_and_names_each_interviewer(
    bot: RunningBot,
) -> None:
    ana = bot.fake.add_user("Ana")
    await seed_interview(bot, ana, ["Maria Lopez", "Jon Berg"], response_by_days=7)
    shown = await say(bot, ana, "/tasks")
    assert "Nothing is due right now." in shown
    coming = shown.split("Coming up", 1)[1]
    maria = coming.index("Wednesday, November 25, 2026: Thank-you to Maria Lopez due: Acme")
    jon = coming.index("Wednesday, November 25, 2026: Thank-you to Jon Berg due: Acme")
    check_in = coming.index("Check in with Acme")
    assert maria < jon < check_in
    assert "Monday, November 30" not in coming.split("Check in", 1)[0]
    # the thank-you is first nudged on Tuesday, but it is due on Wednesday: no Tuesday shown
    assert "Tuesday, November 24" not in coming


async def test_a_late_thank_you_says_so_kindly(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await seed_interview(bot, ana, ["Maria Lopez"])
    bot.clock.set(at("2026-11-24T08:00:00"))
    assert await bot.sweep() == 1
    assert "by Wednesday, November 25, 2026" in ana.last_message.plain
    # Wednesday, the due day: Later → Tomorrow moves it past the deadline, and it says so
    bot.clock.set(at("2026-11-25T10:00:00"))
    await press(bot, ana, "⏰ Later")
    shown = await press(bot, ana, "Tomorrow")
    assert bot.fake.callback_answers[-1]["text"].endswith("after its deadline.")
    assert "(snoozed until Thursday, November 26, 2026, 9:00\u202fAM, after its deadline)" in shown
    # Thursday: late, and it says what to do now, not "by Wednesday"
    bot.clock.set(at("2026-11-26T08:00:00"))
    assert await bot.sweep() == 1
    nudge = ana.last_message.plain
    assert "by Wednesday" not in nudge
    assert "was due Wednesday, November 25, 2026" in nudge
    assert "A late thank-you is still worth sending: send it today" in nudge
    assert "snoozed until" not in nudge
    shown = await say(bot, ana, "/tasks")
    assert "was due Wednesday, November 25, 2026" in shown


async def test_a_snooze_that_ran_out_is_not_shown_as_snoozed(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await seed_interview(bot, ana, ["Maria Lopez"])
    bot.clock.set(at("2026-11-24T09:00:00"))
    assert await bot.sweep() == 1
    await press(bot, ana, "⏰ Later")
    shown = await press(bot, ana, "In 3 hours")
    assert "(snoozed until Tuesday, November 24, 2026, 1:00\u202fPM)" in shown
    bot.clock.set(at("2026-11-24T12:00:00"))
    assert await bot.sweep() == 1
    assert "Thank Maria Lopez" in ana.last_message.plain
    assert "snoozed" not in ana.last_message.plain


async def test_one_bundle_per_send_time_and_the_promised_cap(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await seed_interview(bot, ana, [f"Person {n:02d}" for n in range(12)], feeling="good")
    await seed_interview(
        bot, ana, ["Kim"], company="Globex", scheduled_at=at("2026-11-23T10:00:00")
    )
    shown = await say(bot, ana, "/reminders")
    assert "at most 3 messages a day." in shown
    assert "they come at least 3 hours apart." in shown
    cap = (await stored_user(bot, ana.id)).daily_nudge_cap
    sent_at: list[datetime] = []
    moment = at("2026-11-23T23:00:00")
    # every ten minutes for three days: Tuesday to Thursday in Berlin
    while moment < at("2026-11-26T23:00:00"):
        bot.clock.set(moment)
        before = len(ana.messages)
        await bot.sweep()
        new = ana.messages[before:]
        assert len(new) <= 1, f"{len(new)} bundles at {moment}"
        sent_at += [moment] * len(new)
        moment += timedelta(minutes=10)
    assert sent_at
    days: dict[object, list[datetime]] = {}
    for when in sent_at:
        days.setdefault(when.date(), []).append(when)
    for day, times in days.items():
        assert len(times) <= cap, f"{len(times)} messages on {day}"
        for earlier, later in itertools.pairwise(times):
            assert later - earlier >= timedelta(hours=3)
    # nothing lost: every thank-you was shown at least once
    tasks = await tasks_of(bot, ana.id)
    assert all(t.nudges_sent >= 1 for t in tasks if t.kind == "thank_you")


async def test_nudges_wait_while_a_conversation_is_open(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await seed_interview(bot, ana, ["Maria Lopez"])
    bot.clock.set(at("2026-11-24T08:00:00"))
    await say(bot, ana, "/log")
    await say(bot, ana, "Initech")
    await _let_persistence_flush(bot)
    assert await bot.sweep() == 0
    assert "Role" not in "".join(labels_of(ana.last_message))
    bot.clock.advance(timedelta(minutes=10))
    assert await bot.sweep() == 0, "still answering: the nudge waits"
    await say(bot, ana, "/cancel")
    await _let_persistence_flush(bot)
    bot.clock.advance(timedelta(minutes=6))
    assert await bot.sweep() == 1
    assert "Thank Maria Lopez" in ana.last_message.plain


async def test_an_abandoned_conversation_does_not_hold_nudges_forever(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await seed_interview(bot, ana, ["Maria Lopez"])
    bot.clock.set(at("2026-11-24T08:00:00"))
    await say(bot, ana, "/log")
    await _let_persistence_flush(bot)
    assert await bot.sweep() == 0
    bot.clock.advance(timedelta(hours=1, minutes=5))
    assert await bot.sweep() == 1


async def _let_persistence_flush(bot: RunningBot) -> None:
    import asyncio

    await asyncio.sleep(0.6)
    await bot.fake.settle()


async def test_keep_applying_starts_after_the_interview_with_buttons(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await say(bot, ana, "/timezone Berlin")
    await log_quick(bot, ana, "Hooli", "Designer", when="27.11 14:00")
    [reminder] = [t for t in await tasks_of(bot, ana.id) if t.kind == "keep_applying"]
    # Friday 27 November is the interview: the first reminder comes three days after it
    assert reminder.next_nudge_at == at("2026-11-30T08:00:00")
    bot.clock.set(at("2026-11-30T08:00:00"))
    assert await bot.sweep() == 1
    nudge = ana.last_message
    assert "One application today is a good start." in nudge.plain
    assert "0 applications" not in nudge.plain
    # other tasks come in the same bundle: find the reminder's number
    [log_one] = [b for b in labels_of(nudge) if b.startswith("📝 Log an application")]
    tag = log_one.removeprefix("📝 Log an application")
    assert {f"⏰ Later{tag}", f"Stop these{tag}"} <= set(labels_of(nudge))
    shown = await press(bot, ana, log_one)
    # the same question as /applied alone: replying to it logs the application
    assert "Where did you apply?" in shown
    question = ana.last_message
    await ana.reply(question, "Initech — Designer")
    await bot.fake.settle()
    assert "Logged: Initech · Designer." in ana.last_message.plain
    await press(bot, ana, f"⏰ Later{tag}")
    await press(bot, ana, f"Tomorrow{tag}")
    [upcoming] = [
        t
        for t in await tasks_of(bot, ana.id)
        if t.kind == "keep_applying" and t.state in ("pending", "snoozed")
    ]
    assert upcoming.next_nudge_at == at("2026-12-01T08:00:00")
    await press(bot, ana, f"Stop these{tag}")
    assert (await stored_user(bot, ana.id)).keep_applying_days == 0
    assert not [
        t
        for t in await tasks_of(bot, ana.id)
        if t.kind == "keep_applying" and t.state in ("pending", "snoozed", "sent")
    ]
    assert f"Stop these{tag}" not in labels_of(nudge)
    shown = await say(bot, ana, "/reminders")
    assert "Reminders to keep applying are off." in shown
    await press(bot, ana, "3 days")
    assert [
        t for t in await tasks_of(bot, ana.id) if t.kind == "keep_applying" and t.state == "pending"
    ]


async def test_each_outcome_withdraws_what_no_longer_fits(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await seed_interview(bot, ana, ["Maria Lopez"], feeling="good", response_by_days=7)

    async def states() -> dict[str, str]:
        return {t.kind: t.state for t in await tasks_of(bot, ana.id)}

    await say(bot, ana, "/interviews")
    await press(bot, ana, buttons(ana)[0])
    await press(bot, ana, "🏁 Outcome")
    await press(bot, ana, "Next round")
    # the next round is an interview of its own (handlers/outcomes.py): its date, then save
    await say(bot, ana, "in 3 days 10:00")
    await press(bot, ana, "✅ Save")
    found = await states()
    assert found["thank_you"] == "pending" and found["references"] == "pending"
    assert found["check_in"] == "cancelled"
    assert found["keep_applying"] == "pending"
    # without the new round, the rest of this test is about the first one alone
    await press(bot, ana, "🗑 Delete")
    await press(bot, ana, "Yes, delete it")
    await say(bot, ana, "/interviews")
    await press(bot, ana, buttons(ana)[0])

    await press(bot, ana, "🏁 Outcome")
    await press(bot, ana, "Not this time")
    found = await states()
    assert found["thank_you"] == "cancelled"
    assert found["references"] == "cancelled"
    assert found["courtesy"] == "pending"
    assert found["keep_applying"] == "cancelled"
    bot.clock.set(at("2026-11-24T10:00:00"))
    shown = await say(bot, ana, "/tasks")
    assert "Not this time at Acme" in shown
    assert "even more interested" not in shown
    assert "Thank Maria Lopez" not in shown

    await press(bot, ana, "🏁 Outcome")
    await press(bot, ana, "No answer")
    found = await states()
    assert {found["thank_you"], found["courtesy"], found["check_in"]} == {"cancelled"}


async def test_a_thank_you_done_before_an_offer_stays_done(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await seed_interview(bot, ana, ["Maria Lopez"])
    bot.clock.set(at("2026-11-24T08:00:00"))
    await bot.sweep()
    await press(bot, ana, "✅ Done")
    await press(bot, ana, "Email")
    await say(bot, ana, "/interviews")
    await press(bot, ana, buttons(ana)[0])
    await press(bot, ana, "🏁 Outcome")
    await press(bot, ana, "Offer")
    found = {t.kind: t for t in await tasks_of(bot, ana.id)}
    assert (found["thank_you"].state, found["thank_you"].done_via) == ("done", "email")
    assert found["thank_references"].state == "pending"
