"""The nudge plan: which tasks an interview calls for and when each is due, with no I/O."""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

import holidays

from bot.domain.interviews import DEFAULT_RESPONSE_DAYS

THANK_YOU = "thank_you"
CHECK_IN = "check_in"
REFERENCES = "references"
KEEP_APPLYING = "keep_applying"
BEFORE_YOU_LEAVE = "before_you_leave"
COURTESY = "courtesy"
THANK_REFERENCES = "thank_references"
# after an interview logged ahead: how it went, who was there, when they will answer
DEBRIEF = "debrief"
# the feeling of an interview logged ahead, until the user says how it went
NOT_TOLD = ""
# an offer elsewhere: mention it casually to the interviews still waiting
MENTION_OFFER = "mention_offer"
# another offer was accepted: decline this offer courteously, withdraw from the waiting ones
DECLINE_OFFER = "decline_offer"
WITHDRAW_NOTE = "withdraw_note"
# the time frame and a check-in passed with nothing heard: mark it as no answer?
NO_ANSWER = "no_answer"
# business days (a working week) after the check-in before asking: time for a reply to come
NO_ANSWER_AFTER_DAYS = 5

# outcomes after which the user still waits for an answer
WAITING = ("awaiting", "next_round")


@dataclass(frozen=True)
class Prefs:
    """What the plan needs to know about the user."""

    tz: tzinfo
    country: str | None = None
    nudge_hour: int = 9
    quiet_hour: int = 21
    keep_applying_days: int = 3


@dataclass(frozen=True)
class InterviewFacts:
    """What the plan needs to know about one interview."""

    scheduled_at: datetime
    outcome: str = "awaiting"
    outcome_at: datetime | None = None
    feeling: str = "unsure"
    response_by: date | None = None
    interviewer_ids: tuple[int, ...] = ()
    time_known: bool = True
    # the user skipped "how did it go?" for an interview logged ahead
    debrief_skipped: bool = False
    # across the user's interviews: when the newest open offer elsewhere was recorded, and
    # when an offer elsewhere was accepted; and whether this one is an accepted offer
    offer_elsewhere_at: datetime | None = None
    accepted_elsewhere_at: datetime | None = None
    accepted: bool = False


@dataclass(frozen=True)
class PlannedTask:
    """One task the plan calls for: its identity within the interview and its timing."""

    kind: str
    interviewer_id: int | None
    due_at: datetime
    first_nudge_at: datetime
    cycle: int = 0

    @property
    def key(self) -> tuple[str, int | None, int]:
        return (self.kind, self.interviewer_id, self.cycle)


@functools.cache
def _holidays_of(country: str, year: int) -> Any:
    """The country's calendar for a year, or None when the holidays package does not know it."""
    try:
        return holidays.country_holidays(country.upper(), years=year)
    except NotImplementedError:
        return None


def is_business_day(day: date, country: str | None) -> bool:
    """Working days where the user lives: its weekend (Saturday and Sunday when the country is
    unknown) and public holidays do not count; a weekend day decreed a working day does."""
    calendar = _holidays_of(country, day.year) if country else None
    if calendar is None:
        return day.weekday() < 5
    return bool(calendar.is_working_day(day))


def add_business_days(day: date, count: int, country: str | None) -> date:
    """The business day `count` business days after `day` (which itself need not be one)."""
    current = day
    remaining = count
    while remaining > 0:
        current += timedelta(days=1)
        if is_business_day(current, country):
            remaining -= 1
    return current


def at_local(day: date, hour: int, prefs: Prefs, minute: int = 0) -> datetime:
    """A local wall-clock time on a day, as UTC; a time skipped by DST moves forward."""
    local = datetime.combine(day, time(hour, minute), tzinfo=prefs.tz)
    # round-tripping through UTC normalises a non-existent local time (spring forward)
    return local.astimezone(UTC)


