"""/goal: the user's own number of applications a week, set with a tap or typed, or cleared."""

from __future__ import annotations

from datetime import timedelta

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import keyboards
from bot.clubs.goals import note_goal_set
from bot.domain.progress import GOAL_CHOICES, GOAL_MAX, GOAL_MIN, GoalProblem, parse_goal
from bot.progress import progress_this_week
from bot.runtime import Scope, scope
from handlers.common import (
    Context,
    LapsingConversation,
    answer,
    edit_in_place,
    is_private,
    make_way,
    send_to_private_chat,
)
from handlers.steps import Step, with_legacy_steps

ACTION = "goal"
# an unanswered question lapses, so a number typed much later is not taken for a goal
GOAL_QUESTION_TIMEOUT = timedelta(minutes=15)


def goal_line(s: Scope, goal: int) -> str:
    return s.tr.ngettext(
        "Your weekly goal: {count} application.",
        "Your weekly goal: {count} applications.",
        goal,
    ).format(count=s.tr.number(goal))


async def progress_lines(s: Scope) -> list[str]:
    """Where this week stands against the goal, in a line or two."""
    _ = s._
    progress = await progress_this_week(s.session, s.user, s.runtime.clock.now(), s.tr.tz)
    if progress.goal is None:
        return [
            _("Applications this week: {count}.").format(count=s.tr.number(progress.applications))
        ]
    lines = [
        _("This week so far: {done} of {goal}.").format(
            done=s.tr.number(progress.applications), goal=s.tr.number(progress.goal)
        )
    ]
    if progress.met:
        lines.append(_("You have reached it. Well done!"))
    return lines


async def _overview(s: Scope) -> str:
    _ = s._
    goal = s.user.weekly_goal
    lines = [_("<b>Weekly goal</b>")]
    if goal is None:
        lines.append(
            _(
                "You have no weekly goal yet. How many applications will you send each week? "
                "A small number you keep beats a big one you drop."
            )
        )
    else:
        lines.append(goal_line(s, goal))
    lines += await progress_lines(s)
    lines += [
        "",
        _("Tap a number, or type any whole number from {low} to {high}.").format(
            low=s.tr.number(GOAL_MIN), high=s.tr.number(GOAL_MAX)
        ),
        _("Weeks start on Monday, in your time zone."),
    ]
    return "\n".join(lines)


def _markup(s: Scope) -> InlineKeyboardMarkup:
    goal = s.user.weekly_goal
    numbers = [
        keyboards.button(f"✓ {s.tr.number(n)}" if n == goal else s.tr.number(n), ACTION, "set", n)
        for n in GOAL_CHOICES
    ]
    rows = [numbers]
    if goal is not None:
        rows.append([keyboards.button(s._("Clear the goal"), ACTION, "clear")])
    return keyboards.keyboard(rows)


async def _saved(s: Scope, goal: int) -> str:
    _ = s._
    lines = [
        s.tr.ngettext(
            "Saved: {count} application a week.",
            "Saved: {count} applications a week.",
            goal,
        ).format(count=s.tr.number(goal))
    ]
    lines += await progress_lines(s)
    lines.append(_("Change it any time with /goal."))
    return "\n".join(lines)


def _store(s: Scope, goal: int | None) -> None:
    s.user.weekly_goal = goal
    s.user.updated_at = s.runtime.clock.now()


async def goal_command(update: Update, context: Context) -> object:
    """Shows the goal and this week's count; a number after /goal sets it at once."""
    async with scope(update, context) as s:
        if not is_private(update):
            await send_to_private_chat(update, context, s, "goal")
            return ConversationHandler.END
        typed = " ".join(context.args or [])
        if typed:
            return await _take_typed(update, s, typed)
        # the zone question gives way: only one question at a time takes what is typed
        make_way(update, context, "goal")
        await answer(update, await _overview(s), reply_markup=_markup(s))
        return Step.WAITING_FOR_GOAL


async def goal_from_link(update: Update, context: Context) -> object:
    """Opens the goal question from a group's "open a private chat" link, or the button a
    newcomer gets once the zone question is answered."""
    # the payload names what to open; it is not a goal typed after /goal
    context.args = []
    return await goal_command(update, context)


