"""The club board's pages: counts per member, shared places only for sharers, pages in bounds."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.clubs.activity import MemberWeek
from bot.clubs.board import BoardEntry, board_pages
from bot.domain.text import visible_length
from bot.i18n import Translator

EN = Translator("en", UTC)
WEEK = (datetime(2026, 11, 16, 17, tzinfo=UTC), datetime(2026, 11, 23, 17, tzinfo=UTC))


def entry(name: str, shares: bool = False, **counts: int) -> BoardEntry:
    week = MemberWeek(user_id=hash(name), name=name, **counts)
    week.applied_to = [(f"Firm {n}", "Role") for n in range(week.applications)]
    return BoardEntry(week, shares)


def test_one_page_has_no_page_numbers_and_counts_only_what_happened() -> None:
    [page] = board_pages(
        EN,
        "Club <3",
        WEEK,
        [entry("Ana", applications=3, goal=3, interviews=1), entry("Ben"), entry("Cleo", goal=2)],
    )
    assert page.startswith("📋 <b>Club &lt;3</b>\nThis club week: Nov 16\u2009–\u200923, 2026")
    assert "\u2068Ana\u2069</b>: 3/3 applications 🎯 · 1 interview" in page
    assert "1 of 2 members with a goal have reached it" in page
    assert "No actions yet this week:</i> \u2068Ben\u2069, \u2068Cleo\u2069 (goal 2)" in page
    assert "Firm" not in page
    assert "Page" not in page


def test_places_are_listed_for_a_sharer_up_to_five_then_counted() -> None:
    [page] = board_pages(EN, "Club", WEEK, [entry("Ana", True, applications=7)])
    assert "↳ applied: Firm 0 (Role), Firm 1 (Role)" in page
    assert "Firm 4 (Role), and 2 more" in page and "Firm 5" not in page


def test_many_members_page_within_the_limit_and_each_appears_once() -> None:
    entries = [
        entry(f"Person {n:03d} " + "x" * 100, n % 3 == 0, applications=n % 4) for n in range(300)
    ]
    pages = board_pages(EN, "Club", WEEK, entries)
    assert len(pages) > 3
    assert all(visible_length(page) <= 4096 for page in pages)
    assert pages[-1].endswith(f"Page {len(pages)} of {len(pages)}")
    text = "".join(pages)
    assert all(text.count(f"Person {n:03d} ") == 1 for n in range(300))
    # a smaller limit (a private view with the member's own line on top) is kept too
    assert all(
        visible_length(p) <= 3000 for p in board_pages(EN, "Club", WEEK, entries, limit=3000)
    )
