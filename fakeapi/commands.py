"""The bot's own profile: getMe, its commands per scope and language, descriptions, menu button."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from fakeapi.records import JSON
from fakeapi.spec import bad_request

if TYPE_CHECKING:
    from fakeapi.server import FakeTelegram

_BOT_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_LANG = re.compile(r"[a-z]{2}")


async def ok(fake: FakeTelegram, params: JSON) -> bool:
    return True


async def get_me(fake: FakeTelegram, params: JSON) -> JSON:
    return {
        **fake.bot_user,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def _scope_key(fake: FakeTelegram, params: JSON) -> str:
    scope = params.get("scope") or {"type": "default"}
    kind = scope["type"]
    if kind in {"default", "all_private_chats", "all_group_chats", "all_chat_administrators"}:
        return str(kind)
    chat_id = scope["chat_id"]
    if isinstance(chat_id, str) or (chat_id not in fake.users and chat_id not in fake.groups):
        raise bad_request("chat not found")
    if kind == "chat":
        return f"chat:{chat_id}"
    group = fake.groups.get(chat_id)
    if group is None:
        raise bad_request(f"scope {kind} needs a group chat")
    if kind == "chat_administrators":
        return f"chat_administrators:{chat_id}"
    user_id = scope["user_id"]
    if not any(m.id == user_id for m in group.members):
        raise bad_request("user not found")
    return f"chat_member:{chat_id}:{user_id}"


def _language(params: JSON) -> str:
    language = str(params.get("language_code", ""))
    if language and not _LANG.fullmatch(language):
        raise bad_request("invalid language code specified")
    return language


async def set_my_commands(fake: FakeTelegram, params: JSON) -> bool:
    commands = params["commands"]
    if len(commands) > 100:
        raise bad_request("too many commands: at most 100")
    seen: set[str] = set()
    for command in commands:
        name = command["command"]
        if not _BOT_COMMAND.fullmatch(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if name in seen:
            raise bad_request(f"BOT_COMMAND_INVALID: duplicate command {name}")
        seen.add(name)
    key = (_scope_key(fake, params), _language(params))
    if commands:
        fake.commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
    else:
        fake.commands.pop(key, None)
    return True


async def get_my_commands(fake: FakeTelegram, params: JSON) -> list[JSON]:
    key = (_scope_key(fake, params), _language(params))
    return list(fake.commands.get(key, []))


async def delete_my_commands(fake: FakeTelegram, params: JSON) -> bool:
    key = (_scope_key(fake, params), _language(params))
    fake.commands.pop(key, None)
    return True


def _store_text(fake: FakeTelegram, table: dict[str, str], params: JSON, field: str) -> bool:
    """setMyDescription and setMyShortDescription: an empty text removes the language's."""
    language = _language(params)
    text = params.get(field, "")
    if text:
        table[language] = text
    else:
        table.pop(language, None)
    return True


async def set_my_description(fake: FakeTelegram, params: JSON) -> bool:
    return _store_text(fake, fake.descriptions, params, "description")


async def get_my_description(fake: FakeTelegram, params: JSON) -> JSON:
    language = _language(params)
    return {"description": fake.descriptions.get(language, "")}


async def set_my_short_description(fake: FakeTelegram, params: JSON) -> bool:
    return _store_text(fake, fake.short_descriptions, params, "short_description")


async def get_my_short_description(fake: FakeTelegram, params: JSON) -> JSON:
    language = _language(params)
    return {"short_description": fake.short_descriptions.get(language, "")}


def _menu_chat(fake: FakeTelegram, params: JSON) -> int | None:
    chat_id = params.get("chat_id")
    if chat_id is None:
        return None
    if chat_id not in fake.users or not fake.users[chat_id].started:
        raise bad_request("chat not found")
    return int(chat_id)


async def set_chat_menu_button(fake: FakeTelegram, params: JSON) -> bool:
    chat_id = _menu_chat(fake, params)
    button = params.get("menu_button") or {"type": "default"}
    if button["type"] == "web_app" and not button["web_app"]["url"].startswith("https://"):
        raise bad_request("WEBAPP_URL_INVALID: an HTTPS URL is required")
    fake.menu_buttons[chat_id] = button
    return True


async def get_chat_menu_button(fake: FakeTelegram, params: JSON) -> JSON:
    chat_id = _menu_chat(fake, params)
    return fake.menu_buttons.get(chat_id) or fake.menu_buttons.get(None) or {"type": "default"}