async def goal_typed(update: Update, context: Context) -> object:
    """Takes a typed goal, or says kindly what is expected and keeps waiting."""
    message = update.effective_message
    assert message is not None and message.text is not None
    async with scope(update, context) as s:
        return await _take_typed(update, s, message.text)


async def _take_typed(update: Update, s: Scope, text: str) -> object:
    _ = s._
    found = parse_goal(text)
    if found is GoalProblem.NOT_A_NUMBER:
        await answer(
            update,
            _("Please send one whole number from {low} to {high}, like 5.").format(
                low=s.tr.number(GOAL_MIN), high=s.tr.number(GOAL_MAX)
            ),
        )
        return Step.WAITING_FOR_GOAL
    if found is GoalProblem.OUT_OF_RANGE:
        lines = [
            _(
                "A weekly goal goes from {low} to {high}. Please send a number in that range."
            ).format(low=s.tr.number(GOAL_MIN), high=s.tr.number(GOAL_MAX))
        ]
        if s.user.weekly_goal is not None:
            lines.append(_("To have no goal at all, tap “Clear the goal” under /goal."))
        await answer(update, "\n".join(lines))
        return Step.WAITING_FOR_GOAL
    assert isinstance(found, int)
    _store(s, found)
    await note_goal_set(s.session, s.user.id, s.runtime.clock.now())
    await answer(update, await _saved(s, found))
    return ConversationHandler.END


async def goal_not_text(update: Update, context: Context) -> object:
    """A sticker or a photo while a number is awaited."""
    async with scope(update, context) as s:
        await answer(
            update,
            s._("Please type the number of applications, from {low} to {high}.").format(
                low=s.tr.number(GOAL_MIN), high=s.tr.number(GOAL_MAX)
            ),
        )
    return Step.WAITING_FOR_GOAL


async def goal_tapped(update: Update, context: Context) -> object:
    """Sets or clears the goal from a button and shows the result in place."""
    query = update.callback_query
    assert query is not None
    parts = keyboards.decode(query.data)
    action = parts[1] if len(parts) > 1 else ""
    value = keyboards.int_arg(parts, 2)
    async with scope(update, context) as s:
        _ = s._
        if action == "set" and value in GOAL_CHOICES:
            assert value is not None
            if s.user.weekly_goal != value:
                _store(s, value)
            # the clubs' goal question is answered too, even with an unchanged number
            await note_goal_set(s.session, s.user.id, s.runtime.clock.now())
            await query.answer(_("Saved."))
            await edit_in_place(update, await _saved(s, value))
        elif action == "clear":
            if s.user.weekly_goal is None:
                await query.answer(_("There is no goal to clear."))
            else:
                _store(s, None)
                await query.answer(_("Cleared."))
                await edit_in_place(
                    update,
                    _("Your weekly goal is cleared. Set a new one any time with /goal."),
                )
        else:
            await query.answer(_("That choice is no longer offered."))
    return ConversationHandler.END


async def goal_cancelled(update: Update, context: Context) -> object:
    """Stops waiting for a number and leaves the goal as it was."""
    async with scope(update, context) as s:
        await answer(update, s._("All right, your weekly goal stays as it was."))
    return ConversationHandler.END


def goal_conversation() -> ConversationHandler[Context]:
    tapped = CallbackQueryHandler(goal_tapped, pattern=keyboards.pattern(ACTION))
    # an unanswered question lapses quietly after GOAL_QUESTION_TIMEOUT (handlers/lapses.py)
    return LapsingConversation(
        # the buttons work from any old message too, and end a question left open
        entry_points=[
            CommandHandler("goal", goal_command),
            # /start passes this link on to here (handlers/start.py), so the question is ours
            CommandHandler(
                "start",
                goal_from_link,
                filters=filters.ChatType.PRIVATE & filters.Regex(r"^/start goal$"),
            ),
            tapped,
        ],
        states=with_legacy_steps(
            "goal",
            {
                Step.WAITING_FOR_GOAL: [
                    MessageHandler(filters.TEXT & ~filters.COMMAND, goal_typed),
                    MessageHandler(
                        ~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL, goal_not_text
                    ),
                    tapped,
                ],
            },
        ),
        fallbacks=[CommandHandler("cancel", goal_cancelled)],
        name="goal",
        persistent=True,
        allow_reentry=True,
    )


def goal_handlers() -> list[BaseHandler[Update, Context, object]]:
    return [goal_conversation()]
