"""The local fake of the Bot API refuses what Telegram refuses and serves a real PTB bot."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import telegram
from telegram import (
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyParameters,
    Update,
)
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from fakeapi import FakeTelegram, FakeUser, Refusal
from fakeapi.extract_spec import condense, dump
from fakeapi.front import METHODS
from fakeapi.markup import TextError, check_message_text, parse_html, render_terminal
from fakeapi.spec import load_spec

# PTB warns about its own RetryAfter.retry_after type change whenever one is raised.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

TOKEN = "123456:TEST-token"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, bot_username="afterview_test_bot") as server:
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[telegram.Bot]:
    client = telegram.Bot(TOKEN, base_url=fake.base_url, base_file_url=fake.base_file_url)
    async with client:
        yield client


@pytest.fixture
async def ana(fake: FakeTelegram) -> FakeUser:
    """A user who has opened the private chat, so the bot may write to her."""
    user = fake.add_user(first_name="Ana", language_code="en")
    await user.send("/start")
    return user


async def raw_call(
    fake: FakeTelegram, method: str, token: str = TOKEN, **fields: Any
) -> tuple[int, dict[str, Any]]:
    """POST form fields the way a careless client would, bypassing PTB's own checks."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{fake.base_url}{token}/{method}", data=fields) as response,
    ):
        return response.status, await response.json()


async def refused(
    fake: FakeTelegram,
    call: Awaitable[object],
    expected: str,
    error: type[TelegramError] = BadRequest,
) -> Refusal:
    """Await a PTB call that must fail; check the fake's exact description (PTB recases it)."""
    before = len(fake.refusals)
    with pytest.raises(error):
        await call
    assert len(fake.refusals) == before + 1
    refusal = fake.refusals[-1]
    assert expected in refusal.description, refusal.description
    return refusal


# ---------------------------------------------------------------- accepted flows


async def test_get_me_through_ptb(bot: telegram.Bot) -> None:
    me = await bot.get_me()
    assert me.is_bot
    assert me.username == "afterview_test_bot"
    assert me.id == 123456
    assert me.can_read_all_group_messages is False


async def test_send_message_then_read_it_back(
    fake: FakeTelegram, bot: telegram.Bot, ana: FakeUser
) -> None:
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Yes", callback_data="yes")],
            [InlineKeyboardButton("Docs", url="https://example.org/help")],
        ]
    )
    sent = await bot.send_message(
        ana.id, "<b>Hello</b> &amp; welcome", parse_mode="HTML", reply_markup=keyboard
    )
    assert sent.text == "Hello & welcome"
    assert sent.entities[0].type == "bold"

    message = ana.last_message
    assert message.message_id == sent.message_id
    assert message.text == "<b>Hello</b> &amp; welcome"
    assert message.plain == "Hello & welcome"
    assert message.buttons == [["Yes"], ["Docs"]]
    assert message.callback_data == [["yes"], [None]]
    assert not message.deleted and message.edits == 0
    assert [m.message_id for m in ana.messages] == [sent.message_id]
    fake.assert_no_refusals()


async def test_json_bodies_and_query_strings_are_accepted(
    fake: FakeTelegram, ana: FakeUser
) -> None:
    url = f"{fake.base_url}{TOKEN}/sendMessage"
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json={"chat_id": ana.id, "text": "json"}) as response:
            assert response.status == 200
        async with session.get(url, params={"chat_id": str(ana.id), "text": "query"}) as response:
            assert response.status == 200
    assert [m.plain for m in ana.messages] == ["json", "query"]


async def test_document_upload_get_file_and_download(bot: telegram.Bot, ana: FakeUser) -> None:
    sent = await bot.send_document(
        ana.id, b"date,company\n2026-11-23,ACME\n", filename="interviews.csv", caption="Export"
    )
    assert sent.document is not None
    assert ana.last_message.document == (b"date,company\n2026-11-23,ACME\n", "interviews.csv")
    file = await bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"date,company\n2026-11-23,ACME\n"


