"""The container's scripts, run here without a container: the health check asks /healthz in
webhook mode only, and the entrypoint migrates before it starts the bot."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType

from aiohttp import web

from bot.__main__ import NO_TOKEN

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def _load_healthcheck() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "afterview_healthcheck", DEPLOY / "healthcheck.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextlib.asynccontextmanager
async def _serving(status: int) -> AsyncIterator[int]:
    """A local /healthz answering ``status``; yields its port."""

    async def healthz(_request: web.Request) -> web.Response:
        return web.Response(status=status, text="checked")

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield runner.addresses[0][1]
    finally:
        await runner.cleanup()


async def _check(env: dict[str, str], cwd: Path) -> int:
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(DEPLOY / "healthcheck.py"), cwd=cwd, env=env
    )
    return await asyncio.wait_for(process.wait(), 30)


async def test_the_health_check_asks_healthz_in_webhook_mode_only(tmp_path: Path) -> None:
    healthcheck = _load_healthcheck()
    assert healthcheck.health_url({}) is None
    assert healthcheck.health_url({"WEBHOOK_URL": "https://x.test/h"}) == (
        "http://127.0.0.1:8080/healthz"
    )
    assert healthcheck.health_url({"WEBHOOK_URL": "https://x.test/h", "WEBHOOK_LISTEN": "::"}) == (
        "http://[::1]:8080/healthz"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBHOOK_")}
    assert await _check(env, tmp_path) == 0  # long polling: nothing to ask
    hook = {"WEBHOOK_URL": "https://bot.example.test/hook", "WEBHOOK_LISTEN": "127.0.0.1"}
    async with _serving(200) as port:
        assert await _check({**env, **hook, "WEBHOOK_PORT": str(port)}, tmp_path) == 0
        # the same settings from a .env in the working directory, as the bot reads them
        (tmp_path / ".env").write_text(
            "".join(f"{k}={v}\n" for k, v in {**hook, "WEBHOOK_PORT": port}.items())
        )
        assert await _check(env, tmp_path) == 0
    async with _serving(503) as port:
        assert await _check({**env, **hook, "WEBHOOK_PORT": str(port)}, tmp_path) == 1
    assert await _check({**env, **hook, "WEBHOOK_PORT": str(port)}, tmp_path) == 1  # closed


def test_the_entrypoint_migrates_then_starts_the_bot(tmp_path: Path) -> None:
    database = tmp_path / "entry.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_"))}
    env.update(
        BOT_TOKEN="",
        DATABASE_URL=f"sqlite+aiosqlite:///{database}",
        # `python` as the image's PATH finds it, with this checkout importable
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=str(ROOT),
    )
    result = subprocess.run(
        ["sh", str(DEPLOY / "entrypoint.sh")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "The database is up to date." in result.stdout
    assert NO_TOKEN in result.stderr
    assert database.exists()
    passed = subprocess.run(
        ["sh", str(DEPLOY / "entrypoint.sh"), "--help"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert passed.returncode == 0 and "usage: afterview" in passed.stdout
    assert "up to date" not in passed.stdout
