"""Unit tests: the plan of an interview whose "how did it go?" was skipped or went unanswered."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.domain.plan import NOT_TOLD, InterviewFacts, Prefs, plan_interview

BERLIN = Prefs(tz=ZoneInfo("Europe/Berlin"), country="DE")
# Tuesday 24 November 2026, 14:00 in Berlin
START = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)


def _kinds(facts: InterviewFacts, now: datetime) -> list[str]:
    return sorted(t.kind for t in plan_interview(facts, BERLIN, now))


def test_until_answered_only_the_question_is_planned() -> None:
    facts = InterviewFacts(scheduled_at=START, feeling=NOT_TOLD, interviewer_ids=(1, 2))
    assert _kinds(facts, datetime(2026, 11, 24, 15, 0, tzinfo=UTC)) == ["debrief"]


def test_skipped_plans_thank_yous_and_a_check_in_after_two_weeks() -> None:
    facts = InterviewFacts(
        scheduled_at=START, feeling=NOT_TOLD, interviewer_ids=(1, 2), debrief_skipped=True
    )
    now = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    assert _kinds(facts, now) == ["check_in", "no_answer", "thank_you", "thank_you"]
    [check_in] = [t for t in plan_interview(facts, BERLIN, now) if t.kind == "check_in"]
    # two weeks from Tuesday 24th is Tuesday 8 December; the check-in is the business day after
    assert check_in.first_nudge_at.astimezone(BERLIN.tz).date() == date(2026, 12, 9)


def test_unanswered_past_its_deadline_plans_the_same_and_keeps_a_given_time_frame() -> None:
    facts = InterviewFacts(scheduled_at=START, feeling=NOT_TOLD, response_by=date(2026, 12, 1))
    # the question is due by the end of Wednesday in Berlin
    before = datetime(2026, 11, 25, 22, 59, tzinfo=UTC)
    after = datetime(2026, 11, 25, 23, 0, tzinfo=UTC)
    assert _kinds(facts, before) == ["debrief"]
    assert _kinds(facts, after) == ["check_in", "no_answer", "thank_you"]
    [check_in] = [t for t in plan_interview(facts, BERLIN, after) if t.kind == "check_in"]
    assert check_in.first_nudge_at.astimezone(BERLIN.tz).date() == date(2026, 12, 2)


def test_an_answer_given_wins_over_a_skip() -> None:
    facts = InterviewFacts(
        scheduled_at=START, feeling="good", interviewer_ids=(1,), debrief_skipped=True
    )
    assert _kinds(facts, datetime(2026, 11, 24, 15, 0, tzinfo=UTC)) == ["references", "thank_you"]
