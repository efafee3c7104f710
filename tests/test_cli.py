"""The command line as `make run` uses it: a missing or refused token, an unreachable API, a run."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from fakeapi import FakeTelegram

TOKEN = "424242:AAGoodTokenForTheCommandLineTest_xyz"


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_"))}
    env.update(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}", LOG_LEVEL="INFO")
    env.update(values)
    return env


async def _start(tmp_path: Path, env: dict[str, str]) -> asyncio.subprocess.Process:
    """`python -m bot run`, as `make run` starts it, with its output captured."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


async def _run(tmp_path: Path, env: dict[str, str], limit: float = 60) -> tuple[int, str]:
    process = await _start(tmp_path, env)
    output, _ = await asyncio.wait_for(process.communicate(), limit)
    assert process.returncode is not None
    return process.returncode, output.decode()


async def test_without_a_token_it_says_what_to_do(tmp_path: Path) -> None:
    code, output = await _run(tmp_path, _env(tmp_path, BOT_TOKEN=""))
    assert code == 2
    assert "No bot token" in output and "@BotFather" in output
    assert "Traceback" not in output


async def test_a_refused_token_is_one_clear_sentence(tmp_path: Path) -> None:
    async with FakeTelegram(token=TOKEN) as fake:
        env = _env(
            tmp_path,
            BOT_TOKEN="999:AAWrongTokenxxxxxxxxxxxxxxxxxxxxxxx",
            TELEGRAM_BASE_URL=fake.base_url,
        )
        code, output = await _run(tmp_path, env)
    assert code == 2
    assert "Telegram refused the bot token" in output
    assert "Traceback" not in output
    assert "AAWrongToken" not in output


async def test_an_unreachable_api_is_one_clear_sentence(tmp_path: Path) -> None:
    env = _env(tmp_path, BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL="http://127.0.0.1:9/bot")
    code, output = await _run(tmp_path, env)
    assert code == 2
    assert "Could not reach the Bot API at http://127.0.0.1:9/bot" in output
    assert "Traceback" not in output


async def test_it_runs_answers_start_and_never_logs_the_token(tmp_path: Path) -> None:
    async with FakeTelegram(token=TOKEN) as fake:
        env = _env(tmp_path, BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=fake.base_url, LOG_LEVEL="DEBUG")
        process = await _start(tmp_path, env)
        chunks: list[bytes] = []

        async def drain() -> None:
            # read as it comes: a DEBUG log fills the pipe, and a full pipe stalls the bot
            assert process.stdout is not None
            while chunk := await process.stdout.read(65536):
                chunks.append(chunk)

        reader = asyncio.create_task(drain())
        try:
            ana = fake.add_user("Ana")
            await ana.send("/start")
            for _ in range(600):
                if ana.messages:
                    break
                await asyncio.sleep(0.1)
            await fake.settle()
            assert "Hi Ana!" in ana.messages[0].plain
            fake.assert_no_refusals()
        finally:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 60)
            await reader
    assert process.returncode == 0
    log = b"".join(chunks).decode()
    assert "Application started" in log
    assert TOKEN not in log
    assert TOKEN.split(":", 1)[1] not in log


def _make(tmp_path: Path, *arguments: str, **env_values: str) -> subprocess.CompletedProcess[str]:
    """`make` in this checkout, on the interpreter running the tests: the install step is taken
    as done (a fresh stamp), so nothing is installed anywhere."""
    stamp = tmp_path / "installed-stamp"
    stamp.touch()
    root = Path(__file__).resolve().parent.parent
    return subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-C",
            str(root),
            *arguments,
            f"PY={sys.executable}",
            f"STAMP={stamp}",
            "MO_FILES=",
        ],
        env=_env(tmp_path, **env_values),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_make_run_without_a_token_ends_with_the_hint_alone(tmp_path: Path) -> None:
    result = _make(tmp_path, "run", BOT_TOKEN="")
    assert "No bot token" in result.stderr
    assert "Error" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    # the hint is the answer a person at the terminal needs; `python -m bot run` keeps its 2
    assert result.returncode == 0


def test_make_sandbox_passes_its_arguments_on(tmp_path: Path) -> None:
    result = _make(tmp_path, "sandbox", "ARGS=--help")
    assert result.returncode == 0, result.stderr
    assert "--language" in result.stdout and "--script" in result.stdout
