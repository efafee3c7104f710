"""What /metrics reports: the application's own counters, and figures read when scraped."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, Metric
from telegram import Update
from telegram.ext import Application, Job

from bot.nudges.dispatcher import Dispatcher
from bot.ratelimit import TelegramRateLimiter
from bot.runtime import runtime_of
from bot.shared_state import SharedStateApplication

if TYPE_CHECKING:
    from bot.web.server import WebServer

# the update types the bot has handlers for: what setWebhook asks Telegram for (see
# tests/test_webhook.py, which checks every registered handler against it)
ALLOWED_UPDATES: tuple[str, ...] = (
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.MY_CHAT_MEMBER,
)


def update_kind(update: object) -> str:
    """The update's type as Telegram names it, for a label; "other" for anything else."""
    if isinstance(update, Update):
        for kind in ALLOWED_UPDATES:
            if getattr(update, kind) is not None:
                return kind
    return "other"


class Metrics:
    """One application's metrics, in a registry of its own (tests run several bots in one
    process, and each must count only its own)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.updates_handled = Counter(
            "afterview_updates_handled",
            "Updates the bot finished handling, by type.",
            ["type"],
            registry=self.registry,
        )
        self.errors = Counter(
            "afterview_errors",
            "Errors raised while handling an update or running a job.",
            ["source"],
            registry=self.registry,
        )
        self.webhook_requests = Counter(
            "afterview_webhook_requests",
            "Requests to the webhook path, by the HTTP status answered.",
            ["code"],
            registry=self.registry,
        )
        self.dispatch_lag = Gauge(
            "afterview_dispatch_lag_seconds",
            "How late the oldest nudge that is due and not yet sent is (0 when none is).",
            registry=self.registry,
        )
        self.nudges_due = Gauge(
            "afterview_nudges_due",
            "Tasks due for a nudge now and not yet sent.",
            registry=self.registry,
        )
        self.database_up = Gauge(
            "afterview_database_up",
            "1 when the database answered the last scrape's queries, else 0.",
            registry=self.registry,
        )
        self.last_sweep_age = Gauge(
            "afterview_dispatcher_last_sweep_age_seconds",
            "Seconds since the nudge dispatcher last finished a sweep (-1: none yet).",
            registry=self.registry,
        )
        self.update_queue = Gauge(
            "afterview_update_queue_size",
            "Updates received and not yet handled (waiting or being handled).",
            registry=self.registry,
        )
        self.webhook_duplicates = Counter(
            "afterview_webhook_duplicates",
            "Updates Telegram posted again after they were taken, answered and dropped.",
            registry=self.registry,
        )
        self.webhook_taken_over = Counter(
            "afterview_webhook_taken_over",
            "Updates a stopped replica had taken and not handled, handled by this one.",
            registry=self.registry,
        )
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        self._sent = _SentCounters()
        self.registry.register(self._sent)

    def watch(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Read the application's dispatcher, club poster and rate limiter at each scrape."""
        self._sent.application = application

    def exposition(self) -> bytes:
        """Everything in Prometheus' text format."""
        return generate_latest(self.registry)


class _SentCounters:
    """Counters the dispatcher, the club poster and the rate limiter keep for themselves."""

    def __init__(self) -> None:
        self.application: Application[Any, Any, Any, Any, Any, Any] | None = None

    def collect(self) -> Iterable[Metric]:
        nudges = posts = throttled = 0
        application = self.application
        if application is not None:
            runtime = runtime_of(application)
            if runtime.dispatcher is not None:
                nudges = runtime.dispatcher.sent_messages
            if runtime.club_sweep is not None:
                posts = runtime.club_sweep.poster.sent
            limiter = application.bot.rate_limiter
            if isinstance(limiter, TelegramRateLimiter):
                throttled = limiter.too_many_requests
        yield CounterMetricFamily(
            "afterview_nudges_sent", "Nudge messages sent to users.", value=nudges
        )
        yield CounterMetricFamily(
            "afterview_club_posts_sent", "Posts sent to job clubs' groups.", value=posts
        )
        yield CounterMetricFamily(
            "afterview_telegram_429",
            "Answers of 429 Too Many Requests taken from Telegram (each waited out).",
            value=throttled,
        )


def dispatcher_of(application: Application[Any, Any, Any, Any, Any, Any]) -> Dispatcher | None:
    return runtime_of(application).dispatcher


def sweep_age(dispatcher: Dispatcher | None) -> float | None:
    """Seconds since the dispatcher last finished a sweep, or None before the first."""
    if dispatcher is None or dispatcher.last_sweep_finished is None:
        return None
    return time.monotonic() - dispatcher.last_sweep_finished


class CountingApplication(SharedStateApplication):
    """The bot's Application (conversation state shared through the database), counting the
    updates it handled and the errors it met.

    Counting here rather than in a handler sees every update, including those a handler
    stopped early with ApplicationHandlerStop.
    """

    __slots__ = ("metrics", "web")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.metrics = Metrics()
        self.metrics.watch(self)
        # the HTTP server of webhook mode, while it runs (bot/web/server.py)
        self.web: WebServer | None = None

    async def process_update(self, update: object) -> None:
        try:
            await super().process_update(update)
        finally:
            self.metrics.updates_handled.labels(update_kind(update)).inc()

    async def process_error(
        self,
        update: object | None,
        error: Exception,
        job: Job[Any] | None = None,
        coroutine: Any = None,
    ) -> bool:
        self.metrics.errors.labels("job" if job is not None else "update").inc()
        return await super().process_error(update, error, job, coroutine)