async def test_commands_are_stored_by_scope_and_language(
    fake: FakeTelegram, bot: telegram.Bot
) -> None:
    await bot.set_my_commands([("start", "Start"), ("log", "Log an interview")])
    await bot.set_my_commands([("log", "Registrar entrevista")], language_code="es")
    assert fake.commands[("default", "")][1] == {
        "command": "log",
        "description": "Log an interview",
    }
    assert [c.command for c in await bot.get_my_commands(language_code="es")] == ["log"]
    await refused(
        fake,
        bot.set_my_commands([("Log", "Capital letters are not allowed")]),
        "BOT_COMMAND_INVALID",
    )
    await refused(
        fake, bot.set_my_commands([("log", "Log")], language_code="eng"), "invalid language code"
    )


async def test_message_dates_follow_the_clock() -> None:
    moment = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    async with FakeTelegram(token=TOKEN, clock=lambda: moment) as other:
        user = other.add_user(first_name="Bo")
        update = await user.send("hi")
        assert update["message"]["date"] == int(moment.timestamp())


# ---------------------------------------------------------------- refusals: the request itself


async def test_unknown_token_is_401(fake: FakeTelegram) -> None:
    status, body = await raw_call(fake, "getMe", token="999:nope")
    assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})


async def test_unknown_method_is_404(fake: FakeTelegram) -> None:
    status, body = await raw_call(fake, "sendMesage", chat_id="1", text="x")
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    assert fake.refusals[-1].method == "sendMesage"


def test_every_served_method_is_a_bot_api_method() -> None:
    # a misspelt name in the table would serve a method no client calls, and the real one not at all
    spec = load_spec()
    assert [method for method in METHODS if not spec.has_method(method)] == []


async def test_a_bot_api_method_the_fake_does_not_serve_is_501(fake: FakeTelegram) -> None:
    status, body = await raw_call(fake, "sendDice", chat_id="1")
    assert status == 501
    assert body["description"] == "Not Implemented: FakeTelegram does not serve sendDice"
    assert fake.refusals[-1].method == "sendDice"


async def test_unknown_field_is_refused(
    fake: FakeTelegram, bot: telegram.Bot, ana: FakeUser
) -> None:
    status, body = await raw_call(fake, "sendMessage", chat_id=str(ana.id), text="x", colour="red")
    assert status == 400
    assert body["description"] == 'Bad Request: unknown parameter "colour" for method sendMessage'
    await refused(
        fake,
        bot.send_message(ana.id, "x", api_kwargs={"disable_web_page_previews": True}),
        "unknown parameter",
    )
    await refused(
        fake,
        bot.send_message(ana.id, "x", reply_markup=ForceReply(api_kwargs={"colour": "red"})),
        'unknown field "colour" in reply_markup',
    )


async def test_missing_required_field_is_refused(fake: FakeTelegram, ana: FakeUser) -> None:
    assert await raw_call(fake, "sendMessage", text="x") == (
        400,
        {"ok": False, "error_code": 400, "description": "Bad Request: chat_id is empty"},
    )
    status, body = await raw_call(fake, "sendMessage", chat_id=str(ana.id))
    assert (status, body["description"]) == (400, "Bad Request: message text is empty")


async def test_field_types_are_checked(fake: FakeTelegram, ana: FakeUser) -> None:
    status, body = await raw_call(fake, "sendMessage", chat_id="me", text="x")
    assert (status, body["description"]) == (400, "Bad Request: chat not found")
    status, body = await raw_call(
        fake, "sendMessage", chat_id=str(ana.id), text="x", disable_notification="yes"
    )
    assert body["description"] == "Bad Request: disable_notification must be a boolean"
    status, body = await raw_call(
        fake, "sendMessage", chat_id=str(ana.id), text="x", reply_markup="{not json"
    )
    assert body["description"] == "Bad Request: can't parse reply_markup JSON object"
    status, body = await raw_call(fake, "deleteMessage", chat_id=str(ana.id), message_id="one")
    assert body["description"] == "Bad Request: message_id must be an integer"


# ---------------------------------------------------------------- refusals: text and markup


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("a < b", 'Unescaped "<"'),
        ("<script>alert(1)</script>", 'Unsupported start tag "script"'),
        ("Tom & Jerry", 'Unescaped "&"'),
        ("<b><i>x</b></i>", "Unmatched end tag"),
        ('<span class="red">x</span>', 'must have class "tg-spoiler"'),
        ("line<br>break", 'Unsupported start tag "br"'),
        ("5 > 3", 'Unescaped ">"'),
    ],
)
async def test_bad_html_is_refused(
    fake: FakeTelegram, bot: telegram.Bot, ana: FakeUser, text: str, detail: str
) -> None:
    refusal = await refused(fake, bot.send_message(ana.id, text, parse_mode="HTML"), detail)
    assert refusal.description.startswith("Bad Request: can't parse entities: ")


