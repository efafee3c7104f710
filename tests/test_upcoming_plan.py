"""Unit tests: telling a name from a title, and when an interview logged ahead is asked about."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.domain.people import split_name_and_title
from bot.domain.plan import (
    BEFORE_YOU_LEAVE,
    DEBRIEF,
    NOT_TOLD,
    InterviewFacts,
    Prefs,
    plan_interview,
)

BERLIN = Prefs(tz=ZoneInfo("Europe/Berlin"), country="DE")
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_a_name_and_a_title_split_at_the_first_comma_of_any_script() -> None:
    assert split_name_and_title("Zoë O'Brien-Núñez, Head of Data") == (
        "Zoë O'Brien-Núñez",
        "Head of Data",
    )
    assert split_name_and_title("Ana Díaz,CTO, EMEA") == ("Ana Díaz", "CTO, EMEA")
    assert split_name_and_title("李雷，技术总监") == ("李雷", "技术总监")
    assert split_name_and_title("سارة، مديرة") == ("سارة", "مديرة")


def test_with_no_comma_a_spaced_dash_splits_but_a_double_name_does_not() -> None:
    assert split_name_and_title("Fernanda Alves - coordenadora de dados") == (
        "Fernanda Alves",
        "coordenadora de dados",
    )
    assert split_name_and_title("Ірина Коваль — HR-менеджерка") == ("Ірина Коваль", "HR-менеджерка")
    assert split_name_and_title("Anne-Marie Dupont-Moreau") is None


def test_no_split_without_a_comma_or_without_words_on_both_sides() -> None:
    assert split_name_and_title("Zoë O'Brien-Núñez") is None
    assert split_name_and_title("Zoë,") is None
    assert split_name_and_title(", Head of Data") is None
    assert split_name_and_title("Zoë, —") is None


def _ahead(
    start: datetime,
    time_known: bool = True,
    outcome: str = "awaiting",
    outcome_at: datetime | None = None,
) -> InterviewFacts:
    return InterviewFacts(
        scheduled_at=start,
        feeling=NOT_TOLD,
        interviewer_ids=(7,),
        time_known=time_known,
        outcome=outcome,
        outcome_at=outcome_at,
    )


def test_an_interview_logged_ahead_plans_only_the_morning_and_the_question_after() -> None:
    start = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)  # 14:00 in Berlin
    planned = {t.kind: t for t in plan_interview(_ahead(start), BERLIN, MONDAY)}
    assert set(planned) == {BEFORE_YOU_LEAVE, DEBRIEF}
    # an hour and a half after the start, and due by the end of the next business day
    assert planned[DEBRIEF].first_nudge_at == datetime(2026, 11, 24, 14, 30, tzinfo=UTC)
    assert planned[DEBRIEF].due_at == datetime(2026, 11, 25, 23, 0, tzinfo=UTC)


def test_the_question_after_a_late_interview_waits_for_the_morning() -> None:
    start = datetime(2026, 11, 24, 19, 30, tzinfo=UTC)  # 20:30 in Berlin
    [_morning, debrief] = plan_interview(_ahead(start), BERLIN, MONDAY)
    assert debrief.kind == DEBRIEF
    assert debrief.first_nudge_at == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def test_a_day_without_a_time_is_asked_about_in_the_evening() -> None:
    noon = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
    debrief = plan_interview(_ahead(noon, time_known=False), BERLIN, MONDAY)[-1]
    assert debrief.first_nudge_at == datetime(2026, 11, 24, 17, 0, tzinfo=UTC)


def test_once_told_the_plan_starts_and_the_question_is_gone() -> None:
    start = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
    after = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    told = InterviewFacts(scheduled_at=start, feeling="good", interviewer_ids=(7, 8))
    kinds = sorted(t.kind for t in plan_interview(told, BERLIN, after))
    assert kinds == ["references", "thank_you", "thank_you"]
    # an outcome given before telling how it went: the courtesy note takes the thank-you's
    # place, as it does for any rejection, and the question is no longer asked
    rejected = _ahead(start, outcome="rejected", outcome_at=after)
    kinds = sorted(t.kind for t in plan_interview(rejected, BERLIN, after))
    assert kinds == ["courtesy"]
