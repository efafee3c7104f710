"""The HTTP front: routes, the spec check, faults, and the table of methods and their modules."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from fakeapi import callbacks, chats, commands, files, messages, updates
from fakeapi.faults import Fault, FiredFault, answer
from fakeapi.records import JSON, Refusal, RequestRecord
from fakeapi.spec import ApiError, UploadedFile, bad_request

if TYPE_CHECKING:
    from fakeapi.server import FakeTelegram

MAX_UPLOAD = 50 * 1024 * 1024

Handler = Callable[["FakeTelegram", JSON], Awaitable[Any]]
# getUpdates is not here: it long-polls on the request itself (see _serve)
METHODS: dict[str, Handler] = {
    "getMe": commands.get_me,
    "logOut": commands.ok,
    "close": commands.ok,
    "setWebhook": updates.set_webhook,
    "deleteWebhook": updates.delete_webhook,
    "getWebhookInfo": updates.get_webhook_info,
    "sendMessage": messages.send_message,
    "sendDocument": files.send_document,
    "sendPhoto": files.send_photo,
    "sendChatAction": chats.send_chat_action,
    "editMessageText": messages.edit_message_text,
    "editMessageCaption": messages.edit_message_caption,
    "editMessageReplyMarkup": messages.edit_message_reply_markup,
    "deleteMessage": messages.delete_message,
    "answerCallbackQuery": callbacks.answer_callback_query,
    "setMyCommands": commands.set_my_commands,
    "getMyCommands": commands.get_my_commands,
    "deleteMyCommands": commands.delete_my_commands,
    "setMyDescription": commands.set_my_description,
    "getMyDescription": commands.get_my_description,
    "setMyShortDescription": commands.set_my_short_description,
    "getMyShortDescription": commands.get_my_short_description,
    "setChatMenuButton": commands.set_chat_menu_button,
    "getChatMenuButton": commands.get_chat_menu_button,
    "getChat": chats.get_chat,
    "getChatMember": chats.get_chat_member,
    "getChatAdministrators": chats.get_chat_administrators,
    "getChatMemberCount": chats.get_chat_member_count,
    "pinChatMessage": chats.pin_chat_message,
    "unpinChatMessage": chats.unpin_chat_message,
    "getFile": files.get_file,
}


def build_app(fake: FakeTelegram) -> web.Application:
    """The aiohttp application that serves ``fake``: the Bot API, file downloads, and 404s."""

    async def api(request: web.Request) -> web.StreamResponse:
        return await _handle_api(fake, request)

    async def file(request: web.Request) -> web.StreamResponse:
        return await _handle_file(fake, request)

    async def unknown(request: web.Request) -> web.StreamResponse:
        return await _handle_unknown(fake, request)

    app = web.Application(client_max_size=MAX_UPLOAD + 1024 * 1024)
    app.router.add_route("*", "/bot{token}/{method}", api)
    app.router.add_route("GET", "/file/bot{token}/{path:.+}", file)
    app.router.add_route("*", "/{tail:.*}", unknown)
    return app


async def _read_params(request: web.Request) -> tuple[JSON, dict[str, UploadedFile]]:
    raw: JSON = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.method == "GET" or not request.body_exists:
        return raw, files
    ctype = request.content_type
    if ctype == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON body") from None
        if not isinstance(body, dict):
            raise bad_request("JSON body must be an object")
        raw.update(body)
    elif ctype in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files[key] = UploadedFile(
                    key, value.filename, value.content_type, value.file.read()
                )
            else:
                raw[key] = value
    else:
        raise bad_request(f"unsupported content type {ctype}")
    return raw, files


async def _handle_unknown(fake: FakeTelegram, request: web.Request) -> web.Response:
    _refuse(fake, request.path, {}, ApiError(404, "Not Found"))
    return web.json_response(ApiError(404, "Not Found").payload(), status=404)


async def _handle_api(fake: FakeTelegram, request: web.Request) -> web.StreamResponse:
    method = request.match_info["method"]
    request_id = next(fake._request_ids)
    polling = method == "getUpdates"
    if not polling:
        fake._inflight[request_id] = method
        fake._last_activity = time.monotonic()
    try:
        return await _serve(fake, request, method)
    finally:
        if not polling:
            fake._inflight.pop(request_id, None)
            fake._last_activity = max(fake._last_activity, time.monotonic())


async def _serve(fake: FakeTelegram, request: web.Request, method: str) -> web.StreamResponse:
    logged: JSON = {}
    fired: FiredFault | None = None
    arrived = time.monotonic()
    try:
        if fake.latency:
            await asyncio.sleep(fake.latency)
        raw, files = await _read_params(request)
        logged = {**raw, **{k: f"<file {f.filename} {len(f.data)}B>" for k, f in files.items()}}
        if request.match_info["token"] != fake.token:
            raise ApiError(401, "Unauthorized")
        params = fake.spec.validate(method, raw, files)
        if fake.faults.armed:
            fired = fake.faults.pick(method, params, logged, arrived)
            if fired is not None and fired.kind is Fault.SLOW:
                # Telegram slow to answer: held, then served like any other request
                await fired.rule.held(lambda: fake._stopping)
                fired = None
            if fired is not None and not fired.kind.performs:
                # not performed, but text Telegram would refuse is the bot's fault all the same
                messages.check_content(method, params)
                status = fired.kind.status
                fake.requests.append(RequestRecord(method, logged, status, fault=fired.kind))
                return await answer(request, fired, lambda: fake._stopping)
        if method == "getUpdates":
            result: Any = await updates.get_updates(fake, request, params)
        else:
            handler = METHODS.get(method)
            if handler is None:
                raise ApiError(501, f"Not Implemented: FakeTelegram does not serve {method}")
            result = await handler(fake, params)
    except ApiError as err:
        _refuse(fake, method, logged, err, fault=fired.kind if fired else None)
        response = web.json_response(err.payload(), status=err.error_code)
    except updates.Superseded:
        # The long poll was replaced by a newer one after its client went away: no refusal.
        response = web.json_response({"ok": True, "result": []})
    except ConnectionResetError:
        # The client hung up mid-request (a bot restarting drops its long poll): nobody is
        # there to be refused, and Telegram would not count it against the bot either.
        response = web.json_response({"ok": True, "result": []})
    except Exception as exc:
        # A bug in the fake must fail the test loudly, not hide as a bare HTTP 500.
        crash = ApiError(500, f"Internal Server Error: FakeTelegram crashed: {exc!r}")
        _refuse(fake, method, logged, crash)
        response = web.json_response(crash.payload(), status=500)
    else:
        fake.requests.append(
            RequestRecord(method, logged, 200, fault=fired.kind if fired else None)
        )
        response = web.json_response({"ok": True, "result": result})
    if fired is not None:
        # performed (and checked, so a request Telegram refuses is still a refusal), but its
        # answer is lost on the way back
        return await answer(request, fired, lambda: fake._stopping)
    return response


def _refuse(
    fake: FakeTelegram, method: str, params: JSON, err: ApiError, fault: Fault | None = None
) -> None:
    fake.requests.append(RequestRecord(method, params, err.error_code, err.description, fault))
    fake.refusals.append(Refusal(method, params, err.error_code, err.description))


async def _handle_file(fake: FakeTelegram, request: web.Request) -> web.StreamResponse:
    path = request.match_info["path"]
    if fake.latency:
        await asyncio.sleep(fake.latency)
    stored = fake._files_by_path.get(path)
    if request.match_info["token"] != fake.token or stored is None:
        _refuse(fake, f"file:{path}", {}, ApiError(404, "Not Found"))
        return web.json_response(ApiError(404, "Not Found").payload(), status=404)
    fake.requests.append(RequestRecord(f"file:{path}", {}, 200))
    return web.Response(body=stored.data, content_type="application/octet-stream")