async def test_text_length_counts_utf16_after_parsing(
    fake: FakeTelegram, bot: telegram.Bot, ana: FakeUser
) -> None:
    await bot.send_message(ana.id, "x" * 4096)
    await bot.send_message(ana.id, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    await bot.send_message(ana.id, "\U0001f600" * 2048)
    await refused(fake, bot.send_message(ana.id, "x" * 4097), "too long")
    await refused(fake, bot.send_message(ana.id, "\U0001f600" * 2049), "too long")
    await refused(fake, bot.send_message(ana.id, "<b> </b>", parse_mode="HTML"), "text is empty")
    await refused(
        fake,
        bot.send_document(ana.id, b"x", filename="a.txt", caption="c" * 1025),
        "caption is too long",
    )


async def test_callback_data_is_limited_to_64_bytes(
    fake: FakeTelegram, bot: telegram.Bot, ana: FakeUser
) -> None:
    fits = "д" * 22 + "x" * 20  # 44 + 20 = 64 bytes in UTF-8
    too_long = "д" * 22 + "x" * 21  # 65 bytes although only 43 characters
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("Fits", callback_data=fits)]])
    await bot.send_message(ana.id, "ok", reply_markup=ok)
    bad = InlineKeyboardMarkup([[InlineKeyboardButton("Long", callback_data=too_long)]])
    await refused(fake, bot.send_message(ana.id, "no", reply_markup=bad), "BUTTON_DATA_INVALID")


async def test_inline_buttons_need_exactly_one_valid_action(
    fake: FakeTelegram, ana: FakeUser
) -> None:
    def markup(*buttons: dict[str, Any]) -> str:
        return json.dumps({"inline_keyboard": [list(buttons)]})

    cases = [
        (markup({"text": "plain"}), "Text buttons are unallowed"),
        (markup({"text": "two", "callback_data": "a", "url": "https://x.org"}), "exactly one"),
        (markup({"text": "ftp", "url": "ftp://x.org"}), "inline keyboard button URL"),
        (markup({"text": "copy", "copy_text": {"text": "c" * 257}}), "1-256"),
        (
            json.dumps(
                {"inline_keyboard": [[{"text": str(i), "callback_data": "x"} for i in range(101)]]}
            ),
            "too many",
        ),
    ]
    for reply_markup, detail in cases:
        status, body = await raw_call(
            fake, "sendMessage", chat_id=str(ana.id), text="x", reply_markup=reply_markup
        )
        assert status == 400, reply_markup
        assert detail in body["description"]


async def test_reply_to_a_missing_message(
    fake: FakeTelegram, bot: telegram.Bot, ana: FakeUser
) -> None:
    await refused(
        fake,
        bot.send_message(ana.id, "x", reply_parameters=ReplyParameters(message_id=999)),
        "message to be replied not found",
    )
    sent = await bot.send_message(
        ana.id,
        "x",
        reply_parameters=ReplyParameters(message_id=999, allow_sending_without_reply=True),
    )
    assert sent.reply_to_message is None


# ---------------------------------------------------------------- refusals: who may be written to


async def test_user_who_never_wrote_cannot_be_messaged(
    fake: FakeTelegram, bot: telegram.Bot
) -> None:
    stranger = fake.add_user(first_name="Stranger")
    await refused(
        fake, bot.send_message(stranger.id, "hello"), "can't initiate conversation", Forbidden
    )
    await refused(fake, bot.send_message(-42, "hello"), "chat not found")
    await stranger.send("hi")
    await bot.send_message(stranger.id, "hello")


async def test_blocked_user_gets_403(fake: FakeTelegram, bot: telegram.Bot, ana: FakeUser) -> None:
    ana.block()
    await refused(
        fake, bot.send_message(ana.id, "are you there?"), "bot was blocked by the user", Forbidden
    )
    ana.unblock()
    await bot.send_message(ana.id, "welcome back")
    kinds = [
        u.my_chat_member.new_chat_member.status for u in await bot.get_updates() if u.my_chat_member
    ]
    assert kinds == ["kicked", "member"]


