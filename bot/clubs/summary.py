"""The weekly check-in post of a club, composed from its week: pure text, fitted to one message."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape

from bot.clubs.activity import MemberWeek
from bot.domain.progress import GOAL_MAX, GOAL_MIN
from bot.domain.text import shorten, visible_length
from bot.i18n import Translator

# Telegram's limit for a message, in UTF-16 code units after the markup is parsed
MESSAGE_LIMIT = 4096
# room kept back for the last line of a section cut short ("…and 12 more.")
_MORE_ROOM = 80
# a report is shown whole up to here; longer ones are cut in the summary (the club sees the
# reply itself in the group anyway)
REPORT_SHOWN = 200
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class MemberReport:
    """What a member said to the club in reply to the last check-in."""

    name: str
    text: str


@dataclass
class CheckinWeek:
    """Everything one check-in post tells: the week, each member's counts (in board order),
    who shares companies with this club, and what members said.

    ``extra_sections`` are whole, already escaped sections added before the goal prompt: this
    week's leads go there (bot.clubs leads), so the post stays one message."""

    title: str
    start: datetime
    end: datetime
    weeks: Sequence[MemberWeek]
    sharing: frozenset[int] = frozenset()
    reports: Sequence[MemberReport] = ()
    extra_sections: Sequence[str] = ()


def _counted(tr: Translator, text: str, n: int) -> str:
    """A plural form already chosen by ngettext (called with literals, so the strings are
    extracted for the catalogs), with its number in the reader's format."""
    return text.format(count=tr.number(n))


def applications_part(tr: Translator, week: MemberWeek) -> str:
    """'3 of 5 applications' against a goal, else '3 applications'."""
    if week.goal is not None:
        return tr.ngettext(
            "{done} of {count} application", "{done} of {count} applications", week.goal
        ).format(done=tr.number(week.applications), count=tr.number(week.goal))
    return _counted(
        tr,
        tr.ngettext("{count} application", "{count} applications", week.applications),
        week.applications,
    )


def counts_parts(tr: Translator, week: MemberWeek) -> list[str]:
    """The week's actions besides applications, only those that happened."""
    parts = []
    if week.interviews:
        parts.append(
            _counted(
                tr,
                tr.ngettext("{count} interview", "{count} interviews", week.interviews),
                week.interviews,
            )
        )
    if week.follow_ups_on_time:
        parts.append(
            _counted(
                tr,
                tr.ngettext(
                    "{count} follow-up on time",
                    "{count} follow-ups on time",
                    week.follow_ups_on_time,
                ),
                week.follow_ups_on_time,
            )
        )
    if week.references_told:
        parts.append(
            _counted(
                tr,
                tr.ngettext(
                    "{count} reference told", "{count} references told", week.references_told
                ),
                week.references_told,
            )
        )
    return parts


def member_line(tr: Translator, week: MemberWeek) -> str:
    parts = [applications_part(tr, week), *counts_parts(tr, week)]
    mark = " ✅" if week.reached_goal else ""
    return "• <b>{name}</b>: {parts}{mark}".format(
        name=escape(week.name or "?"), parts=", ".join(parts), mark=mark
    )


def _totals(tr: Translator, weeks: Sequence[MemberWeek]) -> str:
    total = MemberWeek(user_id=0, name="")
    for week in weeks:
        total.applications += week.applications
        total.interviews += week.interviews
        total.follow_ups_on_time += week.follow_ups_on_time
        total.references_told += week.references_told
    parts = [
        _counted(
            tr,
            tr.ngettext("{count} application", "{count} applications", total.applications),
            total.applications,
        ),
        *counts_parts(tr, total),
    ]
    return tr.gettext("Together: {counts}.").format(counts=", ".join(parts))


# the last line of a section cut short, given how many items it leaves out
More = Callable[[int], str]


def _fit(items: Sequence[str], room: int, more: More, separator: str) -> list[str]:
    """All the items if they fit in ``room`` (each with its separator), else as many as fit
    with ``more`` (the line for how many are left out) standing for the rest."""
    costs = [visible_length(item) + len(separator) for item in items]
    if sum(costs) <= room:
        return list(items)
    shown: list[str] = []
    used = 0
    for index, (item, cost) in enumerate(zip(items, costs, strict=True)):
        if used + cost > room - _MORE_ROOM:
            shown.append(more(len(items) - index))
            return shown
        shown.append(item)
        used += cost
    return shown


