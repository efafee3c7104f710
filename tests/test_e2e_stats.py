"""End to end: /stats sends a real PNG chart with the right figures, in the user's language."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from matplotlib.image import imread

import handlers.stats
from bot.charts import ChartTexts, render_weekly_chart
from bot.db.models import (
    Application,
    Interview,
    Interviewer,
    Reference,
    ReferenceWarning,
    Task,
    User,
)
from bot.domain.progress import WeeklySeries
from fakeapi import FakeUser
from fakeapi.running import RunningBot
from tests.flows import say

ROOT = Path(__file__).resolve().parents[1]
# Wednesday; in Berlin the week began on Monday 23 November at 00:00 (22 November, 23:00 UTC)
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def at(day: int, hour: int = 10, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


async def seed_history(bot: RunningBot, person: FakeUser, goal: int | None = 5) -> None:
    """Four applications, four interviews (one coming up), thank-yous on time, late and
    skipped, two references told, an offer and a rejection."""
    async with bot.runtime.session() as session, session.begin():
        user = await session.get(User, person.id)
        assert user is not None
        user.weekly_goal = goal
        uid = person.id
        session.add_all(
            Application(user_id=uid, company=name, applied_at=moment)
            for name, moment in (
                ("This week A", at(24)),
                ("This week B", at(25, 9)),
                # Sunday 22 November at 22:30 UTC is Sunday 23:30 in Berlin: last week
                ("Last week", datetime(2026, 11, 22, 22, 30, tzinfo=UTC)),
                ("Five weeks ago", at(21, month=10)),
            )
        )

        def interview(company: str, when: datetime, outcome: str = "awaiting") -> Interview:
            return Interview(
                user_id=uid,
                company=company,
                role="Engineer",
                scheduled_at=when,
                format="video",
                outcome=outcome,
                created_at=when,
                updated_at=when,
                interviewers=[Interviewer(name="Pat"), Interviewer(name="Sam", position=1)],
            )

        offer = interview("Offer Co", at(23, 14), "offer")
        offer.outcome_at = at(25, 10)
        rejected = interview("No Co", at(10), "rejected")
        rejected.outcome_at = at(20)
        waiting = interview("Wait Co", at(16))
        upcoming = interview("Soon Co", at(30))
        session.add_all([offer, rejected, waiting, upcoming])
        await session.flush()

        def thank_you(
            iv: Interview, person_n: int, due: datetime, state: str, done: datetime | None
        ) -> Task:
            return Task(
                user_id=uid,
                interview_id=iv.id,
                interviewer_id=iv.interviewers[person_n].id,
                kind="thank_you",
                state=state,
                due_at=due,
                done_at=done,
                created_at=due,
                updated_at=due,
            )

        session.add_all(
            [
                # on time: done the day after, due two business days after
                thank_you(offer, 0, at(25, 23), "done", at(24)),
                # late: done after the end of its second business day
                thank_you(rejected, 0, at(12, 23), "done", at(14)),
                # skipped and still open: not follow-ups sent
                thank_you(waiting, 0, at(18, 23), "skipped", None),
                thank_you(waiting, 1, at(18, 23), "pending", None),
            ]
        )
        bo = Reference(user_id=uid, name="Bo", created_at=at(1))
        session.add(bo)
        await session.flush()
        session.add_all(
            [
                ReferenceWarning(reference_id=bo.id, interview_id=offer.id, warned_at=at(24)),
                ReferenceWarning(reference_id=bo.id, interview_id=waiting.id, warned_at=at(17)),
            ]
        )


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[ChartTexts]:
    """Keeps the words handed to the chart, which a test cannot read back from the pixels."""
    seen: list[ChartTexts] = []

    def recording(series: WeeklySeries, texts: ChartTexts, goal: int | None = None) -> bytes:
        seen.append(texts)
        return render_weekly_chart(series, texts, goal)

    monkeypatch.setattr(handlers.stats, "render_weekly_chart", recording)
    return seen


async def test_stats_sends_a_png_chart_with_the_figures(
    bot: RunningBot, drawn: list[ChartTexts]
) -> None:
    bot.clock.set(NOW)
    ana = bot.fake.add_user("Ana")
    await say(bot, ana, "/timezone Berlin")
    await seed_history(bot, ana)
    await say(bot, ana, "/stats")

    message = ana.last_message
    assert message.kind == "photo" and message.photo is not None
    pixels = imread(io.BytesIO(message.photo), format="png")
    assert pixels.shape[:2] == (800, 1200)
    caption = message.plain
    this_week, all_time = caption.split("All time")
    assert "This week (since November 23)" in this_week
    for line in (
        "Applications: 2 of 5",
        "Interviews: 1\n",
        "Thank-you notes sent: 1, 1 of them on time",
        "References told: 1",
        "Answers: Offer: 1",
    ):
        assert line in this_week
    assert "Not this time" not in this_week
    for line in (
        "Applications: 4",
        "Interviews: 3, and 1 coming up",
        "Thank-you notes sent: 2, 1 of them on time",
        "References told: 2",
        "Answers: Offer: 1 · Not this time: 1 · Waiting for an answer: 1",
    ):
        assert line in all_time

    [texts] = drawn
    assert texts.week_labels == (
        "Oct 5", "Oct 12", "Oct 19", "Oct 26", "Nov 2", "Nov 9", "Nov 16", "This week"
    )  # fmt: skip
    assert (texts.title, texts.goal) == ("Your last 8 weeks", "Weekly goal: 5")


async def test_stats_in_german_dates_and_answers(bot: RunningBot, drawn: list[ChartTexts]) -> None:
    bot.clock.set(NOW)
    jonas = bot.fake.add_user("Jonas", language_code="de")
    await say(bot, jonas, "/timezone Berlin")
    await seed_history(bot, jonas, goal=None)
    await say(bot, jonas, "/stats")
    message = jonas.last_message
    assert message.kind == "photo" and message.photo is not None
    assert imread(io.BytesIO(message.photo), format="png").shape[:2] == (800, 1200)
    caption = message.plain
    # the day and the names of the answers come from Babel and the existing catalog
    assert "23. November" in caption
    for answer in ("Zusage", "Diesmal nicht", "Antwort ausstehend"):
        assert answer in caption
    assert "Offer" not in caption
    [texts] = drawn
    assert texts.week_labels[:7] == (
        "5. Okt.", "12. Okt.", "19. Okt.", "26. Okt.", "2. Nov.", "9. Nov.", "16. Nov."
    )  # fmt: skip
    assert texts.goal is None


async def test_no_data_gets_a_kind_word_and_no_chart(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    shown = await say(bot, ana, "/stats")
    assert "Nothing to count yet" in shown
    assert "/applied Company — Role" in shown
    assert all(m.kind == "text" for m in ana.messages)


async def test_only_old_activity_gets_figures_without_an_empty_chart(bot: RunningBot) -> None:
    bot.clock.set(NOW)
    ana = bot.fake.add_user("Ana")
    await say(bot, ana, "/applied Acme")
    bot.clock.set(datetime(2027, 3, 1, 12, 0, tzinfo=UTC))
    shown = await say(bot, ana, "/stats")
    assert "Applications: 1" in shown
    assert "Nothing in the last 8 weeks to draw, so no chart this time." in shown
    assert all(m.kind == "text" for m in ana.messages)


async def test_in_a_group_stats_are_shown_in_private(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    group = bot.fake.add_group("Job club", members=[ana])
    await seed_user_row(bot, ana)
    await seed_history(bot, ana)
    shown = await say(bot, ana, "/stats", chat=group)
    assert "let's do it in a private chat" in shown
    assert all(m.kind == "text" for m in group.messages)


async def seed_user_row(bot: RunningBot, person: FakeUser) -> None:
    async with bot.runtime.session() as session, session.begin():
        now = bot.clock.now()
        session.add(
            User(id=person.id, first_name=person.first_name, created_at=now, updated_at=now)
        )


def test_matplotlib_is_not_loaded_at_start_up() -> None:
    script = (
        "import sys\n"
        "from bot.app import build_application\n"
        "from bot.config import Settings\n"
        "build_application(Settings(_env_file=None, bot_token='1:x'))\n"
        "print('matplotlib' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"


def test_visible_length_counts_what_telegram_counts() -> None:
    # tags dropped, an entity is one character, an emoji outside the BMP is two UTF-16 units
    assert handlers.stats.visible_length("<b>a</b> &amp; 😀") == 6


async def test_figures_too_long_for_a_caption_follow_the_picture(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(handlers.stats, "MAX_CAPTION", 40)
    bot.clock.set(NOW)
    ana = bot.fake.add_user("Ana")
    await say(bot, ana, "/applied Acme")
    await say(bot, ana, "/stats")
    photo, text = ana.messages[-2:]
    assert photo.kind == "photo" and photo.photo is not None and not photo.plain
    assert text.kind == "text" and "Applications: 1" in text.plain
