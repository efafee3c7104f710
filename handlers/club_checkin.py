"""The weekly check-in in the group: goal taps, and replies to the post (a goal or a report)."""

from __future__ import annotations

import contextvars
from datetime import datetime
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram import User as TelegramUser
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot import keyboards
from bot.clubs.checkin import GOAL_ACTION
from bot.clubs.goals import (
    REPORT_LIMIT,
    Report,
    checkin_post,
    latest_checkin,
    read_reply,
    save_report,
    set_goal,
)
from bot.clubs.members import membership
from bot.db.models import Club, User
from bot.domain.progress import GOAL_CHOICES, GOAL_MAX, GOAL_MIN, GoalProblem
from bot.i18n import Translator
from bot.runtime import Runtime, runtime_of, scope
from handlers.common import Context, edit_in_place, is_private, refuse_foreign_tap


def flush_club_posts_soon(context: Context) -> None:
    """Sends what a handler just queued for a club (a celebration) without making the user
    wait; if a flush is already under way it takes the post in its next round, else the next
    club sweep does, within a minute."""
    sweep = runtime_of(context).club_sweep
    if sweep is not None and not sweep.poster.busy:
        # started in an empty context: the task must not inherit the handler's open scope
        # (bot/runtime.py), or its sends would commit the handler's session from another task
        contextvars.Context().run(
            context.application.create_task, sweep.poster.flush(), name="club-posts"
        )


def _your_goal(tr: Translator, goal: int) -> str:
    return tr.ngettext(
        "Your weekly goal: {count} application.",
        "Your weekly goal: {count} applications.",
        goal,
    ).format(count=tr.number(goal))


async def _stranger(runtime: Runtime, tg_user: TelegramUser, club_id: int) -> str | None:
    """Why this person may not answer the club's check-in (in their language), or None."""
    async with runtime.session() as session:
        user = await session.get(User, tg_user.id)
        member = await membership(session, club_id, tg_user.id) if user is not None else None
    tr = runtime.translator_for(user, tg_user.language_code)
    if user is None:
        return tr.gettext(
            "Join the club first: send /join here, and I will open a private chat with you."
        )
    if member is None:
        return tr.gettext(
            "Only members of this club set goals and report here. Send /join to become one."
        )
    return None


async def goal_tapped(update: Update, context: Context) -> None:
    """Sets the tapper's goal from a check-in post (or their private reminder), answering
    with a short alert rather than a message in the group."""
    query = update.callback_query
    chat = update.effective_chat
    tg_user = update.effective_user
    assert query is not None and chat is not None and tg_user is not None
    goal = keyboards.int_arg(keyboards.decode(query.data), 1)
    runtime = runtime_of(context)
    if is_private(update):
        # the private reminder is edited in place: only from its own buttons
        if await refuse_foreign_tap(update, context):
            return
        async with scope(update, context) as s:
            if goal not in GOAL_CHOICES:
                await query.answer(s._("That choice is no longer offered."))
                return
            assert goal is not None
            await set_goal(s.session, s.user, goal, runtime.clock.now())
            await s.session.commit()
            await query.answer(_your_goal(s.tr, goal))
            saved = s.tr.ngettext(
                "Saved: {count} application a week.",
                "Saved: {count} applications a week.",
                goal,
            ).format(count=s.tr.number(goal))
            await edit_in_place(update, saved + "\n" + s._("Change it any time with /goal."))
        return
    refusal = await _stranger(runtime, tg_user, chat.id)
    if refusal is not None:
        await query.answer(refusal, show_alert=True)
        return
    async with runtime.session() as session:
        async with session.begin():
            user = await session.get(User, tg_user.id)
            club = await session.get(Club, chat.id)
            assert user is not None
            tr = runtime.translator_for(user, tg_user.language_code)
            if club is None or goal not in GOAL_CHOICES:
                answer = tr.gettext("That choice is no longer offered.")
            else:
                assert goal is not None
                await set_goal(session, user, goal, runtime.clock.now())
                answer = _your_goal(tr, goal)
        # stored and committed: now say so, to the tapper alone
        await query.answer(answer)


async def checkin_reply(update: Update, context: Context) -> None:
    """A member's reply to the check-in post: a number sets their goal, a line of text is
    their report to the club. Replies to the bot's other messages are left alone."""
    message = update.effective_message
    chat = update.effective_chat
    tg_user = update.effective_user
    if message is None or chat is None or tg_user is None or message.text is None:
        return
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
        return
    runtime = runtime_of(context)
    async with runtime.session() as session:
        if await checkin_post(session, chat.id, replied.message_id) is None:
            return
        known = await session.get(User, tg_user.id)
    # the goal words around a number are read in the member's language
    language = runtime.translator_for(known, tg_user.language_code).language
    said = read_reply(message.text, language)
    if said is None:
        return
    refusal = await _stranger(runtime, tg_user, chat.id)
    if refusal is not None:
        await message.reply_text(refusal)
        return
    now = runtime.clock.now()
    async with runtime.session() as session:
        async with session.begin():
            user = await session.get(User, tg_user.id)
            assert user is not None
            tr = runtime.translator_for(user, tg_user.language_code)
            text = await _take_reply(session, tr, user, chat.id, said, now)
        await message.reply_text(text)


async def _take_reply(
    session: AsyncSession,
    tr: Translator,
    user: User,
    club_id: int,
    said: int | GoalProblem | Report,
    now: datetime,
) -> str:
    """Stores a goal or a report from a reply; returns the one short line to answer with."""
    if isinstance(said, GoalProblem):
        return tr.gettext("Please send one whole number from {low} to {high}, like 5.").format(
            low=tr.number(GOAL_MIN), high=tr.number(GOAL_MAX)
        )
    if isinstance(said, int):
        await set_goal(session, user, said, now)
        return _your_goal(tr, said)
    if len(said.text) > REPORT_LIMIT:
        length = len(said.text)
        return tr.ngettext(
            "That report is {count} character long; please keep it to {limit} and send it "
            "again as a reply to the check-in.",
            "That report is {count} characters long; please keep it to {limit} and send it "
            "again as a reply to the check-in.",
            length,
        ).format(count=tr.number(length), limit=tr.number(REPORT_LIMIT))
    post = await latest_checkin(session, club_id)
    if post is None:
        return tr.gettext("That check-in is no longer open for reports.")
    replaced = await save_report(session, post.id, user.id, said.text, now)
    name = (user.first_name or "").strip()
    if not name:
        # no name to thank: never "Thanks, : …"
        return tr.gettext("Noted. Thank you!")
    if replaced:
        return tr.gettext("Thanks, {name}: your report is updated for the next check-in.").format(
            name=escape(name)
        )
    return tr.gettext("Thanks, {name}: your report will be in the next check-in.").format(
        name=escape(name)
    )


def club_checkin_handlers() -> list[BaseHandler[Update, Context, object]]:
    return [CallbackQueryHandler(goal_tapped, pattern=keyboards.pattern(GOAL_ACTION))]


def club_reply_handlers() -> list[BaseHandler[Update, Context, object]]:
    """Replies in groups; run in a handler group of their own (see bot/app.py), since only the
    database knows whether the message replied to is a check-in post."""
    return [
        MessageHandler(
            filters.ChatType.GROUPS & filters.REPLY & filters.TEXT & ~filters.COMMAND,
            checkin_reply,
        )
    ]
