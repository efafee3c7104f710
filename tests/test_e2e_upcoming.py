"""End to end: an interview logged ahead is asked about in the future tense, and after it the
bot asks how it went, who was there and when they will answer, and only then plans."""

from __future__ import annotations

from datetime import date, datetime

from fakeapi.running import RunningBot
from tests.flows import buttons, forge_tap, press, say
from tests.test_e2e_log import berliner, interviews_of, tasks_of

# the clock starts on Monday 23 November 2026 at 09:00 UTC (10:00 in Berlin)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text + "+00:00")


async def test_ahead_in_the_future_tense_then_asked_how_it_went(bot: RunningBot) -> None:
    ana = await berliner(bot)
    await say(bot, ana, "/log")
    await say(bot, ana, "Hooli")
    await say(bot, ana, "Designer")
    shown = await say(bot, ana, "next Tuesday at 14:00")
    assert "Got it: Tuesday, November 24, 2026, 2:00\u202fPM (tomorrow)." in shown
    assert "How will it be held?" in shown
    assert "How was it held?" not in shown
    shown = await press(bot, ana, "Video")
    assert "Who will interview you, if you know?" in shown
    assert "Who interviewed you?" not in shown
    assert "I don't know yet" in buttons(ana)
    await say(bot, ana, "Pat Lee")
    await press(bot, ana, "I don't know")
    await press(bot, ana, "Skip")
    shown = await press(bot, ana, "✅ That's everyone")
    # neither how it went nor when they will answer is asked before it happened
    assert "hear back" not in shown
    assert "How do you feel" not in shown
    assert "Here is the interview. Save it?" in shown
    assert "How it went" not in shown
    assert "Answer expected" not in shown
    assert "After the interview, I'll ask how it went" in shown
    await press(bot, ana, "✏️ Edit")
    assert not {"Answer expected", "How it went"} & set(buttons(ana))
    assert "Interviewers" in buttons(ana)
    await press(bot, ana, "⬅ Back to the summary")
    shown = await press(bot, ana, "✅ Save")
    assert "Status: Upcoming" in shown
    assert "After the interview, I'll ask how it went" in shown

    [interview] = await interviews_of(bot, ana)
    assert (interview.feeling, interview.response_timeframe) == ("", "")
    assert interview.response_by is None
    kinds = {t.kind for t in await tasks_of(bot, ana) if t.state == "pending"}
    assert {"before_you_leave", "debrief"} <= kinds
    # nothing that hangs on how it went is planned before it is told
    assert not {"thank_you", "check_in", "references"} & kinds

    bot.clock.set(at("2026-11-24T08:00:00"))
    assert await bot.sweep() == 1
    assert "Interview at Hooli today at 2:00\u202fPM." in ana.last_message.plain
    # during the interview (13:00 to about 14:00 UTC) nothing is asked
    bot.clock.set(at("2026-11-24T14:00:00"))
    assert await bot.sweep() == 0
    # shortly after its end, at 15:30 in Berlin
    bot.clock.set(at("2026-11-24T14:30:00"))
    assert await bot.sweep() == 1
    nudge = ana.last_message.plain
    assert "Your interview at Hooli for the Designer role is over: how did it go?" in nudge
    assert "📝 Tell me how it went" in buttons(ana)
    assert "✅ Done" not in buttons(ana)

    shown = await press(bot, ana, "📝 Tell me how it went")
    assert "three short questions" in shown
    assert "How do you feel it went?" in shown
    assert "⬅ Back" not in buttons(ana)
    shown = await press(bot, ana, "Good chance")
    assert "Who was there?" in shown
    assert "1. Pat Lee" in shown
    await press(bot, ana, "➕ Add another")
    await say(bot, ana, "Sam Roe")
    await press(bot, ana, "I don't know")
    await press(bot, ana, "Skip")
    shown = await press(bot, ana, "✅ That's everyone")
    assert "When did they say you would hear back?" in shown
    shown = await press(bot, ana, "Within a week")
    assert "Here is the interview. Save it?" in shown
    assert "How it went: Good chance" in shown
    shown = await press(bot, ana, "✅ Save")
    assert "I have planned what comes next" in shown
    assert "Status: Waiting for an answer" in shown

    [interview] = await interviews_of(bot, ana)
    assert interview.feeling == "good"
    assert (interview.response_timeframe, interview.response_by) == ("week", date(2026, 12, 1))
    assert [p.name for p in interview.interviewers] == ["Pat Lee", "Sam Roe"]
    tasks = await tasks_of(bot, ana)
    [debrief] = [t for t in tasks if t.kind == "debrief"]
    assert (debrief.state, debrief.done_via) == ("done", "answered")
    open_kinds = sorted(t.kind for t in tasks if t.state == "pending" and t.kind != "keep_applying")
    assert open_kinds == ["check_in", "no_answer", "references", "thank_you", "thank_you"]
    thank_yous = {t.interviewer_id for t in tasks if t.kind == "thank_you"}
    assert thank_yous == {p.id for p in interview.interviewers}

    # the nudge's button, tapped again, does not ask a second time
    before = len(ana.messages)
    await press(bot, ana, "📝 Tell me how it went")
    assert "already told me" in (bot.fake.callback_answers[-1].get("text") or "")
    assert len(ana.messages) == before