async def test_bot_removed_from_group_gets_403(fake: FakeTelegram, bot: telegram.Bot) -> None:
    owner = fake.add_user(first_name="Olga")
    group = fake.add_group(title="Tuesday job club", members=[owner], admins=[owner])
    await bot.send_message(group.id, "hello club")
    await fake.remove_bot_from(group)
    await refused(fake, bot.send_message(group.id, "still here?"), "not a member", Forbidden)


# ---------------------------------------------------------------- refusals: edits and callbacks


async def test_edit_message_text(fake: FakeTelegram, bot: telegram.Bot, ana: FakeUser) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="go")]])
    sent = await bot.send_message(ana.id, "Step 1", reply_markup=keyboard)
    await refused(
        fake,
        bot.edit_message_text("Step 1", ana.id, sent.message_id, reply_markup=keyboard),
        "message is not modified",
    )
    await bot.edit_message_text("Step 2", ana.id, sent.message_id, reply_markup=keyboard)
    # without reply_markup Telegram drops the inline keyboard
    await bot.edit_message_text("Step 3", ana.id, sent.message_id)
    message = ana.last_message
    assert (message.plain, message.edits, message.buttons) == ("Step 3", 2, [])
    await refused(fake, bot.edit_message_text("x", ana.id, 9999), "message to edit not found")
    user_message_id = (await ana.send("mine"))["message"]["message_id"]
    await refused(fake, bot.edit_message_text("x", ana.id, user_message_id), "can't be edited")
    await bot.delete_message(ana.id, sent.message_id)
    assert ana.last_message.deleted
    await refused(fake, bot.delete_message(ana.id, sent.message_id), "message to delete not found")


async def test_answer_callback_query_once(
    fake: FakeTelegram, bot: telegram.Bot, ana: FakeUser
) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="answer:yes")]])
    sent = await bot.send_message(ana.id, "Did it go well?", reply_markup=keyboard)
    with pytest.raises(ValueError, match="no inline button"):
        await ana.tap(ana.last_message, "No")
    query_id = await ana.tap(ana.last_message, "answer:yes")
    updates = await bot.get_updates()
    query = updates[-1].callback_query
    assert query is not None and query.id == query_id and query.data == "answer:yes"
    assert query.message is not None and query.message.message_id == sent.message_id
    await bot.answer_callback_query(query_id, text="Noted")
    assert fake.callback_answers[-1]["text"] == "Noted"
    await refused(fake, bot.answer_callback_query(query_id), "query is too old")
    await refused(fake, bot.answer_callback_query("12345"), "query is too old")
    second = await ana.tap(ana.last_message, "Yes")
    await refused(fake, bot.answer_callback_query(second, text="x" * 201), "MESSAGE_TOO_LONG")


# ---------------------------------------------------------------- rate limits


async def test_flooding_a_group_gets_429(fake: FakeTelegram, bot: telegram.Bot) -> None:
    owner = fake.add_user(first_name="Olga")
    group = fake.add_group(title="Tuesday job club", members=[owner], admins=[owner])
    for i in range(20):
        await bot.send_message(group.id, f"message {i}")
    refusal = await refused(fake, bot.send_message(group.id, "one too many"), "", RetryAfter)
    assert refusal.error_code == 429
    assert refusal.description.startswith("Too Many Requests: retry after ")
    status, body = await raw_call(fake, "sendMessage", chat_id=str(group.id), text="again")
    assert status == 429
    assert body["parameters"]["retry_after"] >= 1
    assert len(group.messages) == 20


async def test_private_bursts_and_disabled_limits(fake: FakeTelegram, bot: telegram.Bot) -> None:
    user = fake.add_user(first_name="Bo")
    await user.send("hi")
    for i in range(8):
        await bot.send_message(user.id, f"burst {i}")
    await refused(
        fake, bot.send_message(user.id, "ninth within a second"), "retry after 1", RetryAfter
    )
    fake.enforce_rate_limits = False
    for i in range(30):
        await bot.send_message(user.id, f"unlimited {i}")


