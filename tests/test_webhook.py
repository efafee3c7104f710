"""Webhook mode end to end: the fake Bot API posts updates to the running bot, which checks the
secret, bounds the body, and serves /healthz and /metrics beside the webhook."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import event, select
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
)

from bot.db.models import User
from bot.web.metrics import ALLOWED_UPDATES
from fakeapi.running import RunningBot
from tests.flows import seed_waiting_members
from tests.webhookbot import (
    SECRET,
    WEBHOOK_URL,
    get,
    post_update,
    start_webhook_bot,
    webhook_bot,
)

MAX_BODY = 4096


@pytest.fixture
async def hook_bot(tmp_path: Path) -> AsyncIterator[RunningBot]:
    running = webhook_bot(tmp_path / "afterview.db", webhook_max_body=MAX_BODY)
    await start_webhook_bot(running)
    try:
        yield running
        await running.fake.settle()
        running.fake.assert_no_refusals()
    finally:
        await running.close()


def _stop_background_work(running: RunningBot) -> None:
    """No sweep runs by itself, so whatever touches the database is the test's doing."""
    assert running.application is not None and running.application.job_queue is not None
    for job in running.application.job_queue.jobs():
        job.schedule_removal()


def _forged_start(user_id: int, first_name: str, update_id: int = 1) -> bytes:
    """A well-formed /start update, as anyone who knows the URL could post it."""
    person = {"id": user_id, "is_bot": False, "first_name": first_name}
    message = {
        "message_id": 1,
        "date": 1_790_000_000,
        "chat": {"id": user_id, "type": "private", "first_name": first_name},
        "from": person,
        "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
    }
    return json.dumps({"update_id": update_id, "message": message}).encode()


async def _metrics(running: RunningBot) -> dict[str, float]:
    """/metrics, parsed with prometheus_client's own parser: {sample name{labels}: value}."""
    response = await get(running, "/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    samples: dict[str, float] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return samples


async def _stored_user(running: RunningBot, user_id: int) -> User | None:
    async with running.runtime.session() as session:
        return await session.scalar(select(User).where(User.id == user_id))


async def test_a_start_delivered_through_the_webhook_is_answered(hook_bot: RunningBot) -> None:
    fake = hook_bot.fake
    ana = fake.add_user("Ana")
    await ana.send("/start")
    await fake.settle()
    assert "Hi Ana!" in ana.messages[0].plain
    # it came by the webhook, with the secret, and the bot never polled
    assert fake.webhooks.attempts and all(code == 200 for _, code in fake.webhooks.attempts)
    assert not [r for r in fake.requests if r.method == "getUpdates"]
    assert await _stored_user(hook_bot, ana.id) is not None
    assert hook_bot.application is not None
    info = await hook_bot.application.bot.get_webhook_info()
    assert info.url == WEBHOOK_URL
    assert sorted(info.allowed_updates or ()) == sorted(ALLOWED_UPDATES)
    assert info.pending_update_count == 0
    set_call = next(r for r in fake.requests if r.method == "setWebhook")
    assert set_call.params["secret_token"] == SECRET
    assert set_call.params.get("drop_pending_updates") in (None, False, "false", "False")


async def test_a_wrong_or_missing_secret_gets_403_and_touches_nothing(
    tmp_path: Path,
) -> None:
    running = webhook_bot(tmp_path / "afterview.db", persistence_flush_seconds=3600)
    await start_webhook_bot(running)
    try:
        _stop_background_work(running)
        await running.fake.settle()
        mallory = running.fake.add_user("Mallory")
        # she may be written to, so only the secret stands between her update and a reply
        mallory.started = True
        statements: list[str] = []
        engine = running.runtime.engine
        assert engine is not None

        def count(*args: Any) -> None:
            statements.append(str(args[2]))

        event.listen(engine.sync_engine, "before_cursor_execute", count)
        try:
            body = _forged_start(mallory.id, "Mallory")
            wrong = await post_update(running, body, secret="Webhook-secret_0123456788")
            missing = await post_update(running, body, secret=None)
            empty = await post_update(running, body, secret="")
            assert running.application is not None
            queued = running.application.update_queue.qsize()
            await asyncio.sleep(0.3)
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", count)
        assert (wrong.status_code, missing.status_code, empty.status_code) == (403, 403, 403)
        assert queued == 0
        assert statements == []
        assert mallory.messages == []
        assert await _stored_user(running, mallory.id) is None
        samples = await _metrics(running)
        assert samples['afterview_webhook_requests_total{code="403"}'] == 3
        assert 'afterview_updates_handled_total{type="message"}' not in samples
        # the very same update with the secret is answered: only the secret kept it out
        right = await post_update(running, body)
        assert right.status_code == 200
        await running.fake.settle()
        assert "Hi Mallory!" in mallory.messages[0].plain
        running.fake.assert_no_refusals()
    finally:
        await running.close()


async def test_a_body_over_the_bound_gets_413_unread(hook_bot: RunningBot) -> None:
    padding = "x" * (MAX_BODY * 4)
    big = json.dumps({"update_id": 5, "padding": padding}).encode()
    announced = await post_update(hook_bot, big)
    assert announced.status_code == 413

    async def chunks() -> AsyncIterator[bytes]:
        # no Content-Length: the bound is met while reading, and reading stops there
        for _ in range(64):
            yield b" " * 1024

    streamed = await post_update(hook_bot, chunks())
    assert streamed.status_code == 413
    # a body just under the bound is read (and here refused only as no update)
    assert (await post_update(hook_bot, b" " * (MAX_BODY - 10) + b"[]")).status_code == 400
    assert hook_bot.application is not None
    assert hook_bot.application.update_queue.qsize() == 0
    samples = await _metrics(hook_bot)
    assert samples['afterview_webhook_requests_total{code="413"}'] == 2


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2]", b'"text"', b'{"no": "update"}', b"\xff\xfe"],
    ids=["broken", "array", "string", "not-an-update", "not-utf8"],
)
async def test_a_body_that_is_no_update_gets_400(hook_bot: RunningBot, body: bytes) -> None:
    response = await post_update(hook_bot, body)
    assert response.status_code == 400
    assert hook_bot.application is not None
    assert hook_bot.application.update_queue.qsize() == 0


