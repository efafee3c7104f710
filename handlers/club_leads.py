"""/lead in a club's group: a member shares a job lead, and others count it with "I applied"."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from telegram import ForceReply, LinkPreviewOptions, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import keyboards
from bot.clubs.leads import LINK_LIMIT, LeadLine, LinkProblem, lead_what, read_lead
from bot.clubs.members import membership
from bot.db.models import Application, Club, ClubLead, User
from bot.domain.applications import ApplicationProblem, same_application
from bot.domain.interviews import MAX_FIELD
from bot.domain.text import has_visible_text
from bot.runtime import Scope, runtime_of, scope
from handlers.applications import REPEAT_WINDOW, logged_lines
from handlers.club_private import club_translator, tell_privately
from handlers.common import Context, answer, deep_link, is_private

ACTION = "ld"
# the chat and message id of the "which lead?" question a member's reply answers
PROMPT_KEY = "lead-prompt"
# what a group's lead shows of a link: the text, never a preview someone else's page dresses up
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def plain_what(company: str, role: str) -> str:
    """'Company · Role' for a callback alert, which shows text as it is (no HTML)."""
    return company + (f" · {role}" if role else "")


async def _club_and_member(s: Scope, chat_id: int) -> tuple[Club | None, bool]:
    club = await s.session.get(Club, chat_id)
    if club is None:
        return None, False
    return club, await membership(s.session, chat_id, s.user.id) is not None


async def lead_command(update: Update, context: Context) -> None:
    """Shares a lead: '/lead Company — Role — link'; with nothing after it, asks by a reply."""
    message = update.effective_message
    chat = update.effective_chat
    assert message is not None and chat is not None
    async with scope(update, context) as s:
        _ = s._
        if is_private(update):
            await answer(
                update,
                _("Leads are shared with a club: send /lead in your club's group chat."),
            )
            return
        club, member = await _club_and_member(s, chat.id)
        if club is None or not member:
            await answer(update, _("Only members of this club can share leads. Join with /join."))
            return
        parts = (message.text or "").split(maxsplit=1)
        text = parts[1] if len(parts) > 1 else ""
        if not text.strip():
            await _ask_for_lead(update, context, s)
            return
        await _share(update, context, s, club, text)


async def _ask_for_lead(update: Update, context: Context, s: Scope) -> None:
    _ = s._
    # selective: only the member who asked gets the reply field (the message replies to theirs)
    name = s.user.first_name if has_visible_text(s.user.first_name) else ""
    text = (
        _(
            "{name}, reply to this message with the lead: <i>Company — Role — link</i> "
            "(the role and the link may be left out)."
        ).format(name=escape(name))
        if name
        else _(
            "Reply to this message with the lead: <i>Company — Role — link</i> "
            "(the role and the link may be left out)."
        )
    )
    prompt = await answer(
        update,
        text,
        reply_markup=ForceReply(selective=True, input_field_placeholder=_("Company — Role — link")),
    )
    chat = update.effective_chat
    if prompt is not None and chat is not None and context.user_data is not None:
        context.user_data[PROMPT_KEY] = [chat.id, prompt.message_id]


async def lead_reply(update: Update, context: Context) -> None:
    """Takes a member's reply to their own "which lead?" question as the lead."""
    message = update.effective_message
    chat = update.effective_chat
    assert message is not None and chat is not None
    if context.user_data is not None:
        # answered once; a second reply to the same question is not a second lead
        context.user_data.pop(PROMPT_KEY, None)
    async with scope(update, context) as s:
        club, member = await _club_and_member(s, chat.id)
        if club is None or not member:
            await answer(update, s._("Only members of this club can share leads. Join with /join."))
            return
        await _share(update, context, s, club, message.text or "")


class AnswersLeadPrompt(filters.MessageFilter):
    """A reply to the "which lead?" question this member was asked in this chat: another
    member's reply to it is not theirs to answer."""

    def __init__(self, user_data: Mapping[int, Mapping[Any, Any]]) -> None:
        super().__init__(name="AnswersLeadPrompt")
        self._user_data = user_data

    def filter(self, message: Message) -> bool:
        replied = message.reply_to_message
        user = message.from_user
        if replied is None or user is None:
            return False
        asked = self._user_data.get(user.id, {}).get(PROMPT_KEY)
        return asked == [message.chat.id, replied.message_id]