# ---------------------------------------------------------------- updates


async def test_long_polling_returns_a_user_message(bot: telegram.Bot, fake: FakeTelegram) -> None:
    user = fake.add_user(first_name="Cleo")
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    assert not poll.done()
    await user.send("hello bot")
    updates = await asyncio.wait_for(poll, 2)
    assert [u.message.text for u in updates if u.message] == ["hello bot"]
    assert fake.pending_updates == 1  # fetched, not yet confirmed
    assert await bot.get_updates(offset=updates[-1].update_id + 1) == ()
    assert fake.pending_updates == 0


async def test_two_pollers_conflict_like_two_bot_instances(fake: FakeTelegram) -> None:
    url = f"{fake.base_url}{TOKEN}/getUpdates"
    async with aiohttp.ClientSession() as session:

        async def poll(wait: int) -> int:
            async with session.post(url, data={"timeout": str(wait)}) as response:
                return response.status

        first = asyncio.create_task(poll(5))
        await asyncio.sleep(0.2)
        assert await poll(0) == 200
        assert await first == 409
    assert fake.refusals[-1].description.startswith("Conflict: terminated by other getUpdates")


async def test_photos_must_be_images(fake: FakeTelegram, bot: telegram.Bot, ana: FakeUser) -> None:
    await refused(fake, bot.send_photo(ana.id, b"not an image"), "IMAGE_PROCESS_FAILED")
    update = await ana.send_photo(caption="my notes")
    file_id = update["message"]["photo"][-1]["file_id"]
    sent = await bot.send_photo(ana.id, file_id, caption="<i>got it</i>", parse_mode="HTML")
    assert sent.caption == "got it"
    assert ana.last_message.photo is not None


async def test_forged_callback_data(fake: FakeTelegram, bot: telegram.Bot, ana: FakeUser) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Open", callback_data="iv:open:1")]])
    await bot.send_message(ana.id, "Your interviews", reply_markup=keyboard)
    query_id = await ana.tap_data(ana.last_message, "iv:open:999")
    query = (await bot.get_updates())[-1].callback_query
    assert query is not None and (query.id, query.data) == (query_id, "iv:open:999")


async def test_allowed_updates_filter(bot: telegram.Bot, fake: FakeTelegram, ana: FakeUser) -> None:
    await bot.get_updates(offset=-1)  # confirm everything so far but the last
    await bot.get_updates(offset=(await bot.get_updates())[-1].update_id + 1)
    await bot.send_message(
        ana.id,
        "Pick",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]]),
    )
    await ana.tap(ana.last_message, "A")
    await ana.send("text")
    updates = await bot.get_updates(allowed_updates=["message"])
    assert [u.message.text for u in updates if u.message] == ["text"]
    assert all(u.callback_query is None for u in updates)


async def test_privacy_mode_in_groups(fake: FakeTelegram, bot: telegram.Bot) -> None:
    ana = fake.add_user(first_name="Ana")
    bo = fake.add_user(first_name="Bo")
    group = fake.add_group(
        title="Tuesday job club", members=[ana], admins=[ana], bot_is_member=False
    )
    await fake.add_bot_to(group, by=ana)
    await ana.send("just chatting", chat=group)
    await ana.send("/log@someotherbot", chat=group)
    await ana.send("/log@afterview_test_bot", chat=group)
    await ana.send("/help", chat=group)
    await ana.send("hey @afterview_test_bot what's up", chat=group)
    await fake.add_member(group, bo)

    updates = await bot.get_updates()
    kinds = [
        "my_chat_member" if u.message is None else (u.message.text or "service") for u in updates
    ]
    assert kinds == [
        "my_chat_member",
        "service",
        "/log@afterview_test_bot",
        "/help",
        "hey @afterview_test_bot what's up",
        "service",
    ]
    assert [u["message"]["text"] for u in fake.undelivered] == [
        "just chatting",
        "/log@someotherbot",
    ]
    question = await bot.send_message(group.id, "Which company?", reply_markup=ForceReply())
    assert fake.last_message(group.id) is not None
    assert group.last_message.force_reply
    await bo.reply(group.last_message, "ACME")
    reply = (await bot.get_updates(offset=updates[-1].update_id + 1))[-1].message
    assert reply is not None and reply.reply_to_message is not None
    assert reply.reply_to_message.message_id == question.message_id


