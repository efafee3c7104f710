"""End to end: /tasks pages that skip nothing, a re-timed or skipped "how did it go?", and this
week's progress in /applied and the keep-applying nudges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.db.models import Application, Interview, Interviewer, Task, User
from bot.nudges.planner import replan_interview
from fakeapi import FakeUser
from fakeapi.running import RunningBot
from tests.flows import log_quick, press, say

# these tests count nudges: they go out only when a test sweeps
pytestmark = pytest.mark.swept_by_hand


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


NAMES = [f"Person{n:02d}" for n in range(10)]


async def seed_ten_thank_yous(bot: RunningBot, paused: bool) -> FakeUser:
    """A user in UTC, awake around the clock, with ten thank-yous due from yesterday's interview."""
    ana = bot.fake.add_user("Ana")
    ana.started = True
    now = bot.clock.now()
    async with bot.runtime.session() as session, session.begin():
        user = User(
            id=ana.id,
            first_name="Ana",
            timezone="UTC",
            nudge_hour=0,
            quiet_hour=24,
            paused=paused,
            created_at=now,
            updated_at=now,
        )
        session.add(user)
        interview = Interview(
            user_id=ana.id,
            company="Acme",
            role="Dev",
            scheduled_at=now - timedelta(days=1),
            format="phone",
            response_timeframe="month",
            created_at=now,
            updated_at=now,
            interviewers=[Interviewer(name=name, title="Lead") for name in NAMES],
        )
        session.add(interview)
        await session.flush()
        await replan_interview(session, user, interview, now)
    return ana


def people_in(text: str) -> set[str]:
    due_part = text.split("Coming up", maxsplit=1)[0]
    return {name for name in NAMES if name in due_part}


async def tasks_of(bot: RunningBot, user_id: int, kind: str | None = None) -> list[Task]:
    async with bot.runtime.session() as session:
        query = select(Task).where(Task.user_id == user_id).order_by(Task.id)
        if kind is not None:
            query = query.where(Task.kind == kind)
        return list((await session.scalars(query)).all())


async def test_a_task_done_on_page_one_shifts_none_out_of_sight(bot: RunningBot) -> None:
    ana = await seed_ten_thank_yous(bot, paused=True)
    shown = await say(bot, ana, "/tasks")
    page = ana.last_message
    assert "Your tasks (1–4 of 10)" in shown
    assert people_in(shown) == set(NAMES[:4])
    await press(bot, ana, "✅ Done 1")
    await press(bot, ana, "Email 1")
    # the heading and the pager are counted again: nine are left, three of them on this page
    assert "Your tasks (1–3 of 9)" in page.plain
    assert "…and 6 more after these." in page.plain
    shown = await press(bot, ana, "Next ▶")
    assert "Your tasks (4–7 of 9)" in page.plain
    assert people_in(page.plain) == set(NAMES[4:8])
    await press(bot, ana, "Next ▶")
    assert "Your tasks (8–9 of 9)" in page.plain
    assert people_in(page.plain) == set(NAMES[8:])
    await press(bot, ana, "◀ Previous")
    assert people_in(page.plain) == set(NAMES[4:8])
    done = [t for t in await tasks_of(bot, ana.id) if t.state == "done"]
    assert len(done) == 1 and done[0].done_via == "email"


async def test_what_is_due_does_not_depend_on_the_dispatcher(bot: RunningBot) -> None:
    ana = await seed_ten_thank_yous(bot, paused=False)
    assert "(1–4 of 10)" in await say(bot, ana, "/tasks")
    # one bundle goes out; the ones it could not hold wait for the next send time
    assert await bot.sweep() == 1
    assert "(1–4 of 10)" in await say(bot, ana, "/tasks")
    bot.clock.set(bot.clock.now() + timedelta(hours=1))
    assert await bot.sweep() == 0
    assert "(1–4 of 10)" in await say(bot, ana, "/tasks")
    bot.clock.set(bot.clock.now() + timedelta(hours=3))
    assert await bot.sweep() == 1
    assert "(1–4 of 10)" in await say(bot, ana, "/tasks")


async def log_tuesday_interview(bot: RunningBot) -> FakeUser:
    """A user in Berlin who logs on Monday an interview on Tuesday at 14:00, names unknown."""
    ana = bot.fake.add_user("Ana", language_code="en")
    await say(bot, ana, "/timezone Europe/Berlin")
    await log_quick(bot, ana, "Hooli", "Designer", when="Tuesday at 14:00", fmt="Video")
    return ana


async def test_a_moved_interview_asks_how_it_went_after_the_new_date(bot: RunningBot) -> None:
    ana = await log_tuesday_interview(bot)
    bot.clock.set(at("2026-11-24T08:00:00"))
    await bot.sweep()
    bot.clock.set(at("2026-11-24T14:30:00"))
    assert await bot.sweep() == 1
    assert "is over: how did it go?" in ana.last_message.plain
    # moved to Friday at 14:00 in Berlin, as the card's edit does it
    async with bot.runtime.session() as session, session.begin():
        interview = await session.scalar(
            select(Interview).options(selectinload(Interview.interviewers))
        )
        user = await session.get(User, ana.id)
        assert interview is not None and user is not None
        interview.scheduled_at = at("2026-11-27T13:00:00")
        await replan_interview(session, user, interview, bot.clock.now())
    [debrief] = await tasks_of(bot, ana.id, "debrief")
    assert (debrief.state, debrief.nudges_sent) == ("pending", 0)
    assert debrief.next_nudge_at == at("2026-11-27T14:30:00")
    count = len(ana.messages)
    for day in ("2026-11-25T08:00:00", "2026-11-26T08:00:00", "2026-11-26T18:00:00"):
        bot.clock.set(at(day))
        await bot.sweep()
    assert not any("how did it go" in m.plain for m in ana.messages[count:])
    bot.clock.set(at("2026-11-27T14:30:00"))
    assert await bot.sweep() == 1
    assert "is over: how did it go?" in ana.last_message.plain


