"""What club handlers share: how a club's posts speak, and a private word to one member."""

from __future__ import annotations

from typing import Any

from telegram.error import Forbidden

from bot.clubs.schedule import club_zone
from bot.db.models import Club, User
from bot.i18n import Translator, pick_language
from bot.runtime import Runtime
from handlers.common import Context


def club_translator(runtime: Runtime, club: Club) -> Translator:
    """How the club's own posts speak: its language (else the bot's default) and its zone."""
    language = pick_language(club.language, None, runtime.settings.default_language)
    return Translator(language, club_zone(club.timezone))


async def tell_privately(
    context: Context, runtime: Runtime, user: User, text: str, reply_markup: Any = None
) -> bool:
    """Sends a member a private message; False, and the member marked unreachable, when they
    never opened the private chat or blocked it (known already: no request is made)."""
    if not user.reachable:
        return False
    try:
        await context.bot.send_message(user.id, text, reply_markup=reply_markup)
    except Forbidden:
        user.reachable = False
        user.updated_at = runtime.clock.now()
        return False
    return True
