"""Names of the fixed choices (formats, time frames, feelings, outcomes), marked for translation."""

from __future__ import annotations

from bot.i18n import N_

FORMAT_LABELS = {
    "in_person": N_("In person"),
    "phone": N_("Phone"),
    "video": N_("Video"),
}
TIMEFRAME_LABELS = {
    "week": N_("Within a week"),
    "two_weeks": N_("1–2 weeks"),
    "month": N_("3–4 weeks"),
    "date": N_("By a date"),
    "unknown": N_("They didn't say"),
}
FEELING_LABELS = {
    "good": N_("Good chance"),
    "unsure": N_("Not sure"),
    "unlikely": N_("Unlikely"),
}
OUTCOME_LABELS = {
    "awaiting": N_("Waiting for an answer"),
    "upcoming": N_("Upcoming"),
    "next_round": N_("Next round"),
    "offer": N_("Offer"),
    "rejected": N_("Not this time"),
    "withdrawn": N_("Withdrawn"),
    "ghosted": N_("No answer"),
}
