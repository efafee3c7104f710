"""The bot's one HTTP server in webhook mode: Telegram's updates, /healthz and /metrics."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import time
from http import HTTPStatus
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text
from telegram import Update
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError
from telegram.ext import ExtBot

from bot.config import Settings
from bot.logs import RedactToken
from bot.nudges.backlog import backlog
from bot.runtime import Runtime, runtime_of
from bot.updates import PendingQueue
from bot.web.metrics import ALLOWED_UPDATES, CountingApplication, dispatcher_of, sweep_age
from bot.web.received import ReceivedUpdates

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# a dispatcher that has shown no progress for this many sweep intervals is taken for stuck
STALE_AFTER_SWEEPS = 3
# /healthz answers within this even when the database hangs
DATABASE_TIMEOUT = 3.0
_CHUNK = 64 * 1024
SET_WEBHOOK_TRIES = 4


class WebServer:
    """Serves POST <webhook path> for Telegram, GET /healthz and GET /metrics.

    The webhook answers 200 as soon as the update is on the application's queue: Telegram
    holds one of its connections until it has that answer, so handling comes after it.
    """

    def __init__(self, application: CountingApplication, settings: Settings) -> None:
        self.application = application
        self.settings = settings
        self._secret = settings.webhook_secret.encode()
        self._runner: web.AppRunner | None = None
        self.received = ReceivedUpdates(
            runtime_of(application), application.bot, application.metrics.webhook_taken_over.inc
        )
        # a user's updates taken by different replicas are handled in Telegram's order
        application.turns = self.received
        self._backlog_logged = -60.0
        self.port: int | None = None
        self._keeper: asyncio.Task[None] | None = None

    async def start(self) -> None:
        app = web.Application(client_max_size=self.settings.webhook_max_body)
        path = self.settings.webhook_path
        app.router.add_post(path, self._webhook)
        if path != "/":
            app.router.add_post(path + "/", self._webhook)
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics)
        # a refused upload is not drained for long: a second at most, then the connection goes
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, lingering_time=1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.webhook_listen, self.settings.webhook_port)
        try:
            await site.start()
        except OSError:
            # the address is taken or not ours: nothing is left half open
            await self.stop()
            raise
        self.port = int(self._runner.addresses[0][1])
        log.info("serving the webhook, /healthz and /metrics on port %s", self.port)
        self._keeper = asyncio.create_task(
            self.received.keep(self._room, self._enqueue), name="held updates"
        )

    async def stop(self) -> None:
        """Stop taking posts; the updates taken stay held until finish()."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def finish(self) -> None:
        """After the application has handled what it took: stop renewing holds, and hand any
        update still unhandled to the other replicas at once."""
        await self.stop()
        keeper, self._keeper = self._keeper, None
        if keeper is not None:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
        try:
            await self.received.release()
        except Exception:
            # their holds lapse in a moment anyway
            log.warning("could not hand unhandled updates over to other replicas")

    # ------------------------------------------------------------------ the webhook

    async def _webhook(self, request: web.Request) -> web.Response:
        status = await self._accept(request)
        self.application.metrics.webhook_requests.labels(str(int(status))).inc()
        # an empty body: Telegram would read a JSON one as a Bot API call to make
        return web.Response(status=status)

    async def _accept(self, request: web.Request) -> HTTPStatus:
        """Check, read and queue one update; the status to answer."""
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        # in constant time, so the answer's timing tells nothing of the secret
        if not hmac.compare_digest(given, self._secret):
            # counted in /metrics; at INFO, so that a stranger's flood cannot fill the log
            log.info("a webhook request without the right secret was refused")
            return HTTPStatus.FORBIDDEN
        pending = self._pending()
        if pending >= self.settings.webhook_max_pending:
            # Telegram keeps the update and posts it again later, in order with the rest
            self._log_backlog(pending)
            return HTTPStatus.SERVICE_UNAVAILABLE
        body = await self._read_bounded(request)
        if body is None:
            log.warning(
                "a webhook request over %s bytes was refused", self.settings.webhook_max_body
            )
            return HTTPStatus.REQUEST_ENTITY_TOO_LARGE
        try:
            data = json.loads(body)
            update = Update.de_json(data, self.application.bot) if isinstance(data, dict) else None
        except Exception:
            # whatever the parser or PTB raise on a malformed body: the sender gets a 400
            log.warning("a webhook request with a body that is no update was refused")
            return HTTPStatus.BAD_REQUEST
        if update is None:
            return HTTPStatus.BAD_REQUEST
        sender = update.effective_user
        try:
            async with asyncio.timeout(DATABASE_TIMEOUT):
                first = await self.received.first_time(
                    update.update_id,
                    sender.id if sender is not None else None,
                    body.decode("utf-8", "surrogateescape"),
                )
        except Exception:
            # whatever the driver raised: without the record the update could be handled twice,
            # so Telegram is asked to post it again later
            log.warning("could not record a webhook update; Telegram will post it again")
            return HTTPStatus.SERVICE_UNAVAILABLE
        if not first:
            log.info("update %s came again and was dropped", update.update_id)
            self.application.metrics.webhook_duplicates.inc()
            return HTTPStatus.OK
        await self._enqueue(update)
        return HTTPStatus.OK

    async def _enqueue(self, update: Update) -> None:
        bot = self.application.bot
        if isinstance(bot, ExtBot):
            bot.insert_callback_data(update)
        await self.application.update_queue.put(update)

    def _room(self) -> int:
        """How many more updates may be taken before posts get 503."""
        return self.settings.webhook_max_pending - self._pending()

    def _pending(self) -> int:
        """Updates taken and not yet handled: the application's queue counts them (built with
        bot.updates.PendingQueue); any other queue knows only those not yet started."""
        queue = self.application.update_queue
        return queue.unfinished if isinstance(queue, PendingQueue) else queue.qsize()

    def _log_backlog(self, pending: int) -> None:
        """A warning a minute at most: during a flood every refused post would log one."""
        now = time.monotonic()
        if now - self._backlog_logged >= 60:
            self._backlog_logged = now
            log.warning(
                "%s updates are waiting to be handled; new ones get 503 until fewer wait", pending
            )

    async def _read_bounded(self, request: web.Request) -> bytes | None:
        """The body, or None once it is known to be over the bound: never held whole."""
        bound = self.settings.webhook_max_body
        if request.content_length is not None and request.content_length > bound:
            return None
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.content.iter_chunked(_CHUNK):
            size += len(chunk)
            if size > bound:
                return None
            chunks.append(chunk)
        return b"".join(chunks)

    # ------------------------------------------------------------------ health and metrics

    async def _healthz(self, request: web.Request) -> web.Response:
        runtime = runtime_of(self.application)
        database = await database_problem(runtime)
        dispatcher = self._dispatcher_problem()
        body: dict[str, Any] = {
            "status": "ok" if database is None and dispatcher is None else "unavailable",
            "database": database or "ok",
            "dispatcher": dispatcher or "ok",
        }
        age = sweep_age(dispatcher_of(self.application))
        if age is not None:
            body["last_sweep_seconds_ago"] = round(age, 1)
        status = 200 if body["status"] == "ok" else 503
        return web.json_response(body, status=status)

    def _dispatcher_problem(self) -> str | None:
        dispatcher = dispatcher_of(self.application)
        if dispatcher is None:
            return "not started"
        stale_after = STALE_AFTER_SWEEPS * self.settings.nudge_sweep_seconds
        quiet = time.monotonic() - dispatcher.last_progress
        if quiet > stale_after:
            return f"no sweep finished for {quiet:.0f} s"
        return None

    async def _metrics(self, request: web.Request) -> web.Response:
        metrics = self.application.metrics
        runtime = runtime_of(self.application)
        metrics.update_queue.set(self._pending())
        age = sweep_age(dispatcher_of(self.application))
        metrics.last_sweep_age.set(-1 if age is None else age)
        try:
            async with asyncio.timeout(DATABASE_TIMEOUT), runtime.session() as session:
                due, lag = await backlog(session, runtime.clock.now())
        except Exception:
            # the database is away: say so, and keep the last figures rather than a false 0
            log.warning("/metrics could not read the backlog", exc_info=True)
            metrics.database_up.set(0)
        else:
            metrics.database_up.set(1)
            metrics.nudges_due.set(due)
            metrics.dispatch_lag.set(lag)
        headers = {"Content-Type": CONTENT_TYPE_LATEST}
        return web.Response(body=metrics.exposition(), headers=headers)


