"""How this week's applications against the weekly goal read, in /applied and the nudges."""

from __future__ import annotations

from bot.domain.progress import WeekProgress
from bot.i18n import Translator


def progress_lines(tr: Translator, progress: WeekProgress) -> list[str]:
    """This week's count: against the goal when there is one, with a word when it is met."""
    _ = tr.gettext
    if progress.goal is None:
        return [
            _("Applications this week: {count}.").format(count=tr.number(progress.applications))
        ]
    lines = [
        _("This week so far: {done} of {goal}.").format(
            done=tr.number(progress.applications), goal=tr.number(progress.goal)
        )
    ]
    if progress.met:
        lines.append(_("You have reached your weekly goal. Well done!"))
    else:
        lines.append(
            tr.ngettext(
                "{count} more to reach your goal.",
                "{count} more to reach your goal.",
                progress.left,
            ).format(count=tr.number(progress.left))
        )
    return lines


def short_week_line(tr: Translator, last_week: WeekProgress) -> str:
    """A kind word for a week that ended short of the goal: no scolding, a fresh start."""
    return tr.gettext(
        "Last week ended at {done} of {goal}. That is all right: every application counts, "
        "and this is a new week."
    ).format(
        done=tr.number(last_week.applications),
        goal=tr.number(last_week.goal if last_week.goal is not None else 0),
    )