async def test_healthz_is_200_with_a_small_json_body_when_all_is_well(
    hook_bot: RunningBot,
) -> None:
    response = await get(hook_bot, "/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "ok"
    assert response.json()["dispatcher"] == "ok"


async def test_healthz_is_503_naming_the_dispatcher_when_its_sweeps_stop(
    tmp_path: Path,
) -> None:
    running = webhook_bot(tmp_path / "afterview.db", nudge_sweep_seconds=0.5)
    await start_webhook_bot(running)
    try:
        dispatcher = running.runtime.dispatcher
        for _ in range(100):
            if dispatcher.last_sweep_finished is not None:
                break
            await asyncio.sleep(0.05)
        # the sweep job runs: healthy
        assert (await get(running, "/healthz")).status_code == 200
        _stop_background_work(running)
        for _ in range(60):
            response = await get(running, "/healthz")
            if response.status_code == 503:
                break
            await asyncio.sleep(0.1)
        assert response.status_code == 503
        assert response.json()["status"] == "unavailable"
        assert response.json()["dispatcher"].startswith("no sweep finished for")
        assert response.json()["database"] == "ok"
        # one sweep, and it is alive again
        await running.sweep()
        assert (await get(running, "/healthz")).status_code == 200
    finally:
        await running.close()


@pytest.mark.swept_by_hand
async def test_metrics_count_updates_handled_nudges_sent_and_the_dispatch_lag(
    hook_bot: RunningBot,
) -> None:
    _stop_background_work(hook_bot)
    ana = hook_bot.fake.add_user("Ana")
    await ana.send("/start")
    await hook_bot.fake.settle()
    before = await _metrics(hook_bot)
    assert before['afterview_updates_handled_total{type="message"}'] == 1
    assert before["afterview_nudges_sent_total"] == 0
    assert before["afterview_telegram_429_total"] == 0
    assert before["afterview_database_up"] == 1
    assert before["afterview_dispatch_lag_seconds"] == 0
    # one member whose thank-you has waited: due, and late by the hour the clock moves on
    await seed_waiting_members(hook_bot, 1, "Lag Ltd")
    from datetime import timedelta

    hook_bot.clock.advance(timedelta(hours=1))
    waiting = await _metrics(hook_bot)
    assert waiting["afterview_nudges_due"] >= 1
    assert waiting["afterview_dispatch_lag_seconds"] >= 3600
    assert await hook_bot.sweep() == 1
    after = await _metrics(hook_bot)
    assert after["afterview_nudges_sent_total"] == 1
    assert after["afterview_nudges_due"] == 0
    assert after["afterview_dispatch_lag_seconds"] == 0
    assert after["afterview_dispatcher_last_sweep_age_seconds"] >= 0
    # the process figures an operator expects come along
    assert after["process_resident_memory_bytes"] > 0


async def test_a_429_taken_is_counted(hook_bot: RunningBot) -> None:
    from fakeapi.faults import Fault

    ana = hook_bot.fake.add_user("Ana")
    hook_bot.faults.add(Fault.FLOOD, method="sendMessage", times=1, retry_after=1)
    await ana.send("/start")
    await hook_bot.fake.settle()
    assert "Hi Ana!" in ana.messages[0].plain
    samples = await _metrics(hook_bot)
    assert samples["afterview_telegram_429_total"] == 1


def _update_types(handler: BaseHandler[Any, Any, Any]) -> Iterator[str]:
    """The update types that could ever reach a handler."""
    if isinstance(handler, ConversationHandler):
        for inner in (
            *handler.entry_points,
            *handler.fallbacks,
            *(h for hs in handler.states.values() for h in hs),
        ):
            yield from _update_types(inner)
    elif isinstance(handler, CallbackQueryHandler):
        yield "callback_query"
    elif isinstance(handler, ChatMemberHandler):
        both = ChatMemberHandler.ANY_CHAT_MEMBER
        if handler.chat_member_types in (ChatMemberHandler.MY_CHAT_MEMBER, both):
            yield "my_chat_member"
        if handler.chat_member_types in (ChatMemberHandler.CHAT_MEMBER, both):
            yield "chat_member"
    elif isinstance(handler, MessageHandler):
        names = repr(handler.filters)
        edited = "UpdateType.EDITED" in names or "EDITED_MESSAGE" in names
        yield "edited_message" if edited else "message"
    elif isinstance(handler, TypeHandler):
        yield from ALLOWED_UPDATES
    else:
        # CommandHandler and the like read messages
        yield "message"


async def test_setwebhook_asks_for_every_update_type_a_handler_takes(tmp_path: Path) -> None:
    from bot.app import build_application
    from bot.config import Settings
    from fakeapi.running import TEST_TOKEN

    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        bot_token=TEST_TOKEN,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'afterview.db'}",
    )
    application = build_application(settings)
    taken = {
        kind
        for handlers in application.handlers.values()
        for handler in handlers
        for kind in _update_types(handler)
    }
    assert taken <= set(ALLOWED_UPDATES), f"not asked of Telegram: {taken - set(ALLOWED_UPDATES)}"
    # and nothing is asked for that no handler takes
    assert set(ALLOWED_UPDATES) <= taken


