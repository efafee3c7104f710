"""The log, in both formats and at DEBUG, holds neither the bot token nor anything people wrote:
a whole conversation with distinctive names, companies and notes goes through the real bot,
including a database failure whose error is logged with its traceback."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.logs import setup_logging
from fakeapi.running import TEST_TOKEN, RunningBot
from tests.dbfaults import SqliteWriterLock
from tests.flows import press, say

# each one is what a person typed, and none is a word the bot or its libraries would log
FIRST_NAME = "Quillonette"
LAST_NAME = "Vextraminth"
COMPANY = "Zorblatt Kitchens"
ROLE = "Chief Pangolin Curator"
INTERVIEWER = "Ottoline Brackenbury"
TITLE = "Senior Wombat Recruiter"
CONTACT = "ottoline@zorblatt.test"
REFERENCE = "Peregrine Mossgrove"
RELATION = "my thesis supervisor at Fernwhistle College"
PHONE = "+49 170 9876543"
APPLICATION = "Glimmerfen Robotics"
WHILE_LOCKED = "Trundlewick Bakery"
PERSONAL = (
    FIRST_NAME,
    LAST_NAME,
    COMPANY,
    ROLE,
    INTERVIEWER,
    TITLE,
    CONTACT,
    REFERENCE,
    RELATION,
    PHONE,
    APPLICATION,
    WHILE_LOCKED,
)


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """The bot's log set up as `python -m bot run` sets it up, into a string; put back after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in ("httpx", "apscheduler", "aiosqlite")}
    stream = io.StringIO()
    try:
        yield stream
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, saved in levels.items():
            logging.getLogger(name).setLevel(saved)


async def _a_conversation_with_personal_text(bot: RunningBot) -> None:
    person = bot.fake.add_user(FIRST_NAME, last_name=LAST_NAME, language_code="en")
    await say(bot, person, "/start")
    await say(bot, person, "Europe/Berlin")
    await say(bot, person, "/log")
    await say(bot, person, COMPANY)
    await say(bot, person, ROLE)
    await say(bot, person, "yesterday 3pm")
    await press(bot, person, "Video")
    await say(bot, person, INTERVIEWER)
    await say(bot, person, TITLE)
    await say(bot, person, CONTACT)
    await press(bot, person, "✅ That's everyone")
    await press(bot, person, "1–2 weeks")
    await press(bot, person, "Good chance")
    assert "Saved." in await press(bot, person, "✅ Save")
    await say(bot, person, "/references")
    await press(bot, person, "➕ Add a reference")
    await say(bot, person, REFERENCE)
    await say(bot, person, RELATION)
    await say(bot, person, PHONE)
    await press(bot, person, "Skip")
    assert APPLICATION in await say(bot, person, f"/applied {APPLICATION} — {ROLE}")

    # a write that meets a locked database fails after SQLite's busy timeout (ten seconds): the
    # error handler logs the failure with its traceback, which would quote the statement's values
    lock = SqliteWriterLock(bot.database)
    await lock.acquire()
    try:
        await person.send(f"/applied {WHILE_LOCKED} — {ROLE}")
        await bot.fake.settle(timeout=40)
    finally:
        lock.release()
    assert "something went wrong" in person.messages[-1].plain


@pytest.mark.timeout(120)
@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_the_log_holds_no_token_and_no_personal_text(
    tmp_path: Path, captured: io.StringIO, log_format: str
) -> None:
    setup_logging("DEBUG", TEST_TOKEN, log_format, captured)
    bot = RunningBot(tmp_path / "afterview.db")
    await bot.start()
    try:
        await _a_conversation_with_personal_text(bot)
        await bot.fake.settle()
        bot.fake.assert_no_refusals()
    finally:
        await bot.close()
    log = captured.getvalue()

    # the log did record the conversation and the failure, so the absences below mean something
    assert "Processing update" in log
    assert "error while handling an update" in log
    assert "database is locked" in log
    assert TEST_TOKEN not in log
    assert TEST_TOKEN.split(":", 1)[1] not in log
    for text in PERSONAL:
        assert text not in log, f"{text!r} is in the {log_format} log"

    if log_format == "json":
        entries = [json.loads(line) for line in log.splitlines()]
        for entry in entries:
            assert {"time", "level", "logger", "message"} <= entry.keys()
            assert entry["time"].endswith("Z")
        failure = next(e for e in entries if e["message"] == "error while handling an update")
        assert failure["level"] == "ERROR"
        assert "OperationalError" in failure["exception"]
        # the failure names the update it happened in, as every line logged while handling one
        assert isinstance(failure["update_id"], int)
    else:
        assert not log.lstrip().startswith("{")
        assert "ERROR bot.app: error while handling an update" in log


def test_a_json_line_redacts_the_token_in_an_exception_and_names_no_update_outside_one(
    captured: io.StringIO,
) -> None:
    setup_logging("INFO", TEST_TOKEN, "json", captured)
    try:
        raise RuntimeError(f"refused at https://api.example.test/bot{TEST_TOKEN}/getMe")
    except RuntimeError:
        logging.getLogger("bot.test").exception("a request failed for %s", "getMe")
    (line,) = captured.getvalue().splitlines()
    entry = json.loads(line)
    assert entry["message"] == "a request failed for getMe"
    assert entry["logger"] == "bot.test" and entry["level"] == "ERROR"
    assert "RuntimeError" in entry["exception"] and "/bot<token>/getMe" in entry["exception"]
    assert TEST_TOKEN not in line
    assert "update_id" not in entry


def test_a_long_sweep_does_not_log_a_skipped_run_every_second(captured: io.StringIO) -> None:
    setup_logging("INFO", TEST_TOKEN, "text", captured)
    scheduler = logging.getLogger("apscheduler.scheduler")
    # APScheduler's words while a sweep of thousands of nudges is still running
    scheduler.warning(
        'Execution of job "%s" skipped: maximum number of running instances reached (%d)',
        "nudge-sweep (trigger: interval[0:00:01])",
        1,
    )
    scheduler.warning("Run time of job %s was missed by %s", "nudge-sweep", "0:00:02")
    lines = captured.getvalue().splitlines()
    assert len(lines) == 1 and "was missed by" in lines[0]
