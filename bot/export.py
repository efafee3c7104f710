"""Everything a user has told the bot, as JSON, a calendar file and contact cards."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.db.models import Application, ClubMember, Interview, Reference, Task, User

PRODUCT_ID = "-//Afterview//Interview coach//EN"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


async def collect(session: AsyncSession, user: User) -> dict[str, Any]:
    """The user's whole record, machine-readable, times in UTC (ISO 8601)."""
    interviews = (
        await session.scalars(
            select(Interview)
            .where(Interview.user_id == user.id)
            .options(selectinload(Interview.interviewers))
            .order_by(Interview.scheduled_at)
        )
    ).all()
    tasks = (
        await session.scalars(select(Task).where(Task.user_id == user.id).order_by(Task.id))
    ).all()
    applications = (
        await session.scalars(
            select(Application).where(Application.user_id == user.id).order_by(Application.id)
        )
    ).all()
    references = (
        await session.scalars(select(Reference).where(Reference.user_id == user.id))
    ).all()
    clubs = (
        await session.scalars(select(ClubMember.club_id).where(ClubMember.user_id == user.id))
    ).all()
    return {
        "format": "afterview-export-1",
        "user": {
            "id": user.id,
            "first_name": user.first_name,
            "language": user.language,
            "telegram_language": user.telegram_language,
            "timezone": user.timezone,
            "country": user.country,
            "nudge_hour": user.nudge_hour,
            "quiet_hour": user.quiet_hour,
            "keep_applying_days": user.keep_applying_days,
            "paused": user.paused,
            "created_at": _iso(user.created_at),
        },
        "interviews": [
            {
                "id": i.id,
                "company": i.company,
                "role": i.role,
                "scheduled_at": _iso(i.scheduled_at),
                "time_known": i.time_known,
                "format": i.format,
                "response_timeframe": i.response_timeframe,
                "response_by": i.response_by.isoformat() if i.response_by else None,
                "feeling": i.feeling,
                "outcome": i.outcome,
                "outcome_at": _iso(i.outcome_at),
                "interviewers": [
                    {"id": p.id, "name": p.name, "title": p.title, "contact": p.contact}
                    for p in i.interviewers
                ],
            }
            for i in interviews
        ],
        "tasks": [
            {
                "id": t.id,
                "kind": t.kind,
                "interview_id": t.interview_id,
                "interviewer_id": t.interviewer_id,
                "state": t.state,
                "due_at": _iso(t.due_at),
                "next_nudge_at": _iso(t.next_nudge_at),
                "done_at": _iso(t.done_at),
                "done_via": t.done_via,
            }
            for t in tasks
        ],
        "applications": [
            {"company": a.company, "role": a.role, "applied_at": _iso(a.applied_at)}
            for a in applications
        ],
        "references": [
            {"name": r.name, "relation": r.relation, "contact": r.contact} for r in references
        ],
        "clubs": list(clubs),
    }


def to_json(record: dict[str, Any]) -> bytes:
    return json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8")


def to_calendar(record: dict[str, Any], titles: dict[str, str]) -> bytes:
    """Interviews as events and open tasks' deadlines as all-day events, in UTC."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    for interview in record["interviews"]:
        event = Event()
        event.add("uid", f"interview-{interview['id']}@afterview")
        event.add(
            "summary",
            titles["interview"].format(company=interview["company"], role=interview["role"]),
        )
        start = datetime.fromisoformat(interview["scheduled_at"])
        if interview["time_known"]:
            event.add("dtstart", start)
            event.add("dtend", start + timedelta(hours=1))
        else:
            event.add("dtstart", start.date())
        people = ", ".join(p["name"] for p in interview["interviewers"])
        if people:
            event.add("description", people)
        event.add("dtstamp", start)
        calendar.add_component(event)
    interviews = {i["id"]: i for i in record["interviews"]}
    for task in record["tasks"]:
        if task["state"] not in ("pending", "sent", "snoozed"):
            continue
        interview = interviews.get(task["interview_id"])
        if interview is None:
            continue
        due = datetime.fromisoformat(task["due_at"]) - timedelta(seconds=1)
        event = Event()
        event.add("uid", f"task-{task['id']}@afterview")
        event.add(
            "summary",
            titles.get(task["kind"], task["kind"]).format(
                company=interview["company"], role=interview["role"]
            ),
        )
        event.add("dtstart", due.date())
        event.add("dtstamp", due)
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def _vcard_text(value: str) -> str:
    # RFC 6350 escaping for text values
    return value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")


def to_vcards(record: dict[str, Any]) -> bytes:
    """One contact card per interviewer, with their title, company and contact if known."""
    cards = []
    for interview in record["interviews"]:
        for person in interview["interviewers"]:
            lines = [
                "BEGIN:VCARD",
                "VERSION:3.0",
                f"FN:{_vcard_text(person['name'])}",
                f"N:{_vcard_text(person['name'])};;;;",
                f"ORG:{_vcard_text(interview['company'])}",
            ]
            if person["title"]:
                lines.append(f"TITLE:{_vcard_text(person['title'])}")
            contact = person["contact"]
            if "@" in contact:
                lines.append(f"EMAIL;TYPE=INTERNET:{_vcard_text(contact)}")
            elif contact:
                lines.append(f"TEL;TYPE=WORK:{_vcard_text(contact)}")
            lines.append("END:VCARD")
            cards.append("\r\n".join(lines))
    return ("\r\n".join(cards) + ("\r\n" if cards else "")).encode("utf-8")
