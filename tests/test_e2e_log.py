"""End to end: logging an interview through the guided conversation, and its card."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.db.models import Interview, Task
from fakeapi import FakeUser
from fakeapi.running import RunningBot
from tests.flows import buttons, forge_tap, log_quick, press, say

# the clock starts on Monday 23 November 2026 at 09:00 UTC (10:00 in Berlin)


async def berliner(bot: RunningBot, name: str = "Ana") -> FakeUser:
    user = bot.fake.add_user(name, language_code="en")
    await say(bot, user, "/timezone Europe/Berlin")
    return user


async def interviews_of(bot: RunningBot, user: FakeUser) -> list[Interview]:
    async with bot.runtime.session() as session:
        rows = await session.scalars(
            select(Interview)
            .where(Interview.user_id == user.id)
            .options(selectinload(Interview.interviewers))
            .order_by(Interview.id)
        )
        return list(rows.all())


async def tasks_of(bot: RunningBot, user: FakeUser) -> list[Task]:
    async with bot.runtime.session() as session:
        rows = await session.scalars(select(Task).where(Task.user_id == user.id).order_by(Task.id))
        return list(rows.all())


async def test_the_whole_conversation_with_two_interviewers(bot: RunningBot) -> None:
    ana = await berliner(bot)
    shown = await say(bot, ana, "/log")
    assert "Which company was the interview with?" in shown
    assert "What is the role?" in await say(bot, ana, "Acme <Labs> & Co")
    shown = await say(bot, ana, "Backend Engineer")
    assert "When is or was the interview?" in shown
    assert {"Today", "Yesterday", "⬅ Back"} <= set(buttons(ana))

    shown = await say(bot, ana, "yesterday 3pm")
    assert "Got it: Sunday, November 22, 2026, 3:00\u202fPM (yesterday)." in shown
    assert "How was it held?" in shown

    shown = await press(bot, ana, "Video")
    assert "Send the first interviewer's name" in shown
    shown = await say(bot, ana, "María José 👩‍💻")
    assert "María José 👩‍💻: what is their job title?" in shown
    assert "email or phone number" in await say(bot, ana, "Head of Engineering")
    shown = await say(bot, ana, "maria@acme.test")
    assert "1. María José 👩‍💻, Head of Engineering" in shown

    await press(bot, ana, "➕ Add another")
    await say(bot, ana, "Bob")
    await press(bot, ana, "I don't know")
    shown = await press(bot, ana, "Skip")
    assert "2. Bob" in shown
    shown = await press(bot, ana, "✅ That's everyone")
    assert "When did they say you would hear back?" in shown
    shown = await press(bot, ana, "1–2 weeks")
    assert "How do you feel it went?" in shown
    shown = await press(bot, ana, "Good chance")
    assert "Here is the interview. Save it?" in shown
    assert "Acme <Labs> & Co · Backend Engineer" in shown
    assert "María José 👩‍💻, Head of Engineering · maria@acme.test" in shown
    assert "1–2 weeks (by December 6, 2026)" in shown

    shown = await press(bot, ana, "✅ Save")
    assert "Saved. Here is the card of your interview:" in shown
    assert "Status: Waiting for an answer" in shown
    assert {"✏️ Edit", "➕ Interviewer", "🏁 Outcome", "🗑 Delete"} <= set(buttons(ana))

    [interview] = await interviews_of(bot, ana)
    assert interview.company == "Acme <Labs> & Co"
    assert interview.scheduled_at == datetime.fromisoformat("2026-11-22T14:00:00+00:00")
    assert interview.format == "video"
    assert [(p.name, p.title, p.contact) for p in interview.interviewers] == [
        ("María José 👩‍💻", "Head of Engineering", "maria@acme.test"),
        ("Bob", "", ""),
    ]
    assert (interview.response_timeframe, interview.response_by) == ("two_weeks", date(2026, 12, 6))
    assert interview.feeling == "good"
    kinds = sorted(t.kind for t in await tasks_of(bot, ana))
    assert kinds == [
        "check_in",
        "keep_applying",
        "no_answer",
        "references",
        "thank_you",
        "thank_you",
    ]
    # old questions lose their buttons: only the card (and the menu from onboarding) can be tapped
    with_buttons = [m.buttons for m in ana.messages if m.buttons]
    assert with_buttons[0] == [["📝 Log an interview"]]
    assert len(with_buttons) == 2


async def test_no_interviewers_and_they_did_not_say(bot: RunningBot) -> None:
    ana = await berliner(bot)
    await say(bot, ana, "/log")
    await say(bot, ana, "Globex")
    await say(bot, ana, "Analyst")
    await press(bot, ana, "Today")
    await press(bot, ana, "Earlier today, time unknown")
    await press(bot, ana, "Phone")
    shown = await press(bot, ana, "I don't have their names")
    assert "ask for everyone's name and job title" in shown
    shown = await press(bot, ana, "They didn't say")
    assert "When can I expect to hear from you?" in shown
    await press(bot, ana, "Unlikely")
    shown = await press(bot, ana, "✅ Save")
    assert "Interviewers: none noted" in shown
    [interview] = await interviews_of(bot, ana)
    assert interview.interviewers == []
    assert interview.time_known is False
    assert interview.response_by == date(2026, 12, 7)
    kinds = sorted(t.kind for t in await tasks_of(bot, ana))
    assert kinds == ["check_in", "keep_applying", "no_answer", "thank_you"]


async def test_back_edit_and_cancel(bot: RunningBot) -> None:
    ana = await berliner(bot)
    await say(bot, ana, "/log")
    await say(bot, ana, "Initech")
    shown = await press(bot, ana, "⬅ Back")
    assert "Which company was the interview with?" in shown
    await say(bot, ana, "Initrode")
    await say(bot, ana, "Tester")
    await say(bot, ana, "19.11 14:00")
    await press(bot, ana, "In person")
    await press(bot, ana, "I don't have their names")
    await press(bot, ana, "Within a week")
    shown = await press(bot, ana, "⬅ Back")
    assert "When did they say you would hear back?" in shown
    await press(bot, ana, "By a date")
    assert "That is before the interview" in await say(bot, ana, "18.11")
    await say(bot, ana, "10.12")
    shown = await press(bot, ana, "Not sure")
    assert "upcoming" not in shown.lower() or "Status" not in shown
    # the date they gave is the answer shown, not the button's label
    assert "Answer expected: December 10, 2026" in shown
    assert "By a date" not in shown
    await press(bot, ana, "✏️ Edit")
    shown = await press(bot, ana, "Company")
    assert "Which company" in shown
    shown = await say(bot, ana, "Initrode Global")
    assert "Here is the interview. Save it?" in shown
    assert "Initrode Global · Tester" in shown
    shown = await say(bot, ana, "/cancel")
    assert "Stopped. I did not save that interview." in shown
    assert await interviews_of(bot, ana) == []
    assert "nothing to cancel" in await say(bot, ana, "/cancel")


async def test_bad_input_gets_an_answer_and_the_same_question(bot: RunningBot) -> None:
    ana = await berliner(bot)
    await say(bot, ana, "/log")
    shown = await say(bot, ana, "A" * 101)
    assert "That is 101 characters long; please keep it to 100." in shown
    assert "Which company" in shown
    await ana.send_sticker()
    await bot.fake.settle()
    assert "I can only read text here" in ana.messages[-2].plain
    shown = await say(bot, ana, "/help")
    assert "We are in the middle of logging an interview" in shown
    assert "Which company" in shown
    await say(bot, ana, "<b>Bold</b> & *stars*")
    await say(bot, ana, "مهندس برمجيات")
    shown = await say(bot, ana, "asdf")
    assert "I could not read “asdf” as a date" in shown
    shown = await say(bot, ana, "1999-01-01")
    assert "“1999-01-01” was more than a year ago" in shown
    shown = await say(bot, ana, "x" * 150)
    assert "too long for a date" in shown
    await say(bot, ana, "yesterday 10:00")
    shown = await say(bot, ana, "carrier pigeon")
    assert "Please choose one of the buttons." in shown
    await press(bot, ana, "Video")
    await say(bot, ana, "Zoë")
    await say(bot, ana, "CTO")
    shown = await say(bot, ana, "not a contact")
    assert "does not look like an email address or a phone number" in shown
    await say(bot, ana, "+49 30 1234567")
    await press(bot, ana, "✅ That's everyone")
    await press(bot, ana, "Within a week")
    await press(bot, ana, "Not sure")
    shown = await press(bot, ana, "✅ Save")
    assert "<b>Bold</b> & *stars* · مهندس برمجيات" in shown
    [interview] = await interviews_of(bot, ana)
    assert interview.company == "<b>Bold</b> & *stars*"
    assert interview.role == "مهندس برمجيات"
    assert interview.interviewers[0].contact == "+49 30 1234567"


async def test_a_restart_in_the_middle_loses_nothing(bot: RunningBot) -> None:
    ana = await berliner(bot)
    await say(bot, ana, "/log")
    await say(bot, ana, "Umbrella")
    await say(bot, ana, "Chemist")
    await bot.restart()
    shown = await say(bot, ana, "today 9:00")
    assert "Got it: Monday, November 23, 2026, 9:00\u202fAM (today)." in shown
    await press(bot, ana, "Phone")
    await say(bot, ana, "Alice")
    await bot.restart()
    await say(bot, ana, "HR")
    await press(bot, ana, "Skip")
    await press(bot, ana, "✅ That's everyone")
    await press(bot, ana, "3–4 weeks")
    await press(bot, ana, "Good chance")
    await press(bot, ana, "✅ Save")
    [interview] = await interviews_of(bot, ana)
    assert (interview.company, interview.role) == ("Umbrella", "Chemist")
    assert [p.name for p in interview.interviewers] == ["Alice"]


async def test_the_interviews_list_pages_and_cards(bot: RunningBot) -> None:
    ana = await berliner(bot)
    for number in range(8):
        await log_quick(bot, ana, f"Company {number}", when=f"{10 + number}.11 10:00")
    shown = await say(bot, ana, "/interviews")
    assert "Your 8 interviews, newest first (page 1 of 2)" in shown
    labels = buttons(ana)
    assert labels[0].startswith("Company 7")
    assert "Older ▶" in labels
    shown = await press(bot, ana, "Older ▶")
    assert "page 2 of 2" in shown
    first = next(label for label in buttons(ana) if label.startswith("Company 1 "))
    shown = await press(bot, ana, first)
    assert "Company 1 · Role" in shown
    assert "When: Wednesday, November 11, 2026, 10:00\u202fAM" in shown
    shown = await press(bot, ana, "🏁 Outcome")
    assert "What happened with Company 1?" in shown
    shown = await press(bot, ana, "Not this time")
    assert "Status: Not this time" in shown
    shown = await press(bot, ana, "🗑 Delete")
    assert "This cannot be undone." in shown
    shown = await press(bot, ana, "Yes, delete it")
    assert "The interview at Company 1 is deleted." in shown
    assert len(await interviews_of(bot, ana)) == 7


async def test_no_one_opens_another_members_interview(bot: RunningBot) -> None:
    ana = await berliner(bot)
    await log_quick(bot, ana, "Secret Corp", "Spy")
    [interview] = await interviews_of(bot, ana)

    eve = await berliner(bot, "Eve")
    await say(bot, eve, "/interviews")
    own = eve.last_message
    for data in (
        f"iv:open:{interview.id}",
        f"iv:confirmdelete:{interview.id}",
        f"iv:edit:{interview.id}",
        f"iv:setoutcome:{interview.id}:offer",
    ):
        await forge_tap(bot, eve, own, data)
        answer = bot.fake.callback_answers[-1]
        assert answer.get("text") == "That interview no longer exists."
    assert "Secret Corp" not in "\n".join(m.plain for m in eve.messages)
    [still] = await interviews_of(bot, ana)
    assert still.outcome == "awaiting"


async def test_log_in_a_group_moves_to_private(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    club = bot.fake.add_group("Job club", members=[ana], admins=[ana])
    await say(bot, ana, "/log@afterview_test_bot", chat=club)
    reply = club.last_message
    assert "tap the button to log it in our private chat" in reply.plain
    url = reply.reply_markup["inline_keyboard"][0][0]["url"]
    payload = url.split("?start=", 1)[1]
    assert payload == f"log_{club.id}"
    await say(bot, ana, "/timezone Berlin")  # a newcomer is asked for a zone first
    shown = await say(bot, ana, f"/start {payload}")
    assert "Let's log your interview" in shown
    await say(bot, ana, "Club Co")
    await say(bot, ana, "Role")
    await press(bot, ana, "Today")
    await press(bot, ana, "Earlier today, time unknown")
    await press(bot, ana, "Phone")
    await press(bot, ana, "I don't have their names")
    await press(bot, ana, "Within a week")
    await press(bot, ana, "Not sure")
    await press(bot, ana, "✅ Save")
    [interview] = await interviews_of(bot, ana)
    assert interview.club_id == club.id
    assert "Club Co" not in "\n".join(m.plain for m in club.messages)


async def test_a_link_to_a_club_one_is_not_in_is_ignored(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    eve = bot.fake.add_user("Eve")
    club = bot.fake.add_group("Job club", members=[ana], admins=[ana])
    await say(bot, ana, "/log@afterview_test_bot", chat=club)
    await say(bot, eve, "/timezone Berlin")  # a newcomer is asked for a zone first
    await say(bot, eve, f"/start log_{club.id}")
    await say(bot, eve, "Eve Co")
    await say(bot, eve, "Role")
    await press(bot, eve, "Today")
    await press(bot, eve, "Earlier today, time unknown")
    await press(bot, eve, "Phone")
    await press(bot, eve, "I don't have their names")
    await press(bot, eve, "Within a week")
    await press(bot, eve, "Not sure")
    await press(bot, eve, "✅ Save")
    [interview] = await interviews_of(bot, eve)
    assert interview.club_id is None


async def test_a_long_silence_sets_the_draft_aside_politely(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await say(bot, ana, "/log")
    await say(bot, ana, "Slow Corp")
    # the silence is measured on the bot's clock, not the wall clock
    bot.clock.advance(timedelta(seconds=bot.runtime.settings.conversation_timeout_seconds + 60))
    await bot.sweep()
    assert "We did not finish logging the interview at Slow Corp" in ana.last_message.plain
    shown = await say(bot, ana, "Engineer")
    assert "not sure what to do with that" in shown


async def test_editing_from_the_card_and_outcomes_replan_the_tasks(bot: RunningBot) -> None:
    ana = await berliner(bot)
    await log_quick(bot, ana, "Initech", "Tester", feeling="Good chance")
    kinds = sorted(t.kind for t in await tasks_of(bot, ana) if t.state == "pending")
    assert kinds == ["check_in", "keep_applying", "no_answer", "references", "thank_you"]

    shown = await press(bot, ana, "➕ Interviewer")
    assert "Who interviewed you?" in shown
    await say(bot, ana, "Bill Lumbergh")
    await say(bot, ana, "Division VP")
    await press(bot, ana, "Skip")
    await press(bot, ana, "✅ That's everyone")
    shown = await press(bot, ana, "✅ Save")
    assert "Bill Lumbergh, Division VP" in shown
    [interview] = await interviews_of(bot, ana)
    tasks = await tasks_of(bot, ana)
    thank_yous = [t for t in tasks if t.kind == "thank_you"]
    assert {(t.interviewer_id, t.state) for t in thank_yous} == {
        (None, "cancelled"),
        (interview.interviewers[0].id, "pending"),
    }

    await press(bot, ana, "✏️ Edit")
    await press(bot, ana, "Role")
    shown = await say(bot, ana, "Senior Tester")
    assert "Initech · Senior Tester" in shown
    await press(bot, ana, "✅ Save")
    [interview] = await interviews_of(bot, ana)
    assert interview.role == "Senior Tester"
    assert [p.name for p in interview.interviewers] == ["Bill Lumbergh"]

    await press(bot, ana, "🏁 Outcome")
    shown = await press(bot, ana, "Offer")
    assert "Status: Offer" in shown
    states = {(t.kind, t.interviewer_id): t.state for t in await tasks_of(bot, ana)}
    assert states[("check_in", None)] == "cancelled"
    assert states[("references", None)] == "cancelled"
    assert states[("thank_references", None)] == "pending"
    # an offer withdraws the thank-you that looked forward to hearing back
    assert states[("thank_you", interview.interviewers[0].id)] == "cancelled"
    assert states[("keep_applying", None)] == "cancelled"


async def test_the_log_button_mid_conversation_brings_back_the_question(bot: RunningBot) -> None:
    ana = await berliner(bot)
    await say(bot, ana, "/log")
    await say(bot, ana, "Vandelay")
    shown = await press(bot, ana, "📝 Log an interview")
    assert "We are in the middle of logging an interview" in shown
    assert "What is the role?" in shown


async def test_a_name_and_title_on_one_line_can_be_split_at_the_comma(bot: RunningBot) -> None:
    ana = await berliner(bot)
    await say(bot, ana, "/log")
    await say(bot, ana, "Acme")
    await say(bot, ana, "Analyst")
    await say(bot, ana, "yesterday 10:00")
    await press(bot, ana, "Video")
    shown = await say(bot, ana, "Zoë O'Brien-Núñez, Head of Data")
    assert "Is “Zoë O'Brien-Núñez, Head of Data” a name and a job title?" in shown
    assert "'s job title" not in shown
    assert {"Name: Zoë O'Brien-Núñez · Title: Head of Data", "No, keep it as typed"} <= set(
        buttons(ana)
    )
    shown = await press(bot, ana, "Name: Zoë O'Brien-Núñez · Title: Head of Data")
    assert "An email or phone number for Zoë O'Brien-Núñez?" in shown
    shown = await press(bot, ana, "Skip")
    assert "1. Zoë O'Brien-Núñez, Head of Data" in shown

    # kept as typed, the title is asked without a possessive made from the name
    await press(bot, ana, "➕ Add another")
    await say(bot, ana, "Smith, John")
    shown = await press(bot, ana, "No, keep it as typed")
    assert "Smith, John: what is their job title?" in shown
    await say(bot, ana, "Recruiter")
    await press(bot, ana, "Skip")

    # typing instead of tapping keeps the name as typed and gives the job title
    await press(bot, ana, "➕ Add another")
    await say(bot, ana, "李雷，技术总监")
    assert "Name: 李雷 · Title: 技术总监" in buttons(ana)
    shown = await say(bot, ana, "CTO")
    assert "An email or phone number for 李雷，技术总监?" in shown
    await press(bot, ana, "Skip")

    # with no comma, no question
    await press(bot, ana, "➕ Add another")
    shown = await say(bot, ana, "Bartholomew Fitzgerald-Montgomery")
    assert "Bartholomew Fitzgerald-Montgomery: what is their job title?" in shown
    await press(bot, ana, "I don't know")
    shown = await press(bot, ana, "Skip")
    # the remove button shortens a long name at a word, not inside one
    assert "✖ Remove Bartholomew…" in buttons(ana)
    assert not any("Fitzgerald-Mo" in label for label in buttons(ana))

    await press(bot, ana, "✅ That's everyone")
    await press(bot, ana, "Within a week")
    await press(bot, ana, "Not sure")
    await press(bot, ana, "✅ Save")
    [interview] = await interviews_of(bot, ana)
    assert [(p.name, p.title) for p in interview.interviewers] == [
        ("Zoë O'Brien-Núñez", "Head of Data"),
        ("Smith, John", "Recruiter"),
        ("李雷，技术总监", "CTO"),
        ("Bartholomew Fitzgerald-Montgomery", ""),
    ]


async def test_text_with_no_visible_letter_is_refused(bot: RunningBot) -> None:
    ana = await berliner(bot)
    await say(bot, ana, "/log")
    refusal = "I can't see a single letter or digit in that. Please type your answer in words."
    for invisible in ("\u200b", "\u200b\u200d\u2060", "—", "🙂 …"):
        shown = await say(bot, ana, invisible)
        assert refusal in shown
        assert "Which company" in shown
    await say(bot, ana, "\u200bAcme\u200b")
    shown = await say(bot, ana, "\u200b")
    assert refusal in shown
    assert "What is the role?" in shown
    await say(bot, ana, "Analyst")
    await say(bot, ana, "yesterday 10:00")
    await press(bot, ana, "Video")
    shown = await say(bot, ana, "\u200b")
    assert refusal in shown
    assert "Send the first interviewer's name" in shown
    await say(bot, ana, "Pat")
    shown = await say(bot, ana, "— —")
    assert refusal in shown
    assert "what is their job title?" in shown
    await say(bot, ana, "CTO")
    await press(bot, ana, "Skip")
    shown = await say(bot, ana, "\u200b")
    assert refusal in shown
    assert "1. Pat, CTO" in shown
    await press(bot, ana, "✅ That's everyone")
    await press(bot, ana, "Within a week")
    await press(bot, ana, "Not sure")
    await press(bot, ana, "✅ Save")
    [interview] = await interviews_of(bot, ana)
    assert (interview.company, interview.role) == ("Acme", "Analyst")
    assert [(p.name, p.title) for p in interview.interviewers] == [("Pat", "CTO")]