async def test_skipping_how_it_went_still_plans_the_thank_yous(bot: RunningBot) -> None:
    ana = await log_tuesday_interview(bot)
    bot.clock.set(at("2026-11-24T14:30:00"))
    assert await bot.sweep() == 1
    shown = await press(bot, ana, "Skip")
    assert "⏭ Your interview at Hooli" in shown
    assert bot.fake.callback_answers[-1]["text"] == "Skipped. I'll plan your thank-yous without it."
    kinds = {
        t.kind: t
        for t in await tasks_of(bot, ana.id)
        if t.state == "pending" and t.interview_id is not None
    }
    # the default time frame (two weeks) and, with no feeling given, no references heads-up
    assert set(kinds) == {"thank_you", "check_in", "no_answer"}
    async with bot.runtime.session() as session:
        interview = await session.scalar(select(Interview))
    assert interview is not None and interview.response_by is None
    # the check-in comes the business day after two weeks from the interview
    assert kinds["check_in"].next_nudge_at == at("2026-12-09T08:00:00")
    bot.clock.set(at("2026-11-25T08:00:00"))
    assert await bot.sweep() == 1
    assert "Thank the people who interviewed you for the Designer role at Hooli" in (
        ana.last_message.plain
    )


async def test_how_it_went_unanswered_by_its_deadline_gives_way_to_the_plan(
    bot: RunningBot,
) -> None:
    ana = await log_tuesday_interview(bot)
    bot.clock.set(at("2026-11-24T14:30:00"))
    assert await bot.sweep() == 1
    bot.clock.set(at("2026-11-25T08:00:00"))
    assert await bot.sweep() == 1
    assert "how did it go?" in ana.last_message.plain
    # midnight in Berlin: the question's deadline has passed, unanswered
    bot.clock.set(at("2026-11-25T23:00:00"))
    assert await bot.sweep() == 0
    [debrief] = await tasks_of(bot, ana.id, "debrief")
    assert debrief.state == "cancelled"
    [thanks] = await tasks_of(bot, ana.id, "thank_you")
    assert thanks.state == "pending"
    # not in the night: the thank-you comes at the nudge hour
    bot.clock.set(at("2026-11-26T08:00:00"))
    assert await bot.sweep() == 1
    assert "Thank the people who interviewed you" in ana.last_message.plain


async def test_applied_counts_the_same_week_as_the_goal(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana", language_code="en")
    await say(bot, ana, "/timezone Europe/Berlin")
    # last Saturday: within seven days, but last week
    async with bot.runtime.session() as session, session.begin():
        session.add(
            Application(
                user_id=ana.id, company="Old", role="", applied_at=at("2026-11-21T10:00:00")
            )
        )
    shown = await say(bot, ana, "/applied Acme — Dev")
    assert "Logged: Acme · Dev.\nApplications this week: 1." in shown
    assert "/goal" in shown
    await say(bot, ana, "/goal 3")
    shown = await say(bot, ana, "/applied Globex")
    assert "This week so far: 2 of 3." in shown and "1 more to reach your goal." in shown
    assert "This week so far: 2 of 3." in await say(bot, ana, "/goal")
    await say(bot, ana, "/cancel")
    shown = await say(bot, ana, "/applied Initech — QA")
    assert "This week so far: 3 of 3." in shown
    assert "You have reached your weekly goal. Well done!" in shown


async def test_keep_applying_nudges_carry_the_week_and_a_kind_word(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana", language_code="en")
    await say(bot, ana, "/timezone Europe/Berlin")
    await log_quick(bot, ana, "Acme", when="today 9:00", feeling="Good chance")
    await say(bot, ana, "/goal 5")
    await say(bot, ana, "/applied Globex")

    def keep_applying_texts(since: int) -> list[str]:
        return [m.plain for m in ana.messages[since:] if "keep applying" in m.plain]

    count = len(ana.messages)
    # Thursday: the first keep-applying reminder, with this week's count against the goal
    for moment in ("2026-11-24T08:00:00", "2026-11-25T08:00:00", "2026-11-26T08:00:00"):
        bot.clock.set(at(moment))
        await bot.sweep()
    [thursday] = keep_applying_texts(count)
    assert "This week so far: 1 of 5. 4 more to reach your goal." in thursday
    assert "Last week" not in thursday
    # Sunday: the same week
    count = len(ana.messages)
    bot.clock.set(at("2026-11-29T08:00:00"))
    await bot.sweep()
    [sunday] = keep_applying_texts(count)
    assert "This week so far: 1 of 5." in sunday and "Last week" not in sunday
    # Wednesday: the first reminder of a new week, after one that ended short
    count = len(ana.messages)
    bot.clock.set(at("2026-12-02T08:00:00"))
    await bot.sweep()
    [wednesday] = keep_applying_texts(count)
    assert "Last week ended at 1 of 5. That is all right" in wednesday
    assert "This week so far: 0 of 5." in wednesday
    assert "scold" not in wednesday
