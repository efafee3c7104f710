"""/export and /delete: the user's own data, all of it, out or gone."""

from __future__ import annotations

import json

from sqlalchemy import delete
from telegram import InputFile, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import keyboards
from bot.clubs.life import leave_every_club
from bot.db.models import ConversationRecord, UserDataRecord
from bot.export import (
    ExportWords,
    applications_csv,
    collect,
    to_calendar,
    to_json,
    to_vcards,
)
from bot.nudges.messages import TASK_TITLES, THANK_YOU_TO
from bot.runtime import Scope, scope
from handlers.common import Context, answer, edit_in_place, is_private, send_to_private_chat

ACTION = "del"


def _words(s: Scope) -> ExportWords:
    return ExportWords(
        tr=s.tr,
        interview=s._("Interview: {company} — {role}"),
        tasks={kind: s._(title) for kind, title in TASK_TITLES.items()},
        thank_you_to=s._(THANK_YOU_TO),
        interviewer_note=s._("Interviewed you for {role} at {company} on {day}."),
        reference_with_relation=s._("One of your references ({relation})."),
        reference=s._("One of your references."),
        columns=(s._("Company"), s._("Role"), s._("Applied on")),
    )


async def export_command(update: Update, context: Context) -> None:
    """Sends everything the bot keeps about the user: JSON, a calendar, contact cards, a sheet."""
    async with scope(update, context) as s:
        if not is_private(update):
            await send_to_private_chat(update, context, s, "export")
            return
        record = await collect(s.session, s.user)
        words = _words(s)
        chat_id = s.user.id
        bot = context.bot
        await bot.send_document(
            chat_id,
            InputFile(to_json(record), filename="afterview.json"),
            caption=s._("Everything I keep about you, machine-readable (times in UTC)."),
        )
        if record["interviews"]:
            await bot.send_document(
                chat_id,
                InputFile(
                    to_calendar(record, words, s.runtime.clock.now()), filename="afterview.ics"
                ),
                caption=s._("Your interviews and open deadlines, for any calendar app."),
            )
        if any(i["interviewers"] for i in record["interviews"]):
            await bot.send_document(
                chat_id,
                InputFile(to_vcards(record, words), filename="interviewers.vcf"),
                caption=s._("Your interviewers as contact cards."),
            )
        if record["references"]:
            await bot.send_document(
                chat_id,
                InputFile(to_vcards(record, words, references=True), filename="references.vcf"),
                caption=s._("Your references as contact cards."),
            )
        if record["applications"]:
            await bot.send_document(
                chat_id,
                InputFile(applications_csv(record, words), filename="applications.csv"),
                caption=s._("Your job applications as a spreadsheet, times in your time zone."),
            )


async def delete_command(update: Update, context: Context) -> None:
    """Asks for confirmation before deleting everything."""
    async with scope(update, context) as s:
        if not is_private(update):
            await send_to_private_chat(update, context, s, "delete")
            return
        markup = keyboards.keyboard(
            [
                [
                    keyboards.button(s._("Yes, delete everything"), ACTION, "yes"),
                    keyboards.button(s._("No, keep it"), ACTION, "no"),
                ]
            ]
        )
        await answer(
            update,
            s._(
                "This deletes every interview, interviewer, task, application and setting I "
                "keep about you, for good. Send /export first if you want a copy. Delete?"
            ),
            reply_markup=markup,
        )


async def delete_tapped(update: Update, context: Context) -> None:
    """Deletes the user's data on 'yes'; keeps it on 'no'."""
    query = update.callback_query
    assert query is not None
    parts = keyboards.decode(query.data)
    async with scope(update, context) as s:
        if parts[1:] != ["yes"]:
            await query.answer()
            await edit_in_place(update, s._("Nothing was deleted."))
            return
        user_id = s.user.id
        private_key = json.dumps([user_id, user_id])
        await s.session.execute(
            delete(ConversationRecord).where(ConversationRecord.key == private_key)
        )
        await s.session.execute(delete(UserDataRecord).where(UserDataRecord.user_id == user_id))
        # out of every club first: a buddy's pointer at them is not a foreign key
        await leave_every_club(s.session, user_id)
        # every row of the user's goes with it: the foreign keys cascade
        await s.session.delete(s.user)
        if context.user_data is not None:
            context.user_data.clear()
        await query.answer()
        await edit_in_place(
            update,
            s._(
                "Done: everything I kept about you is deleted. Send /start if you ever want to "
                "begin again."
            ),
        )


def data_handlers() -> list[BaseHandler[Update, Context, object]]:
    return [
        CommandHandler("export", export_command),
        CommandHandler("delete", delete_command),
        CallbackQueryHandler(delete_tapped, pattern=keyboards.pattern(ACTION)),
    ]
