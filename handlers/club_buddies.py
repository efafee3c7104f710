"""/buddy in a club's group: pairing with a willing member, proposing to one, ending a pair."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import keyboards
from bot.clubs.buddies import buddy_of, end_pair, names_of, pair, willing_partner
from bot.clubs.members import clubs_of, membership
from bot.db.models import Club, ClubMember, User
from bot.runtime import Scope, scope
from handlers.club_private import club_translator, tell_privately
from handlers.common import (
    Context,
    answer,
    deep_link,
    edit_in_place,
    is_private,
    refuse_foreign_tap,
)

ACTION = "bd"
ACCEPT, DECLINE, END = "yes", "no", "end"


async def buddy_command(update: Update, context: Context) -> None:
    """Pairs the member with a willing member, proposes to the one replied to, or shows the pair."""
    message = update.effective_message
    chat = update.effective_chat
    assert message is not None and chat is not None
    async with scope(update, context) as s:
        _ = s._
        if is_private(update):
            await _private_pairs(update, s)
            return
        club = await s.session.get(Club, chat.id)
        member = await membership(s.session, chat.id, s.user.id) if club is not None else None
        if club is None or member is None:
            await answer(
                update, _("Only members of this club can have a buddy here. Join with /join.")
            )
            return
        if not club.buddies:
            await answer(update, _("Buddies are off in this club."))
            return
        partner = await buddy_of(s.session, member)
        if partner is not None:
            await _show_pair(update, context, s, club, partner)
            return
        replied = message.reply_to_message
        if (
            replied is not None
            and message.is_topic_message
            and replied.message_id == message.message_thread_id
        ):
            # in a forum topic every message answers the topic's first message: not a reply
            replied = None
        target = replied.from_user if replied is not None else None
        if target is not None and target.is_bot:
            target = None
        # a reply to a bot (this one included) or to oneself is a plain /buddy
        if replied is not None and target is not None and target.id != s.user.id:
            await _propose(update, context, s, club, member, target.id, replied.message_id)
            return
        await _find(update, context, s, club, member)


async def _find(update: Update, context: Context, s: Scope, club: Club, member: ClubMember) -> None:
    # asking for anyone withdraws a proposal to someone in particular
    member.buddy_id = None
    member.wants_buddy = True
    partner = await willing_partner(s.session, member)
    if partner is None:
        await answer(
            update,
            s._(
                "You're on the list: I'll pair you with the next member who sends /buddy. "
                "To ask someone in particular, reply to one of their messages with /buddy."
            ),
        )
        return
    pair(member, partner)
    await s.session.flush()
    await _announce_pair(update, context, s, club, member, partner, edit=False)


async def _propose(
    update: Update,
    context: Context,
    s: Scope,
    club: Club,
    member: ClubMember,
    target_id: int,
    target_message_id: int,
) -> None:
    _ = s._
    target = await membership(s.session, club.id, target_id)
    names = await names_of(s.session, [s.user.id, target_id])
    message = update.effective_message
    assert message is not None
    replied = message.reply_to_message
    target_name = escape(
        names.get(target_id)
        or (replied.from_user.first_name if replied and replied.from_user else "")
    )
    if target is None:
        await answer(
            update,
            _("{name} has not joined this club yet: they can join with /join.").format(
                name=target_name
            ),
        )
        return
    if await buddy_of(s.session, target) is not None:
        await answer(update, _("{name} already has a buddy in this club.").format(name=target_name))
        return
    if target.buddy_id == member.user_id:
        # they asked first: two proposals to each other are a pair
        pair(member, target)
        await s.session.flush()
        await _announce_pair(update, context, s, club, member, target, edit=False)
        return
    # the proposal is stored: only the member it names can accept it, whatever a button says
    member.buddy_id = target_id
    await s.session.flush()
    tr = club_translator(s.runtime, club)
    text = tr.gettext(
        "🤝 {proposer} would like {name} as an accountability buddy: each week, each of you "
        "gets the other's counts and goal in private. {name}, will you?"
    ).format(proposer=escape(s.user.first_name), name=target_name)
    markup = keyboards.keyboard(
        [
            [
                keyboards.button(tr.gettext("Accept"), ACTION, ACCEPT, s.user.id, target_id),
                keyboards.button(tr.gettext("Decline"), ACTION, DECLINE, s.user.id, target_id),
            ]
        ]
    )
    # a reply to the named member's message, so Telegram tells them, and only them
    await context.bot.send_message(
        club.id,
        text,
        reply_markup=markup,
        reply_parameters=ReplyParameters(target_message_id, allow_sending_without_reply=True),
        message_thread_id=message.message_thread_id if message.is_topic_message else None,
    )


async def _announce_pair(
    update: Update,
    context: Context,
    s: Scope,
    club: Club,
    first: ClubMember,
    second: ClubMember,
    *,
    edit: bool,
) -> None:
    """One short line for the group, and a private word to each of the two."""
    names = await names_of(s.session, [first.user_id, second.user_id])
    tr = club_translator(s.runtime, club)
    line = tr.gettext("🤝 {first} and {second} are now accountability buddies.").format(
        first=escape(names.get(first.user_id, "")), second=escape(names.get(second.user_id, ""))
    )
    if edit:
        await edit_in_place(update, line)
    else:
        await answer(update, line)
    for me, other in ((first, second), (second, first)):
        user = await s.session.get(User, me.user_id)
        if user is None:
            continue
        own = s.runtime.translator_for(user)
        text = "\n".join(
            [
                own.gettext("🤝 You and {name} are now accountability buddies in {club}.").format(
                    name=escape(names.get(other.user_id, "")), club=escape(club.title)
                ),
                own.gettext(
                    "Each week I'll send you their counts and goal, and them yours: counts "
                    "only, and companies only if you share them with the club."
                ),
                own.gettext("/buddy in the group shows your buddy or ends the pair."),
            ]
        )
        # someone who never opened the private chat, or blocked it, has the group's line
        await tell_privately(context, s.runtime, user, text)


async def _show_pair(
    update: Update, context: Context, s: Scope, club: Club, partner: ClubMember
) -> None:
    """Who the buddy is, in private, with a way to end the pair; the group hears only that."""
    _ = s._
    names = await names_of(s.session, [partner.user_id])
    text = "\n".join(
        [
            _("In {club}, your accountability buddy is {name}.").format(
                club=escape(club.title), name=escape(names.get(partner.user_id, ""))
            ),
            _("Each week I send each of you the other's counts and goal."),
        ]
    )
    markup = keyboards.keyboard([[keyboards.button(_("End the pair"), ACTION, END, club.id)]])
    if not await tell_privately(context, s.runtime, s.user, text, markup):
        await answer(
            update,
            _("You have a buddy here. Open a private chat with me to see who and change it."),
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton(_("Open a private chat"), url=deep_link(context, "help"))]]
            ),
        )
        return
    await answer(update, _("You already have a buddy here: I sent you the details in private."))


async def _private_pairs(update: Update, s: Scope) -> None:
    """/buddy in private: the member's buddy in each club, each with a way to end the pair."""
    _ = s._
    lines: list[str] = []
    rows = []
    for club, member in await clubs_of(s.session, s.user.id):
        partner = await buddy_of(s.session, member)
        if partner is None:
            continue
        names = await names_of(s.session, [partner.user_id])
        lines.append(
            _("In {club}, your accountability buddy is {name}.").format(
                club=escape(club.title), name=escape(names.get(partner.user_id, ""))
            )
        )
        rows.append(
            [
                keyboards.button(
                    _("End the pair in {club}").format(club=club.title[:40]),
                    ACTION,
                    END,
                    club.id,
                )
            ]
        )
    if not lines:
        await answer(
            update,
            _(
                "You have no buddy yet. Send /buddy in your club's group chat to be paired "
                "with another member."
            ),
        )
        return
    await answer(update, "\n".join(lines), reply_markup=keyboards.keyboard(rows))


