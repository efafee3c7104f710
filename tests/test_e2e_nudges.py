"""End to end: nudges arrive on time, bundled, survive restarts, and obey Telegram's limits."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.db.models import Task
from bot.ratelimit import SlidingWindow
from fakeapi import FakeUser
from fakeapi.limits import GLOBAL_PER_SECOND
from fakeapi.running import RunningBot
from tests.conftest import stored_user
from tests.flows import buttons, forge_tap, log_quick, press, say, seed_waiting_members


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def log_monday_interview(bot: RunningBot, user: FakeUser) -> None:
    """Monday 23 November, 09:00 in Berlin, one interviewer, answer within a week, good chance."""
    await say(bot, user, "/timezone Berlin")
    await say(bot, user, "/log")
    await say(bot, user, "Acme")
    await say(bot, user, "Backend Engineer")
    await say(bot, user, "today 9:00")
    await press(bot, user, "Video")
    await say(bot, user, "Maria Lopez")
    await say(bot, user, "Head of Engineering")
    await press(bot, user, "Skip")
    await press(bot, user, "✅ That's everyone")
    await press(bot, user, "Within a week")
    await press(bot, user, "Good chance")
    await press(bot, user, "✅ Save")


async def tasks_by_kind(bot: RunningBot, user_id: int) -> dict[str, Task]:
    async with bot.runtime.session() as session:
        rows = (await session.scalars(select(Task).where(Task.user_id == user_id))).all()
    return {task.kind: task for task in rows}


async def test_nudges_done_snooze_skip_across_a_restart(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await log_monday_interview(bot, ana)
    assert await bot.sweep() == 0, "nothing is due on the day of the interview"

    # Tuesday 09:00 in Berlin: the thank-you and the references heads-up, in one message
    bot.clock.set(at("2026-11-24T08:00:00"))
    assert await bot.sweep() == 1
    nudge = ana.last_message
    assert "2 things for today" in nudge.plain
    assert "Thank Maria Lopez (Head of Engineering) for the Backend Engineer interview at Acme" in (
        nudge.plain
    )
    assert "by Wednesday, November 25, 2026" in nudge.plain
    assert "Dear Maria Lopez," in nudge.plain
    assert "give your references a heads-up" in nudge.plain
    copy = [
        button
        for row in nudge.reply_markup["inline_keyboard"]
        for button in row
        if "copy_text" in button
    ]
    assert copy and copy[0]["copy_text"]["text"].startswith("Dear Maria Lopez,")

    await bot.restart()
    assert await bot.sweep() == 0, "a restart must not send the same nudge twice"

    await press(bot, ana, "✅ Done 1")
    # done counts at once; how it was sent is asked, and may be left unsaid
    assert (await tasks_by_kind(bot, ana.id))["thank_you"].state == "done"
    assert {"Email 1", "Phone 1", "Letter 1"} <= set(buttons(ana))
    assert bot.fake.callback_answers[-1]["text"] == "Done. Well done! How did you send it?"
    await press(bot, ana, "Email 1")
    assert bot.fake.callback_answers[-1]["text"] == "Noted. Thank you!"
    assert "✅ Thank Maria Lopez" in ana.last_message.plain
    await press(bot, ana, "⏰ Later 2")
    await press(bot, ana, "Tomorrow 2")
    assert "snoozed until Wednesday, November 25, 2026, 9:00\u202fAM" in ana.last_message.plain
    tasks = await tasks_by_kind(bot, ana.id)
    assert (tasks["thank_you"].state, tasks["thank_you"].done_via) == ("done", "email")
    assert tasks["references"].state == "snoozed"
    assert tasks["references"].next_nudge_at == at("2026-11-25T08:00:00")

    # a tap on a button of a finished task answers politely and changes nothing
    await forge_tap(bot, ana, ana.last_message, f"tk:done:{tasks['thank_you'].id}")
    assert bot.fake.callback_answers[-1]["text"] == "Already taken care of."

    bot.clock.set(at("2026-11-25T08:00:00"))
    assert await bot.sweep() == 1
    assert "One thing for today" in ana.last_message.plain
    await press(bot, ana, "Skip")
    assert (await tasks_by_kind(bot, ana.id))["references"].state == "skipped"

    # Thursday: the keep-applying reminder, three days after the interview was logged
    bot.clock.set(at("2026-11-26T08:00:00"))
    assert await bot.sweep() == 1
    assert "keep applying elsewhere" in ana.last_message.plain
    assert "One application today is a good start." in ana.last_message.plain
    assert "0 applications" not in ana.last_message.plain

    # Tuesday 1 December: a week has passed with no answer, so a check-in
    bot.clock.set(at("2026-12-01T08:00:00"))
    await bot.sweep()
    assert "expected to answer by Monday, November 30, 2026" in "\n".join(
        m.plain for m in ana.messages[-2:]
    )


async def test_no_one_acts_on_another_users_task(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await log_monday_interview(bot, ana)
    bot.clock.set(at("2026-11-24T08:00:00"))
    await bot.sweep()
    tasks = await tasks_by_kind(bot, ana.id)
    eve = bot.fake.add_user("Eve")
    await say(bot, eve, "/tasks")
    for data in (
        f"tk:done:{tasks['thank_you'].id}",
        f"tk:skip:{tasks['references'].id}",
        f"tk:snooze:{tasks['references'].id}:days",
        "tk:done:not-a-number",
        "tk",
    ):
        await forge_tap(bot, eve, eve.last_message, data)
        assert bot.fake.callback_answers[-1]["text"] in (
            "This reminder no longer exists.",
            "This button is no longer active.",
        )
    after = await tasks_by_kind(bot, ana.id)
    assert after["thank_you"].state == "sent"
    assert after["references"].state == "sent"


async def test_nudges_wait_for_the_waking_window_and_respect_pause_of_quiet_hours(
    bot: RunningBot,
) -> None:
    ana = bot.fake.add_user("Ana")
    await log_monday_interview(bot, ana)
    # 04:00 in Berlin on Tuesday: too early, so nothing yet
    bot.clock.set(at("2026-11-24T03:00:00"))
    assert await bot.sweep() == 0
    bot.clock.set(at("2026-11-24T08:01:00"))
    assert await bot.sweep() == 1


async def test_a_blocked_user_is_not_retried_until_they_come_back(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await log_monday_interview(bot, ana)
    # blocking sends the bot a my_chat_member update: no nudge is even tried afterwards
    ana.block()
    await bot.fake.settle()
    assert (await stored_user(bot, ana.id)).reachable is False
    bot.clock.set(at("2026-11-24T08:00:00"))
    assert await bot.sweep() == 0
    assert not bot.fake.refusals
    ana.unblock()
    await bot.fake.settle()
    assert await bot.sweep() == 1


async def test_a_403_marks_the_user_unreachable_until_they_write(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await log_monday_interview(bot, ana)
    # blocked without the bot hearing of it (say, an update lost while it was down)
    ana.blocked = True
    bot.clock.set(at("2026-11-24T08:00:00"))
    assert await bot.sweep() == 0
    refused = [r for r in bot.fake.refusals if r.method == "sendMessage"]
    assert len(refused) == 1 and refused[0].error_code == 403
    assert (await stored_user(bot, ana.id)).reachable is False
    bot.clock.advance(timedelta(days=1))
    assert await bot.sweep() == 0
    assert len([r for r in bot.fake.refusals if r.method == "sendMessage"]) == 1
    bot.fake.refusals.clear()

    ana.blocked = False
    await say(bot, ana, "/tasks")
    assert (await stored_user(bot, ana.id)).reachable is True
    assert await bot.sweep() == 1


async def test_a_429_storm_loses_nothing_and_sends_nothing_twice(bot: RunningBot) -> None:
    # let the bot overrun Telegram's 30 per second on purpose, so the fake answers 429s
    limiter = bot.application.bot.rate_limiter
    limiter._overall = SlidingWindow(1000, 1.0)
    people = await seed_waiting_members(bot, 45, "Storm Inc")
    # and Telegram's current second already full (other sends), so the storm meets 429s however
    # slowly a loaded machine lets the bot send
    bot.fake._global_window.extend([time.monotonic()] * GLOBAL_PER_SECOND)
    assert await bot.sweep() == 45
    too_many = [r for r in bot.fake.refusals if r.error_code == 429]
    assert too_many, "the storm should have drawn 429s from the fake"
    for person in people:
        nudges = [m for m in person.messages if "Storm Inc" in m.plain]
        assert len(nudges) == 1, f"{person!r} got {len(nudges)} nudges"
    assert limiter.retries >= len(too_many)
    bot.fake.refusals.clear()


async def test_an_early_interview_is_reminded_before_the_nudge_hour(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await say(bot, ana, "/timezone Berlin")
    await log_quick(bot, ana, "Early Bird GmbH", "Baker", when="tomorrow 8:00", fmt="In person")
    # 07:00 in Berlin, an hour before the interview and before the 09:00 nudge hour
    bot.clock.set(at("2026-11-24T06:00:00"))
    assert await bot.sweep() == 1
    assert "Interview at Early Bird GmbH today at 8:00\u202fAM." in ana.last_message.plain
    # closed once sent: no Done, Later or Skip that could only say "already taken care of"
    assert ana.last_message.buttons == []


async def test_pause_resume_and_applications_counted(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await log_monday_interview(bot, ana)
    shown = await say(bot, ana, "/applied Globex — Analyst")
    assert "Logged: Globex · Analyst.\nApplications this week: 1." in shown
    shown = await say(bot, ana, "/applied")
    assert "Where did you apply?" in shown
    assert "Paused" in await say(bot, ana, "/pause")
    bot.clock.set(at("2026-11-24T08:00:00"))
    assert await bot.sweep() == 0
    assert "reminders are on again" in await say(bot, ana, "/resume")
    assert await bot.sweep() == 1
    await press(bot, ana, "✅ Done 1")
    await press(bot, ana, "Phone 1")
    await press(bot, ana, "Skip 2")
    bot.clock.set(at("2026-11-26T08:00:00"))
    assert await bot.sweep() == 1
    assert "Applications this week: 1." in ana.last_message.plain


async def test_reminder_settings_move_the_nudges(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await log_monday_interview(bot, ana)
    shown = await say(bot, ana, "/reminders")
    assert "I send them from 9:00\u202fAM and never after 9:00\u202fPM, your time" in shown
    assert "every 3 days" in shown
    shown = await press(bot, ana, "7:00\u202fAM")
    assert "from 7:00\u202fAM" in shown
    await press(bot, ana, "2 days")
    user = await stored_user(bot, ana.id)
    assert (user.nudge_hour, user.keep_applying_days) == (7, 2)
    tasks = await tasks_by_kind(bot, ana.id)
    # Tuesday 07:00 in Berlin now, not 09:00
    assert tasks["thank_you"].next_nudge_at == at("2026-11-24T06:00:00")
    bot.clock.set(at("2026-11-24T06:00:00"))
    assert await bot.sweep() == 1
    await press(
        bot,
        ana,
        "⏸ Pause",
    )
    assert (await stored_user(bot, ana.id)).paused is True


async def test_long_bundles_fit_in_one_message(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await say(bot, ana, "/timezone Berlin")
    await say(bot, ana, "/log")
    await say(bot, ana, "C" * 100)
    await say(bot, ana, "R" * 100)
    await say(bot, ana, "today 9:00")
    await press(bot, ana, "Video")
    for number in range(8):
        await say(bot, ana, f"{number}" + "N" * 99)
        await say(bot, ana, "T" * 100)
        await press(bot, ana, "Skip")
        if number < 7:
            await press(bot, ana, "➕ Add another")
    await press(bot, ana, "✅ That's everyone")
    await press(bot, ana, "Within a week")
    await press(bot, ana, "Good chance")
    await press(bot, ana, "✅ Save")
    bot.clock.set(at("2026-11-24T08:00:00"))
    assert await bot.sweep() == 1
    first = ana.last_message
    assert len(first.plain) <= 4096
    shown = await say(bot, ana, "/tasks")
    assert "Coming up" in shown
    assert len(ana.last_message.plain) <= 4096
    # what did not fit waits a few hours, not back to back
    assert await bot.sweep() == 0
    bot.clock.advance(timedelta(hours=3))
    assert await bot.sweep() == 1


async def test_a_sent_morning_reminder_is_closed_and_lapses(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await say(bot, ana, "/timezone Berlin")
    await log_quick(bot, ana, "Hooli", "Designer", when="tomorrow 14:00")
    bot.clock.set(at("2026-11-24T08:00:00"))
    assert await bot.sweep() == 1
    assert (await tasks_by_kind(bot, ana.id))["before_you_leave"].state == "done"
    bot.clock.set(at("2026-11-28T08:00:00"))
    shown = await say(bot, ana, "/tasks")
    assert "Before you leave" not in shown
    assert "Hooli" in shown


async def test_a_new_interview_date_moves_the_expected_answer(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await say(bot, ana, "/timezone Berlin")
    await log_quick(bot, ana, "Acme", timeframe="Within a week")
    await press(bot, ana, "✏️ Edit")
    await press(bot, ana, "Date and time")
    shown = await say(bot, ana, "15.12 10:00")
    assert "Within a week (by December 22, 2026)" in shown


async def test_a_tap_during_the_send_is_not_overwritten(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await log_monday_interview(bot, ana)
    tasks = await tasks_by_kind(bot, ana.id)
    dispatcher = bot.runtime.dispatcher
    real_bot = dispatcher.bot

    class TapsWhileSending:
        """The Bot, except that the user marks the thank-you done while the nudge is sent."""

        async def send_message(self, *args: object, **kwargs: object) -> object:
            async with bot.runtime.session() as session, session.begin():
                task = await session.get(Task, tasks["thank_you"].id)
                assert task is not None
                task.state = "done"
                task.next_nudge_at = None
                task.claim_token = None
                task.claimed_until = None
            return await real_bot.send_message(*args, **kwargs)

    dispatcher.bot = TapsWhileSending()
    try:
        bot.clock.set(at("2026-11-24T08:00:00"))
        assert await bot.sweep() == 1
    finally:
        dispatcher.bot = real_bot
    after = await tasks_by_kind(bot, ana.id)
    assert after["thank_you"].state == "done"
    assert after["thank_you"].next_nudge_at is None
    assert after["references"].state == "sent"
