"""/clubs in private: the clubs a member is in, what each sees of them, and leaving one."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import keyboards
from bot.clubs.buddies import end_pair
from bot.clubs.members import clubs_of, leave, membership
from bot.db.models import Club, ClubMember
from bot.domain.text import has_visible_text
from bot.i18n import Translator
from bot.runtime import Scope, scope
from handlers.club_buddies import tell_pair_ended
from handlers.common import Context, answer, edit_in_place, is_private, send_to_private_chat

PREF = "cpref"
LEAVE = "cleave"
# what a toggle button flips: share companies, celebrate offers, open to a buddy; "v" only shows
SHARE, CELEBRATE, BUDDY, VIEW = "s", "c", "b", "v"


def club_title(tr: Translator, club: Club) -> str:
    return escape(club.title) if has_visible_text(club.title) else tr.gettext("your club")


def _mark(on: bool) -> str:
    return "✅ " if on else "⬜ "


def member_card(
    tr: Translator, club: Club, member: ClubMember, *, welcome: bool = False
) -> tuple[str, InlineKeyboardMarkup]:
    """What a club sees of the member, with a toggle for each choice and a way out."""
    _ = tr.gettext
    title = club_title(tr, club)
    lines = [
        _("You're in <b>{club}</b>! Here is what the club sees of you.").format(club=title)
        if welcome
        else f"👥 <b>{title}</b>",
        _(
            "The group sees only your counts: applications, interviews, follow-ups sent on "
            "time, references told, and your weekly goal (/goal)."
        ),
        _("You share companies, roles and outcomes with this club.")
        if member.share_companies
        else _("Companies, roles and outcomes stay private: no one in the club sees them."),
        _("Your offers are celebrated in the group.")
        if member.celebrate
        else _("Your offers are not announced in the group."),
        _("You're open to an accountability buddy from this club.")
        if member.wants_buddy
        else _("You're not looking for a buddy in this club."),
    ]
    # a member's choice waits for the club's own switch, which only its admins turn
    if member.celebrate and not club.celebrate_offers:
        lines.append(_("Celebrations are turned off in this club for now."))
    if member.wants_buddy and not club.buddies:
        lines.append(_("Buddies are turned off in this club for now."))
    club_id = club.id
    markup = keyboards.keyboard(
        [
            [
                keyboards.button(
                    _mark(member.share_companies) + _("Share companies and outcomes"),
                    PREF,
                    club_id,
                    SHARE,
                )
            ],
            [
                keyboards.button(
                    _mark(member.celebrate) + _("Celebrate my offers"), PREF, club_id, CELEBRATE
                )
            ],
            [
                keyboards.button(
                    _mark(member.wants_buddy) + _("Open to a buddy"), PREF, club_id, BUDDY
                )
            ],
            [keyboards.button(_("Leave this club"), LEAVE, club_id)],
        ]
    )
    return "\n\n".join(lines), markup


def not_in_any_club(tr: Translator) -> str:
    return tr.gettext(
        "You're not in any job club yet. Add me to your club's group, or tap <b>Join</b> on my "
        "introduction there (or send /join in the group)."
    )


async def clubs_command(update: Update, context: Context) -> None:
    """Lists the member's clubs, one card each, with their choices as toggles."""
    async with scope(update, context) as s:
        if not is_private(update):
            await send_to_private_chat(update, context, s, "clubs")
            return
        clubs = await clubs_of(s.session, s.user.id)
        if not clubs:
            await answer(update, not_in_any_club(s.tr))
            return
        cards = [member_card(s.tr, club, member) for club, member in clubs]
    for text, markup in cards:
        await answer(update, text, reply_markup=markup)


async def _tapped_membership(update: Update, s: Scope) -> tuple[Club, ClubMember] | None:
    """The club a button names and the tapper's own membership of it, or None (with an alert):
    the button's data only names the club; who acts is the one who tapped."""
    query = update.callback_query
    assert query is not None
    club_id = keyboards.int_arg(keyboards.decode(query.data), 1)
    # these buttons live in the private chat: a forged one on a group message must not turn
    # that message into the tapper's choices for the group to read
    club = (
        await s.session.get(Club, club_id) if club_id is not None and is_private(update) else None
    )
    member = await membership(s.session, club.id, s.user.id) if club is not None else None
    if club is None or member is None:
        await query.answer(s._("You're not a member of that club."), show_alert=True)
        return None
    return club, member


async def preference_tapped(update: Update, context: Context) -> None:
    """Flips one of the member's choices for that club, and shows the card again."""
    query = update.callback_query
    assert query is not None
    parts = keyboards.decode(query.data)
    what = parts[2] if len(parts) > 2 else VIEW
    partner: ClubMember | None = None
    async with scope(update, context) as s:
        found = await _tapped_membership(update, s)
        if found is None:
            return
        club, member = found
        if what == SHARE:
            member.share_companies = not member.share_companies
            done = (
                s._("Your companies and outcomes are now shared with this club.")
                if member.share_companies
                else s._("Your companies and outcomes are private again.")
            )
        elif what == CELEBRATE:
            member.celebrate = not member.celebrate
            done = (
                s._("Your offers will be celebrated in this club.")
                if member.celebrate
                else s._("Your offers won't be announced in this club.")
            )
        elif what == BUDDY:
            member.wants_buddy = not member.wants_buddy
            if not member.wants_buddy:
                # no longer looking means no buddy either: the pair ends for both
                partner = await end_pair(s.session, member)
            done = (
                s._("You're open to a buddy in this club.")
                if member.wants_buddy
                else s._("You're no longer looking for a buddy in this club.")
            )
        else:
            done = ""
        text, markup = member_card(s.tr, club, member)
        await s.session.flush()
        await query.answer(done or None)
        await edit_in_place(update, text, markup)
        if partner is not None:
            await tell_pair_ended(context, s, club, partner.user_id)


async def leave_tapped(update: Update, context: Context) -> None:
    """Asks before leaving a club; the second tap leaves it."""
    query = update.callback_query
    assert query is not None
    parts = keyboards.decode(query.data)
    confirmed = len(parts) > 2 and parts[2] == "yes"
    async with scope(update, context) as s:
        found = await _tapped_membership(update, s)
        if found is None:
            return
        club, _member = found
        title = club_title(s.tr, club)
        if not confirmed:
            markup = keyboards.keyboard(
                [
                    [
                        keyboards.button(s._("Yes, leave"), LEAVE, club.id, "yes"),
                        keyboards.button(s._("No, stay"), PREF, club.id, VIEW),
                    ]
                ]
            )
            await query.answer()
            await edit_in_place(
                update,
                s._(
                    "Leave <b>{club}</b>? You will drop off its board and its check-ins. Your "
                    "own interviews and applications stay with you."
                ).format(club=title),
                markup,
            )
            return
        await leave(s.session, club.id, s.user.id)
        await query.answer()
        await edit_in_place(
            update,
            s._(
                "You left <b>{club}</b>. To come back, tap Join or send /join in its group."
            ).format(club=title),
        )


def club_pref_handlers() -> list[BaseHandler[Update, Context, object]]:
    return [
        CommandHandler("clubs", clubs_command),
        CallbackQueryHandler(preference_tapped, pattern=keyboards.pattern(PREF)),
        CallbackQueryHandler(leave_tapped, pattern=keyboards.pattern(LEAVE)),
    ]