async def _share(update: Update, context: Context, s: Scope, club: Club, text: str) -> None:
    _ = s._
    line = read_lead(text, MAX_FIELD)
    if line is ApplicationProblem.NO_COMPANY:
        await answer(
            update,
            _(
                "I need the company's name, with at least one letter or digit: "
                "<code>/lead Company — Role — link</code>"
            ),
        )
        return
    if line is ApplicationProblem.NO_ROLE_TEXT:
        await answer(
            update,
            _(
                "The role needs at least one letter or digit; or leave it out: "
                "<code>/lead Company — link</code>"
            ),
        )
        return
    if line is ApplicationProblem.TOO_LONG:
        await answer(
            update,
            _("Please keep the company and the role to {limit} characters each.").format(
                limit=MAX_FIELD
            ),
        )
        return
    if line is LinkProblem.TOO_LONG:
        await answer(
            update,
            _("Please keep the link to {limit} characters.").format(limit=LINK_LIMIT),
        )
        return
    if line is LinkProblem.NOT_WEB:
        await answer(
            update,
            _("The link must be a web address starting with http:// or https://, or leave it out."),
        )
        return
    assert isinstance(line, LeadLine)
    now = s.runtime.clock.now()
    lead = ClubLead(
        club_id=club.id,
        user_id=s.user.id,
        company=line.company,
        role=line.role,
        link=line.link,
        created_at=now,
    )
    s.session.add(lead)
    await s.session.flush()
    tr = club_translator(s.runtime, club)
    lines = [
        tr.gettext("💼 <b>A job lead from {name}</b>").format(
            name=escape(s.user.first_name or tr.gettext("a member"))
        ),
        lead_what(line.company, line.role),
    ]
    if line.link:
        lines.append(escape(line.link))
    lines.append(tr.gettext("Applied? Tap below: it counts as your application."))
    message = update.effective_message
    assert message is not None
    # the lead is stored (and committed before this request): the post only shows it
    posted = await message.reply_text(
        "\n".join(lines),
        reply_markup=keyboards.keyboard(
            [[keyboards.button(tr.gettext("✅ I applied"), ACTION, lead.id)]]
        ),
        link_preview_options=NO_PREVIEW,
    )
    lead.message_id = posted.message_id


async def applied_to_lead(update: Update, context: Context) -> None:
    """Counts a lead as the tapper's application, once, and tells them privately."""
    query = update.callback_query
    tg_user = update.effective_user
    chat = update.effective_chat
    assert query is not None and tg_user is not None
    runtime = runtime_of(context)
    async with runtime.session() as session:
        known = await session.get(User, tg_user.id)
    if known is None:
        # nothing is stored about someone who never wrote to the bot; the private chat, where
        # applications live, is one tap away (Telegram opens t.me/<bot>?start= links from here)
        tr = runtime.translator_for(None, tg_user.language_code)
        target = chat.id if chat is not None else 0
        await query.answer(
            tr.gettext(
                "Open a private chat with me first and join the club: "
                "that is where I keep your applications."
            ),
            url=deep_link(context, f"join_{target}"),
        )
        return
    lead_id = keyboards.int_arg(keyboards.decode(query.data), 1)
    async with scope(update, context) as s:
        _ = s._
        lead = await s.session.get(ClubLead, lead_id) if lead_id is not None else None
        if lead is None or chat is None or lead.club_id != chat.id:
            await query.answer(_("This lead is no longer here."), show_alert=True)
            return
        if await membership(s.session, lead.club_id, s.user.id) is None:
            await query.answer(
                _("Only members of this club can count its leads. Join with /join first."),
                show_alert=True,
            )
            return
        what = plain_what(lead.company, lead.role)
        counted = await s.session.scalar(
            select(Application).where(
                Application.user_id == s.user.id, Application.lead_id == lead.id
            )
        )
        if counted is not None:
            await query.answer(
                _("Already counted: you applied to {what} on {when}.").format(
                    what=what, when=s.tr.day(counted.applied_at)
                ),
                show_alert=True,
            )
            return
        now = s.runtime.clock.now()
        recent = await s.session.scalars(
            select(Application).where(
                Application.user_id == s.user.id,
                Application.lead_id.is_(None),
                Application.applied_at >= now - REPEAT_WINDOW,
            )
        )
        logged = next(
            (a for a in recent if same_application(a.company, a.role, lead.company, lead.role)),
            None,
        )
        if logged is not None:
            # logged with /applied a moment ago: the same application, now tied to the lead
            logged.lead_id = lead.id
            await query.answer(
                _("You had already logged {what}: it stays counted once.").format(what=what),
                show_alert=True,
            )
            return
        try:
            async with s.session.begin_nested():
                s.session.add(
                    Application(
                        user_id=s.user.id,
                        company=lead.company,
                        role=lead.role,
                        applied_at=now,
                        lead_id=lead.id,
                    )
                )
        except IntegrityError:
            # a double tap that raced this one counted it already
            await query.answer(_("Already counted."), show_alert=True)
            return
        club = await s.session.get(Club, lead.club_id)
        lines = await logged_lines(s, lead.company, lead.role)
        lines.insert(
            1,
            _("From a lead shared in {club}.").format(
                club=escape(club.title if club is not None else "")
            ),
        )
        lines.append(_("/applications lists them, to remove one."))
        if not await tell_privately(context, s.runtime, s.user, "\n".join(lines)):
            await query.answer(
                _("Counted. Open a private chat with me to see your week."),
                url=deep_link(context, "applications"),
            )
            return
        await query.answer(_("Counted as your application. Your week is in our private chat."))


def club_lead_handlers(
    user_data: Mapping[int, Mapping[Any, Any]],
) -> list[BaseHandler[Update, Context, object]]:
    """The handlers of /lead; user_data is the application's, where the question is kept."""
    group_reply = (
        filters.ChatType.GROUPS
        & filters.TEXT
        & ~filters.COMMAND
        & filters.REPLY
        & AnswersLeadPrompt(user_data)
    )
    return [
        CommandHandler("lead", lead_command),
        MessageHandler(group_reply, lead_reply),
        CallbackQueryHandler(applied_to_lead, pattern=keyboards.pattern(ACTION)),
    ]
