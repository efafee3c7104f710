"""The applications as a CSV file a spreadsheet opens as it is: accents, dates and all."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from bot.export.words import ExportWords

# a cell starting with one of these is read as a formula by spreadsheet apps
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """The cell as text a spreadsheet will not run: a leading apostrophe before a formula sign."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def applications_csv(record: dict[str, Any], words: ExportWords) -> bytes:
    """A header row, then one row per application, the date and time in the user's zone;
    UTF-8 with a byte-order mark, which spreadsheet apps need to read accents right."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(column) for column in words.columns])
    for application in record["applications"]:
        applied = datetime.fromisoformat(application["applied_at"]).astimezone(words.tr.tz)
        writer.writerow(
            [
                neutralise(application["company"]),
                neutralise(application["role"]),
                applied.strftime("%Y-%m-%d %H:%M"),
            ]
        )
    return out.getvalue().encode("utf-8-sig")