async def buddy_button(update: Update, context: Context) -> None:
    """Accept or decline a proposal (only the member it names), or end a pair (one of the two)."""
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None
    parts = keyboards.decode(query.data)
    choice = parts[1] if len(parts) > 1 else ""
    subject = keyboards.int_arg(parts, 2)
    # each answer edits the tapped message: only the proposal (or pair) it is on
    if await refuse_foreign_tap(update, context):
        return
    async with scope(update, context) as s:
        if subject is None or chat is None:
            await query.answer(s._("This button is no longer active."))
            return
        if choice == END and is_private(update):
            # the end button only ever lives in the private chat: in a group, forged data
            # would name another club and a third person there
            await _end(update, context, s, subject)
        elif choice in (ACCEPT, DECLINE) and not is_private(update):
            # who the button names only words a refusal: the stored proposal decides
            named = keyboards.int_arg(parts, 3)
            await _answer_proposal(update, context, s, chat.id, subject, named, choice == ACCEPT)
        else:
            await query.answer(s._("This button is no longer active."))


async def _answer_proposal(
    update: Update,
    context: Context,
    s: Scope,
    club_id: int,
    proposer_id: int,
    named: int | None,
    accepted: bool,
) -> None:
    _ = s._
    query = update.callback_query
    assert query is not None
    club = await s.session.get(Club, club_id)
    proposer = await membership(s.session, club_id, proposer_id)
    if club is None or proposer is None or proposer.buddy_id is None or proposer.buddy_id != named:
        # answered, withdrawn, or replaced by a proposal to someone else
        await query.answer(_("This proposal is no longer open."), show_alert=True)
        return
    if proposer.buddy_id != s.user.id:
        names = await names_of(s.session, [proposer.buddy_id])
        await query.answer(
            _("Only {name} can answer this proposal.").format(
                name=names.get(proposer.buddy_id, "")
            ),
            show_alert=True,
        )
        return
    me = await membership(s.session, club_id, s.user.id)
    if me is None or await buddy_of(s.session, proposer) is not None:
        await query.answer(_("This proposal is no longer open."), show_alert=True)
        return
    tr = club_translator(s.runtime, club)
    if not accepted:
        proposer.buddy_id = None
        await query.answer()
        await edit_in_place(
            update,
            tr.gettext("Not this time. /buddy pairs you with any willing member."),
        )
        return
    if not club.buddies:
        await query.answer(_("Buddies are off in this club."), show_alert=True)
        return
    if await buddy_of(s.session, me) is not None:
        await query.answer(_("You already have a buddy in this club."), show_alert=True)
        return
    pair(me, proposer)
    await s.session.flush()
    await query.answer(_("You are buddies now."))
    await _announce_pair(update, context, s, club, proposer, me, edit=True)


