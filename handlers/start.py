"""/start and /help: the greeting, the first questions, and the list of what the bot does."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler

from bot import keyboards
from bot.domain.zones import zone_label
from bot.runtime import Scope, scope
from handlers.applications import applied_command
from handlers.applications_list import applications_command
from handlers.club_join import join_from_link
from handlers.club_prefs import clubs_command
from handlers.common import (
    Context,
    answer,
    club_of_link,
    deep_link,
    holding_input,
    is_private,
)
from handlers.data import delete_command, export_command
from handlers.interviews import interviews_command
from handlers.onboarding import (
    LINK_CLUB_KEY,
    LINK_NEXT_KEY,
    PASS_ON,
    ZONE_MISSES_KEY,
    ZONE_SET_ASIDE_KEY,
    ask_for_zone,
    greeting,
    group_greeting,
)
from handlers.references import references_command
from handlers.reminders import reminders_command
from handlers.settings import language_command, pause_command, resume_command, settled
from handlers.stats import stats_command
from handlers.tasks import tasks_command


def help_text(scope_: Scope, private: bool) -> str:
    _ = scope_._
    if not private:
        return group_help_text(scope_)
    lines = [
        _("<b>What I can do</b>"),
        "",
        _("/log — log an interview, just done or coming up"),
        _("/interviews — your interviews and their cards"),
        _("/tasks — what to do now and next"),
        _("/applied Company — Role — log a job application"),
        _("/goal — your weekly goal of applications"),
        _("/stats — your progress this week and overall, with a chart"),
        _("/references — the people who vouch for you"),
        _("/clubs — your job clubs and what each one sees of you"),
        _("/applications — the applications you logged, to remove one"),
        _("/reminders — when reminders arrive and how often"),
        _("/pause and /resume — stop and restart reminders"),
        _("/export and /delete — a copy of all your data, or none of it kept"),
        _("/language — the language I speak to you in"),
        _("/timezone — your time zone, for every time I show or plan"),
        _("/cancel — stop what we are in the middle of"),
        _("/help — this list"),
    ]
    zone = scope_.user.timezone
    lines += [
        "",
        _("Your time zone: {zone}").format(zone=escape(zone_label(zone, scope_.tr.language)))
        if zone
        else _("You have not told me your time zone yet: /timezone"),
    ]
    return "\n".join(lines)


def group_help_text(scope_: Scope) -> str:
    """What works in a group; everything personal is one tap away, in the private chat."""
    _ = scope_._
    return "\n".join(
        [
            _("<b>What I can do here</b>"),
            "",
            _("/log — log an interview: I'll take you to our private chat for the details"),
            _("/join and /leave — join this group's job club, or leave it"),
            _("/club — this week's club board: counts only"),
            _("/lead Company — Role — link — share a job lead with the club"),
            _("/buddy — pair up with an accountability buddy"),
            _("/clubsettings — the weekly check-in's day and hour, and more (admins)"),
            _("/help — this list"),
            "",
            _(
                "In a group, I never ask for personal details: anything about your interviews "
                "happens in our private chat."
            ),
            _(
                "Your tasks, applications, reminders, language and time zone are there too: "
                "tap the button below."
            ),
        ]
    )


# links that open a conversation of group 0, which has its own entry point for "/start <payload>";
# /start passes them on, so that the conversation, not this one, takes the answers
PASSED_ON_LINKS = frozenset({"goal"})

# what a group's "open a private chat" link may ask for, besides "log_<club>" and "timezone"
LINK_COMMANDS = frozenset(
    {
        "applied",
        "applications",
        "clubs",
        "delete",
        "export",
        "goal",
        "interviews",
        "language",
        "pause",
        "references",
        "reminders",
        "resume",
        "stats",
        "tasks",
    }
)


async def _from_link(update: Update, context: Context, payload: str) -> int | None:
    """A deep link from a group ("open a private chat") lands on what the member asked for."""
    if payload == "timezone":
        async with scope(update, context) as s:
            return await ask_for_zone(update, s)
    commands = {
        "applied": applied_command,
        "applications": applications_command,
        "clubs": clubs_command,
        "delete": delete_command,
        "export": export_command,
        "interviews": interviews_command,
        "language": language_command,
        "references": references_command,
        "pause": pause_command,
        "resume": resume_command,
        "reminders": reminders_command,
        "stats": stats_command,
        "tasks": tasks_command,
    }
    command = commands.get(payload)
    if command is None:
        return None
    # the payload is not an argument of the command it opens
    context.args = []
    await command(update, context)
    return -1


async def start(update: Update, context: Context) -> int:
    """Greets the user and, the first time, asks for their time zone."""
    private = is_private(update)
    if private and holding_input(update, context) is not None:
        # an interview or a reference is being typed: its conversation says how to go on
        return PASS_ON
    payload = context.args[0] if context.args and private else ""
    if payload.startswith("join_"):
        return await join_from_link(update, context, payload)
    if payload.startswith("log"):
        async with scope(update, context) as s:
            set_aside = context.user_data is not None and context.user_data.get(ZONE_SET_ASIDE_KEY)
            if s.user.timezone or set_aside:
                # the log conversation takes the link, and checks it again itself
                return PASS_ON
            # a newcomer from a group's link is welcomed like anyone else, zone first; the
            # club is checked now, before any request to Telegram, and kept for the log button
            club = await club_of_link(context, s.session, payload, s.user.id)
            if context.user_data is not None:
                context.user_data.pop(ZONE_MISSES_KEY, None)
                if club is not None:
                    context.user_data[LINK_CLUB_KEY] = club
            await answer(update, greeting(s))
            return await ask_for_zone(update, s, onboarding=True)
    if payload in LINK_COMMANDS:
        async with scope(update, context) as s:
            set_aside = context.user_data is not None and context.user_data.get(ZONE_SET_ASIDE_KEY)
            if not s.user.timezone and not set_aside and context.user_data is not None:
                # a newcomer from a group's link: welcomed, asked for the zone first, and then
                # handed a button to what the link was for
                context.user_data.pop(ZONE_MISSES_KEY, None)
                context.user_data[LINK_NEXT_KEY] = payload
                await answer(update, greeting(s))
                return await ask_for_zone(update, s, onboarding=True)
    if payload in PASSED_ON_LINKS:
        return PASS_ON
    if payload:
        landed = await _from_link(update, context, payload)
        if landed is not None:
            return landed
    async with scope(update, context) as s:
        await answer(update, greeting(s) if private else group_greeting(s))
        if private and not s.user.timezone:
            if context.user_data is not None:
                context.user_data.pop(ZONE_MISSES_KEY, None)
            return await ask_for_zone(update, s, onboarding=True)
        await answer(update, help_text(s, private), reply_markup=menu(s, update, context))
    return -1


async def show_help(update: Update, context: Context) -> None:
    """Lists the commands."""
    async with scope(update, context) as s:
        await answer(
            update, help_text(s, is_private(update)), reply_markup=menu(s, update, context)
        )


def menu(s: Scope, update: Update, context: Context) -> InlineKeyboardMarkup:
    """The main actions as buttons; in a group, the way to the private chat."""
    if not is_private(update):
        return InlineKeyboardMarkup(
            [[InlineKeyboardButton(s._("Open a private chat"), url=deep_link(context, "help"))]]
        )
    return keyboards.keyboard([[keyboards.button(s._("📝 Log an interview"), "log", "start")]])


def start_handler() -> BaseHandler[Update, Context, object]:
    """/start, an entry point of the zone question (handlers/settings.py): it asks a newcomer
    for their zone, and it must see every /start ahead of group 0 to pass links on."""
    return CommandHandler("start", settled(start))


def help_handlers() -> list[BaseHandler[Update, Context, object]]:
    return [CommandHandler("help", show_help)]
