"""Next week's goal and a member's report, as a club member gives them: by a tap on the check-in
post, by a reply to it, or from the private reminder."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ClubMember, ClubPost, ClubReport, User
from bot.domain.progress import GoalProblem, parse_goal
from bot.domain.text import tidy

# a report is one line to the club, not an essay
REPORT_LIMIT = 500
# a reply this short that starts or ends with a number is a goal ("7", "7 this week",
# "goal: 7"); anything longer, or with the number inside a sentence, is a report
_GOAL_WORDS = 4
_NUMBERISH = re.compile(r"^[-−–]?\d")
_ENDS_NUMBERISH = re.compile(r"\d[.!]?$")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Report:
    text: str


def read_reply(text: str) -> int | GoalProblem | Report | None:
    """What a reply to the check-in post says: a goal, a goal that makes no sense (the
    problem), a report, or nothing at all (None)."""
    line = tidy(text)
    if not line:
        return None
    words = line.split()
    numbers = len(_DIGITS.findall(line))
    looks_like_goal = len(words) <= _GOAL_WORDS and bool(
        _NUMBERISH.match(words[0]) or _ENDS_NUMBERISH.search(line)
    )
    # "2 or 3" is a goal that was not decided; "5 applications, 2 interviews" is a report
    if looks_like_goal and (numbers == 1 or len(words) <= _GOAL_WORDS - 1):
        return parse_goal(line)
    return Report(line)


async def note_goal_set(session: AsyncSession, user_id: int, now: datetime) -> None:
    """Marks the goal answered in every club of the user: the goal is one per person, so no
    club reminds someone who already set it elsewhere this week."""
    await session.execute(
        update(ClubMember).where(ClubMember.user_id == user_id).values(goal_set_at=now)
    )


async def set_goal(session: AsyncSession, user: User, goal: int, now: datetime) -> None:
    user.weekly_goal = goal
    user.updated_at = now
    await note_goal_set(session, user.id, now)


async def checkin_post(session: AsyncSession, club_id: int, message_id: int) -> ClubPost | None:
    """The club's check-in post that a group message replies to, if it is one."""
    return await session.scalar(
        select(ClubPost).where(
            ClubPost.club_id == club_id,
            ClubPost.chat_id == club_id,
            ClubPost.message_id == message_id,
            ClubPost.kind == "checkin",
        )
    )


async def latest_checkin(session: AsyncSession, club_id: int) -> ClubPost | None:
    """The club's newest check-in post that went out: reports gather under it, whichever
    check-in a member happened to reply to, so they show in the next summary."""
    return await session.scalar(
        select(ClubPost)
        .where(
            ClubPost.club_id == club_id,
            ClubPost.chat_id == club_id,
            ClubPost.kind == "checkin",
            ClubPost.state == "sent",
        )
        .order_by(ClubPost.period_end.desc(), ClubPost.id.desc())
        .limit(1)
    )


async def save_report(
    session: AsyncSession, post_id: int, user_id: int, text: str, now: datetime
) -> bool:
    """Stores a member's report under a check-in; a second one replaces the first. True if
    it replaced one."""
    report = await session.scalar(
        select(ClubReport).where(ClubReport.post_id == post_id, ClubReport.user_id == user_id)
    )
    if report is not None:
        report.text = text
        report.created_at = now
        return True
    session.add(ClubReport(post_id=post_id, user_id=user_id, text=text, created_at=now))
    await session.flush()
    return False