def _allot(sections: Sequence[_Section], room: int, more: More) -> list[list[str]]:
    """Each section's lines, fitted so that together they take at most ``room``: the smallest
    sections are served first and whatever they leave goes to the larger ones, so a long list
    of members never pushes the offers or the reports out. In the sections' own order."""
    needs = [visible_length(section.text(section.lines)) for section in sections]
    fitted: list[list[str] | None] = [None] * len(sections)
    left = room
    order = sorted(range(len(sections)), key=lambda i: needs[i])
    for served, index in enumerate(order):
        share = left // (len(sections) - served)
        section = sections[index]
        bare = visible_length(section.text([])) + 1
        # a section whose heading alone does not fit is left out with its lines
        if bare + _MORE_ROOM > share and needs[index] + 1 > share:
            continue
        shown = _fit(section.lines, share - bare, more, section.separator)
        fitted[index] = section.block(shown)
        left -= visible_length(section.text(shown)) + 1
    return [block for block in fitted if block is not None]


def _period(tr: Translator, start: datetime, end: datetime) -> str:
    first = tr.local(start).date()
    # the week ends at the check-in itself: one at midnight closes the day before
    last = tr.local(end - timedelta(seconds=1)).date()
    return tr.gettext("{first} to {last}").format(
        first=tr.date(first, "medium"), last=tr.date(last, "medium")
    )


def render_checkin(tr: Translator, week: CheckinWeek) -> str:
    """The check-in post in the club's language and zone, never longer than one message.

    The fixed parts (heading, totals, goal prompt) always show; the per-member lines, offers,
    goals reached and reports share what is left, each cut with "…and N more" when needed."""
    _ = tr.gettext
    head = [
        # the mark stays outside the message, so every language's post starts with it
        "📋 " + _("<b>Weekly check-in: {club}</b>").format(club=escape(week.title)),
        _period(tr, week.start, week.end),
        "",
        _totals(tr, week.weeks),
    ]
    prompt = [
        _("🎯 <b>Next week's goal</b>: tap a number of applications below."),
        _(
            "Or reply to this message with any number from {low} to {high}; "
            "reply with a line of text to tell the club how your week went."
        ).format(low=tr.number(GOAL_MIN), high=tr.number(GOAL_MAX)),
    ]
    extra = [section for section in week.extra_sections if section]
    fixed = "\n".join([*head, *(line for section in extra for line in ("", section)), "", *prompt])
    room = MESSAGE_LIMIT - visible_length(fixed)

    def more(count: int) -> str:
        return tr.ngettext("…and {count} more.", "…and {count} more.", count).format(
            count=tr.number(count)
        )

    body: list[str] = []
    for block in _allot(_sections(tr, week), room, more):
        body += ["", *block]
    for section_text in extra:
        body += ["", section_text]
    return "\n".join([*head, *body, "", *prompt])


@dataclass
class _Section:
    heading: list[str]
    lines: list[str] = field(default_factory=list)
    tail: list[str] = field(default_factory=list)
    # names run on in one paragraph; member lines and reports each take a line
    separator: str = "\n"

    def block(self, shown: Sequence[str]) -> list[str]:
        joined = self.separator.join(shown)
        return [*self.heading, *([joined] if joined else []), *self.tail]

    def text(self, shown: Sequence[str]) -> str:
        """The section as the post shows it, with the blank line before it."""
        return "\n".join(["", *self.block(shown)])


def _sections(tr: Translator, week: CheckinWeek) -> list[_Section]:
    """Members, offers, goals reached and reports, in the order the post shows them."""
    _ = tr.gettext
    sections: list[_Section] = []
    active = [w for w in week.weeks if w.anything or w.reached_goal]
    quiet = len(week.weeks) - len(active)
    if active:
        # the quiet ones are a count, never a list of names: no one is singled out
        tail = []
        if quiet:
            tail.append(
                tr.ngettext(
                    "{count} more member logged nothing this week.",
                    "{count} more members logged nothing this week.",
                    quiet,
                ).format(count=tr.number(quiet))
            )
        sections.append(
            _Section([_("<b>Member by member</b>")], [member_line(tr, w) for w in active], tail)
        )
    elif week.weeks:
        sections.append(_Section([_("No actions logged this week. A fresh start next week!")]))

    offers = [
        _("• {name}: an offer from {company}").format(
            name=escape(w.name or "?"), company=escape(company)
        )
        for w in week.weeks
        if w.user_id in week.sharing
        for company, outcome in w.outcomes
        if outcome == "offer"
    ]
    if offers:
        sections.append(_Section([_("🎉 <b>Offers</b>")], offers))

    reached = [escape(w.name or "?") for w in week.weeks if w.reached_goal]
    if reached:
        sections.append(_Section([_("🏆 <b>Reached their goal</b>")], reached, separator=", "))

    if week.reports:
        lines = [
            "• <b>{name}</b>: {text}".format(
                name=escape(r.name or "?"), text=escape(shorten(r.text, REPORT_SHOWN))
            )
            for r in week.reports
        ]
        sections.append(_Section([_("💬 <b>What members said</b>")], lines))
    return sections
