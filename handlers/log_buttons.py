"""The buttons of the log conversation, "lg:<action>": one function per action, in BUTTONS."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram import Update

from bot import keyboards
from bot.domain.interviews import (
    FEELINGS,
    FORMATS,
    MAX_INTERVIEWERS,
    TIMEFRAMES,
    response_by,
)
from bot.domain.people import split_name_and_title
from bot.domain.when import (
    quick_day,
)
from bot.runtime import Scope, scope
from handlers.common import (
    Context,
    answer,
)
from handlers.log_answers import accept_response_date, accept_when, finish_person
from handlers.log_draft import (
    EDITABLE_FIELDS,
    END,
    Draft,
    drafting,
    forget,
    interview_day,
)
from handlers.log_questions import (
    ask_person_contact,
    ask_person_more,
    ask_person_name,
    ask_person_title,
    ask_response_date,
    clear_previous_question,
    go,
    next_after,
    previous_of,
    show_edit_menu,
    show_summary,
)
from handlers.log_save import save
from handlers.log_when import (
    ask_today_time,
    reading_of,
    today_at,
)
from handlers.steps import Step


@dataclass
class Tap:
    """One tap on a button of the conversation, with the draft and the question it answers."""

    update: Update
    context: Context
    s: Scope
    draft: Draft
    # the question open when the button was tapped
    state: Step
    # the decoded callback data: "lg", the action, then its arguments
    parts: list[str]

    @property
    def value(self) -> str:
        return self.parts[2] if len(self.parts) > 2 else ""

    async def go(self, state: Step) -> int:
        return await go(self.update, self.context, self.s, self.draft, state)

    async def ask_again(self) -> int:
        """The open question once more: for a stale or forged tap, and for Back from a choice."""
        return await self.go(self.state)


async def _back(tap: Tap) -> int:
    return await tap.go(previous_of(tap.state, tap.draft))


async def _day(tap: Tap) -> int:
    """The quick-day buttons ("day"), the hours of "what time today" and the readings of a
    date ("pick")."""
    s, draft, state, parts = tap.s, tap.draft, tap.state, tap.parts
    now_local = s.tr.local(s.runtime.clock.now())
    if parts[1] == "pick":
        reading = reading_of(parts, now_local.date())
        if reading is not None and state == Step.WHEN:
            return await accept_when(tap.update, tap.context, s, draft, reading)
        if reading is not None and state == Step.RESPONSE_DATE:
            return await accept_response_date(tap.update, tap.context, s, draft, reading.day)
    elif state == Step.WHEN and tap.value == "today" and len(parts) == 3:
        # today's interview may be over or still ahead: only its time can tell
        return await ask_today_time(tap.update, tap.context, s, draft)
    elif state == Step.WHEN and tap.value == "today":
        today = today_at(parts, now_local)
        if today is not None:
            return await accept_when(tap.update, tap.context, s, draft, today)
    elif state == Step.WHEN and tap.value == "yesterday":
        moment = quick_day(tap.value, now_local)
        return await accept_when(tap.update, tap.context, s, draft, moment)
    # "ask" (Back from a choice or from the hours) and stale taps: the question again
    return await tap.ask_again()


async def _format(tap: Tap) -> int:
    if tap.value not in FORMATS:
        return await tap.ask_again()
    tap.draft.format = tap.value
    return await tap.go(next_after(Step.FORMAT, tap.draft))


async def _no_people(tap: Tap) -> int:
    _ = tap.s._
    if tap.draft.ahead:
        tip = _(
            "No problem: I'll ask after the interview. While you are there, ask for "
            "everyone's name and job title, or their business cards, so each of them "
            "can get a thank-you."
        )
    else:
        tip = _(
            "No problem. Tip for next time: before you leave, ask for everyone's name and "
            "job title, or their business cards, so each of them can get a thank-you."
        )
    await answer(tap.update, tip)
    return await tap.go(next_after(Step.PERSON_MORE, tap.draft))


async def _split(tap: Tap) -> int:
    """Whether "Maria Lopez, CTO" is a name and a job title."""
    person = tap.draft.person
    if person is None:
        return await tap.ask_again()
    split = split_name_and_title(person.name)
    if tap.value == "yes" and split is not None:
        person.name, person.title = split
        return await ask_person_contact(tap.update, tap.context, tap.s, tap.draft)
    return await ask_person_title(tap.update, tap.context, tap.s, tap.draft)


async def _no_title(tap: Tap) -> int:
    if tap.draft.person is None:
        return await ask_person_name(tap.update, tap.context, tap.s, tap.draft)
    return await ask_person_contact(tap.update, tap.context, tap.s, tap.draft)


async def _no_contact(tap: Tap) -> int:
    return await finish_person(tap.update, tap.context, tap.s, tap.draft, "")


async def _add_person(tap: Tap) -> int:
    if len(tap.draft.people) >= MAX_INTERVIEWERS:
        return await ask_person_more(tap.update, tap.context, tap.s, tap.draft)
    return await ask_person_name(tap.update, tap.context, tap.s, tap.draft)


async def _remove_person(tap: Tap) -> int:
    index = keyboards.int_arg(tap.parts, 2)
    if index is not None and 0 <= index < len(tap.draft.people):
        tap.draft.people.pop(index)
    return await ask_person_more(tap.update, tap.context, tap.s, tap.draft)


async def _people_done(tap: Tap) -> int:
    return await tap.go(next_after(Step.PERSON_MORE, tap.draft))


async def _timeframe(tap: Tap) -> int:
    s, draft, value = tap.s, tap.draft, tap.value
    if value not in TIMEFRAMES:
        return await tap.ask_again()
    if value == "date":
        return await ask_response_date(tap.update, tap.context, s, draft)
    draft.timeframe = value
    draft.response_by = response_by(value, interview_day(s, draft))
    if value == "unknown":
        await answer(
            tap.update,
            s._(
                "Tip for next time: before you leave, ask “When can I expect to hear from you?” "
                "For now I'll plan a polite check-in two weeks after the interview."
            ),
        )
    return await tap.go(next_after(Step.TIMEFRAME, draft))


async def _feeling(tap: Tap) -> int:
    if tap.value not in FEELINGS:
        return await tap.ask_again()
    tap.draft.feeling = tap.value
    return await tap.go(next_after(Step.FEELING, tap.draft))


async def _save(tap: Tap) -> int:
    return await save(tap.update, tap.context, tap.s, tap.draft)


async def _discard(tap: Tap) -> int:
    await clear_previous_question(tap.update, tap.context, tap.draft)
    forget(tap.context)
    await answer(tap.update, tap.s._("Discarded; nothing was saved."))
    return END


async def _edit(tap: Tap) -> int:
    return await show_edit_menu(tap.update, tap.context, tap.s, tap.draft)


async def _summary(tap: Tap) -> int:
    return await show_summary(tap.update, tap.context, tap.s, tap.draft)


async def _field(tap: Tap) -> int:
    """A field chosen on the edit menu: its question, then back to the summary."""
    for name, _label, target in EDITABLE_FIELDS:
        if name == tap.value:
            tap.draft.editing = True
            return await tap.go(target)
    return await tap.ask_again()


# "lg:<action>[:<argument>...]" -> what the tap does; the buttons are made in
# handlers/log_questions.py and handlers/log_when.py
BUTTONS: dict[str, Callable[[Tap], Awaitable[int]]] = {
    "back": _back,
    "day": _day,
    "pick": _day,
    "fmt": _format,
    "nopeople": _no_people,
    "split": _split,
    "notitle": _no_title,
    "nocontact": _no_contact,
    "addperson": _add_person,
    "rmperson": _remove_person,
    "peopledone": _people_done,
    "tf": _timeframe,
    "feel": _feeling,
    "save": _save,
    "discard": _discard,
    "edit": _edit,
    "summary": _summary,
    "field": _field,
}


def tapped(state: Step) -> Callable[[Update, Context], Coroutine[Any, Any, int]]:
    """The handler of the conversation's buttons while the question of ``state`` is open."""

    async def handle(update: Update, context: Context) -> int:
        query = update.callback_query
        assert query is not None
        parts = keyboards.decode(query.data)
        with drafting(context) as draft:
            async with scope(update, context) as s:
                if draft is None:
                    await query.answer(s._("This button is no longer active."))
                    return END
                await query.answer()
                tap = Tap(update, context, s, draft, state, parts)
                action = BUTTONS.get(parts[1] if len(parts) > 1 else "")
                return await (action(tap) if action is not None else tap.ask_again())

    return handle
