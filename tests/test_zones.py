"""Time zones from what people type: abbreviations are the places they mean, or a question."""

from __future__ import annotations

import pytest

from bot.domain.zones import zone_choices, zone_from_text


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
