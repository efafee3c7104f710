"""The export files parse back, with icalendar, vobject and csv, to the data they came from."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import vobject
from icalendar import Calendar

from bot.export import ExportWords, applications_csv, neutralise, split_name, to_calendar, to_vcards
from bot.i18n import Translator

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
HOSTILE = [
    'Acme, "Labs"; Inc.',
    "line one\nline two",
    "<b>bold</b> & <script>x</script>",
    "Zoë Ñúñez-Ørsted 🎉👩‍💻",
    "back\\slash: colon; semi, comma",
    "Ж" * 100,
    '=HYPERLINK("http://evil")',
]


def _words(tz: Any = BERLIN) -> ExportWords:
    return ExportWords(
        tr=Translator("en", tz),
        interview="Interview: {company} — {role}",
        tasks={"thank_you": "Thank-you due: {company}"},
        interviewer_note="Interviewed you for {role} at {company} on {day}.",
        reference_with_relation="One of your references ({relation}).",
        reference="One of your references.",
        columns=("Company", "Role", "Applied on"),
    )


def _record(text: str) -> dict[str, Any]:
    return {
        "user": {"id": 4242},
        "interviews": [
            {
                "id": 1,
                "company": text,
                "role": text,
                "scheduled_at": "2026-11-22T14:00:00+00:00",
                "time_known": True,
                "interviewers": [
                    {"id": 11, "name": text, "title": text, "contact": "maria@acme.test"},
                    {"id": 12, "name": "Li", "title": "", "contact": "+49 30 123456"},
                ],
            },
            {
                "id": 2,
                "company": "Day Only",
                "role": "QA",
                # noon in Auckland is the evening before in UTC
                "scheduled_at": "2026-11-29T23:00:00+00:00",
                "time_known": False,
                "interviewers": [],
            },
        ],
        "tasks": [
            {
                "id": 5,
                "kind": "thank_you",
                "interview_id": 1,
                "state": "pending",
                "due_at": "2026-11-24T23:00:00+00:00",
            },
            {
                "id": 6,
                "kind": "thank_you",
                "interview_id": 1,
                "state": "done",
                "due_at": "2026-11-24T23:00:00+00:00",
            },
        ],
        "applications": [
            {"id": 1, "company": text, "role": text, "applied_at": "2026-11-20T23:30:00+00:00"}
        ],
        "references": [
            {
                "id": 3,
                "name": text,
                "relation": text,
                "contact": "https://example.test/olga",
                "note": text,
            },
            {"id": 4, "name": "Bo", "relation": "", "contact": "@bo_handle", "note": ""},
        ],
    }


@pytest.mark.parametrize("text", HOSTILE)
def test_calendar_parses_back_with_zones_stamps_and_uids(text: str) -> None:
    data = to_calendar(_record(text), _words(), NOW)
    calendar = Calendar.from_ical(data)
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    assert len(events) == 3  # the done task is not a deadline any more
    interview = next(e for e in events.values() if "Interview:" in str(e["summary"]))
    assert str(interview["summary"]) == f"Interview: {text} — {text}"
    start = interview.decoded("dtstart")
    assert start == datetime(2026, 11, 22, 15, 0, tzinfo=BERLIN)
    assert start.tzinfo is not None and str(start.tzinfo) == "Europe/Berlin"
    assert interview.decoded("dtend") - start == timedelta(hours=1)
    assert interview.decoded("dtstamp") == NOW
    assert str(interview["description"]) == f"{text} ({text})\nLi"
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    # no personal text leaks into an id
    assert all("acme" not in uid.lower() and text not in uid for uid in events)
    deadline = next(e for e in events.values() if "Thank-you" in str(e["summary"]))
    # due at midnight Berlin on the 25th: the last day is the 24th
    assert deadline.decoded("dtstart") == date(2026, 11, 24)
    assert deadline.decoded("dtstamp") == NOW


def test_same_items_keep_their_uids_across_exports_and_users_do_not_share_them() -> None:
    first = Calendar.from_ical(to_calendar(_record("A"), _words(), NOW))
    again = Calendar.from_ical(to_calendar(_record("B"), _words(), NOW + timedelta(days=3)))
    other_user = _record("A")
    other_user["user"]["id"] = 5151
    other = Calendar.from_ical(to_calendar(other_user, _words(), NOW))
    uids = [sorted(str(e["uid"]) for e in c.walk("VEVENT")) for c in (first, again, other)]
    assert uids[0] == uids[1]
    assert not set(uids[0]) & set(uids[2])
    stamps = {e.decoded("dtstamp") for e in again.walk("VEVENT")}
    assert stamps == {NOW + timedelta(days=3)}


def test_a_day_without_a_time_is_the_users_day_and_fixed_offsets_are_written_in_utc() -> None:
    auckland = Calendar.from_ical(
        to_calendar(_record("x"), _words(ZoneInfo("Pacific/Auckland")), NOW)
    )
    day_only = next(e for e in auckland.walk("VEVENT") if "Day Only" in str(e["summary"]))
    assert day_only.decoded("dtstart") == date(2026, 11, 30)
    assert day_only.decoded("dtend") == date(2026, 12, 1)
    fixed = Calendar.from_ical(
        to_calendar(_record("x"), _words(timezone(timedelta(hours=5, minutes=30))), NOW)
    )
    interview = next(e for e in fixed.walk("VEVENT") if "Interview: x" in str(e["summary"]))
    assert interview.decoded("dtstart") == datetime(2026, 11, 22, 14, 0, tzinfo=UTC)
    assert b"DTSTART:20261122T140000Z" in fixed.to_ical()
    assert not fixed.walk("VTIMEZONE")


@pytest.mark.parametrize("text", HOSTILE)
def test_interviewer_cards_parse_back_with_every_field(text: str) -> None:
    data = to_vcards(_record(text), _words())
    assert all(len(line.encode()) <= 75 for line in data.decode().split("\r\n"))
    cards = list(vobject.readComponents(data.decode()))
    assert len(cards) == 2
    maria, li = cards
    assert maria.fn.value == text
    assert maria.org.value == [text]
    assert maria.title.value == text
    assert maria.email.value == "maria@acme.test"
    assert maria.email.type_param == "INTERNET"
    assert maria.note.value == f"Interviewed you for {text} at {text} on Sunday, November 22, 2026."
    family, given = split_name(text)
    assert (maria.n.value.family, maria.n.value.given) == (family, given)
    assert li.tel.value == "+49 30 123456"
    assert (li.n.value.family, li.n.value.given) == ("", "Li")
    assert not hasattr(li, "title")


@pytest.mark.parametrize("text", HOSTILE)
def test_reference_cards_carry_relation_contact_and_note(text: str) -> None:
    data = to_vcards(_record(text), _words(), references=True)
    olga, bo = list(vobject.readComponents(data.decode()))
    assert olga.fn.value == text
    assert olga.url.value == "https://example.test/olga"
    assert olga.note.value == f"One of your references ({text}).\n{text}"
    # a contact that is neither an email, a phone nor a link stays in the note
    assert bo.note.value == "One of your references.\n@bo_handle"
    assert olga.uid.value != bo.uid.value


def test_split_name() -> None:
    assert split_name("Maria López") == ("López", "Maria")
    assert split_name("Maria, López") == ("López", "Maria")
    assert split_name("Ana María García Márquez") == ("Márquez", "Ana María García")
    assert split_name("Prince") == ("", "Prince")


@pytest.mark.parametrize("text", HOSTILE)
def test_applications_csv_parses_back(text: str) -> None:
    data = applications_csv(_record(text), _words())
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["Company", "Role", "Applied on"]
    # 23:30 UTC on the 20th is half past midnight on the 21st in Berlin
    assert rows[1] == [neutralise(text), neutralise(text), "2026-11-21 00:30"]
    assert len(rows) == 2


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+49 30 1234", "'+49 30 1234"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=x", "'\t=x"),
        ("Acme = great", "Acme = great"),
        ("", ""),
    ],
)
def test_neutralise(cell: str, shown: str) -> None:
    assert neutralise(cell) == shown
