"""Unit tests: what an offer elsewhere, an accepted offer and a long silence add to the plan."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.domain import plan
from bot.domain.drafts import DraftFacts, draft_for
from bot.domain.plan import InterviewFacts, Prefs, plan_interview

BERLIN = Prefs(tz=ZoneInfo("Europe/Berlin"))
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def kinds(facts: InterviewFacts, now: datetime = NOW) -> dict[str, plan.PlannedTask]:
    return {t.kind: t for t in plan_interview(facts, BERLIN, now)}


def test_an_offer_elsewhere_asks_for_a_casual_mention_on_waiting_interviews_only() -> None:
    base = InterviewFacts(MONDAY, feeling="good", response_by=date(2026, 11, 30))
    offer_at = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
    mention = kinds(replace(base, offer_elsewhere_at=offer_at))
    assert plan.MENTION_OFFER in mention
    assert mention[plan.MENTION_OFFER].first_nudge_at == NOW
    # due the next business day after the news, at the end of it
    assert mention[plan.MENTION_OFFER].due_at == datetime(2026, 11, 25, 23, 0, tzinfo=UTC)
    assert plan.MENTION_OFFER not in kinds(base)
    rejected = InterviewFacts(MONDAY, outcome="rejected", offer_elsewhere_at=offer_at)
    assert plan.MENTION_OFFER not in kinds(rejected)


def test_an_accepted_offer_elsewhere_leaves_a_withdrawal_or_a_decline() -> None:
    accepted_at = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
    waiting = kinds(
        InterviewFacts(
            MONDAY,
            feeling="good",
            response_by=date(2026, 11, 30),
            interviewer_ids=(1, 2),
            offer_elsewhere_at=accepted_at,
            accepted_elsewhere_at=accepted_at,
        )
    )
    assert set(waiting) == {plan.WITHDRAW_NOTE}
    other_offer = kinds(
        InterviewFacts(MONDAY, outcome="offer", outcome_at=NOW, accepted_elsewhere_at=accepted_at)
    )
    assert set(other_offer) == {plan.THANK_REFERENCES, plan.DECLINE_OFFER}
    taken = kinds(
        InterviewFacts(
            MONDAY,
            outcome="offer",
            outcome_at=NOW,
            accepted=True,
            accepted_elsewhere_at=accepted_at,
        )
    )
    assert set(taken) == {plan.THANK_REFERENCES}


def test_no_answer_is_asked_a_week_after_the_check_in_while_awaiting() -> None:
    facts = InterviewFacts(MONDAY, response_by=date(2026, 11, 30))
    planned = kinds(facts)
    # check-in on Tuesday 1 December; the question a week later at 09:00 in Berlin
    assert planned[plan.CHECK_IN].first_nudge_at == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert planned[plan.NO_ANSWER].first_nudge_at == datetime(2026, 12, 8, 8, 0, tzinfo=UTC)
    assert planned[plan.NO_ANSWER].due_at > planned[plan.NO_ANSWER].first_nudge_at
    for outcome in ("ghosted", "next_round", "rejected", "offer"):
        assert plan.NO_ANSWER not in kinds(InterviewFacts(MONDAY, outcome=outcome))


def test_the_mention_draft_says_when_to_decide_and_no_ultimatum() -> None:
    facts = DraftFacts(sender="Ana", company="Globex", role="Engineer", decide_by="Friday")
    text = draft_for(plan.MENTION_OFFER, lambda s: s, facts)
    assert text is not None
    assert "I need to give them my answer by Friday." in text
    assert "Engineer role at Globex" in text and text.endswith("Ana")
    vague = draft_for(plan.MENTION_OFFER, lambda s: s, DraftFacts("Ana", "Globex", "Engineer"))
    assert vague is not None and "I need to give them my answer soon." in vague
