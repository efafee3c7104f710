"""Messages the bot sends, edits and deletes, and the checks of text, keyboards and replies."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from fakeapi import limits, objects
from fakeapi.markup import ParsedText, TextError, check_caption, check_message_text
from fakeapi.records import JSON, BotMessage, ChatState
from fakeapi.spec import ApiError, bad_request

if TYPE_CHECKING:
    from fakeapi.server import FakeTelegram

DELETE_WINDOW = timedelta(hours=48)
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
# Fields of InlineKeyboardButton that decorate it rather than say what pressing it does.
_BUTTON_DECOR = frozenset({"text", "icon_custom_emoji_id", "style"})


def check_markup(markup: JSON | None, chat: ChatState) -> None:
    if markup is None:
        return
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        count = sum(len(row) for row in rows)
        if count > 100:
            raise bad_request("too many inline keyboard buttons (at most 100)")
        for row in rows:
            for button in row:
                _check_inline_button(button, chat)
    elif "keyboard" in markup:
        rows = markup["keyboard"]
        if not rows or any(not row for row in rows):
            raise bad_request("keyboard rows must not be empty")
        for row in rows:
            for button in row:
                if not button["text"]:
                    raise bad_request("keyboard button text must not be empty")
    elif "force_reply" in markup:
        if markup["force_reply"] is not True:
            raise bad_request("force_reply must be true")
    elif "remove_keyboard" in markup and markup["remove_keyboard"] is not True:
        raise bad_request("remove_keyboard must be true")


def _check_inline_button(button: JSON, chat: ChatState) -> None:
    actions = [k for k in button if k not in _BUTTON_DECOR]
    if not button["text"]:
        raise bad_request("inline keyboard button text must not be empty")
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(actions) > 1:
        raise bad_request(
            f"can't parse inline keyboard button: exactly one of {sorted(actions)} may be used"
        )
    if "url" in button:
        url = button["url"]
        parts = urlsplit(url)
        valid = (parts.scheme in {"http", "https"} and bool(parts.netloc)) or (
            parts.scheme == "tg" and bool(parts.netloc or parts.path)
        )
        if not valid:
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
    if "web_app" in button and chat.id < 0:
        raise bad_request("BUTTON_TYPE_INVALID: web_app buttons work only in private chats")


def reply_target(fake: FakeTelegram, params: JSON, chat: ChatState) -> int | None:
    reply = params.get("reply_parameters")
    if reply is None:
        return None
    target_chat = chat
    if "chat_id" in reply and reply["chat_id"] != chat.id:
        target_chat = objects.chat_for_bot(fake, reply["chat_id"], sending=False)
    message_id = reply["message_id"]
    exists = (
        message_id in target_chat.bot_messages and not target_chat.bot_messages[message_id].deleted
    ) or (
        message_id in target_chat.user_messages
        and message_id not in target_chat.deleted_user_messages
    )
    if exists:
        return int(message_id)
    if reply.get("allow_sending_without_reply"):
        return None
    raise bad_request("message to be replied not found")


def parsed_text(params: JSON, key: str = "text") -> ParsedText:
    try:
        if key == "text":
            return check_message_text(
                params.get("text", ""), params.get("parse_mode"), params.get("entities")
            )
        return check_caption(
            params.get("caption", ""), params.get("parse_mode"), params.get("caption_entities")
        )
    except TextError as err:
        raise ApiError(400, err.description) from None


def check_content(method: str, params: JSON) -> None:
    """The text or caption checks of a method, without performing it."""
    if method in ("sendMessage", "editMessageText"):
        parsed_text(params)
    elif method in ("sendDocument", "sendPhoto", "editMessageCaption") and "caption" in params:
        parsed_text(params, "caption")


def new_message(fake: FakeTelegram, chat: ChatState, **fields: Any) -> BotMessage:
    message = BotMessage(message_id=chat.next_id(), chat_id=chat.id, date=fake._now(), **fields)
    chat.bot_messages[message.message_id] = message
    return message


def _editable(fake: FakeTelegram, params: JSON) -> tuple[ChatState, BotMessage]:
    objects.refuse_unsupported(params, ("business_connection_id", "rich_message"))
    if "inline_message_id" in params:
        raise bad_request("MESSAGE_ID_INVALID: FakeTelegram has no inline messages")
    if "chat_id" not in params:
        raise bad_request("chat_id is empty")
    if "message_id" not in params:
        raise bad_request("message identifier is not specified")
    chat = objects.chat_for_bot(fake, params["chat_id"])
    message = chat.bot_messages.get(params["message_id"])
    if message is None or message.deleted:
        if params["message_id"] in chat.user_messages:
            raise bad_request("message can't be edited")
        raise bad_request("message to edit not found")
    return chat, message


async def send_message(fake: FakeTelegram, params: JSON) -> JSON:
    objects.refuse_unsupported(
        params,
        (
            "business_connection_id",
            "direct_messages_topic_id",
            "suggested_post_parameters",
            "message_effect_id",
        ),
    )
    chat = objects.chat_for_bot(fake, params["chat_id"])
    thread_id = objects.check_thread(fake.groups.get(chat.id), params.get("message_thread_id"))
    parsed = parsed_text(params)
    markup = params.get("reply_markup")
    check_markup(markup, chat)
    reply_to = reply_target(fake, params, chat)
    limits.check_rate(fake, chat.id)
    message = new_message(
        fake,
        chat,
        thread_id=thread_id,
        text=params["text"],
        plain=parsed.text,
        parse_mode=params.get("parse_mode"),
        entities=[e.to_dict() for e in parsed.entities],
        reply_markup=markup,
        reply_to_message_id=reply_to,
    )
    return objects.message_api(fake, message)


async def edit_message_text(fake: FakeTelegram, params: JSON) -> JSON:
    chat, message = _editable(fake, params)
    if "text" not in params:
        raise bad_request("message text is empty")
    if message.kind != "text":
        raise bad_request("there is no text in the message to edit")
    parsed = parsed_text(params)
    markup = params.get("reply_markup")
    check_markup(markup, chat)
    entities = [e.to_dict() for e in parsed.entities]
    if (
        parsed.text == message.plain
        and entities == message.entities
        and _same_markup(markup, message.reply_markup)
    ):
        raise bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
    limits.check_rate(fake, chat.id)
    message.history.append(message.text)
    message.text = params["text"]
    message.plain = parsed.text
    message.parse_mode = params.get("parse_mode")
    message.entities = entities
    _edited(fake, message, markup)
    return objects.message_api(fake, message)


async def edit_message_caption(fake: FakeTelegram, params: JSON) -> JSON:
    chat, message = _editable(fake, params)
    objects.refuse_unsupported(params, ("show_caption_above_media",))
    if message.kind == "text":
        raise bad_request("there is no caption in the message to edit")
    parsed = parsed_text(params, "caption")
    markup = params.get("reply_markup")
    check_markup(markup, chat)
    entities = [e.to_dict() for e in parsed.entities]
    if (
        parsed.text == message.plain
        and entities == message.entities
        and _same_markup(markup, message.reply_markup)
    ):
        raise bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
    limits.check_rate(fake, chat.id)
    message.history.append(message.text)
    message.text = params.get("caption", "")
    message.plain = parsed.text
    message.parse_mode = params.get("parse_mode")
    message.entities = entities
    _edited(fake, message, markup)
    return objects.message_api(fake, message)


async def edit_message_reply_markup(fake: FakeTelegram, params: JSON) -> JSON:
    chat, message = _editable(fake, params)
    markup = params.get("reply_markup")
    check_markup(markup, chat)
    if _same_markup(markup, message.reply_markup):
        raise bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
    limits.check_rate(fake, chat.id)
    _edited(fake, message, markup)
    return objects.message_api(fake, message)


def _edited(fake: FakeTelegram, message: BotMessage, markup: JSON | None) -> None:
    old = message.reply_markup
    # An edit without reply_markup drops the inline keyboard, as on Telegram; a ForceReply
    # or reply keyboard lives in the client and stays.
    keep = old if old is not None and "inline_keyboard" not in old else None
    message.reply_markup = markup if markup is not None else keep
    message.edits += 1
    message.edit_date = fake._now()


async def delete_message(fake: FakeTelegram, params: JSON) -> bool:
    chat, message_id = objects.message_for(fake, params, sending=False)
    message = chat.bot_messages.get(message_id)
    if message is not None and not message.deleted:
        date = message.date
    elif message_id in chat.user_messages and message_id not in chat.deleted_user_messages:
        group = fake.groups.get(chat.id)
        if group is not None and not group.bot_is_admin:
            raise bad_request("message can't be deleted")
        date = int(chat.user_messages[message_id]["date"])
    else:
        raise bad_request("message to delete not found")
    age = fake._now() - date
    if age >= DELETE_WINDOW.total_seconds():
        raise bad_request("message can't be deleted for everyone")
    if message is not None:
        message.deleted = True
    else:
        chat.deleted_user_messages.add(message_id)
    return True


def _same_markup(new: JSON | None, old: JSON | None) -> bool:
    def norm(markup: JSON | None) -> str:
        if not markup or ("inline_keyboard" in markup and not any(markup["inline_keyboard"])):
            return ""
        if "inline_keyboard" not in markup:
            return ""  # only inline keyboards survive on a sent message
        return json.dumps(markup, sort_keys=True)

    return norm(new) == norm(old)
