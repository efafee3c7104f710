"""The check-in post's text and the reading of replies to it: pure logic, no bot."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.clubs.activity import MemberWeek
from bot.clubs.goals import Report, read_reply
from bot.clubs.summary import (
    MESSAGE_LIMIT,
    CheckinWeek,
    MemberReport,
    render_checkin,
    visible_length,
)
from bot.domain.progress import GoalProblem
from bot.i18n import Translator

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
END = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)


def week_of(n: int, **counts: int) -> MemberWeek:
    # names with characters that need escaping and count double in UTF-16
    return MemberWeek(user_id=n, name=f"Member <{n}> 🚀 Løvén-Żółć", **counts)


def test_a_club_of_two_hundred_fits_one_message_with_the_rest_counted() -> None:
    tr = Translator("en", BERLIN)
    weeks = [
        week_of(n, applications=n % 7, interviews=n % 3, follow_ups_on_time=n % 2, goal=5)
        for n in range(200)
    ]
    for week in weeks[:40]:
        week.outcomes.append(("Company & Sons " * 5, "offer"))
    reports = [MemberReport(f"Member {n}", "A long week of applying. " * 20) for n in range(200)]
    text = render_checkin(
        tr,
        CheckinWeek(
            title="Job club <Berlin> & friends",
            start=START,
            end=END,
            weeks=weeks,
            sharing=frozenset(range(40)),
            reports=reports,
            extra_sections=["<b>This week's leads</b>\n• Acme · Engineer"],
        ),
    )
    assert visible_length(text) <= MESSAGE_LIMIT
    assert "…and " in text and " more." in text
    # the fixed parts are never pushed out
    assert "Weekly check-in: Job club &lt;Berlin&gt; &amp; friends" in text
    assert "Together: 594 applications, 199 interviews, 100 follow-ups on time." in text
    assert "This week's leads" in text
    assert text.rstrip().endswith("reply with a line of text to tell the club how your week went.")
    assert "<7>" not in text and "&lt;7&gt;" in text


def test_quiet_members_are_a_count_and_goals_show_against_what_was_done() -> None:
    tr = Translator("en", BERLIN)
    weeks = [
        MemberWeek(1, "Ana", goal=3, applications=3, references_told=1),
        MemberWeek(2, "Ben", goal=5, applications=1),
        MemberWeek(3, "Cem", goal=2),
        MemberWeek(4, "Dan", offers=1, outcomes=[("Hooli", "offer")]),
    ]
    text = render_checkin(tr, CheckinWeek("Club", START, END, weeks))
    assert "• <b>Ana</b>: 3 of 3 applications, 1 reference told ✅" in text
    assert "• <b>Ben</b>: 1 of 5 applications" in text
    assert "2 more members logged nothing this week." in text
    assert "Cem" not in text
    # Dan shares nothing with this club: his offer is not shown
    assert "Hooli" not in text and "Offers" not in text
    assert "Reached their goal</b>\nAna" in text


def test_the_post_speaks_the_clubs_language_with_plural_forms() -> None:
    weeks = [MemberWeek(1, "Ana", applications=1), MemberWeek(2, "Ben", applications=4)]
    text = render_checkin(Translator("ru", BERLIN), CheckinWeek("Клуб", START, END, weeks))
    assert "Клуб" in text
    assert visible_length(text) < MESSAGE_LIMIT


def test_a_reply_is_a_goal_a_bad_goal_or_a_report() -> None:
    assert read_reply("7") == 7
    assert read_reply("  7 this week ") == 7
    assert read_reply("goal: 12") == 12
    assert read_reply("5!") == 5
    assert read_reply("1000") is GoalProblem.OUT_OF_RANGE
    assert read_reply("-3") is GoalProblem.OUT_OF_RANGE
    assert read_reply("2 or 3") is GoalProblem.NOT_A_NUMBER
    assert read_reply("2.5") is GoalProblem.NOT_A_NUMBER
    assert read_reply("Had 2 interviews and sent 4 applications") == Report(
        "Had 2 interviews and sent 4 applications"
    )
    assert read_reply("Quiet week, resting") == Report("Quiet week, resting")
    assert read_reply("5 applications, 2 interviews") == Report("5 applications, 2 interviews")
    assert read_reply("  \u200b ") is None


@pytest.mark.parametrize(
    ("language", "text", "goal"),
    [
        ("en", "7.", 7),
        ("en", "7 applications", 7),
        ("en", "Goal 7", 7),
        ("en", "my goal: 8 applications a week", 8),
        ("de", "Ziel: 7", 7),
        ("de", "7 Bewerbungen pro Woche", 7),
        ("es", "meta 7", 7),
        ("es", "7 solicitudes a la semana", 7),
        ("pt_BR", "Meta: 6 candidaturas", 6),
        ("fr", "objectif 9", 9),
        ("ru", "цель 5", 5),
        ("ru", "10 откликов в неделю", 10),
        ("uk", "мета: 4 заявки", 4),
        # English goal words are understood in every language
        ("de", "goal 3", 3),
        ("de", "2-3", GoalProblem.NOT_A_NUMBER),
        ("fr", "2 ou 3", GoalProblem.NOT_A_NUMBER),
    ],
)
def test_a_number_with_goal_words_in_the_members_language_is_a_goal(
    language: str, text: str, goal: int | GoalProblem
) -> None:
    assert read_reply(text, language) == goal


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "2 interviews this week"),
        ("en", "I did 5"),
        ("en", "Only managed 2"),
        ("en", "Week 3"),
        ("en", "3 rejections"),
        ("de", "Nur 2 geschafft"),
        ("de", "2 Vorstellungsgespräche diese Woche"),
        ("de", "Woche 3"),
        ("es", "Hice 5"),
        ("pt_BR", "Só consegui 2"),
        ("fr", "J'en ai fait 5"),
        ("ru", "Сделал 5"),
        ("ru", "2 собеседования"),
        ("uk", "Тиждень 3"),
        # a goal word of another language is not one here
        ("en", "Ziel 7"),
    ],
)
def test_a_short_report_with_a_number_stays_a_report(language: str, text: str) -> None:
    assert read_reply(text, language) == Report(text)


def test_the_members_left_out_are_counted_in_the_readers_number_format() -> None:
    weeks = [MemberWeek(n, f"Member {n}", applications=1) for n in range(2000)]
    text = render_checkin(Translator("en", BERLIN), CheckinWeek("Club", START, END, weeks))
    assert visible_length(text) <= MESSAGE_LIMIT
    # well over a thousand left out: "1,9xx", with the reader's grouping
    assert "…and 1," in text
