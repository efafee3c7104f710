"""The user's whole record as one machine-readable dictionary, and as JSON."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.db.models import (
    Application,
    ClubMember,
    Interview,
    Reference,
    ReferenceWarning,
    Task,
    User,
)


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
        await session.scalars(
            select(Reference).where(Reference.user_id == user.id).order_by(Reference.id)
        )
    ).all()
    told: dict[int, list[int]] = {}
    warnings = await session.execute(
        select(ReferenceWarning.reference_id, ReferenceWarning.interview_id)
        .join(Reference, Reference.id == ReferenceWarning.reference_id)
        .where(Reference.user_id == user.id)
        .order_by(ReferenceWarning.interview_id)
    )
    for reference_id, interview_id in warnings:
        told.setdefault(reference_id, []).append(interview_id)
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
            {"id": a.id, "company": a.company, "role": a.role, "applied_at": _iso(a.applied_at)}
            for a in applications
        ],
        "references": [
            {
                "id": r.id,
                "name": r.name,
                "relation": r.relation,
                "contact": r.contact,
                "note": r.note,
                "created_at": _iso(r.created_at),
                # the interviews this reference was given a heads-up for
                "told_for": told.get(r.id, []),
            }
            for r in references
        ],
        "clubs": list(clubs),
    }


def to_json(record: dict[str, Any]) -> bytes:
    return json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8")
