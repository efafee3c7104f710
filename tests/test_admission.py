"""bot/admission.py: a few updates at a time between their start and their first request to
Telegram, in the order they came."""

from __future__ import annotations

import asyncio

from bot.admission import Admission, first_request


async def test_a_place_is_given_up_at_the_first_request_and_taken_in_order() -> None:
    admission = Admission(places=2)
    entered: list[str] = []
    speak = {name: asyncio.Event() for name in "abcd"}
    finish = asyncio.Event()

    async def update(name: str) -> None:
        async with admission.admitted():
            entered.append(name)
            await speak[name].wait()
            # the update's first request to Telegram, and a second one later
            first_request()
            await finish.wait()
            first_request()

    tasks = [asyncio.create_task(update(name)) for name in "abcd"]
    await asyncio.sleep(0.01)
    assert entered == ["a", "b"]
    speak["b"].set()
    await asyncio.sleep(0.01)
    # b spoke: its place went to c, the next in line, while b itself goes on
    assert entered == ["a", "b", "c"]
    speak["c"].set()
    await asyncio.sleep(0.01)
    assert entered == ["a", "b", "c", "d"]
    speak["a"].set()
    speak["d"].set()
    finish.set()
    await asyncio.gather(*tasks)
    # each place was given up once, however many requests its update made
    assert admission.free == 2


async def test_an_update_that_never_speaks_gives_its_place_up_when_it_ends() -> None:
    admission = Admission(places=1)
    order: list[str] = []

    async def quiet(name: str) -> None:
        async with admission.admitted():
            order.append(name)
            await asyncio.sleep(0.01)

    await asyncio.gather(quiet("a"), quiet("b"))
    assert order == ["a", "b"]
    assert admission.free == 1


async def test_a_request_outside_any_update_changes_nothing() -> None:
    admission = Admission(places=1)
    first_request()
    async with admission.admitted():
        assert admission.free == 0
    assert admission.free == 1
