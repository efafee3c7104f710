"""The club board: this club week's counts per member, in pages that each fit one message."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

from babel.dates import format_interval

from bot.clubs.activity import MemberWeek
from bot.domain.text import has_visible_text, shorten, visible_length
from bot.i18n import Translator

# Telegram's limit for a message, counted after the markup is parsed, in UTF-16 code units
MESSAGE_LIMIT = 4096
# a shared list names at most this many places, each cut to this length, then "and N more"
SHOWN_ITEMS = 5
ITEM_LENGTH = 60
# the names of members with nothing yet are packed into lines of about this length
QUIET_LINE = 300
# a name is isolated from the text around it, so a right-to-left name keeps the line in order
_ISOLATE, _POP = "\u2068", "\u2069"
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class BoardEntry:
    """One member on the board, and whether they share companies and outcomes with this club."""

    week: MemberWeek
    shares: bool


def member_name(tr: Translator, name: str, position: int) -> str:
    """A member's first name, escaped and isolated; a name with nothing visible gets a stand-in."""
    if not has_visible_text(name):
        return tr.gettext("Member {number}").format(number=tr.number(position))
    return f"{_ISOLATE}{escape(name)}{_POP}"


def counts(tr: Translator, week: MemberWeek, *, with_goal: bool = True) -> str:
    """'3/5 applications · 1 interview · 2 follow-ups on time' — counts only, never names."""
    if with_goal and week.goal is not None:
        applied = tr.ngettext(
            "{done}/{goal} application", "{done}/{goal} applications", week.goal
        ).format(done=tr.number(week.applications), goal=tr.number(week.goal))
        if week.reached_goal:
            applied += " 🎯"
    else:
        applied = tr.ngettext(
            "{count} application", "{count} applications", week.applications
        ).format(count=tr.number(week.applications))
    parts = [applied]
    if week.interviews:
        parts.append(
            tr.ngettext("{count} interview", "{count} interviews", week.interviews).format(
                count=tr.number(week.interviews)
            )
        )
    if week.follow_ups_on_time:
        parts.append(
            tr.ngettext(
                "{count} follow-up on time", "{count} follow-ups on time", week.follow_ups_on_time
            ).format(count=tr.number(week.follow_ups_on_time))
        )
    if week.references_told:
        parts.append(
            tr.ngettext(
                "{count} reference told", "{count} references told", week.references_told
            ).format(count=tr.number(week.references_told))
        )
    return " · ".join(parts)


def _places(tr: Translator, pairs: Sequence[tuple[str, str]]) -> str:
    items = []
    for company, detail in pairs[:SHOWN_ITEMS]:
        place = escape(shorten(company, ITEM_LENGTH))
        items.append(f"{place} ({escape(shorten(detail, ITEM_LENGTH))})" if detail else place)
    rest = len(pairs) - SHOWN_ITEMS
    if rest > 0:
        items.append(
            tr.ngettext("and {count} more", "and {count} more", rest).format(count=tr.number(rest))
        )
    return ", ".join(items)


def outcome_word(tr: Translator, outcome: str) -> str:
    words = {
        "offer": tr.gettext("offer"),
        "next_round": tr.gettext("next round"),
        "rejected": tr.gettext("not this time"),
    }
    return words.get(outcome, escape(outcome))


def shared_details(tr: Translator, week: MemberWeek) -> str | None:
    """The companies, roles and outcomes of a member who shares them with this club."""
    parts = []
    if week.applied_to:
        parts.append(tr.gettext("applied: {places}").format(places=_places(tr, week.applied_to)))
    if week.interviewed_at:
        parts.append(
            tr.gettext("interviews: {places}").format(places=_places(tr, week.interviewed_at))
        )
    if week.outcomes:
        outcomes = [(company, outcome_word(tr, outcome)) for company, outcome in week.outcomes]
        parts.append(tr.gettext("outcomes: {places}").format(places=_places(tr, outcomes)))
    return "; ".join(parts) if parts else None


def member_lines(tr: Translator, entry: BoardEntry, position: int) -> list[str]:
    """A member's line, and under it what they share with this club (if they do)."""
    lines = [f"<b>{member_name(tr, entry.week.name, position)}</b>: {counts(tr, entry.week)}"]
    if entry.shares:
        details = shared_details(tr, entry.week)
        if details:
            lines.append(f"   ↳ {details}")
    return lines


