"""End to end: exporting everything and deleting everything."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import vobject
from icalendar import Calendar
from sqlalchemy import func, select

from bot.db.models import Interview, Interviewer, Reference, Task, User
from fakeapi.running import RunningBot
from tests.flows import press, say


async def _log_with_a_person(bot: RunningBot, user: object) -> None:
    from fakeapi import FakeUser

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
    # one thank-you event per interviewer, each naming whom to thank
    assert "Thank-you to Maria, López due: Acme; Labs" in summaries

    cards = documents["interviewers.vcf"].document[0].decode()
    assert "FN:Maria\\, López" in cards
    assert "ORG:Acme\\; Labs" in cards
    assert "EMAIL;TYPE=INTERNET:maria@acme.test" in cards
    assert "TITLE:CTO" in cards


async def test_export_files_parse_back_to_what_was_typed(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await _log_with_a_person(bot, ana)
    hostile = '=cmd("x") <b>Müller</b> & Söhne 🎉'
    await say(bot, ana, f"/applied {hostile} — Data; Engineer")
    await say(bot, ana, "/applied +Plus GmbH — @lead")
    long_name = "Ѯ" * 100
    async with bot.runtime.session() as session, session.begin():
        session.add_all(
            [
                Reference(
                    user_id=ana.id,
                    name=long_name,
                    relation='former boss, "Acme"; Berlin',
                    contact="+49 30 1234567",
                    note="call after 5pm\n<i>not</i> Mondays",
                    created_at=bot.clock.now(),
                ),
                Reference(
                    user_id=ana.id, name="Olga", contact="olga@x.test", created_at=bot.clock.now()
                ),
            ]
        )
    exported_at = bot.clock.now()
    await say(bot, ana, "/export")
    documents = {m.document[1]: m.document[0] for m in ana.messages if m.document is not None}
    assert set(documents) == {
        "afterview.json",
        "afterview.ics",
        "interviewers.vcf",
        "references.vcf",
        "applications.csv",
    }
    record = json.loads(documents["afterview.json"])

    calendar = Calendar.from_ical(documents["afterview.ics"])
    [interview] = [e for e in calendar.walk("VEVENT") if str(e["summary"]).startswith("Interview")]
    assert interview.decoded("dtstart") == datetime(
        2026, 11, 22, 15, 0, tzinfo=ZoneInfo("Europe/Berlin")
    )
    assert abs((interview.decoded("dtstamp") - exported_at).total_seconds()) < 60
    assert [str(z["tzid"]) for z in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    # exporting again gives the same items the same UIDs
    await say(bot, ana, "/export")
    again = [m.document[0] for m in ana.messages if m.document and m.document[1] == "afterview.ics"]
    uids = [sorted(str(e["uid"]) for e in Calendar.from_ical(c).walk("VEVENT")) for c in again]
    assert uids[0] == uids[1]

    [olga_card, long_card] = sorted(
        vobject.readComponents(documents["references.vcf"].decode()), key=lambda c: len(c.fn.value)
    )
    assert long_card.fn.value == long_name
    assert long_card.tel.value == "+49 30 1234567"
    assert long_card.note.value == (
        'One of your references (former boss, "Acme"; Berlin).\ncall after 5pm\n<i>not</i> Mondays'
    )
    assert olga_card.email.value == "olga@x.test"
    assert [r["name"] for r in record["references"]] == [long_name, "Olga"]

    rows = list(csv.reader(io.StringIO(documents["applications.csv"].decode("utf-8-sig"))))
    assert documents["applications.csv"].startswith(b"\xef\xbb\xbf")
    assert rows[0] == ["Company", "Role", "Applied on"]
    assert rows[1][:2] == ["'" + hostile, "Data; Engineer"]
    assert rows[2][:2] == ["'+Plus GmbH", "'@lead"]
    stored = datetime.fromisoformat(record["applications"][0]["applied_at"])
    assert rows[1][2] == stored.astimezone(ZoneInfo("Europe/Berlin")).strftime("%Y-%m-%d %H:%M")


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
