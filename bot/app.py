"""build_application(settings): the one place where handlers, jobs and lifecycle are wired."""

from __future__ import annotations

import asyncio
import gc
import logging
import warnings
from datetime import UTC
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import Forbidden, NetworkError, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults
from telegram.warnings import PTBUserWarning

from bot.clock import Clock
from bot.clubs.checkin import ClubSweep
from bot.config import Settings
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.migrate import upgrade_to_head
from bot.db.models import User
from bot.i18n import N_, SUPPORTED_LANGUAGES, Translator
from bot.logs import quiet_skipped_runs, track_update_ids
from bot.nudges.dispatcher import Dispatcher
from bot.persistence import DatabasePersistence
from bot.ratelimit import TelegramRateLimiter
from bot.runtime import RUNTIME_KEY, Runtime, commit_open_scope, runtime_of
from bot.sendbudget import SharedBudget
from bot.updates import OrderedUpdateProcessor, PendingQueue

log = logging.getLogger(__name__)

# check-ins fall on the hour; a minute late is on time, and a celebration waits at most this
CLUB_SWEEP_SECONDS = 60.0
# how often open conversations are checked for a lapse; a question lapses this much late at most
LAPSE_SWEEP_SECONDS = 30.0

# (command, description) for the menus; descriptions are translated per language on start
PRIVATE_COMMANDS: tuple[tuple[str, str], ...] = (
    ("log", N_("Log an interview")),
    ("interviews", N_("Your interviews")),
    ("tasks", N_("What to do now")),
    ("applied", N_("Log a job application")),
    ("goal", N_("Your weekly goal")),
    ("stats", N_("Your progress, with a chart")),
    ("references", N_("Your references")),
    ("applications", N_("Your job applications")),
    ("reminders", N_("When reminders arrive")),
    ("pause", N_("Pause reminders")),
    ("resume", N_("Resume reminders")),
    ("export", N_("Download all your data")),
    ("delete", N_("Delete all your data")),
    ("language", N_("Change the language")),
    ("timezone", N_("Set your time zone")),
    ("clubs", N_("Your job clubs")),
    ("help", N_("What I can do")),
    ("cancel", N_("Stop the current step")),
)
GROUP_COMMANDS: tuple[tuple[str, str], ...] = (
    ("club", N_("This week's club board")),
    ("join", N_("Join this group's job club")),
    ("leave", N_("Leave this group's job club")),
    ("lead", N_("Share a job lead with the club")),
    ("buddy", N_("Find an accountability buddy")),
    ("clubsettings", N_("Check-in day, hour and more (admins)")),
    ("log", N_("Log an interview (in private)")),
    ("help", N_("What I can do")),
)


async def open_database(runtime: Runtime) -> None:
    """Create the engine and bring the schema up to date, once."""
    async with runtime.open_lock:
        if runtime.engine is not None:
            return
        settings = runtime.settings
        path = settings.sqlite_path()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = make_engine(settings.database_url)
        await upgrade_to_head(engine)
        runtime.engine = engine
        runtime.sessionmaker = make_sessionmaker(engine)


