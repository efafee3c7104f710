"""A club's settings: which values each may take, applying a change, the club's own voice."""

from __future__ import annotations

from datetime import datetime

from bot.clubs.members import reschedule
from bot.clubs.schedule import club_zone
from bot.db.models import Club
from bot.domain.zones import is_known_zone
from bot.i18n import SUPPORTED_LANGUAGES, Translator, pick_language

# the settings a button may change, by the short name its callback data carries
DAY, HOUR, LANGUAGE, ZONE, CELEBRATIONS, BUDDIES = "day", "hour", "lang", "zone", "cel", "bud"
SWITCHES = (CELEBRATIONS, BUDDIES)


def club_translator(club: Club, default_language: str) -> Translator:
    """How the club's posts speak: its language (else the default) and its zone (else UTC)."""
    return Translator(
        pick_language(club.language, None, default_language), club_zone(club.timezone)
    )


def apply_setting(club: Club, name: str, value: str, now: datetime) -> bool:
    """Sets one setting from a button's value and moves the next check-in to match; False
    (nothing changed) for a value no button offers, as a forged one may be."""
    if name in (DAY, HOUR):
        if not value.isdigit():
            return False
        number = int(value)
        if not 0 <= number < (7 if name == DAY else 24):
            return False
        if name == DAY:
            club.checkin_weekday = number
        else:
            club.checkin_hour = number
    elif name == LANGUAGE:
        if value not in SUPPORTED_LANGUAGES:
            return False
        club.language = value
    elif name == ZONE:
        if not is_known_zone(value):
            return False
        club.timezone = value
    elif name in SWITCHES:
        if value not in ("on", "off"):
            return False
        if name == CELEBRATIONS:
            club.celebrate_offers = value == "on"
        else:
            club.buddies = value == "on"
    else:
        return False
    reschedule(club, now)
    return True
