"""The terminal sandbox: scripted in-process, and through a pseudo-terminal as a person uses it."""

from __future__ import annotations

import asyncio
import codecs
import io
import os
import re
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select as sql_select

from bot.db.models import Task
from bot.sandbox import Sandbox, SandboxOptions, open_sandbox
from bot.sandbox_wait import WaitProblem, parse_duration, parse_until

# Monday 23 November 2026, 09:00 UTC: 10:00 in Berlin, as in the end-to-end tests
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


def number_of(shown: str, label: str) -> str:
    """The number the sandbox printed for the first button whose label starts with ``label``."""
    match = re.search(r"\[(\d+)\] " + re.escape(label), shown)
    assert match is not None, f"no button {label!r} in:\n{shown}"
    return match.group(1)


class Typist:
    """Types into an in-process sandbox and returns what it printed for each line."""

    def __init__(self, sandbox: Sandbox, out: io.StringIO) -> None:
        self.sandbox = sandbox
        self.out = out

    async def __call__(self, line: str) -> str:
        start = len(self.out.getvalue())
        await self.sandbox.scripted([line])
        return self.out.getvalue()[start:]

    async def tap(self, shown: str, label: str) -> str:
        return await self(number_of(shown, label))


async def test_a_whole_session_from_start_to_a_done_thank_you(tmp_path: Path) -> None:
    out = io.StringIO()
    options = SandboxOptions(
        database=tmp_path / "sandbox.db", files=tmp_path / "files", start=MONDAY
    )
    async with open_sandbox(options, out) as sandbox:
        type_ = Typist(sandbox, out)
        shown = await type_("/start")
        assert "Afterview: Hi Ana!" in shown
        assert "Which time zone are you in?" in shown
        assert "[1] 📍 Share my location" in shown
        assert "Europe/Berlin" in await type_("Berlin")

        assert "Which company was the interview with?" in await type_("/log")
        assert "What is the role?" in await type_("Acme <Labs>")
        shown = await type_("Backend Engineer")
        assert "[1] Today   [2] Yesterday" in shown
        shown = await type_("yesterday 3pm")
        assert "Got it: Sunday, November 22, 2026, 3:00\u202fPM (yesterday)." in shown
        shown = await type_.tap(shown, "Video")
        assert "(you tap “Video”)" in shown
        assert "first interviewer's name" in shown
        assert "Bob: what is their job title?" in await type_("Bob")
        shown = await type_("CTO")
        shown = await type_.tap(shown, "Skip")
        assert "1. Bob, CTO" in shown
        shown = await type_.tap(shown, "✅ That's everyone")
        shown = await type_.tap(shown, "1–2 weeks")
        shown = await type_.tap(shown, "Good chance")
        assert "Acme <Labs> · Backend Engineer" in shown  # the HTML is rendered, not shown raw
        shown = await type_.tap(shown, "✅ Save")
        assert "Saved. Here is the card of your interview:" in shown

        shown = await type_(":wait 2d")
        assert "(time moves forward 2 days" in shown
        assert "⏰ Monday 23 November 2026" in shown
        assert "Thank Bob (CTO) for the Backend Engineer interview at Acme <Labs>" in shown
        assert "It is now Wednesday 25 November 2026, 10:00 (Europe/Berlin)." in shown
        assert sandbox.running.clock.now() == MONDAY + timedelta(days=2)

        copied = await type_.tap(shown, "📋 Copy the draft 1")
        assert "Copied to the clipboard" in copied
        assert "  Dear Bob," in copied
        shown = await type_.tap(shown, "✅ Done 1")
        assert "Afterview (edited):" in shown
        assert "Afterview (notice): Done. Well done! How did you send it?" in shown
        assert all(f"] {way} 1" in shown for way in ("Email", "Phone", "Letter"))
        shown = await type_.tap(shown, "Email 1")
        assert "Afterview (notice): Noted. Thank you!" in shown
        assert "✅ Thank Bob" in shown

        async with sandbox.running.runtime.session() as session:
            thanks = await session.scalar(sql_select(Task).where(Task.kind == "thank_you"))
        assert thanks is not None
        assert (thanks.state, thanks.done_via) == ("done", "email")
        assert sandbox.problems == 0
        sandbox.fake.assert_no_refusals()


