"""Everything a user has told the bot: JSON, a calendar file, contact cards and a spreadsheet."""

from bot.export.calendar import to_calendar
from bot.export.cards import split_name, to_vcards
from bot.export.record import collect, to_json
from bot.export.sheet import applications_csv, neutralise
from bot.export.words import ExportWords

__all__ = [
    "ExportWords",
    "applications_csv",
    "collect",
    "neutralise",
    "split_name",
    "to_calendar",
    "to_json",
    "to_vcards",
]
