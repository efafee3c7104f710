"""End to end: exporting everything and deleting everything."""

from __future__ import annotations

import json

from icalendar import Calendar
from sqlalchemy import func, select

from bot.db.models import Interview, Interviewer, Task, User
from bot.fakeapi.running import RunningBot
from tests.flows import press, say


async def _log_with_a_person(bot: RunningBot, user: object) -> None:
    from bot.fakeapi.server import FakeUser

    assert isinstance(user, FakeUser)
    await say(bot, user, "/timezone Berlin")
    await say(bot, user, "/log")
    await say(bot, user, "Acme; Labs")
    await say(bot, user, "Engineer")
    await say(bot, user, "yesterday 15:00")
    await press(bot, user, "Video")
    await say(bot, user, "Maria, López")
    await say(bot, user, "CTO")
    await say(bot, user, "maria@acme.test")
    await press(bot, user, "✅ That's everyone")
    await press(bot, user, "Within a week")
    await press(bot, user, "Good chance")
    await press(bot, user, "✅ Save")


async def test_export_sends_json_calendar_and_cards(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await _log_with_a_person(bot, ana)
    await say(bot, ana, "/export")
    documents = {m.document[1]: m for m in ana.messages if m.document is not None}
    assert set(documents) == {"afterview.json", "afterview.ics", "interviewers.vcf"}

    record = json.loads(documents["afterview.json"].document[0])
    assert record["user"]["timezone"] == "Europe/Berlin"
    [interview] = record["interviews"]
    assert interview["company"] == "Acme; Labs"
    assert interview["scheduled_at"] == "2026-11-22T14:00:00+00:00"
    assert interview["interviewers"][0]["contact"] == "maria@acme.test"
    assert {t["kind"] for t in record["tasks"]} >= {"thank_you", "check_in", "references"}

    calendar = Calendar.from_ical(documents["afterview.ics"].document[0])
    summaries = [str(event["summary"]) for event in calendar.walk("VEVENT")]
    assert "Interview: Acme; Labs — Engineer" in summaries
    assert "Thank-you due: Acme; Labs" in summaries

    cards = documents["interviewers.vcf"].document[0].decode()
    assert "FN:Maria\\, López" in cards
    assert "ORG:Acme\\; Labs" in cards
    assert "EMAIL;TYPE=INTERNET:maria@acme.test" in cards
    assert "TITLE:CTO" in cards


async def test_delete_removes_everything_after_a_confirmation(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    eve = bot.fake.add_user("Eve")
    await _log_with_a_person(bot, ana)
    await _log_with_a_person(bot, eve)
    shown = await say(bot, ana, "/delete")
    assert "for good" in shown
    shown = await press(bot, ana, "No, keep it")
    assert "Nothing was deleted." in shown
    await say(bot, ana, "/delete")
    shown = await press(bot, ana, "Yes, delete everything")
    assert "everything I kept about you is deleted" in shown
    async with bot.runtime.session() as session:
        for model in (User, Interview, Task):
            owner = model.id if model is User else model.user_id
            assert (
                await session.scalar(select(func.count()).select_from(model).where(owner == ana.id))
                == 0
            )
        assert await session.scalar(select(func.count()).select_from(Interviewer)) == 1
        # Eve's data is untouched
        assert (
            await session.scalar(
                select(func.count()).select_from(Interview).where(Interview.user_id == eve.id)
            )
            == 1
        )
    shown = await say(bot, ana, "/start")
    assert "Which time zone are you in?" in shown