async def test_the_group_deep_links_files_and_mistakes(tmp_path: Path) -> None:
    out = io.StringIO()
    options = SandboxOptions(files=tmp_path / "files", start=MONDAY)
    async with open_sandbox(options, out) as sandbox:
        type_ = Typist(sandbox, out)
        shown = await type_(":group")
        assert "Ana adds @afterview_test_bot to “Job club (demo)”" in shown
        assert "the bot does not see that" in await type_("hello everyone")
        assert "you are now Ben" in await type_(":as be")
        shown = await type_("/log")
        assert "Ben @ Job club (demo) › /log" in shown
        assert "Log it in private ↗" in shown
        shown = await type_.tap(shown, "Log it in private")
        assert f"sends /start log_{sandbox.group.id}" in shown
        # a newcomer is welcomed and asked for a zone first; the log button keeps the club
        assert "Which time zone are you in?" in shown
        shown = await type_.tap(shown, "Skip")
        assert "Next: tell me about an interview" in shown
        shown = await type_.tap(shown, "📝 Log an interview")
        assert f"sends /start log_{sandbox.group.id}" in shown
        assert "Let's log your interview" in shown
        assert sandbox.prompt() == "Ben › "

        ben = sandbox.speaker
        application = sandbox.running.application
        assert application is not None
        await application.bot.send_document(ben.id, document=b"a,b\n1,2\n", filename="my data.csv")
        shown = await type_(":wait 5m")
        saved = re.search(r"saved to (\S+)", shown)
        assert saved is not None, shown
        assert await asyncio.to_thread(Path(saved.group(1)).read_bytes) == b"a,b\n1,2\n"
        assert saved.group(1).startswith(str(tmp_path / "files"))

        # Ben set no time zone, so the bot's default (UTC) applies
        shown = await type_("/wait until monday 9:00")
        assert "It is now Monday 30 November 2026, 09:00 (UTC)." in shown
        # the unanswered interview question lapsed on the way, on the sandbox's clock
        assert "We did not finish logging that interview, so I set it aside." in shown
        # seven o'clock written with minutes is the morning
        shown = await type_(":wait until tuesday 7:00")
        assert "It is now Tuesday 1 December 2026, 07:00 (UTC)." in shown
        assert "no sandbox command" in await type_(":fly")
        # the bot's newest question has no buttons, so a number is an answer
        assert "Which company was the interview with?" in await type_("/log")
        assert "What is the role?" in await type_("9")
        assert "no button [9]" in await type_("9")
        assert "could not read “soon”" in await type_(":wait soon")
        assert sandbox.problems == 3
        assert "Bye!" in await type_(":quit")
        assert sandbox.done
        sandbox.fake.assert_no_refusals()


