"""Job leads a club's members share: reading '/lead Company — Role — link', and the week's leads."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from html import escape
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ClubLead
from bot.domain.applications import ApplicationLine, ApplicationProblem, read_application
from bot.domain.text import tidy
from bot.i18n import Translator

# a job posting's address, tracking parameters and all, fits easily; the column holds 2048
LINK_LIMIT = 1000
# the last word is taken for a link when it looks like an address ("scheme://", "www.") or starts
# with a scheme browsers act on; the scheme is then checked, so "javascript:..." is refused
# rather than kept as part of the role
_LINK_LIKE = re.compile(
    r"(?:[a-z][a-z0-9+.\-]*://\S+|www\.\S+|(?:javascript|vbscript|data|file|mailto|tel|tg):\S+)",
    re.IGNORECASE,
)
_WEB_SCHEMES = ("http", "https")
# a separator left between the role and the link ("Acme — Dev —") is not part of the role
_TRAILING_SEPARATOR = re.compile(r"\s+(?:-{1,2}|[–—|·])$")


class LinkProblem(Enum):
    """Why the last part of a lead is not a link the club can be shown."""

    NOT_WEB = "not-web"
    TOO_LONG = "too-long"


@dataclass(frozen=True)
class LeadLine:
    company: str
    role: str
    link: str


def web_link(text: str) -> str | LinkProblem:
    """The text as an http(s) address with a host, or why not. A bare 'www.' address gets
    https; anything with user credentials before the host (a way to disguise where a link
    goes) is refused."""
    link = text.strip()
    if link.lower().startswith("www."):
        link = "https://" + link
    if len(link) > LINK_LIMIT:
        return LinkProblem.TOO_LONG
    try:
        parts = urlsplit(link)
        host = parts.hostname
    except ValueError:
        return LinkProblem.NOT_WEB
    if (
        parts.scheme.lower() not in _WEB_SCHEMES
        or not host
        or "." not in host
        or "@" in parts.netloc
        or any(char.isspace() or ord(char) < 32 for char in link)
    ):
        return LinkProblem.NOT_WEB
    return link


def read_lead(text: str, limit: int) -> LeadLine | ApplicationProblem | LinkProblem:
    """Company, role and link of '/lead Company — Role — link': the company and role are split
    as /applied splits them; the link, if any, is the last word and must be a web address."""
    cleaned = tidy(text)
    link = ""
    words = cleaned.rsplit(" ", 1)
    last = words[-1]
    if _LINK_LIKE.fullmatch(last):
        checked = web_link(last)
        if isinstance(checked, LinkProblem):
            return checked
        link = checked
        cleaned = _TRAILING_SEPARATOR.sub("", words[0]) if len(words) > 1 else ""
    line = read_application(cleaned, limit)
    if not isinstance(line, ApplicationLine):
        return line
    return LeadLine(line.company, line.role, link)


async def leads_of_week(
    session: AsyncSession, club_id: int, start: datetime, end: datetime
) -> Sequence[ClubLead]:
    """The leads shared with a club from ``start`` to ``end``, oldest first."""
    return (
        await session.scalars(
            select(ClubLead)
            .where(
                ClubLead.club_id == club_id,
                ClubLead.created_at >= start,
                ClubLead.created_at < end,
            )
            .order_by(ClubLead.created_at, ClubLead.id)
        )
    ).all()


def lead_what(company: str, role: str) -> str:
    """'Company · Role', escaped for HTML."""
    return escape(company) + (f" · {escape(role)}" if role else "")


def lead_line(company: str, role: str, link: str) -> str:
    """One lead on one line, its link as plain escaped text (never a disguised anchor)."""
    what = lead_what(company, role)
    return f"{what} — {escape(link)}" if link else what


def leads_section(tr: Translator, leads: Sequence[ClubLead], budget: int = 1500) -> str:
    """The check-in's "this week's leads" in the club's language, within ``budget`` characters
    of HTML (the rest counted in one "and N more" line); empty when there were none. A post
    that shows it must disable link previews."""
    if not leads:
        return ""
    lines = [tr.gettext("<b>This week's leads</b>")]
    used = len(lines[0])
    shown = 0
    for lead in leads:
        line = "• " + lead_line(lead.company, lead.role, lead.link)
        if used + len(line) + 1 > budget:
            break
        lines.append(line)
        used += len(line) + 1
        shown += 1
    rest = len(leads) - shown
    if rest:
        lines.append(
            tr.ngettext(
                "… and {count} more lead, shared in the group.",
                "… and {count} more leads, shared in the group.",
                rest,
            ).format(count=tr.number(rest))
        )
    return "\n".join(lines)
