"""`pip install .` as a user runs it: the wheel alone, in a fresh virtual environment, migrates a
new database and greets a Spanish speaker in Spanish (its compiled catalogs travel with it)."""

from __future__ import annotations

import asyncio
import importlib.metadata
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from babel.messages.pofile import read_po

from bot.db.migrate import alembic_config
from fakeapi import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "424242:AAGoodTokenForTheWheelTest_xyzxyzxyz"
GREETING = "Hi {name}! I'm Afterview, your coach for the days after a job interview."
# what a checkout holds that a build must not see: the venv, caches, build products, local data
NOT_SOURCES = shutil.ignore_patterns(
    ".git",
    ".venv",
    "venv",
    "build",
    "dist",
    "data",
    "*.egg-info",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".hypothesis",
    "sandbox-files",
    ".env",
)

pytestmark = pytest.mark.timeout(300)


def _sources(destination: Path) -> Path:
    """A copy of the checkout to build from, so the build leaves nothing in the repository."""

    def ignore(directory: str, names: list[str]) -> set[str]:
        ignored = set(NOT_SOURCES(directory, names))
        if Path(directory) == ROOT / "bot":
            ignored.add("locales")  # a stale in-place build product must not stand in for one
        return ignored

    shutil.copytree(ROOT, destination, ignore=ignore)
    return destination


def _build_requirements_here() -> bool:
    """Whether this interpreter has what [build-system] requires, so pip needs no index."""
    from packaging.requirements import Requirement

    with (ROOT / "pyproject.toml").open("rb") as file:
        requires = tomllib.load(file)["build-system"]["requires"]
    for text in requires:
        requirement = Requirement(text)
        try:
            installed = importlib.metadata.version(requirement.name)
        except importlib.metadata.PackageNotFoundError:
            return False
        if not requirement.specifier.contains(installed, prereleases=True):
            return False
    return True


def _run(
    command: list[str | Path], cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def _build_wheel(source: Path, out: Path) -> Path:
    command: list[str | Path] = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", out]
    if _build_requirements_here():
        command.append("--no-build-isolation")
    # else pip sets up the build requirements itself, from the configured index
    result = _run([*command, source], cwd=source)
    if result.returncode != 0 and "No matching distribution found" in result.stdout + result.stderr:
        pytest.skip(
            "cannot build the wheel: the build requirements of pyproject.toml are neither "
            "installed here nor on a reachable package index"
        )
    assert result.returncode == 0, result.stdout + result.stderr
    (wheel,) = out.glob("afterview-*.whl")
    return wheel


def _clean_env(**values: str) -> dict[str, str]:
    """The environment of a user's shell: nothing that points Python at this checkout."""
    dropped = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "BOT_", "TELEGRAM_", "DATABASE_URL")
    env = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    env.update(PYTHONNOUSERSITE="1", LOG_LEVEL="INFO")
    env.update(values)
    return env


def _fresh_venv(where: Path, wheel: Path) -> Path:
    """A new venv with the wheel installed (no dependencies: no index, no network) and this
    environment's site-packages appended by a .pth line, for the dependencies only: the
    directory joins sys.path, but its own .pth files (the editable install of `bot`) are not
    read, so `bot` can come from nowhere but the wheel."""
    made = _run([sys.executable, "-m", "venv", where])
    assert made.returncode == 0, made.stderr
    python = where / "bin" / "python"
    installed = _run(
        [python, "-m", "pip", "install", "--no-deps", "--no-index", wheel], env=_clean_env()
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    site = _run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
    ours = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (Path(site.stdout.strip()) / "afterview-test-dependencies.pth").write_text(
        "".join(f"{path}\n" for path in sorted(ours))
    )
    return where


def _spanish_greeting(name: str) -> str:
    with (ROOT / "locales" / "es" / "LC_MESSAGES" / "messages.po").open("rb") as file:
        catalog = read_po(file, locale="es")
    message = catalog.get(GREETING)
    assert message is not None and message.string, "the Spanish catalog lacks the greeting"
    assert isinstance(message.string, str)
    return message.string.format(name=name)


async def _start_greeting(venv: Path, work: Path, env: dict[str, str]) -> str:
    """`afterview run` against the fake Bot API; what it answers a Spanish speaker's /start."""
    async with FakeTelegram(token=TOKEN) as fake:
        process = await asyncio.create_subprocess_exec(
            str(venv / "bin" / "afterview"),
            "run",
            cwd=work,
            env={**env, "BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": fake.base_url},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        chunks: list[bytes] = []

        async def drain() -> None:
            # read as it comes: a full pipe would stall the bot
            assert process.stdout is not None
            while chunk := await process.stdout.read(65536):
                chunks.append(chunk)

        reader = asyncio.create_task(drain())
        try:
            ana = fake.add_user("Ana", language_code="es")
            await ana.send("/start")
            for _ in range(600):
                if ana.messages or process.returncode is not None:
                    break
                await asyncio.sleep(0.1)
            await fake.settle()
            log = b"".join(chunks).decode(errors="replace")
            assert ana.messages, f"no answer to /start; the bot's output:\n{log[-3000:]}"
            fake.assert_no_refusals()
            return "\n".join(message.plain for message in ana.messages)
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 60)
            await reader


async def test_the_installed_wheel_migrates_and_speaks_spanish(tmp_path: Path) -> None:
    wheel = _build_wheel(_sources(tmp_path / "src"), tmp_path / "dist")
    venv = _fresh_venv(tmp_path / "venv", wheel)
    python = venv / "bin" / "python"
    work = tmp_path / "work"  # not the repository: nothing here to import `bot` from
    work.mkdir()
    database = work / "afterview.db"
    env = _clean_env(DATABASE_URL=f"sqlite+aiosqlite:///{database}")

    # the fake Bot API is installed too (`afterview sandbox` runs it), with its spec beside it
    imports = (
        "import bot, handlers, fakeapi; from fakeapi.spec import load_spec; load_spec(); "
        "print(bot.__file__); print(handlers.__file__); print(fakeapi.__file__)"
    )
    where = _run([python, "-c", imports], cwd=work, env=env)
    assert where.returncode == 0, where.stderr
    for line in where.stdout.split():
        assert Path(line).is_relative_to(venv), f"imported from outside the fresh venv: {line}"

    migrated = _run([venv / "bin" / "afterview", "migrate"], cwd=work, env=env)
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    assert "The database is up to date." in migrated.stdout
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with sqlite3.connect(database) as connection:
        (revision,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    assert revision == head

    text = await _start_greeting(venv, work, env)
    assert _spanish_greeting("Ana") in text
    assert GREETING.format(name="Ana") not in text

    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for language in ("es", "de", "fr", "pt_BR", "ru", "uk"):
        assert f"bot/locales/{language}/LC_MESSAGES/messages.mo" in names
    assert "bot/db/migrations/script.py.mako" in names
    # the installed `afterview sandbox` runs the fake, which checks requests against this spec
    assert "fakeapi/server.py" in names
    assert "fakeapi/api_methods.json" in names
    assert not any(name.endswith(".po") for name in names), "sources of the catalogs shipped"