async def start_webhook(application: CountingApplication) -> WebServer:
    """Listen first, then tell Telegram where to post: an update it sends at once finds the
    server up."""
    settings = runtime_of(application).settings
    server = WebServer(application, settings)
    await server.start()
    application.web = server
    try:
        await _set_webhook(application, settings)
    except BaseException:
        await server.finish()
        application.web = None
        raise
    return server


async def _set_webhook(application: CountingApplication, settings: Settings) -> None:
    """setWebhook, tried again after 1, 2 and 4 s while Telegram is unavailable (a 5xx or no
    connection); a refusal of the URL or the secret is final."""
    pause = 1.0
    for attempt in range(SET_WEBHOOK_TRIES):
        try:
            await application.bot.set_webhook(
                url=settings.webhook_url,
                secret_token=settings.webhook_secret,
                allowed_updates=list(ALLOWED_UPDATES),
                # the updates that came while no replica listened are still owed an answer
                drop_pending_updates=False,
            )
            return
        except (BadRequest, Forbidden, InvalidToken):
            raise
        except NetworkError:
            if attempt == SET_WEBHOOK_TRIES - 1:
                raise
            log.warning("setWebhook failed; trying again in %.0f s", pause, exc_info=True)
            await asyncio.sleep(pause)
            pause *= 2


async def stop_webhook(application: CountingApplication) -> None:
    """Stop taking updates. The webhook stays set with Telegram on purpose: another replica
    behind the same URL may still be serving it, and a restarted one needs nothing new."""
    server = application.web
    if server is not None:
        await server.stop()


async def finish_webhook(application: CountingApplication) -> None:
    """Once the application has stopped: give up the holds on updates taken."""
    server, application.web = application.web, None
    if server is not None:
        await server.finish()


def redact_secret_in_logs(secret: str) -> None:
    """Cut the webhook's secret out of every log line, as the token is: PTB logs the
    parameters of setWebhook at DEBUG."""
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactToken(secret))


async def database_problem(runtime: Runtime) -> str | None:
    """None when the database answers SELECT 1 in time, else what went wrong."""
    if runtime.engine is None:
        return "not open"
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT), runtime.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except TimeoutError:
        return f"no answer within {DATABASE_TIMEOUT:.0f} s"
    except Exception as exc:
        # any failure is the answer, whichever driver raised it
        log.warning("/healthz: the database did not answer", exc_info=True)
        return f"unreachable ({type(exc).__name__})"
    return None
