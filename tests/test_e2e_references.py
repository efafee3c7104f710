"""End to end: /references lists, adds, edits and removes the user's references."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Reference
from bot.domain.references import MAX_REFERENCES
from fakeapi import FakeUser
from fakeapi.running import RunningBot
from tests.flows import buttons, forge_tap, press, say


async def _references_of(bot: RunningBot, user: FakeUser) -> list[Reference]:
    async with bot.runtime.session() as session:
        rows = await session.scalars(
            select(Reference).where(Reference.user_id == user.id).order_by(Reference.id)
        )
        return list(rows)


async def test_add_edit_and_remove_a_reference_with_hostile_input(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    shown = await say(bot, ana, "/references")
    assert "You have no references yet." in shown
    assert buttons(ana) == ["➕ Add a reference"]

    shown = await press(bot, ana, "➕ Add a reference")
    assert "What is your reference's name?" in shown
    assert "That was empty" in await say(bot, ana, "   ")
    assert "nothing visible" in await say(bot, ana, "\u200b\u2060")
    assert "at least one letter or digit" in await say(bot, ana, "!!! ???")
    shown = await say(bot, ana, "O" * 101)
    assert "That is 101 characters long; please keep it to 100." in shown
    hostile = "<b>Olga</b> & Co 🎉"
    shown = await say(bot, ana, f"  {hostile}\u200b ")
    assert f"How do you know {hostile}?" in shown
    await say(bot, ana, 'former boss, "Acme"; Berlin')
    shown = await press(bot, ana, "Skip")
    assert f"Anything to remember about {hostile}?" in shown
    await ana.send_sticker()
    await bot.fake.settle()
    assert "I can only read text here." in ana.messages[-2].plain
    shown = await say(bot, ana, "call after <5pm>")
    assert f"Saved {hostile} as a reference." in shown
    assert "call after <5pm>" in shown
    # shown literally: the HTML the user typed is escaped, not obeyed
    assert "&lt;b&gt;Olga&lt;/b&gt; &amp; Co" in ana.messages[-1].text
    [olga] = await _references_of(bot, ana)
    assert (olga.name, olga.relation, olga.contact, olga.note) == (
        hostile,
        'former boss, "Acme"; Berlin',
        "",
        "call after <5pm>",
    )

    shown = await press(bot, ana, f"✏️ {hostile}")
    assert "How to reach them: not given" in shown
    shown = await press(bot, ana, "How to reach them")
    assert f"How can an employer reach {hostile}?" in shown
    assert "Clear it" not in buttons(ana)
    shown = await say(bot, ana, "olga@acme.test")
    assert "Saved." in shown and "How to reach them: olga@acme.test" in shown
    await press(bot, ana, "Note")
    shown = await press(bot, ana, "Clear it")
    assert "Note: not given" in shown
    await press(bot, ana, "Name")
    await say(bot, ana, "Olga Petrova")
    [olga] = await _references_of(bot, ana)
    assert (olga.name, olga.contact, olga.note) == ("Olga Petrova", "olga@acme.test", "")

    shown = await press(bot, ana, "🗑 Remove")
    assert "Remove Olga Petrova from your references?" in shown
    shown = await press(bot, ana, "No, keep")
    assert "Olga Petrova" in shown
    await press(bot, ana, "🗑 Remove")
    shown = await press(bot, ana, "Yes, remove")
    assert "Removed Olga Petrova." in shown and "You have no references yet." in shown
    assert await _references_of(bot, ana) == []


async def test_cancel_and_commands_in_the_middle(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await say(bot, ana, "/references")
    await press(bot, ana, "➕ Add a reference")
    await say(bot, ana, "Bo")
    shown = await say(bot, ana, "/tasks")
    assert "We are in the middle of saving a reference." in shown
    assert "How do you know Bo?" in shown
    shown = await say(bot, ana, "/cancel")
    assert "Nothing was changed." in shown
    assert await _references_of(bot, ana) == []
    # the Skip button of the abandoned question is gone, and text is no longer taken as an answer
    assert "Skip" not in [label for m in ana.messages for row in m.buttons for label in row]
    shown = await say(bot, ana, "Carla")
    assert "I'm not sure what to do with that." in shown
    assert await _references_of(bot, ana) == []


async def test_a_half_added_reference_survives_a_restart(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await say(bot, ana, "/references")
    await press(bot, ana, "➕ Add a reference")
    await say(bot, ana, "Dana")
    await bot.restart()
    shown = await say(bot, ana, "my team lead")
    assert "How can an employer reach Dana?" in shown
    await say(bot, ana, "+49 170 1234567")
    await press(bot, ana, "Skip")
    [dana] = await _references_of(bot, ana)
    assert (dana.name, dana.relation, dana.contact) == ("Dana", "my team lead", "+49 170 1234567")


async def test_forged_taps_do_nothing_to_another_users_references(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    eve = bot.fake.add_user("Eve")
    await say(bot, eve, "/references")
    await press(bot, eve, "➕ Add a reference")
    await say(bot, eve, "Eve's boss")
    for _ in range(3):
        await press(bot, eve, "Skip")
    [boss] = await _references_of(bot, eve)
    await say(bot, ana, "/references")
    message = ana.messages[-1]
    for data in (
        f"ref:view:{boss.id}",
        f"ref:del:{boss.id}",
        f"ref:delyes:{boss.id}",
        f"ref:edit:{boss.id}:n",
        f"ref:edit:{boss.id}:zz",
        "ref:view:abc",
        "ref:delyes",
        "ref:nonsense:1",
    ):
        await forge_tap(bot, ana, message, data)
        answer = bot.fake.callback_answers[-1]
        assert answer["text"] == "That reference no longer exists.", data
        assert answer["show_alert"]
    # nothing was asked, nothing changed, nothing of Eve's was shown to Ana
    assert "Eve's boss" not in "\n".join(m.plain for m in ana.messages)
    assert "Eve&#x27;s boss" not in "\n".join(m.text for m in ana.messages)
    shown = await say(bot, ana, "Stranger")
    assert "I'm not sure what to do with that." in shown
    [kept] = await _references_of(bot, eve)
    assert kept.name == "Eve's boss"


async def test_in_a_group_it_points_to_the_private_chat(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    # a newcomer is asked for the zone first (tests/test_e2e_onboarding.py)
    await say(bot, ana, "/timezone Berlin")
    club = bot.fake.add_group("Job club", members=[ana], admins=[ana])
    await say(bot, ana, "/references@afterview_test_bot", chat=club)
    reply = club.last_message
    assert "let's do it in a private chat" in reply.plain
    url = reply.reply_markup["inline_keyboard"][0][0]["url"]
    payload = url.split("?start=", 1)[1]
    assert payload == "references"
    shown = await say(bot, ana, f"/start {payload}")
    assert "You have no references yet." in shown


async def test_the_list_stops_growing_at_the_cap(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await say(bot, ana, "/start")
    async with bot.runtime.session() as session, session.begin():
        session.add_all(
            Reference(
                user_id=ana.id,
                name=f"Person {n} " + "Ж" * 90,
                relation="R" * 100,
                contact="C" * 200,
                note="N" * 500,
                created_at=bot.clock.now(),
            )
            for n in range(MAX_REFERENCES)
        )
    shown = await say(bot, ana, "/references")
    assert f"That is the most I keep: {MAX_REFERENCES}." in shown
    assert "➕ Add a reference" not in buttons(ana)
    assert len(buttons(ana)) == MAX_REFERENCES
    await forge_tap(bot, ana, ana.messages[-1], "ref:add")
    assert "the most I keep" in (bot.fake.callback_answers[-1]["text"] or "")
    assert len(await _references_of(bot, ana)) == MAX_REFERENCES


async def test_help_and_the_command_menu_name_it(bot: RunningBot) -> None:
    ana = bot.fake.add_user("Ana")
    await say(bot, ana, "/timezone Berlin")
    shown = await say(bot, ana, "/help")
    assert "/references — the people who vouch for you" in shown
    menu = bot.fake.commands[("all_private_chats", "")]
    assert {"command": "references", "description": "Your references"} in menu
