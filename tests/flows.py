"""Helpers that play a person in a chat: type, tap the newest button with a label, read."""

from __future__ import annotations

from fakeapi import BotMessage, FakeGroup, FakeUser
from fakeapi.running import RunningBot


async def say(bot: RunningBot, user: FakeUser, text: str, chat: FakeGroup | None = None) -> str:
    """Send a message, wait for the bot, return everything it sent or edited since, as text."""
    before = _snapshot(bot, user, chat)
    await user.send(text, chat=chat)
    await bot.fake.settle()
    return _changes(bot, user, chat, before)


async def press(bot: RunningBot, user: FakeUser, label: str, chat: FakeGroup | None = None) -> str:
    """Tap the newest button with this label in the chat; return what changed, as text."""
    messages = chat.messages if chat is not None else user.messages
    for message in reversed(messages):
        if message.deleted:
            continue
        if any(label == text for row in message.buttons for text in row):
            before = _snapshot(bot, user, chat)
            await user.tap(message, label)
            await bot.fake.settle()
            return _changes(bot, user, chat, before)
    shown = [m.buttons for m in messages[-3:]]
    raise AssertionError(f"no button {label!r} in the chat; the last buttons were {shown}")


def buttons(user: FakeUser) -> list[str]:
    """Every button label on the newest message that has any."""
    for message in reversed(user.messages):
        if message.buttons:
            return [text for row in message.buttons for text in row]
    return []


async def forge_tap(bot: RunningBot, user: FakeUser, message: BotMessage, data: str) -> None:
    """A tap with callback data of the user's choosing, as a modified client could send."""
    await user.tap_data(message, data)
    await bot.fake.settle()


def _snapshot(bot: RunningBot, user: FakeUser, chat: FakeGroup | None) -> dict[int, str]:
    messages = chat.messages if chat is not None else user.messages
    return {m.message_id: m.text for m in messages}


def _changes(
    bot: RunningBot, user: FakeUser, chat: FakeGroup | None, before: dict[int, str]
) -> str:
    messages = chat.messages if chat is not None else user.messages
    changed = [m.plain for m in messages if before.get(m.message_id) != m.text]
    return "\n---\n".join(changed)


async def log_quick(
    bot: RunningBot,
    user: FakeUser,
    company: str,
    role: str = "Role",
    when: str | None = None,
    fmt: str = "Phone",
    timeframe: str = "Within a week",
    feeling: str = "Not sure",
) -> str:
    """Log an interview with no interviewers in the fewest steps; returns the saved card."""
    await say(bot, user, "/log")
    await say(bot, user, company)
    await say(bot, user, role)
    if when is None:
        await press(bot, user, "Today")
        await press(bot, user, "Earlier today, time unknown")
    else:
        await say(bot, user, when)
    await press(bot, user, fmt)
    if "I don't know yet" in buttons(user):
        # an upcoming interview: how it went and their answer are asked after it
        await press(bot, user, "I don't know yet")
        return await press(bot, user, "✅ Save")
    await press(bot, user, "I don't have their names")
    await press(bot, user, timeframe)
    await press(bot, user, feeling)
    return await press(bot, user, "✅ Save")


async def seed_waiting_members(bot: RunningBot, count: int, company: str) -> list[FakeUser]:
    """People who had an interview three days ago, in UTC and awake around the clock, with
    their tasks planned: the quick way to put many due nudges in front of the dispatcher."""
    from datetime import timedelta

    from bot.db.models import Interview, Interviewer, User
    from bot.nudges.planner import replan_interview

    people = [bot.fake.add_user(f"Member {n}") for n in range(count)]
    now = bot.clock.now()
    async with bot.runtime.session() as session, session.begin():
        for person in people:
            person.started = True
            user = User(
                id=person.id,
                first_name=person.first_name,
                timezone="UTC",
                nudge_hour=0,
                quiet_hour=24,
                created_at=now,
                updated_at=now,
            )
            session.add(user)
            interview = Interview(
                user_id=person.id,
                company=company,
                role="Tester",
                scheduled_at=now - timedelta(days=3),
                format="phone",
                response_timeframe="month",
                created_at=now,
                updated_at=now,
                interviewers=[Interviewer(name="Pat", title="Lead")],
            )
            session.add(interview)
            await session.flush()
            await replan_interview(session, user, interview, now)
    return people
