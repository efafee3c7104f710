"""What every handler and job shares: settings, the clock, the database and the per-update scope."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram import Update
from telegram import User as TelegramUser
from telegram.ext import Application, CallbackContext

from bot.clock import Clock
from bot.config import Settings
from bot.db.models import User
from bot.domain.zones import zone_info
from bot.i18n import Translator, pick_language

if TYPE_CHECKING:
    # both take the Runtime they serve, so only their types are imported here
    from bot.clubs.checkin import ClubSweep
    from bot.nudges.dispatcher import Dispatcher

RUNTIME_KEY = "runtime"


class Sweep(Protocol):
    """A periodic sweep over the database (the lapses of conversations, in handlers/lapses.py)."""

    @property
    def busy(self) -> bool: ...

    async def run(self) -> int: ...


@dataclass
class Runtime:
    """The application's shared resources; post_init (bot/app.py) opens the database and
    starts the sweeps, so each of those is None until the application has started."""

    settings: Settings
    clock: Clock
    engine: AsyncEngine | None = None
    sessionmaker: async_sessionmaker[AsyncSession] | None = None
    # one opening of the database at a time: post_init and the persistence may both ask first
    open_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # sends the due nudges
    dispatcher: Dispatcher | None = None
    # posts the clubs' check-ins, reminders and outbox
    club_sweep: ClubSweep | None = None
    # ends the conversations that waited too long
    lapses: Sweep | None = None
    # the city table being built in a worker thread at start-up
    warm_cities: asyncio.Future[object] | None = None
    # once started, hide what lives as long as the process from the garbage collector (see
    # bot/app.py settle_memory); a process that starts many bots, as the tests do, does not
    settles_memory: bool = False
    # the club introductions being refreshed in this process (True when a join came in
    # meanwhile), and when each was last edited (handlers/club_join.py), by (chat, message)
    intro_refreshes: dict[tuple[int, int], bool] = field(default_factory=dict)
    intro_edited_at: dict[tuple[int, int], float] = field(default_factory=dict)

    def session(self) -> AsyncSession:
        if self.sessionmaker is None:
            raise RuntimeError("the database is not open yet")
        return self.sessionmaker()

    def translator_for(self, user: User | None, telegram_code: str | None = None) -> Translator:
        """The user's language (their choice, else Telegram's, else the default) and zone."""
        language = pick_language(
            user.language if user else None,
            telegram_code or (user.telegram_language if user else None),
            self.settings.default_language,
        )
        zone = (user.timezone if user else None) or self.settings.default_timezone
        return Translator(language, zone_info(zone))


AnyContext = CallbackContext[Any, Any, Any, Any]
AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def runtime_of(context: AnyContext | AnyApplication) -> Runtime:
    app = context if isinstance(context, Application) else context.application
    runtime = app.bot_data[RUNTIME_KEY]
    assert isinstance(runtime, Runtime)
    return runtime


@dataclass
class Scope:
    """One update's unit of work: its session, its user and how to speak to them."""

    session: AsyncSession
    user: User
    tr: Translator
    runtime: Runtime

    def _(self, message: str) -> str:
        return self.tr.gettext(message)


async def ensure_user(session: AsyncSession, runtime: Runtime, tg_user: TelegramUser) -> User:
    """Load the user's row, creating it on first contact and noting Telegram's language."""
    now = runtime.clock.now()
    user = await session.get(User, tg_user.id)
    if user is None:
        user = User(
            id=tg_user.id,
            first_name=(tg_user.first_name or "")[:128],
            telegram_language=tg_user.language_code,
            created_at=now,
            updated_at=now,
        )
        session.add(user)
        await session.flush()
    else:
        if tg_user.language_code and tg_user.language_code != user.telegram_language:
            user.telegram_language = tg_user.language_code
            user.updated_at = now
        if tg_user.first_name and tg_user.first_name[:128] != user.first_name:
            user.first_name = tg_user.first_name[:128]
        if not user.reachable:
            # they wrote to us, so we may write to them again
            user.reachable = True
            user.updated_at = now
    return user


# The unit of work of the update being handled in this task, if one is open: every request to
# Telegram commits it first (see commit_open_scope), so the bot never says what it has not saved.
_OPEN_SCOPE: ContextVar[Scope | None] = ContextVar("afterview_open_scope", default=None)


@asynccontextmanager
async def scope(update: Update, context: AnyContext) -> AsyncIterator[Scope]:
    """Open the update's session, load its user, and commit when the handler is done.

    Anything the handler tells Telegram while the scope is open is preceded by a commit of what
    it has stored so far (commit_open_scope, called for every Bot API request), so a reply that
    fails or times out never undoes saved data, and no request waits inside an open transaction.
    """
    runtime = runtime_of(context)
    tg_user = update.effective_user
    if tg_user is None:
        raise RuntimeError("an update without a user reached a user handler")
    async with runtime.session() as session:
        user = await ensure_user(session, runtime, tg_user)
        opened = Scope(session, user, runtime.translator_for(user, tg_user.language_code), runtime)
        token = _OPEN_SCOPE.set(opened)
        try:
            yield opened
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()
        finally:
            _OPEN_SCOPE.reset(token)


def open_scope() -> Scope | None:
    """The unit of work the current task speaks for, if any."""
    return _OPEN_SCOPE.get()


@contextmanager
def outside_any_scope() -> Iterator[None]:
    """Work of its own (a background flush) speaks for no update's unit of work, whatever the
    context it was started from: its requests to Telegram commit no handler's session."""
    token = _OPEN_SCOPE.set(None)
    try:
        yield
    finally:
        _OPEN_SCOPE.reset(token)


async def commit_open_scope() -> None:
    """Commit the unit of work of the update this task is handling, before it speaks."""
    opened = _OPEN_SCOPE.get()
    if opened is not None and opened.session.in_transaction():
        await opened.session.commit()
