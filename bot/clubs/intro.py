"""What the bot tells a club about itself: its introduction, its welcome back, the check-in."""

from __future__ import annotations

from datetime import time
from html import escape

from babel.dates import format_time, get_day_names

from bot.clubs.schedule import club_zone
from bot.db.models import Club
from bot.domain.zones import zone_label
from bot.i18n import Translator, pick_language


def club_translator(club: Club, default_language: str) -> Translator:
    """How the bot speaks to a club's group: the club's language and zone."""
    return Translator(
        pick_language(club.language, None, default_language), club_zone(club.timezone)
    )


def checkin_words(tr: Translator, club: Club) -> str:
    """'every Monday at 18:00 (Europe/Berlin)', in the club's language."""
    day = get_day_names("wide", locale=tr.locale)[club.checkin_weekday % 7]
    hour = format_time(time(club.checkin_hour % 24), "short", locale=tr.locale)
    zone = zone_label(club.timezone or "UTC", tr.language)
    return tr.gettext("every {day} at {time} ({zone})").format(
        day=day, time=hour, zone=escape(zone)
    )


def members_line(tr: Translator, count: int) -> str:
    if count == 0:
        return tr.gettext("No one has joined yet.")
    return tr.ngettext(
        "{count} member has joined so far.", "{count} members have joined so far.", count
    ).format(count=tr.number(count))


def introduction(tr: Translator, club: Club, members: int) -> str:
    """The bot's one introduction to a group: what it does for a club, what the group sees and
    never sees, how to join, and for admins the check-in and where to change it."""
    return "\n\n".join(
        [
            tr.gettext("Hi everyone! I'm Afterview, a coach for the days after a job interview."),
            tr.gettext(
                "For this club I post a weekly check-in where everyone reports and sets next "
                "week's goal, keep a board of this week's actions (/club), collect job leads "
                "(/lead), pair accountability buddies (/buddy) and celebrate offers."
            ),
            tr.gettext(
                "<b>What the group sees:</b> counts only — applications, interviews, follow-ups "
                "sent on time, references told and weekly goals. Companies, roles and outcomes "
                "appear only for a member who chooses to share them with this club, in our "
                "private chat. Interview details are never shown here."
            ),
            tr.gettext("Tap <b>Join</b> (or send /join) to take part; /leave takes you out again."),
            tr.gettext("For admins: the check-in is {when}; /clubsettings changes it.").format(
                when=checkin_words(tr, club)
            ),
            members_line(tr, members),
        ]
    )


def welcome_back(tr: Translator, members: int) -> str:
    """Said when the bot is added again to a group whose club it kept."""
    if members == 0:
        kept = tr.gettext("Your club's settings are still here.")
    else:
        kept = tr.ngettext(
            "Your club's {count} member is still here, with everything they shared.",
            "Your club's {count} members are still here, with everything they shared.",
            members,
        ).format(count=tr.number(members))
    return "\n\n".join(
        [
            tr.gettext("Hello again! I'm back in this group."),
            kept,
            tr.gettext("Anyone new can tap <b>Join</b> (or send /join)."),
        ]
    )