async def _end(update: Update, context: Context, s: Scope, club_id: int) -> None:
    _ = s._
    query = update.callback_query
    assert query is not None
    club = await s.session.get(Club, club_id)
    me = await membership(s.session, club_id, s.user.id)
    if club is None or me is None or await buddy_of(s.session, me) is None:
        await query.answer(_("You have no buddy in that club any more."), show_alert=True)
        return
    partner = await end_pair(s.session, me)
    assert partner is not None
    names = await names_of(s.session, [s.user.id, partner.user_id])
    await query.answer()
    await edit_in_place(
        update,
        _(
            "Done: you and {name} are no longer buddies in {club}. "
            "Send /buddy in the group for a new one."
        ).format(name=escape(names.get(partner.user_id, "")), club=escape(club.title)),
    )
    await tell_pair_ended(context, s, club, partner.user_id)


async def tell_pair_ended(context: Context, s: Scope, club: Club, partner_id: int) -> None:
    """Tells the former buddy, in private and in their language, that the pair is over."""
    user = await s.session.get(User, partner_id)
    if user is None:
        return
    own = s.runtime.translator_for(user)
    await tell_privately(
        context,
        s.runtime,
        user,
        own.gettext(
            "{name} ended your buddy pair in {club}. You are back on the list: I'll pair "
            "you with the next member who sends /buddy there."
        ).format(name=escape(s.user.first_name), club=escape(club.title)),
    )


def club_buddy_handlers() -> list[BaseHandler[Update, Context, object]]:
    """The handlers of /buddy and its buttons."""
    return [
        CommandHandler("buddy", buddy_command),
        CallbackQueryHandler(buddy_button, pattern=keyboards.pattern(ACTION)),
    ]
