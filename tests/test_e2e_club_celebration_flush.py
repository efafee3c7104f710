"""An offer celebrated in the background: the poster's task speaks for no handler's session."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from bot.clubs.outbox import ClubPoster
from bot.db.models import ClubMember, ClubPost, Interview
from bot.runtime import Scope, open_scope
from fakeapi.running import RunningBot
from tests.clubflows import club_of, known_users
from tests.flows import buttons, log_quick, press, say


async def test_an_offer_is_stored_once_while_the_poster_celebrates_it(
    bot: RunningBot, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot.clock.set(datetime(2026, 11, 23, 9, tzinfo=UTC))
    ana, ben = await known_users(bot, ["Ana", "Ben"])
    group = await club_of(bot, [ana, ben])
    async with bot.runtime.session() as session, session.begin():
        await session.execute(
            update(ClubMember).where(ClubMember.user_id == ana.id).values(celebrate=True)
        )
    # a second interview still waits: the handler goes on talking after the flush starts
    await log_quick(bot, ana, "Acme")
    await log_quick(bot, ana, "Globex")
    before = len(group.messages)
    # what each send of the poster would commit before it leaves (bot/runtime.py)
    speaking_for: list[Scope | None] = []
    deliver = ClubPoster._deliver

    async def watched(poster: ClubPoster, post_id: int, claimed_at: datetime) -> int:
        speaking_for.append(open_scope())
        return await deliver(poster, post_id, claimed_at)

    monkeypatch.setattr(ClubPoster, "_deliver", watched)
    caplog.set_level(logging.INFO)

    await say(bot, ana, "/interviews")
    await press(bot, ana, next(b for b in buttons(ana) if b.startswith("Acme")))
    await press(bot, ana, "🏁 Outcome")
    shown = await press(bot, ana, "Offer")
    assert "Congratulations on the offer from Acme!" in shown
    assert [m.plain for m in group.messages[before:]] == [
        "🎉 Ana has a job offer! Congratulations!"
    ]
    # sent by the background flush, which commits no session of Ana's handler
    assert speaking_for == [None]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    async with bot.runtime.session() as session:
        outcomes = (
            await session.execute(
                select(Interview.company, Interview.outcome).order_by(Interview.id)
            )
        ).all()
        posts = (await session.execute(select(ClubPost.kind, ClubPost.state))).all()
    assert [tuple(r) for r in outcomes] == [("Acme", "offer"), ("Globex", "awaiting")]
    assert [tuple(r) for r in posts] == [("celebration", "sent")]