async def set_command_menus(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Publish the command menus for private chats and groups, in every shipped language."""
    bot = application.bot
    for language in ("", *SUPPORTED_LANGUAGES):
        tr = Translator(language or "en", UTC)
        # Telegram's menus are per two-letter language; a regional catalog stands for its language
        telegram_code = language.split("_")[0] if language else None
        for scope, commands in (
            (BotCommandScopeAllPrivateChats(), PRIVATE_COMMANDS),
            (BotCommandScopeAllGroupChats(), GROUP_COMMANDS),
        ):
            await bot.set_my_commands(
                [BotCommand(name, tr.gettext(text)) for name, text in commands],
                scope=scope,
                language_code=telegram_code,
            )


def settle_memory(_warmed: object = None) -> None:
    """Once the bot is up, what it built (python-telegram-bot, the models, the catalogs, the
    city table: hundreds of thousands of objects) lives as long as the process. Collected once
    and then frozen out of the garbage collector's sight, it is no longer walked by each full
    collection, which otherwise stalls every update in the process: about 0.3 s at a time in
    a burst of 500 users (bench/updates.py), 0.1 s once frozen."""
    gc.collect()
    gc.freeze()


async def post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Open the database, publish the menus, start the nudge sweep."""
    runtime = runtime_of(application)
    await open_database(runtime)
    try:
        await set_command_menus(application)
    except TelegramError:
        log.warning("could not publish the command menus", exc_info=True)
    runtime.dispatcher = Dispatcher(runtime, application.bot)
    assert application.job_queue is not None
    # a sweep that runs for minutes is expected: no warning for each run it makes skip
    quiet_skipped_runs()
    application.job_queue.run_repeating(
        sweep_job, interval=runtime.settings.nudge_sweep_seconds, first=1.0, name="nudge-sweep"
    )
    runtime.club_sweep = ClubSweep(runtime, application.bot)
    application.job_queue.run_repeating(
        club_sweep_job, interval=CLUB_SWEEP_SECONDS, first=1.0, name="club-sweep"
    )
    from handlers.lapses import LapseSweep

    runtime.lapses = LapseSweep(application)
    application.job_queue.run_repeating(
        lapse_job, interval=LAPSE_SWEEP_SECONDS, first=1.0, name="conversation-lapses"
    )
    from bot.domain.zones import _cities

    # the city table takes a couple of seconds to build; do it before anyone asks
    runtime.warm_cities = asyncio.get_running_loop().run_in_executor(None, _cities)
    if runtime.settles_memory:
        runtime.warm_cities.add_done_callback(settle_memory)


async def sweep_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Sends the nudges that are due; the database says which, so a restart changes nothing."""
    dispatcher = runtime_of(context).dispatcher
    if dispatcher is not None:
        await dispatcher.sweep()


async def lapse_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ends the conversations that have waited too long for their next step; the database says
    which, on the bot's clock, so a restart changes nothing."""
    lapses = runtime_of(context).lapses
    if lapses is not None:
        await lapses.run()


async def club_sweep_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Posts the club check-ins and reminders that are due, and anything else clubs are owed."""
    club_sweep = runtime_of(context).club_sweep
    if club_sweep is not None:
        await club_sweep.run()


async def post_shutdown(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Close the database once everything else has stopped."""
    runtime = runtime_of(application)
    if runtime.engine is not None:
        await runtime.engine.dispose()
        runtime.engine = None
        runtime.sessionmaker = None


async def on_error(update: object, context: Any) -> None:
    """Logs the error first, then tells the user something went wrong, in their language."""
    error = context.error
    if isinstance(error, Forbidden):
        log.info("a chat refused a message: %s", error)
        return
    if isinstance(error, NetworkError):
        # a reply that timed out or met a broken connection: what the handler stored is already
        # committed (every request commits first), and the reply may even have arrived, so a
        # "something went wrong, try again" would mislead and invite a duplicate
        log.warning("a reply to the user failed in transit: %s", error)
        return
    log.error("error while handling an update", exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    runtime = runtime_of(context)
    tg_user = update.effective_user
    user = None
    if tg_user is not None and runtime.sessionmaker is not None:
        try:
            async with runtime.session() as session:
                user = await session.get(User, tg_user.id)
        except (SQLAlchemyError, OSError):
            # the database itself may be what failed: the apology goes out in Telegram's
            # language for the user rather than not at all
            log.warning("could not load the user to apologise in their language")
    tr = runtime.translator_for(user, tg_user.language_code if tg_user else None)
    try:
        await context.bot.send_message(
            update.effective_chat.id,
            tr.gettext("Sorry, something went wrong on my side. Please try again."),
        )
    except TelegramError:
        log.warning("could not tell the user about the error", exc_info=True)


def build_application(
    settings: Settings, clock: Clock | None = None, settle: bool = False
) -> Application[Any, Any, Any, Any, Any, Any]:
    """Wire the bot: settings, database lifecycle, handlers in order, error handler, jobs.
    ``settle``: a process serving one bot for its life (the CLI) settles its memory once
    started (settle_memory)."""
    runtime = Runtime(settings=settings, clock=clock or Clock(), settles_memory=settle)

    persistence = DatabasePersistence(runtime, settings.persistence_flush_seconds)
    from bot.web.metrics import CountingApplication

    application = (
        ApplicationBuilder()
        # each update reads and writes its conversation state in the database
        # (bot/shared_state.py); the subclass counts updates and errors for /metrics
        .application_class(CountingApplication)
        .token(settings.bot_token)
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.file_base_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .rate_limiter(
            TelegramRateLimiter(
                before_request=commit_open_scope,
                shared=SharedBudget(lambda: runtime.engine),
            )
        )
        .persistence(persistence)
        # one user's slow request stalls no one else; each user's and chat's updates stay in
        # order, which keeps the conversations below safe (see bot/updates.py)
        .concurrent_updates(OrderedUpdateProcessor(settings.max_concurrent_updates))
        .update_queue(PendingQueue())
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.bot_data[RUNTIME_KEY] = runtime
    # every line logged while an update is handled names it (LOG_FORMAT=json shows update_id)
    application.process_update = track_update_ids(  # type: ignore[method-assign,assignment]
        application.process_update
    )

    # The log conversation tracks its buttons per user and chat on purpose (per_message=False):
    # a user has one interview draft at a time, whichever message its buttons sit on.
    warnings.filterwarnings("ignore", message=r"If 'per_message=False'", category=PTBUserWarning)
    from handlers.applications import application_handlers
    from handlers.club_board import club_board_handlers
    from handlers.club_buddies import club_buddy_handlers
    from handlers.club_checkin import club_checkin_handlers, club_reply_handlers
    from handlers.club_join import club_join_handlers
    from handlers.club_leads import club_lead_handlers
    from handlers.club_life import club_life_handlers
    from handlers.club_prefs import club_pref_handlers
    from handlers.club_settings import club_settings_handlers, club_zone_reply_handler
    from handlers.data import data_handlers
    from handlers.fallback import fallback_handlers
    from handlers.goal import goal_handlers
    from handlers.interviews import interview_handlers
    from handlers.log import log_conversation, log_handlers
    from handlers.membership import membership_handlers
    from handlers.outcomes import outcome_conversation, outcome_handlers
    from handlers.reference_nudges import reference_nudge_handlers
    from handlers.references import reference_handlers
    from handlers.references_edit import references_conversation
    from handlers.reminders import reminder_handlers
    from handlers.settings import cancel_handler, settings_conversation, settings_handlers
    from handlers.start import help_handlers, start_handler
    from handlers.stats import stats_handlers
    from handlers.tasks import task_handlers

    # Group -3: a club's group life (the bot removed or back, an upgrade, a member gone) and the
    # answer to the club's zone question, ahead of the introduction and of any other reply.
    application.add_handlers([*club_life_handlers(), club_zone_reply_handler()], group=-3)
    # Group -2: membership changes and edits, which must never reach a conversation.
    application.add_handlers(membership_handlers(), group=-2)
    # Group -1: /start, /timezone and the zone question. It sees every update before group 0,
    # so that any command can close the question on its way to its own handler; its callbacks
    # stop the update when they have answered it, and pass on a known user's "/start log_..."
    # link and anything said while an interview is being logged.
    application.add_handler(settings_conversation(start_handler()), group=-1)
    # Group 0, and order matters: the log conversation first, so that its own /cancel and its
    # questions win.
    # every conversation lapses on the bot's clock, from the database (handlers/lapses.py)
    application.add_handler(log_conversation())
    # each conversation keeps its own questions; the zone question sits in group -1 above
    application.add_handler(references_conversation())
    # before the interview buttons: an offer and a next round start their own questions
    application.add_handler(outcome_conversation())
    application.add_handlers(log_handlers())
    application.add_handlers(club_settings_handlers())
    application.add_handlers(interview_handlers())
    application.add_handlers(outcome_handlers())
    application.add_handlers(task_handlers())
    application.add_handlers(application_handlers(application.user_data))
    application.add_handlers(goal_handlers())
    application.add_handlers(club_checkin_handlers())
    application.add_handlers(stats_handlers())
    application.add_handlers(reference_handlers())
    application.add_handlers(reference_nudge_handlers())
    application.add_handlers(reminder_handlers())
    application.add_handlers(data_handlers())
    application.add_handlers(settings_handlers())
    application.add_handlers(help_handlers())
    application.add_handlers(club_lead_handlers(application.user_data))
    application.add_handlers(club_buddy_handlers())
    application.add_handlers(club_join_handlers())
    application.add_handlers(club_pref_handlers())
    application.add_handlers(club_board_handlers())
    application.add_handler(cancel_handler())
    # last: buttons from old messages and anything no one else took
    application.add_handlers(fallback_handlers())
    # Group 1: replies in groups to a club's check-in post. Only the database knows which message
    # is one, so this looks without taking the reply from whoever owns another bot message.
    application.add_handlers(club_reply_handlers(), group=1)
    application.add_error_handler(on_error)
    return application
