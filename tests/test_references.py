"""Unit tests: checking typed answers, and the functions a nudge calls about references."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import make_engine, make_sessionmaker
from bot.db.migrate import upgrade_to_head
from bot.db.models import Interview, Reference, ReferenceWarning, User
from bot.domain.references import CONTACT, NAME, NOTE, RELATION, Problem, check_answer
from bot.references import find_reference, list_references, mark_told, told_for, unmark_told

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("field", "typed", "value", "problem"),
    [
        (NAME, "  Olga   Petrova ", "Olga Petrova", None),
        (NAME, "", "", Problem.EMPTY),
        (NAME, " \n\t ", "", Problem.EMPTY),
        (NAME, "\u200b\u2060\ufeff", "", Problem.INVISIBLE),
        (NAME, "\u200bAna\u200b", "Ana", None),
        (NAME, "--- !!!", "--- !!!", Problem.NO_LETTER),
        (NAME, "李", "李", None),
        (NAME, "x" * 100, "x" * 100, None),
        (NAME, "x" * 101, "x" * 101, Problem.TOO_LONG),
        (RELATION, "--", "--", None),
        (CONTACT, "c" * 201, "c" * 201, Problem.TOO_LONG),
        (NOTE, "n" * 500, "n" * 500, None),
        (NOTE, "<b>hi</b> & 👩‍💻", "<b>hi</b> & 👩‍💻", None),
    ],
)
def test_check_answer(field: str, typed: str, value: str, problem: Problem | None) -> None:
    checked = check_answer(field, typed)
    assert (checked.value, checked.problem) == (value, problem)


@pytest.fixture
async def session(tmp_path: Path) -> AsyncIterator[AsyncSession]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'r.db'}")
    await upgrade_to_head(engine)
    try:
        async with make_sessionmaker(engine)() as session:
            yield session
    finally:
        await engine.dispose()


async def _person(session: AsyncSession, user_id: int) -> tuple[Interview, list[Reference]]:
    session.add(User(id=user_id, created_at=NOW, updated_at=NOW))
    # the user first: references have no relationship that would order the inserts
    await session.flush()
    interview = Interview(
        user_id=user_id,
        company="Acme",
        role="QA",
        scheduled_at=NOW,
        format="phone",
        created_at=NOW,
        updated_at=NOW,
    )
    references = [
        Reference(user_id=user_id, name=name, created_at=NOW) for name in ("Olga", "Bo", "Cy")
    ]
    session.add_all([interview, *references])
    await session.flush()
    return interview, references


async def test_marking_who_was_told_is_per_interview_and_owner_checked(
    session: AsyncSession,
) -> None:
    interview, (olga, bo, cy) = await _person(session, 1)
    other_interview, (eve_ref, *_) = await _person(session, 2)
    assert [r.name for r in await list_references(session, 1)] == ["Olga", "Bo", "Cy"]
    assert await told_for(session, 1, interview.id) == []

    assert await mark_told(session, 1, cy.id, interview.id, NOW)
    assert await mark_told(session, 1, olga.id, interview.id, NOW)
    # twice is once
    assert await mark_told(session, 1, olga.id, interview.id, NOW)
    assert [r.name for r in await told_for(session, 1, interview.id)] == ["Olga", "Cy"]
    count = select(func.count()).select_from(ReferenceWarning)
    assert await session.scalar(count) == 2

    # someone else's reference or interview is refused and stores nothing
    assert not await mark_told(session, 1, eve_ref.id, interview.id, NOW)
    assert not await mark_told(session, 1, bo.id, other_interview.id, NOW)
    assert not await mark_told(session, 2, olga.id, other_interview.id, NOW)
    assert await session.scalar(count) == 2
    assert await told_for(session, 2, interview.id) == []
    assert await find_reference(session, 2, olga.id) is None
    assert await find_reference(session, 2, None) is None

    await unmark_told(session, 2, olga.id, interview.id)
    assert await session.scalar(count) == 2
    await unmark_told(session, 1, olga.id, interview.id)
    assert [r.name for r in await told_for(session, 1, interview.id)] == ["Cy"]

    # removing a reference takes its marks with it
    await session.delete(cy)
    await session.flush()
    assert await session.scalar(count) == 0
