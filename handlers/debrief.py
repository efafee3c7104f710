"""After an interview logged ahead: the button on its nudge opens how it went, who was there and
when they will answer, in the logging conversation."""

from __future__ import annotations

from html import escape

from telegram import Update

from bot import keyboards
from bot.domain.plan import NOT_TOLD
from bot.interviews import find_interview
from bot.runtime import scope
from handlers.common import Context, answer
from handlers.log_draft import END, draft_of, keep, start_draft
from handlers.log_questions import go
from handlers.steps import Step


async def debrief_from_nudge(update: Update, context: Context) -> int:
    """Asks how an interview logged ahead went, once it has happened and only once."""
    query = update.callback_query
    assert query is not None and context.user_data is not None
    interview_id = keyboards.int_arg(keyboards.decode(query.data), 2)
    async with scope(update, context) as s:
        _ = s._
        interview = await find_interview(s.session, s.user.id, interview_id)
        if interview is None:
            await query.answer(_("That interview no longer exists."), show_alert=True)
            return END
        if interview.scheduled_at > s.runtime.clock.now():
            await query.answer(
                _("That interview is still to come; I'll ask you about it afterwards."),
                show_alert=True,
            )
            return END
        if interview.feeling != NOT_TOLD:
            await query.answer(
                _("You have already told me how it went. /interviews shows it, to change it."),
                show_alert=True,
            )
            return END
        await query.answer()
        draft = draft_of(interview)
        draft.editing = False
        draft.debrief = True
        start_draft(context, draft)
        try:
            await answer(
                update,
                _(
                    "Your interview at <b>{company}</b> for the {role} role: three short "
                    "questions, then I'll plan your thank-yous and the rest. /cancel stops at "
                    "any point."
                ).format(company=escape(interview.company), role=escape(interview.role)),
            )
            return await go(update, context, s, draft, Step.FEELING)
        finally:
            keep(context, draft)
