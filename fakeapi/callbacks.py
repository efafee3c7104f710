"""Inline buttons: a user's tap becomes a callback_query, answerCallbackQuery closes it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakeapi import actions, objects, updates
from fakeapi.records import JSON, BotMessage
from fakeapi.spec import bad_request

if TYPE_CHECKING:
    from fakeapi.people import FakeUser
    from fakeapi.server import FakeTelegram

QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"


def tap(
    fake: FakeTelegram,
    user: FakeUser,
    message: BotMessage,
    label: str | None,
    *,
    forged_data: str | None = None,
) -> str:
    current = objects.current(fake, message)
    if current.chat_id == user.id:
        if user.blocked:
            raise ValueError(f"{user!r} has blocked the bot; call unblock() first")
    elif user not in fake.groups[current.chat_id].members:
        raise ValueError(f"{user!r} can't see chat {current.chat_id}")
    if label is None:
        data = forged_data
    else:
        button = current.find_button(label)
        if button is None:
            raise ValueError(
                f"no inline button {label!r} on message {current.message_id}; "
                f"current buttons: {current.buttons}, callback_data: {current.callback_data}"
            )
        if "callback_data" not in button:
            raise ValueError(f"button {label!r} has no callback_data ({sorted(button)})")
        data = button["callback_data"]
    query_id = str(next(fake._query_ids))
    fake._pending_queries.add(query_id)
    user.started = True
    actions.mark(fake, user, current.chat_id)
    chat_instance = str(abs(hash((fake.bot_id, current.chat_id))) % 10**18)
    payload = {
        "id": query_id,
        "from": user.to_api(),
        "message": objects.message_api(fake, current),
        "chat_instance": chat_instance,
        "data": data,
    }
    updates.enqueue(fake, "callback_query", payload)
    return query_id


async def answer_callback_query(fake: FakeTelegram, params: JSON) -> bool:
    query_id = params["callback_query_id"]
    if query_id not in fake._pending_queries:
        raise bad_request(QUERY_INVALID.removeprefix("Bad Request: "))
    url = params.get("url")
    if url is not None and not url.startswith(f"https://t.me/{fake.bot_username}?start="):
        raise bad_request("URL_INVALID: only t.me/<bot>?start= links (or games) are allowed")
    fake._pending_queries.discard(query_id)
    fake._answered_queries.add(query_id)
    fake.callback_answers.append(
        {
            "callback_query_id": query_id,
            "text": params.get("text"),
            "show_alert": bool(params.get("show_alert", False)),
            "url": url,
        }
    )
    return True