def end_of_day(day: date, prefs: Prefs) -> datetime:
    """The last moment of a local day (the start of the next one), as UTC."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=prefs.tz).astimezone(UTC)


def within_waking_hours(moment: datetime, prefs: Prefs) -> datetime:
    """The same moment if it falls in the user's nudge window, else the window's next opening."""
    local = moment.astimezone(prefs.tz)
    if local.hour < prefs.nudge_hour:
        return at_local(local.date(), prefs.nudge_hour, prefs)
    if local.hour >= prefs.quiet_hour:
        return at_local(local.date() + timedelta(days=1), prefs.nudge_hour, prefs)
    return moment


def thank_you_due(interview_day: date, prefs: Prefs) -> date:
    """Thank-yous are due by the end of the second business day after the interview."""
    return add_business_days(interview_day, 2, prefs.country)


def plan_interview(facts: InterviewFacts, prefs: Prefs, now: datetime) -> list[PlannedTask]:
    """Every task this interview calls for now, given its state; the caller reconciles."""
    tasks: list[PlannedTask] = []
    local_start = facts.scheduled_at.astimezone(prefs.tz)
    day = local_start.date()
    upcoming = facts.scheduled_at > now

    if facts.outcome == "withdrawn":
        return tasks

    if facts.accepted_elsewhere_at is not None and facts.outcome in WAITING:
        # the user took another job: a polite withdrawal replaces the thank-yous, check-ins and
        # heads-ups a process still running would call for (the ones already done stay done)
        return [answer_task(WITHDRAW_NOTE, facts.accepted_elsewhere_at, 2, day, now, prefs)]

    if facts.outcome == "awaiting" and facts.offer_elsewhere_at is not None:
        # soon: the point is to tell them before the user must decide on the other offer
        tasks.append(answer_task(MENTION_OFFER, facts.offer_elsewhere_at, 1, day, now, prefs))

    if upcoming and facts.outcome == "awaiting":
        # a morning reminder at the nudge hour but not before 07:00, unless that is less than
        # an hour before the start; never after the interview has started
        morning = max(at_local(day, prefs.nudge_hour, prefs), at_local(day, 7, prefs))
        nudge = min(morning, facts.scheduled_at - timedelta(hours=1))
        nudge = max(nudge, min(now, facts.scheduled_at))
        tasks.append(PlannedTask(BEFORE_YOU_LEAVE, None, facts.scheduled_at, nudge))

    if facts.feeling == NOT_TOLD and facts.outcome in WAITING:
        debrief = debrief_task(facts, prefs)
        if not facts.debrief_skipped and now < debrief.due_at:
            # thank-yous, the check-in and the references hang on the answers to this question
            tasks.append(debrief)
            return tasks
        # skipped, or its deadline passed unanswered: the thank-yous must not wait for ever, so
        # plan with what a user who said nothing gets (the default time frame; with the feeling
        # unknown, no heads-up to the references)
        if facts.response_by is None:
            facts = replace(facts, response_by=day + timedelta(days=DEFAULT_RESPONSE_DAYS))

    if facts.outcome in WAITING:
        # a thank-you that looks forward to hearing back fits only while the user waits: once
        # they have an answer (or none will come) the courtesy note or the references' thanks
        # take its place, and a thank-you already sent stays on record
        next_day = add_business_days(day, 1, prefs.country)
        due_day = thank_you_due(day, prefs)
        due = end_of_day(due_day, prefs)
        first = max(at_local(next_day, prefs.nudge_hour, prefs), facts.scheduled_at)
        people: tuple[int | None, ...] = facts.interviewer_ids or (None,)
        for person in people:
            tasks.append(PlannedTask(THANK_YOU, person, due, first))

    if facts.outcome == "awaiting" and facts.response_by is not None:
        # the time frame they gave has passed: check in on the next business day after it
        check_day = add_business_days(max(facts.response_by, day), 1, prefs.country)
        moment = at_local(check_day, prefs.nudge_hour, prefs)
        tasks.append(PlannedTask(CHECK_IN, None, end_of_day(check_day, prefs), moment))

    if facts.outcome in WAITING and facts.feeling == "good":
        ref_day = add_business_days(day, 1, prefs.country) if not upcoming else day
        # never before the interview starts, and not in the night after a late one
        moment = within_waking_hours(
            max(at_local(ref_day, prefs.nudge_hour, prefs), facts.scheduled_at), prefs
        )
        due_day = add_business_days(ref_day, 1, prefs.country)
        tasks.append(PlannedTask(REFERENCES, None, end_of_day(due_day, prefs), moment))

    if facts.outcome in ("rejected", "offer"):
        # counted from the answer, but never due before the interview (an answer before it)
        answered = facts.outcome_at or now
        base = max(answered.astimezone(prefs.tz).date(), day)
        moment = within_waking_hours(max(now, answered), prefs)
        kind, days = (COURTESY, 2) if facts.outcome == "rejected" else (THANK_REFERENCES, 3)
        due_day = add_business_days(base, days, prefs.country)
        tasks.append(PlannedTask(kind, None, end_of_day(due_day, prefs), moment))

    if facts.outcome == "offer" and facts.accepted_elsewhere_at is not None and not facts.accepted:
        tasks.append(answer_task(DECLINE_OFFER, facts.accepted_elsewhere_at, 2, day, now, prefs))

    if facts.outcome == "awaiting" and facts.response_by is not None:
        tasks.append(no_answer_task(facts.response_by, day, prefs))

    return tasks


def answer_task(
    kind: str, since: datetime, days: int, interview_day: date, now: datetime, prefs: Prefs
) -> PlannedTask:
    """A note prompted by news (an offer, an acceptance): from the news on, in waking hours,
    due a few business days later, never before the interview's day."""
    base = max(since.astimezone(prefs.tz).date(), interview_day)
    moment = within_waking_hours(max(now, since), prefs)
    due = end_of_day(add_business_days(base, days, prefs.country), prefs)
    return PlannedTask(kind, None, max(due, moment + timedelta(hours=1)), moment)