async def test_a_day_without_a_time_is_asked_about_in_the_evening(bot: RunningBot) -> None:
    ana = await berliner(bot)
    await say(bot, ana, "/log")
    await say(bot, ana, "Globex")
    await say(bot, ana, "Analyst")
    await say(bot, ana, "26.11")
    await press(bot, ana, "Phone")
    shown = await press(bot, ana, "I don't know yet")
    assert "I'll ask after the interview" in shown
    assert "Here is the interview. Save it?" in shown
    await press(bot, ana, "✅ Save")
    # from the card, too, the people are asked about in the future tense
    shown = await press(bot, ana, "➕ Interviewer")
    assert "Who will interview you, if you know?" in shown
    await press(bot, ana, "I don't know yet")
    shown = await press(bot, ana, "✅ Save")
    assert "Status: Upcoming" in shown

    # Thursday, after the interview's day has begun: the card says nothing is told yet
    bot.clock.set(at("2026-11-26T15:00:00"))
    shown = await say(bot, ana, "/interviews")
    shown = await press(bot, ana, next(b for b in buttons(ana) if b.startswith("Globex")))
    assert "How it went: not told yet" in shown
    assert "Your chances" not in shown
    # 18:00 in Berlin that evening, not at the stored noon
    bot.clock.set(at("2026-11-26T16:59:00"))
    await bot.sweep()
    assert "how did it go?" not in ana.last_message.plain
    bot.clock.set(at("2026-11-26T17:00:00"))
    assert await bot.sweep() == 1
    assert "Your interview at Globex for the Analyst role is over" in ana.last_message.plain
    await press(bot, ana, "📝 Tell me how it went")
    shown = await say(bot, ana, "/cancel")
    assert "The interview stays as it was" in shown
    [interview] = await interviews_of(bot, ana)
    assert interview.feeling == ""
    await press(bot, ana, "📝 Tell me how it went")
    await press(bot, ana, "Not sure")
    # no names yet: asked in the past tense now
    shown = ana.last_message.plain
    assert "Who interviewed you?" in shown
    shown = await press(bot, ana, "⬅ Back")
    assert "How do you feel it went?" in shown
    await press(bot, ana, "Unlikely")
    await press(bot, ana, "I don't have their names")
    await press(bot, ana, "They didn't say")
    await press(bot, ana, "✅ Save")
    [interview] = await interviews_of(bot, ana)
    assert (interview.feeling, interview.response_timeframe) == ("unlikely", "unknown")
    kinds = sorted(t.kind for t in await tasks_of(bot, ana) if t.state == "pending")
    assert "thank_you" in kinds and "check_in" in kinds


async def test_the_debrief_is_only_for_its_owner_and_only_after_the_interview(
    bot: RunningBot,
) -> None:
    ana = await berliner(bot)
    await say(bot, ana, "/log")
    await say(bot, ana, "Initech")
    await say(bot, ana, "Tester")
    await say(bot, ana, "30.11 10:00")
    await press(bot, ana, "Phone")
    await press(bot, ana, "I don't know yet")
    await press(bot, ana, "✅ Save")
    [interview] = await interviews_of(bot, ana)
    card = ana.last_message
    await forge_tap(bot, ana, card, f"iv:debrief:{interview.id}")
    assert "still to come" in (bot.fake.callback_answers[-1].get("text") or "")
    eve = await berliner(bot, "Eve")
    await say(bot, eve, "/interviews")
    await forge_tap(bot, eve, eve.last_message, f"iv:debrief:{interview.id}")
    assert bot.fake.callback_answers[-1].get("text") == "That interview no longer exists."
    [still] = await interviews_of(bot, ana)
    assert still.feeling == ""