async def test_a_bot_back_on_polling_deletes_the_webhook_and_polls(tmp_path: Path) -> None:
    running = RunningBot(tmp_path / "afterview.db")
    await running.fake.start()
    running._fake_started = True
    await running.fake.webhooks.set({"url": WEBHOOK_URL, "secret_token": SECRET})
    await running.start()
    try:
        ana = running.fake.add_user("Ana")
        await ana.send("/start")
        await running.fake.settle()
        assert "Hi Ana!" in ana.messages[0].plain
        assert running.fake.webhook_url == ""
        running.fake.assert_no_refusals()
    finally:
        await running.close()


async def test_updates_sent_while_the_bot_is_down_arrive_once_it_is_back(tmp_path: Path) -> None:
    from fakeapi.faults import Fault
    from tests.webhookbot import PUBLIC_ORIGIN, local_origin

    running = webhook_bot(tmp_path / "afterview.db")
    await start_webhook_bot(running)
    try:
        ana = running.fake.add_user("Ana")
        await ana.send("/start")
        await running.fake.settle()
        await running.stop()
        # Telegram keeps posting to a replica that is gone, and keeps the update
        await ana.send("/help")
        # and is unavailable for a moment when the bot comes back: setWebhook is tried again
        running.faults.add(Fault.BAD_GATEWAY, method="setWebhook", times=2)
        await running.start()
        running.fake.webhooks.route(PUBLIC_ORIGIN, local_origin(running))
        await running.fake.settle()
        assert len(ana.messages) >= 2
        assert "/log" in ana.messages[-1].plain
        assert any(code != 200 for _, code in running.fake.webhooks.attempts)
        assert [r.status for r in running.fake.requests if r.method == "setWebhook"][-3:] == [
            502,
            502,
            200,
        ]
        running.fake.assert_no_refusals()
    finally:
        await running.close()
