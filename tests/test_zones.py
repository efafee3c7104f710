"""Time zones from what people type: abbreviations are the places they mean, or a question."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.zones import (
    MAX_PLACE_CHOICES,
    place_choices,
    place_labels,
    zone_choices,
    zone_from_text,
)


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("EST", "America/New_York"),
        ("edt", "America/New_York"),
        ("ET", "America/New_York"),
        ("CST", "America/Chicago"),
        ("MST", "America/Denver"),
        ("PST", "America/Los_Angeles"),
        ("PDT", "America/Los_Angeles"),
        ("GMT", "Europe/London"),
        ("BST", "Europe/London"),
        ("MSK", "Europe/Moscow"),
        ("МСК", "Europe/Moscow"),
        ("MEZ", "Europe/Berlin"),
        ("JST", "Asia/Tokyo"),
        # what was there before still works
        ("UTC", "UTC"),
        ("GMT+3", "Etc/GMT-3"),
        ("Europe/Paris", "Europe/Paris"),
        ("New York", "America/New_York"),
    ],
)
def test_abbreviations_follow_daylight_saving(typed: str, zone: str) -> None:
    match = zone_from_text(typed)
    assert match is not None and match.name == zone


@pytest.mark.parametrize(
    ("typed", "first"),
    [("IST", "Asia/Kolkata"), ("CET", "Europe/Berlin"), ("cest", "Europe/Berlin")],
)
def test_shared_abbreviations_are_asked_about(typed: str, first: str) -> None:
    assert zone_from_text(typed) is None
    choices = zone_choices(typed)
    assert choices[0] == first
    for name in choices:
        match = zone_from_text(name)
        assert match is not None and match.name == name


def test_other_text_offers_no_choice() -> None:
    assert zone_choices("Berlin") == ()
    assert zone_choices("EST") == ()


NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "zones"),
    [
        ("Valencia", ["America/Caracas", "Europe/Madrid"]),
        ("valencia", ["America/Caracas", "Europe/Madrid"]),
        ("Portland", ["America/Los_Angeles", "America/New_York"]),
        ("Córdoba", ["America/Argentina/Cordoba", "Europe/Madrid"]),
        ("Cordoba", ["America/Argentina/Cordoba", "Europe/Madrid"]),
        ("San José", ["America/Los_Angeles", "America/Costa_Rica", "Asia/Manila"]),
        ("Birmingham", ["Europe/London", "America/Chicago"]),
        ("Hyderabad", ["Asia/Kolkata", "Asia/Karachi"]),
        # a capital is offered whatever its size beside the city the name also spells
        ("Dili", ["Asia/Kolkata", "Asia/Dili"]),
        # the name in another script finds the same places
        ("Валенсия", ["America/Caracas", "Europe/Madrid", "Asia/Manila"]),
    ],
)
def test_a_name_places_share_across_zones_is_asked_about(typed: str, zones: list[str]) -> None:
    assert zone_from_text(typed) is None
    assert [choice.zone for choice in place_choices(typed)] == zones
    assert zone_choices(typed) == ()


def test_cambridge_offers_each_zone_once_and_at_most_eight() -> None:
    zones = [choice.zone for choice in place_choices("Cambridge")]
    assert zones[:3] == ["Europe/London", "America/Toronto", "America/New_York"]
    assert len(zones) == len(set(zones)) <= MAX_PLACE_CHOICES
    for name in ("Cambridge", "Richmond", "Santa Barbara", "San Isidro"):
        assert 2 <= len(place_choices(name)) <= MAX_PLACE_CHOICES


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Berlin", "Europe/Berlin"),
        # London, Ontario has a twentieth of London's people; Paris, Texas a hundredth
        ("London", "Europe/London"),
        ("Paris", "Europe/Paris"),
        ("Moscow", "Europe/Moscow"),
        ("Москва", "Europe/Moscow"),
        ("Sydney", "Australia/Sydney"),
        ("Santiago", "America/Santiago"),
        ("Frankfurt", "Europe/Berlin"),
        # a city's old name beats a small town that bears it
        ("Bombay", "Asia/Kolkata"),
        ("Calcutta", "Asia/Kolkata"),
        # Suzhou: two large cities of that name, one zone; nothing to ask
        ("Suzhou", "Asia/Shanghai"),
    ],
)
def test_a_clear_name_is_taken_at_once(typed: str, zone: str) -> None:
    assert place_choices(typed) == ()
    match = zone_from_text(typed)
    assert match is not None and match.name == zone


def test_zones_of_one_country_with_one_clock_are_one_choice() -> None:
    # Richmond, Virginia and Richmond, Indiana keep the same clock: one button between them
    zones = [choice.zone for choice in place_choices("Richmond")]
    assert "America/New_York" in zones and "America/Indiana/Indianapolis" not in zones
    # Vancouver, Washington keeps Vancouver, British Columbia's clock, but its country's
    # holidays: both are offered
    assert [c.zone for c in place_choices("Vancouver")] == [
        "America/Vancouver",
        "America/Los_Angeles",
    ]


def test_a_tiny_capital_is_not_offered() -> None:
    zones = [choice.zone for choice in place_choices("Kingston")]
    assert zones == ["America/Jamaica", "America/Toronto"]


def test_zones_named_outright_are_never_asked_about() -> None:
    for typed in ("Europe/Madrid", "UTC+2", "EST", "IST", "UTC", "x" * 101, ""):
        assert place_choices(typed) == ()


def test_labels_name_the_town_its_country_and_the_time_there() -> None:
    assert place_labels(place_choices("Valencia"), "en", NOW) == [
        "Valencia, Venezuela · 5:00\u202fAM",
        "Valencia, Spain · 10:00\u202fAM",
    ]
    assert place_labels(place_choices("Valencia"), "es", NOW) == [
        "Valencia, Venezuela · 5:00",
        "Valencia, España · 10:00",
    ]
    # one country twice: the state tells them apart
    assert place_labels(place_choices("Portland"), "de", NOW) == [
        "Portland (OR), Vereinigte Staaten · 01:00",
        "Portland (ME), Vereinigte Staaten · 04:00",
    ]
    # a place found by another name is shown by the user's own word for it
    assert place_labels(place_choices("валенсия"), "ru", NOW)[1] == "Валенсия, Испания · 10:00"
