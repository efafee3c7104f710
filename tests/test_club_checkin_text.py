"""The check-in post's text and the reading of replies to it: pure logic, no bot."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

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
