"""The translated words the export files use, gathered by the handler in the user's language."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.i18n import Translator


@dataclass(frozen=True)
class ExportWords:
    """Format strings in the user's language, and the translator for dates and their zone."""

    tr: Translator
    # "Interview: {company} — {role}"
    interview: str
    # task kind → "Thank-you due: {company}"
    tasks: dict[str, str] = field(default_factory=dict)
    # "Thank-you to {name} due: {company}": one event per interviewer, each with its name
    thank_you_to: str = "{name}: {company}"
    # "Interviewed you for {role} at {company} on {day}."
    interviewer_note: str = "{company}, {role}, {day}"
    # "One of your references ({relation})." and the same without a relation
    reference_with_relation: str = "{relation}"
    reference: str = ""
    # the spreadsheet's header row
    columns: tuple[str, str, str] = ("Company", "Role", "Applied on")

    def day(self, moment: datetime) -> str:
        return self.tr.day(moment)