class Terminal:
    """The sandbox as a person runs it: a child process on a pseudo-terminal."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        import pty

        self.master, slave = pty.openpty()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_"))}
        self.process = subprocess.Popen(
            args, stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env, close_fds=True
        )
        os.close(slave)
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.transcript = ""

    def expect(self, marker: str, timeout: float = 30.0) -> str:
        """Everything printed from now until ``marker`` appears."""
        seen = ""
        deadline = time.monotonic() + timeout
        while marker not in seen:
            left = deadline - time.monotonic()
            assert left > 0, f"no {marker!r} within {timeout}s; the terminal shows:\n{seen}"
            ready, _, _ = select.select([self.master], [], [], min(left, 0.2))
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # the child closed the terminal
                chunk = b""
            if not chunk:
                raise AssertionError(f"the sandbox ended before {marker!r}:\n{seen}")
            text = self._decoder.decode(chunk).replace("\r\n", "\n")
            seen += text
            self.transcript += text
        return seen

    def type(self, line: str) -> str:
        """Type a line and return what the sandbox printed until it asked for the next one."""
        os.write(self.master, (line + "\n").encode())
        return self.expect("› ")

    def tap(self, shown: str, label: str) -> str:
        return self.type(number_of(shown, label))

    def close(self) -> int:
        try:
            return self.process.wait(timeout=30)
        finally:
            os.close(self.master)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    pytest.importorskip("pty")
    args = [sys.executable, "-m", "bot", "sandbox", "--plain", "--start", MONDAY.isoformat()]
    term = Terminal(args, tmp_path)
    try:
        yield term
    finally:
        if term.process.poll() is None:
            term.process.kill()
            term.process.wait()


def test_through_a_pseudo_terminal_without_a_token(terminal: Terminal) -> None:
    shown = terminal.expect("Ana › ")
    assert "no token and no network needed" in shown
    assert "Which time zone" in terminal.type("/start")
    assert "Europe/Berlin" in terminal.type("Berlin")
    terminal.type("/log")
    terminal.type("Acme")
    terminal.type("Backend Engineer")
    shown = terminal.type("today 10:00")
    shown = terminal.tap(shown, "Video")
    terminal.type("Bob")
    shown = terminal.type("CTO")
    shown = terminal.tap(shown, "Skip")
    shown = terminal.tap(shown, "✅ That's everyone")
    shown = terminal.tap(shown, "Within a week")
    shown = terminal.tap(shown, "Not sure")
    assert "Saved." in terminal.tap(shown, "✅ Save")
    shown = terminal.type(":wait 2d")
    assert re.search(r"Thank Bob \(CTO\) for the Backend Engineer interview at Acme", shown)
    shown = terminal.tap(shown, "✅ Done")
    assert "How did you send it?" in shown
    shown = terminal.tap(shown, "Letter")
    assert "Noted. Thank you!" in shown
    os.write(terminal.master, b":quit\n")
    assert "Bye!" in terminal.expect("Bye!")
    assert terminal.close() == 0
    assert "Traceback" not in terminal.transcript
    assert "\x1b[" not in terminal.transcript  # --plain: no colours even on a terminal


def test_a_script_file_runs_and_a_mistake_sets_the_exit_code(tmp_path: Path) -> None:
    script = tmp_path / "demo.txt"
    script.write_text("# a demo\n/start\n\n:wait soon\n:time\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_"))}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "sandbox", "--script", str(script), "--plain"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Ana › /start\nAfterview: Hi Ana!" in result.stdout
    assert "# a demo" not in result.stdout
    assert "could not read “soon” as a duration" in result.stdout
    assert "It is " in result.stdout.split("Ana › :time", 1)[1]
    assert "Traceback" not in result.stderr


def test_reading_durations() -> None:
    assert parse_duration("2d") == timedelta(days=2)
    assert parse_duration("30m") == timedelta(minutes=30)
    assert parse_duration("1d 12h") == timedelta(days=1, hours=12)
    assert parse_duration("1 week") == timedelta(weeks=1)
    assert parse_duration("3 hours and 30 min") == timedelta(hours=3, minutes=30)
    for wrong in ("", "soon", "2", "2x", "0h", "400d"):
        assert isinstance(parse_duration(wrong), WaitProblem), wrong


def test_reading_moments_always_looks_forward() -> None:
    # it is Monday 10:00 in Berlin
    def until(text: str) -> datetime | WaitProblem:
        return parse_until(text, MONDAY, BERLIN)

    assert until("monday 9:00") == datetime(2026, 11, 30, 9, 0, tzinfo=BERLIN)
    assert until("monday 11:00") == datetime(2026, 11, 23, 11, 0, tzinfo=BERLIN)
    assert until("9:00") == datetime(2026, 11, 24, 9, 0, tzinfo=BERLIN)
    assert until("friday") == datetime(2026, 11, 27, 9, 0, tzinfo=BERLIN)
    assert until("1.12 14:00") == datetime(2026, 12, 1, 14, 0, tzinfo=BERLIN)
    assert until("tuesday 7:00") == datetime(2026, 11, 24, 7, 0, tzinfo=BERLIN)
    assert until("tuesday 7:00 pm") == datetime(2026, 11, 24, 19, 0, tzinfo=BERLIN)
    assert until("tuesday 7") == datetime(2026, 11, 24, 7, 0, tzinfo=BERLIN)
    assert until("noon") == datetime(2026, 11, 23, 12, 0, tzinfo=BERLIN)
    assert until("8:00") == datetime(2026, 11, 24, 8, 0, tzinfo=BERLIN)
    assert until("in 2 hours") == datetime(2026, 11, 23, 12, 0, tzinfo=BERLIN)
    assert until("next week") == datetime(2026, 11, 30, 9, 0, tzinfo=BERLIN)
    assert until("the 5th") == datetime(2026, 12, 5, 9, 0, tzinfo=BERLIN)
    past = until("yesterday")
    assert isinstance(past, WaitProblem) and "not in the future" in past.message
    assert isinstance(until("someday"), WaitProblem)


async def test_blank_and_overlong_messages_are_refused_as_telegram_would(tmp_path: Path) -> None:
    out = io.StringIO()
    options = SandboxOptions(files=tmp_path / "files", start=MONDAY)
    async with open_sandbox(options, out) as sandbox:
        ana = sandbox.speaker
        before = len(out.getvalue())
        await sandbox.handle("   \t ")
        assert "Telegram sends no message of only spaces" in out.getvalue()[before:]
        # a bare Enter is an empty box: nothing happens, nothing is said
        before = len(out.getvalue())
        await sandbox.handle("")
        assert out.getvalue()[before:] == ""

        sent_before = len(ana.messages)
        before = len(out.getvalue())
        await sandbox.handle("x" * 5000)
        shown = out.getvalue()[before:]
        assert "not sent: Telegram caps a message at 4,096 characters" in shown
        assert "this one has 5,000" in shown
        # an emoji is two of Telegram's characters
        await sandbox.handle("🙂" * 2049)
        assert "this one has 4,098" in out.getvalue()
        assert len(ana.messages) == sent_before
        assert sandbox.problems

        # the longest message Telegram takes reaches the bot, which answers it
        await sandbox.handle("y" * 4096)
        assert len(ana.messages) > sent_before


def test_the_sandbox_module_explains_its_options() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.sandbox", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for option in ("--script", "--start", "--language", "--name", "--database"):
        assert option in result.stdout


async def test_a_coach_runs_a_club_week_in_the_sandbox(tmp_path: Path) -> None:
    out = io.StringIO()
    options = SandboxOptions(files=tmp_path / "files", start=MONDAY)
    async with open_sandbox(options, out) as sandbox:
        type_ = Typist(sandbox, out)
        await type_("/start")
        await type_("Berlin")
        shown = await type_(":group")
        assert "For admins: the check-in is every Monday at 6:00" in shown
        shown = await type_.tap(shown, "✅ Join")
        assert "You're in Job club (demo)!" in shown
        # Ben never opened the bot: the group hands him a link to finish in private
        await type_(":as ben")
        shown = await type_("/join")
        shown = await type_.tap(shown, "Finish joining in private")
        assert f"sends /start join_{sandbox.group.id}" in shown
        assert "You're in Job club (demo)!" in shown
        await type_("Berlin")
        await type_(":group")
        await type_(":as ana")
        shown = await type_("/lead Initech — Analyst — https://initech.example/7")
        assert "A job lead from Ana" in shown
        await type_("/buddy")
        await type_(":as ben")
        assert "Ben and Ana are now accountability buddies" in await type_("/buddy")
        # time runs to the club's check-in: the post in the group, each buddy's summary
        shown = await type_(":wait until monday 18:00")
        assert "Weekly check-in: Job club (demo)" in shown
        assert "Initech · Analyst" in shown
        assert "Your buddy Ana's week" in shown
        assert "Your weekly goal: 5 applications." in await type_(":reply 5")
        sandbox.fake.assert_no_refusals()
