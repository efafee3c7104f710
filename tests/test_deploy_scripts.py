"""The container's scripts and compose's proxy, run here without a container: the health check
asks /healthz in webhook mode only, the entrypoint migrates before it starts the bot, and nginx
spreads Telegram's POSTs over two replicas and keeps everything else in."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType

import aiohttp
import pytest
from aiohttp import web

from bot.__main__ import NO_TOKEN
from tests.dbfaults import free_port

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


@contextlib.asynccontextmanager
async def _replica(hits: list[str]) -> AsyncIterator[web.AppRunner]:
    """A stand-in for one replica's webhook: answers every POST, noting its path."""

    async def update(request: web.Request) -> web.Response:
        await request.read()
        hits.append(request.path)
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", update)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield runner
    finally:
        await runner.cleanup()


def _nginx_config(tmp_path: Path, upstreams: list[int]) -> tuple[str, int]:
    """compose.yaml's proxy configuration, written for this machine's nginx in front of the
    given ports instead of the two replicas; returns nginx and the port it will listen on."""
    nginx = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}{os.pathsep}/usr/sbin")
    if nginx is None:
        pytest.skip("nginx is not installed here (Debian: nginx-light), so the proxy is not run")
    port = free_port()
    site = (DEPLOY / "nginx.conf").read_text()
    for name, upstream in zip(("bot-1", "bot-2"), upstreams, strict=True):
        site = site.replace(f"server {name}:8080", f"server 127.0.0.1:{upstream}")
    site = site.replace("listen 8080;", f"listen 127.0.0.1:{port};")
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        + f"http {{\n client_body_temp_path {tmp_path}/body;\n proxy_temp_path {tmp_path}/proxy;\n"
        + f" include {tmp_path}/site.conf;\n}}\n"
    )
    return nginx, port


@contextlib.asynccontextmanager
async def _nginx(tmp_path: Path, upstreams: list[int]) -> AsyncIterator[str]:
    """The proxy, running; yields its base URL."""
    nginx, port = _nginx_config(tmp_path, upstreams)
    process = await asyncio.create_subprocess_exec(
        nginx, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"
    )
    try:
        for _ in range(100):
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            await asyncio.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 30)


async def test_the_proxy_spreads_posts_over_both_replicas_and_keeps_the_rest_in(
    tmp_path: Path,
) -> None:
    first: list[str] = []
    second: list[str] = []
    async with (
        _replica(first) as one,
        _replica(second) as two,
        _nginx(tmp_path, [one.addresses[0][1], two.addresses[0][1]]) as proxy,
        aiohttp.ClientSession() as client,
    ):
        for n in range(10):
            async with client.post(f"{proxy}/telegram/hook", json={"update_id": n}) as answer:
                assert answer.status == 200
        assert len(first) + len(second) == 10
        assert first and second, "one replica took every update"
        # only POSTs go through, and the replicas' own pages stay inside
        async with client.get(f"{proxy}/telegram/hook") as answer:
            assert answer.status == 403
        for page in ("/metrics", "/healthz"):
            async with client.post(f"{proxy}{page}") as answer:
                assert answer.status == 404
        async with client.post(f"{proxy}/telegram/hook", data=b"x" * (2 << 20)) as answer:
            assert answer.status == 413
        # one replica gone (a restart): every update still reaches the other
        await one.cleanup()
        before = len(second)
        for n in range(6):
            async with client.post(f"{proxy}/telegram/hook", json={"update_id": n}) as answer:
                assert answer.status == 200
        assert len(second) == before + 6