async def test_settle_with_a_running_application(fake: FakeTelegram) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await asyncio.sleep(0.05)
        await update.effective_message.reply_text(f"echo: {update.effective_message.text}")

    app: Application[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    ana = fake.add_user(first_name="Ana")
    for _ in range(2):  # a restart must not trip over the previous long poll
        await app.initialize()
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=5, poll_interval=0)
        await ana.send("ping")
        message = await ana.expect_message()
        assert message.plain == "echo: ping"
        await fake.settle()
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    fake.assert_no_refusals()


async def test_settle_times_out_when_nobody_polls(fake: FakeTelegram, bot: telegram.Bot) -> None:
    user = fake.add_user(first_name="Ana")
    await user.send("anyone?")
    with pytest.raises(TimeoutError, match="not yet fetched"):
        await fake.settle(timeout=0.3)
    updates = await bot.get_updates()
    await bot.get_updates(offset=updates[-1].update_id + 1)
    await fake.settle()
    with pytest.raises(AssertionError, match="no new message"):
        await user.expect_message(timeout=1)


async def test_deleting_needs_a_young_message() -> None:
    now = [datetime(2026, 11, 23, 9, 0, tzinfo=UTC)]
    async with FakeTelegram(token=TOKEN, clock=lambda: now[0]) as other:
        client = telegram.Bot(TOKEN, base_url=other.base_url)
        async with client:
            user = other.add_user(first_name="Ana")
            await user.send("hi")
            sent = await client.send_message(user.id, "old news")
            now[0] += timedelta(hours=49)
            await refused(
                other, client.delete_message(user.id, sent.message_id), "can't be deleted"
            )


# ---------------------------------------------------------------- markup and spec units


def test_html_parsing_and_measuring() -> None:
    parsed = parse_html('<b>Bold</b> <a href="https://x.org/?a=1&amp;b=2">link</a> &#128512;')
    assert parsed.text == "Bold link \U0001f600"
    assert parsed.length == 12  # the emoji counts two UTF-16 code units
    assert [(e.type, e.offset, e.length) for e in parsed.entities] == [
        ("bold", 0, 4),
        ("text_link", 5, 4),
    ]
    assert parsed.entities[1].url == "https://x.org/?a=1&b=2"
    pre = parse_html('<pre><code class="language-python">x = 1</code></pre>')
    assert [(e.type, e.language) for e in pre.entities] == [("pre", "python")]
    quote = parse_html("<blockquote expandable>a\nb</blockquote>")
    assert quote.entities[0].type == "expandable_blockquote"
    time_tag = parse_html('<tg-time unix="1647531900" format="wDT">Thu 22:45</tg-time>')
    assert time_tag.entities[0].unix_time == 1647531900
    with pytest.raises(TextError, match="can't be nested"):
        parse_html("<code><b>x</b></code>")
    with pytest.raises(TextError, match="message text is empty"):
        check_message_text("   ", None)


def test_terminal_rendering() -> None:
    html = '<b>Done</b>: see <a href="https://x.org">this</a>\n<blockquote>quoted</blockquote>'
    assert render_terminal(html, color=False) == "Done: see this (https://x.org)\n> quoted"
    coloured = render_terminal(html)
    assert "\x1b[1mDone\x1b[0m" in coloured
    assert coloured.endswith("\n\u2502 quoted")
    assert render_terminal("a < b") == "a < b"  # invalid markup is shown raw, never raised


def test_shipped_spec_matches_the_api_json() -> None:
    spec = load_spec()
    assert spec.version.startswith("Bot API ")
    assert spec.field("sendMessage", "text") is not None
    assert spec.field("sendMessage", "text").required  # type: ignore[union-attr]
    source = ROOT.parent / "shared" / "telegram-bot-api" / "api.json"
    if not source.exists():
        pytest.skip("shared/telegram-bot-api/api.json is not beside this checkout")
    expected = dump(condense(json.loads(source.read_text(encoding="utf-8"))))
    shipped = (ROOT / "fakeapi" / "api_methods.json").read_text(encoding="utf-8")
    assert shipped == expected, "regenerate with python -m fakeapi.extract_spec"
