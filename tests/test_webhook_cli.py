"""`python -m bot run` in webhook mode: settings refused in one sentence, and a real run that
takes its updates from the fake Bot API's posts and leaves the webhook set when it stops."""

from __future__ import annotations

import asyncio
import signal
import socket
from pathlib import Path

import pytest

from fakeapi.server import FakeTelegram
from tests.dbfaults import free_port
from tests.test_cli import TOKEN, _env, _run, _start
from tests.webhookbot import PUBLIC_ORIGIN, SECRET, WEBHOOK_URL


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"WEBHOOK_URL": WEBHOOK_URL}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_URL": WEBHOOK_URL, "WEBHOOK_SECRET": "has spaces in it"}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_URL": WEBHOOK_URL, "WEBHOOK_SECRET": "x" * 257}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_URL": "http://afterview.example/hook", "WEBHOOK_SECRET": SECRET}, "WEBHOOK_URL"),
        (
            {"WEBHOOK_URL": "https://afterview.example:9000/hook", "WEBHOOK_SECRET": SECRET},
            "WEBHOOK_URL",
        ),
        (
            {"WEBHOOK_URL": "https://afterview.example/metrics", "WEBHOOK_SECRET": SECRET},
            "WEBHOOK_URL",
        ),
    ],
    ids=["no-secret", "bad-characters", "too-long", "not-https", "odd-port", "reserved-path"],
)
async def test_a_webhook_setting_that_cannot_work_is_one_sentence_and_status_2(
    tmp_path: Path, values: dict[str, str], named: str
) -> None:
    code, output = await _run(tmp_path, _env(tmp_path, BOT_TOKEN=TOKEN, **values))
    assert code == 2
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert lines[0].startswith(f"The setting {named} is not valid: ")
    assert "Value error" not in lines[0]
    assert lines[0].endswith("See .env.example.")
    # the secret itself is never echoed
    assert SECRET not in output and "has spaces in it" not in output


async def test_it_runs_on_the_webhook_and_leaves_it_set_when_stopped(tmp_path: Path) -> None:
    port = free_port()
    async with FakeTelegram(token=TOKEN) as fake:
        fake.webhooks.route(PUBLIC_ORIGIN, f"http://127.0.0.1:{port}")
        env = _env(
            tmp_path,
            BOT_TOKEN=TOKEN,
            TELEGRAM_BASE_URL=fake.base_url,
            WEBHOOK_URL=WEBHOOK_URL,
            WEBHOOK_SECRET=SECRET,
            WEBHOOK_LISTEN="127.0.0.1",
            WEBHOOK_PORT=str(port),
            # PTB logs every request's parameters at DEBUG, setWebhook's secret among them
            LOG_LEVEL="DEBUG",
        )
        process = await _start(tmp_path, env)
        chunks: list[bytes] = []

        async def drain() -> None:
            assert process.stdout is not None
            while chunk := await process.stdout.read(65536):
                chunks.append(chunk)

        reader = asyncio.create_task(drain())
        try:
            for _ in range(600):
                if fake.webhook_url:
                    break
                await asyncio.sleep(0.1)
            assert fake.webhook_url == WEBHOOK_URL
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
        # another replica may still serve it: stopping one does not take the webhook down
        assert fake.webhook_url == WEBHOOK_URL
        assert not [r for r in fake.requests if r.method in ("deleteWebhook", "getUpdates")]
    log = b"".join(chunks).decode()
    assert "setWebhook" in log
    assert SECRET not in log
    assert TOKEN.split(":", 1)[1] not in log


async def test_a_port_already_taken_is_one_clear_sentence(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        async with FakeTelegram(token=TOKEN) as fake:
            env = _env(
                tmp_path,
                BOT_TOKEN=TOKEN,
                TELEGRAM_BASE_URL=fake.base_url,
                WEBHOOK_URL=WEBHOOK_URL,
                WEBHOOK_SECRET=SECRET,
                WEBHOOK_LISTEN="127.0.0.1",
                WEBHOOK_PORT=str(port),
            )
            code, output = await _run(tmp_path, env)
    assert code == 2
    assert f"Could not listen on 127.0.0.1:{port} for the webhook" in output
    assert "Traceback" not in output
