"""How the references heads-up and the thank-your-references tasks name the user's references."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from babel.lists import format_list
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton

from bot import keyboards
from bot.db.models import Reference, ReferenceWarning, Task
from bot.domain import plan
from bot.domain.text import shorten
from bot.i18n import Translator

# the callback action of a reference's button under a heads-up: "rt:<task>:<reference>"
TOLD_ACTION = "rt"
# the /references conversation's own add button, carrying the task to show again once saved
ADD_ACTION = "ref"
KINDS = (plan.REFERENCES, plan.THANK_REFERENCES)
# a name in a nudge's text and on a button: enough to tell two people apart, no more
TEXT_WIDTH = 48
BUTTON_WIDTH = 28
TOLD_MARK, NOT_YET_MARK = "☑", "☐"


class ReferenceFacts:
    """The user's references and which of them were told about the task's interview."""

    def __init__(self, references: Sequence[Reference], told_ids: frozenset[int]) -> None:
        self.references = list(references)
        self.told_ids = told_ids

    @property
    def told(self) -> list[Reference]:
        return [r for r in self.references if r.id in self.told_ids]

    @property
    def not_yet(self) -> list[Reference]:
        return [r for r in self.references if r.id not in self.told_ids]

    def to_thank(self) -> list[Reference]:
        """After an offer: those told about it, or everyone when no one was marked."""
        return self.told or self.references


async def load_reference_facts(
    session: AsyncSession, tasks: Sequence[Task]
) -> dict[int, ReferenceFacts]:
    """For each references task, keyed by task id: the owner's references and who was told."""
    wanted = [t for t in tasks if t.kind in KINDS]
    if not wanted:
        return {}
    user_ids = {t.user_id for t in wanted}
    interview_ids = {t.interview_id for t in wanted if t.interview_id is not None}
    references = (
        await session.scalars(
            select(Reference).where(Reference.user_id.in_(user_ids)).order_by(Reference.id)
        )
    ).all()
    marks: set[tuple[int, int]] = set()
    if interview_ids:
        rows = await session.execute(
            select(ReferenceWarning.reference_id, ReferenceWarning.interview_id).where(
                ReferenceWarning.interview_id.in_(interview_ids)
            )
        )
        marks = {(reference_id, interview_id) for reference_id, interview_id in rows.all()}
    found = {}
    for task in wanted:
        own = [r for r in references if r.user_id == task.user_id]
        told = frozenset(r.id for r in own if (r.id, task.interview_id) in marks)
        found[task.id] = ReferenceFacts(own, told)
    return found


def names(tr: Translator, references: Sequence[Reference]) -> str:
    """The names, each escaped and in bold, joined the way the user's language lists things."""
    shown = [f"<b>{escape(shorten(r.name, TEXT_WIDTH))}</b>" for r in references]
    return format_list(shown, locale=tr.locale)


def heads_up_text(tr: Translator, facts: ReferenceFacts, is_open: bool) -> str:
    """What follows the heads-up sentence: who was told so far, or an invitation to add them."""
    _ = tr.gettext
    if not facts.references:
        return _(
            "You have no references saved yet. Add the people who can vouch for your work, "
            "then mark here whom you told."
        )
    lines = []
    if facts.told:
        lines.append(_("Told so far: {names}.").format(names=names(tr, facts.told)))
    if facts.not_yet and is_open:
        lines.append(
            _("Not told yet: {names}. Tap a name below once you have told them.").format(
                names=names(tr, facts.not_yet)
            )
        )
    return " ".join(lines)


def thank_text(tr: Translator, company: str, facts: ReferenceFacts) -> str:
    """After an offer: thank those told about it, or all the references, or add some."""
    _ = tr.gettext
    if facts.told:
        return _(
            "Congratulations on the offer from <b>{company}</b>! Thank the references who "
            "knew about it: {names}."
        ).format(company=company, names=names(tr, facts.told))
    if facts.references:
        return _(
            "Congratulations on the offer from <b>{company}</b>! Thank your references: {names}."
        ).format(company=company, names=names(tr, facts.references))
    return (
        _("Congratulations on the offer from <b>{company}</b>! Thank your references.").format(
            company=company
        )
        + " "
        + _(
            "Add the people who vouch for you, and next time I'll help you give them a "
            "heads-up when an interview goes well."
        )
    )


def addressee(kind: str, facts: ReferenceFacts | None) -> str:
    """Whom a draft greets by name: for a heads-up, the next one not told yet (tapping their
    name moves the draft on to the next); after an offer, the one person to thank, if one."""
    if facts is None:
        return ""
    if kind == plan.REFERENCES and facts.not_yet:
        return facts.not_yet[0].name
    people = facts.to_thank() if kind == plan.THANK_REFERENCES else facts.references
    return people[0].name if len(people) == 1 else ""


def reference_rows(
    tr: Translator, task: Task, facts: ReferenceFacts | None, tag: str
) -> list[list[InlineKeyboardButton]]:
    """Under a heads-up, a button per reference that marks them told or not yet; with no
    references, under either task, a button that adds one."""
    if facts is None or task.kind not in KINDS:
        return []
    if not facts.references:
        label = tr.gettext("➕ Add a reference") + tag
        return [[keyboards.button(label, ADD_ACTION, "add", task.id)]]
    if task.kind != plan.REFERENCES:
        return []
    rows = []
    for reference in facts.references:
        mark = TOLD_MARK if reference.id in facts.told_ids else NOT_YET_MARK
        label = f"{mark} {shorten(reference.name, BUTTON_WIDTH)}{tag}"
        rows.append([keyboards.button(label, TOLD_ACTION, task.id, reference.id)])
    return rows