def no_answer_task(response_by: date, interview_day: date, prefs: Prefs) -> PlannedTask:
    """Asking whether to mark an interview as no answer: a week after the check-in's day, so
    both the time frame and the check-in have had their chance."""
    check_day = add_business_days(max(response_by, interview_day), 1, prefs.country)
    ask_day = add_business_days(check_day, NO_ANSWER_AFTER_DAYS, prefs.country)
    moment = at_local(ask_day, prefs.nudge_hour, prefs)
    due = end_of_day(add_business_days(ask_day, 2, prefs.country), prefs)
    return PlannedTask(NO_ANSWER, None, due, moment)


def debrief_task(facts: InterviewFacts, prefs: Prefs) -> PlannedTask:
    """Asking how an interview logged ahead went: shortly after it ends (an hour and a half
    after the start; the evening when no time was given), in waking hours, due the next
    business day."""
    local_start = facts.scheduled_at.astimezone(prefs.tz)
    day = local_start.date()
    if not facts.time_known:
        after = max(at_local(day, 18, prefs), facts.scheduled_at + timedelta(hours=2))
    else:
        after = facts.scheduled_at + timedelta(minutes=90)
    moment = within_waking_hours(after, prefs)
    due = end_of_day(add_business_days(day, 1, prefs.country), prefs)
    return PlannedTask(DEBRIEF, None, max(due, moment + timedelta(hours=1)), moment)


def keep_applying_next(last_nudge: datetime | None, now: datetime, prefs: Prefs) -> datetime:
    """When the next 'keep applying' nudge is due: every few days, at the nudge hour."""
    start = last_nudge or now
    day = start.astimezone(prefs.tz).date() + timedelta(days=max(1, prefs.keep_applying_days))
    return at_local(day, prefs.nudge_hour, prefs)
