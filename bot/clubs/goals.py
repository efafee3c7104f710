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

# A reply is a goal only when it is a number and nothing but goal words around it: "7", "7.",
# "goal: 7", "7 applications a week", "Ziel: 7". Anything else ("2 interviews this week",
# "I did 5", "Week 3") is a report, so a report is never lost to a goal it did not mean.
# By language, short on purpose; English is understood in every club.
_BEFORE: dict[str, frozenset[str]] = {
    "en": frozenset({"goal", "target", "my", "is"}),
    "de": frozenset({"ziel", "wochenziel", "mein", "ist"}),
    "es": frozenset({"meta", "objetivo", "mi", "es"}),
    "fr": frozenset({"objectif", "mon", "est"}),
    "pt": frozenset({"meta", "objetivo", "minha", "meu", "é"}),
    "ru": frozenset({"цель", "моя"}),
    "uk": frozenset({"мета", "ціль", "моя"}),
}
_AFTER: dict[str, frozenset[str]] = {
    "en": frozenset({"application", "applications", "apps", "a", "per", "this", "week"}),
    "de": frozenset({"bewerbung", "bewerbungen", "pro", "diese", "woche"}),
    "es": frozenset({"solicitud", "solicitudes", "candidaturas", "por", "a", "la", "semana"}),
    "fr": frozenset({"candidature", "candidatures", "par", "cette", "semaine"}),
    "pt": frozenset({"candidatura", "candidaturas", "por", "nesta", "esta", "semana"}),
    "ru": frozenset({"отклик", "отклика", "откликов", "заявка", "заявки", "заявок", "в", "неделю"}),
    "uk": frozenset(
        {"відгук", "відгуки", "відгуків", "заявка", "заявки", "заявок", "на", "тиждень"}
    ),
}
# "2 or 3": a goal not decided yet (the reader asks again), not a report
_OR = frozenset({"or", "oder", "o", "ou", "или", "або", "-", "–", "—", "/"})
# a number as typed, or a range ("2-3", which is asked again like "2 or 3")
_NUMBER = re.compile(r"[-−–]?\d+(?:[.,]\d+)?(?:[-–/]\d+)?")
# what may cling to a word or a number: "goal:", "7.", "5!"
_PUNCTUATION = ":;,.!?()\"'«»“”„"


@dataclass(frozen=True)
class Report:
    text: str


def _words(language: str, table: dict[str, frozenset[str]]) -> frozenset[str]:
    return table["en"] | table.get(language.partition("_")[0].lower(), frozenset())


def read_reply(text: str, language: str = "en") -> int | GoalProblem | Report | None:
    """What a reply to the check-in post says: a goal, a goal that makes no sense (the
    problem), a report, or nothing at all (None). ``language`` is the member's: it says which
    goal words may stand around the number."""
    line = tidy(text)
    if not line:
        return None
    tokens = [token.strip(_PUNCTUATION) for token in line.casefold().split()]
    tokens = [token for token in tokens if token]
    numbers = [i for i, token in enumerate(tokens) if _NUMBER.fullmatch(token)]
    if not numbers:
        return Report(line)
    first, last = numbers[0], numbers[-1]
    before = _words(language, _BEFORE)
    after = _words(language, _AFTER)
    if not all(token in before for token in tokens[:first]):
        return Report(line)
    if not all(token in after for token in tokens[last + 1 :]):
        return Report(line)
    if not all(i in numbers or tokens[i] in _OR for i in range(first + 1, last)):
        return Report(line)
    return parse_goal(line)


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