def week_dates(tr: Translator, period: tuple[datetime, datetime]) -> str:
    """'Nov 30 – Dec 7, 2026': the club week in the club's zone and language."""
    start, end = (tr.local(moment).date() for moment in period)
    if end <= start:
        end = start + timedelta(days=1)
    return str(format_interval(start, end, "yMMMd", locale=tr.locale))


def totals_line(tr: Translator, entries: Sequence[BoardEntry]) -> str:
    together = MemberWeek(user_id=0, name="")
    for entry in entries:
        together.applications += entry.week.applications
        together.interviews += entry.week.interviews
        together.follow_ups_on_time += entry.week.follow_ups_on_time
        together.references_told += entry.week.references_told
    line = tr.gettext("Together: {counts}").format(counts=counts(tr, together, with_goal=False))
    with_goal = [e for e in entries if e.week.goal is not None]
    if with_goal:
        reached = sum(1 for e in with_goal if e.week.reached_goal)
        line += "\n" + tr.ngettext(
            "{reached} of {count} member with a goal has reached it",
            "{reached} of {count} members with a goal have reached it",
            len(with_goal),
        ).format(reached=tr.number(reached), count=tr.number(len(with_goal)))
    return line


def header(
    tr: Translator, title: str, period: tuple[datetime, datetime], entries: Sequence[BoardEntry]
) -> str:
    shown_title = escape(title) if has_visible_text(title) else tr.gettext("Your club")
    return "\n".join(
        [
            f"📋 <b>{shown_title}</b>",
            tr.gettext("This club week: {dates}").format(dates=week_dates(tr, period))
            + " · "
            + tr.ngettext("{count} member", "{count} members", len(entries)).format(
                count=tr.number(len(entries))
            ),
            totals_line(tr, entries),
        ]
    )


def _quiet_lines(tr: Translator, quiet: Sequence[tuple[int, BoardEntry]]) -> list[str]:
    """Members with nothing yet this week, named together, so a coach sees who to encourage."""
    if not quiet:
        return []
    names = []
    for position, entry in quiet:
        name = member_name(tr, entry.week.name, position)
        if entry.week.goal is not None:
            name = tr.gettext("{name} (goal {goal})").format(
                name=name, goal=tr.number(entry.week.goal)
            )
        names.append(name)
    lines: list[str] = []
    current = "<i>" + tr.gettext("No actions yet this week:") + "</i> "
    opened = current
    for name in names:
        if current != opened and visible_length(current) + visible_length(name) > QUIET_LINE:
            lines.append(current.rstrip(", "))
            current = opened = ""
        current += name + ", "
    lines.append(current.rstrip(", "))
    return lines


def board_pages(
    tr: Translator,
    title: str,
    period: tuple[datetime, datetime],
    entries: Sequence[BoardEntry],
    *,
    limit: int = MESSAGE_LIMIT,
) -> list[str]:
    """The board in as few pages as fit ``limit`` each: the header on every page, the active
    members in the club's order, then the ones with nothing yet, and "page 2 of 3" when paged."""
    top = header(tr, title, period, entries)
    lines: list[str] = []
    quiet: list[tuple[int, BoardEntry]] = []
    for position, entry in enumerate(entries, start=1):
        if entry.week.anything:
            lines.extend(member_lines(tr, entry, position))
        else:
            quiet.append((position, entry))
    lines.extend(_quiet_lines(tr, quiet))
    if not lines:
        return [top]
    # room for the widest footer a board can have, so no page outgrows the limit once numbered
    footer_room = visible_length(_footer(tr, 9999, 9999)) + 2
    room = limit - visible_length(top) - 2 - footer_room
    pages: list[list[str]] = [[]]
    used = 0
    for line in lines:
        size = visible_length(line) + 1
        if pages[-1] and used + size > room:
            pages.append([])
            used = 0
        pages[-1].append(line)
        used += size
    if len(pages) == 1:
        return [top + "\n\n" + "\n".join(pages[0])]
    return [
        top + "\n\n" + "\n".join(body) + "\n\n" + _footer(tr, number, len(pages))
        for number, body in enumerate(pages, start=1)
    ]


def _footer(tr: Translator, number: int, count: int) -> str:
    return tr.gettext("Page {number} of {count}").format(
        number=tr.number(number), count=tr.number(count)
    )
