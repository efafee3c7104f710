"""What /start, /timezone and a group's links share: the greeting and the zone question."""

from __future__ import annotations

from html import escape

from telegram import KeyboardButton, ReplyKeyboardMarkup, Update

from bot.i18n import language_in_text
from bot.runtime import Scope
from handlers.common import answer
from handlers.steps import Step

# set when the user skipped the zone question or left it for a command: a link does not ask again
ZONE_SET_ASIDE_KEY = "zone-set-aside"
# how many answers in a row were not a zone: the first miss says how to leave the question
ZONE_MISSES_KEY = "zone-misses"
# the club whose link brought a newcomer, kept while they set their zone first
LINK_CLUB_KEY = "link-club"
# the command a newcomer's group link was for, offered once the zone question is answered
LINK_NEXT_KEY = "link-next"
# returned by a callback that leaves the update to the handlers of group 0
PASS_ON = -100


def group_greeting(scope_: Scope) -> str:
    """Who the bot is and what it does, in words that hold in a group too."""
    _ = scope_._
    return "\n\n".join(
        [
            _("Hi {name}! I'm Afterview, your coach for the days after a job interview.").format(
                name=escape(scope_.user.first_name or _("there"))
            ),
            _(
                "Tell me about an interview and I'll plan what comes next: a thank-you to each "
                "interviewer within two business days, a polite check-in once the time they gave "
                "you has passed, a heads-up to your references, and a nudge to keep applying "
                "while you wait."
            ),
        ]
    )


def greeting(scope_: Scope) -> str:
    """The greeting in the private chat, where the language can be changed."""
    return "\n\n".join(
        [
            group_greeting(scope_),
            scope_._("I'll speak {language}. You can change that any time with /language.").format(
                language=escape(language_in_text(scope_.tr.language))
            ),
        ]
    )


def _zone_keyboard(s: Scope) -> ReplyKeyboardMarkup:
    _ = s._
    return ReplyKeyboardMarkup(
        [[KeyboardButton(_("📍 Share my location"), request_location=True)], [_("Skip")]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


async def ask_for_zone(update: Update, s: Scope, onboarding: bool = False) -> int:
    """Asks where the user is, with a button to share their location."""
    _ = s._
    text = _(
        "Which time zone are you in? I use it for every date I show and every reminder I plan.\n\n"
        "Send a city (<i>Berlin</i>), a time zone name (<i>Europe/Berlin</i>), an offset "
        "(<i>UTC+2</i>), or tap the button to share your location."
    )
    await answer(update, text, reply_markup=_zone_keyboard(s))
    return Step.WAITING_FOR_ZONE
