"""The calendar file: interviews as events and open deadlines as all-day events."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from bot.export.ids import stable_uid
from bot.export.words import ExportWords

PRODUCT_ID = "-//Afterview//Interview coach//EN"
INTERVIEW_LENGTH = timedelta(hours=1)
OPEN_STATES = ("pending", "sent", "snoozed")


def _event_zone(tz: tzinfo) -> tzinfo:
    """The user's IANA zone, written with a VTIMEZONE; anything else (a fixed offset) as UTC,
    which every calendar app reads the same way."""
    if isinstance(tz, ZoneInfo) and tz.key not in ("UTC", "Etc/UTC"):
        return tz
    return UTC


def to_calendar(record: dict[str, Any], words: ExportWords, now: datetime) -> bytes:
    """Interviews at their time in the user's zone (or as all-day events when only the day is
    known) and each open task's last day as an all-day event; DTSTAMP is the export's time."""
    user_id = int(record["user"]["id"])
    zone = _event_zone(words.tr.tz)
    stamp = now.astimezone(UTC)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    days: list[date] = []
    interviews = {i["id"]: i for i in record["interviews"]}
    for interview in record["interviews"]:
        start = datetime.fromisoformat(interview["scheduled_at"]).astimezone(zone)
        days.append(start.date())
        event = Event()
        event.add("uid", stable_uid(user_id, "interview", interview["id"]))
        event.add("dtstamp", stamp)
        event.add(
            "summary",
            words.interview.format(company=interview["company"], role=interview["role"]),
        )
        if interview["time_known"]:
            event.add("dtstart", start)
            event.add("dtend", start + INTERVIEW_LENGTH)
        else:
            # the day as the user meant it, in their zone, not the UTC day of a stored noon
            local_day = datetime.fromisoformat(interview["scheduled_at"]).astimezone(words.tr.tz)
            event.add("dtstart", local_day.date())
            event.add("dtend", local_day.date() + timedelta(days=1))
        people = [
            f"{p['name']} ({p['title']})" if p["title"] else p["name"]
            for p in interview["interviewers"]
        ]
        if people:
            event.add("description", "\n".join(people))
        calendar.add_component(event)
    for task in record["tasks"]:
        if task["state"] not in OPEN_STATES:
            continue
        interview = interviews.get(task["interview_id"])
        if interview is None:
            continue
        # a task due at midnight is due by the end of the day before, in the user's zone
        due = datetime.fromisoformat(task["due_at"]).astimezone(words.tr.tz)
        last_day = (due - timedelta(seconds=1)).date()
        days.append(last_day)
        event = Event()
        event.add("uid", stable_uid(user_id, "task", task["id"]))
        event.add("dtstamp", stamp)
        person_id = task.get("interviewer_id")
        person = next(
            (
                p
                for p in interview["interviewers"]
                if person_id is not None and p.get("id") == person_id
            ),
            None,
        )
        if task["kind"] == "thank_you" and person is not None:
            # one event per interviewer: each says whom to thank
            summary = words.thank_you_to.format(name=person["name"], company=interview["company"])
        else:
            summary = words.tasks.get(task["kind"], "{company}").format(
                company=interview["company"], role=interview["role"]
            )
        event.add("summary", summary)
        event.add("dtstart", last_day)
        event.add("dtend", last_day + timedelta(days=1))
        # a deadline does not make the user busy that day
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    if days:
        calendar.add_missing_timezones(
            first_date=min(days) - timedelta(days=366), last_date=max(days) + timedelta(days=366)
        )
    return bytes(calendar.to_ical())
