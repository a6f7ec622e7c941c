"""A setting that is malformed, or names something that does not work, stops the program
at start with one line naming the variable and exit code 2: never a traceback, never a
password or the token (PRODUCT.md, "Command line")."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fakebot import FakeTelegram
from storage.db import create_engine, migrate
from storage.planfile import load_plan
from tests.conftest import EXAMPLES, PG_SERVER, ROOT, import_into
from tests.test_cli import wgbot
from wgbot.harness import TEST_TOKEN, BotRun
from wgbot.settings import Settings, SettingsError, load_settings

TOKEN = "123456789:AAFakeTokenXYZ_settingsErrorsMustNotShowThis"
SECRET_HALF = TOKEN.partition(":")[2]
PASSWORD = "pa55-Word_nobody-may-see"
GROUP, USER = -100321, 21


def one_line(result: subprocess.CompletedProcess[str], message: str) -> None:
    """Exit 2 and exactly the one line, with no secret in it."""
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"wgbot: {message}"), result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert PASSWORD not in result.stderr + result.stdout
    assert SECRET_HALF not in result.stderr + result.stdout


def last_line(stderr: str, message: str) -> None:
    """`wgbot run` logs what it did before; its last line is the one clear line."""
    assert "Traceback" not in stderr, stderr
    assert stderr.splitlines()[-1].startswith(f"wgbot: {message}"), stderr
    assert PASSWORD not in stderr and SECRET_HALF not in stderr


def closed_port() -> int:
    """A port nobody listens on (taken from the system, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def held_port() -> Iterator[int]:
    """A port another process (here: this test) already listens on."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def env_for(**values: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("WGBOT_")}
    return base | {f"WGBOT_{k.upper()}": v for k, v in values.items()}


async def wgbot_run(env: dict[str, str]) -> tuple[int, str, str]:
    """`wgbot run` in a subprocess, while this test's event loop keeps serving the fake."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "wgbot.cli",
        "run",
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 90)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


# --- the Bot API's base URL ----------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("http://localhost:8081", "http://localhost:8081/bot"),
        ("http://localhost:8081/", "http://localhost:8081/bot"),
        ("http://localhost:8081/bot", "http://localhost:8081/bot"),
        ("http://localhost:8081/bot/", "http://localhost:8081/bot"),
        ("https://api.telegram.org/bot", "https://api.telegram.org/bot"),
        ("https://proxy.example.org/telegram", "https://proxy.example.org/telegram/bot"),
        ("http://[::1]:8081", "http://[::1]:8081/bot"),
    ],
)
def test_a_base_url_with_or_without_bot_is_used_ending_in_bot(given: str, used: str) -> None:
    assert load_settings(_env_file=None, telegram_base_url=given).telegram_base_url == used


@pytest.mark.parametrize(
    "given",
    [
        "localhost:8081",
        "ftp://localhost/bot",
        "http://localhost:notaport/bot",
        "http://localhost:99999/bot",
        "http://user:pw@localhost/bot",
        "http://localhost/bot?x=1",
        "http:///bot",
        "http://local host/bot",
    ],
)
def test_a_base_url_that_is_not_http_host_port_path_is_refused(given: str) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(_env_file=None, telegram_base_url=given)
    assert str(refused.value).startswith("WGBOT_TELEGRAM_BASE_URL: ")
    assert "\n" not in str(refused.value)


async def test_the_bot_answers_through_a_base_url_without_bot(tmp_path: Path) -> None:
    """The natural form for a local Bot API server, which once put the token in the port."""
    async with FakeTelegram(token=TEST_TOKEN) as fake:
        fake.add_user(USER, "Saraa")
        fake.add_group(GROUP, "Working group", admins=[USER])
        settings = Settings(
            _env_file=None,
            telegram_token=TEST_TOKEN,
            telegram_base_url=fake.base_url.removesuffix("/bot"),
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'bare.db'}",
            http_port=0,
        )
        async with BotRun(fake, settings) as run:
            reply = await run.unique_reply(GROUP, USER, "/start")
        assert str(GROUP) in (reply.text or "")


# --- the database URL ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            f"postgresql+asyncpg://wg:{PASSWORD}@db:notaport/wgbot",
            "WGBOT_DATABASE_URL: the port must be a number",
        ),
        (
            f"postgresql+asyncpg://wg:{PASSWORD}@db:99999/wgbot",
            "WGBOT_DATABASE_URL: the port must be a number",
        ),
        (
            f"postgresql+asyncpg://wg:{PASSWORD}@db/wgbot?sslmode=bogus",
            "WGBOT_DATABASE_URL: asyncpg spells sslmode as ssl",
        ),
        (
            f"postgresql+asyncpg://wg:{PASSWORD}@db/wgbot?ssl=bogus",
            "WGBOT_DATABASE_URL: option ssl must be one of disable,",
        ),
        (
            f"postgresql+asyncpg://wg:{PASSWORD}@db/wgbot?connect_timeout=5",
            "WGBOT_DATABASE_URL: unknown option 'connect_timeout'",
        ),
        ("postgresql+asyncpg:/wgbot", "WGBOT_DATABASE_URL: must be sqlite+aiosqlite"),
    ],
)
def test_a_malformed_database_url_is_one_line_without_the_password(url: str, message: str) -> None:
    one_line(wgbot("migrate", env=env_for(database_url=url)), message)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+asyncpg://wg@db/wgbot?ssl=require",
        "postgresql+asyncpg://wg@/wgbot?host=/var/run/postgresql",
        "postgresql+asyncpg://wg@db/wgbot?prepared_statement_cache_size=0",
        "sqlite+aiosqlite:///wgbot.db",
        "sqlite+aiosqlite://",
    ],
)
def test_database_urls_asyncpg_and_sqlite_take_are_accepted(url: str) -> None:
    assert load_settings(_env_file=None, database_url=url).database_url == url


@pytest.mark.parametrize("command", ["migrate", "import", "export", "grant"])
def test_an_unreachable_database_is_one_line_for_every_command(command: str) -> None:
    url = f"postgresql+asyncpg://wg:{PASSWORD}@127.0.0.1:1/wgbot"
    args = {
        "migrate": [],
        "import": [str(EXAMPLES / "mongolia-2021-2023.yaml"), "--chat", "-1"],
        "export": ["--chat", "-1", "--format", "md"],
        "grant": ["--chat", "-1", "--user", "5"],
    }[command]
    result = wgbot(command, *args, env=env_for(database_url=url))
    one_line(
        result,
        "WGBOT_DATABASE_URL: cannot connect to the database at 127.0.0.1:1 (connection refused)",
    )


def test_a_database_that_does_not_exist_is_named(postgres_ready: bool) -> None:
    if not postgres_ready:
        pytest.skip("PostgreSQL is not reachable")
    url = f"postgresql+asyncpg://{PG_SERVER}/wgbot_no_such_database"
    result = wgbot("migrate", env=env_for(database_url=url))
    where = PG_SERVER.rpartition("@")[2]
    one_line(result, f"WGBOT_DATABASE_URL: the database at {where} refused the connection")
    assert 'database "wgbot_no_such_database" does not exist' in result.stderr


def test_a_sqlite_file_that_cannot_be_created_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    url = f"sqlite+aiosqlite:///{blocker / 'wgbot.db'}"
    result = wgbot("migrate", env=env_for(database_url=url))
    one_line(result, f"WGBOT_DATABASE_URL: cannot open the SQLite database {blocker}/wgbot.db")


async def test_wgbot_run_with_an_unreachable_database_is_one_line() -> None:
    url = f"postgresql+asyncpg://wg:{PASSWORD}@127.0.0.1:1/wgbot"
    code, out, err = await wgbot_run(env_for(database_url=url, telegram_token=TOKEN))
    assert code == 2
    last_line(err, "WGBOT_DATABASE_URL: cannot connect to the database at 127.0.0.1:1")
    assert SECRET_HALF not in out


# --- the Bot API, and the web server's port ------------------------------------------


async def test_wgbot_run_with_an_unreachable_bot_api_is_one_line(tmp_path: Path) -> None:
    base = f"http://127.0.0.1:{closed_port()}"
    env = env_for(
        telegram_token=TOKEN,
        telegram_base_url=base,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'run.db'}",
    )
    code, out, err = await wgbot_run(env)
    assert code == 2
    last_line(err, f"WGBOT_TELEGRAM_BASE_URL: cannot reach the Bot API at {base}/bot: ")
    assert SECRET_HALF not in out


async def test_wgbot_run_with_a_token_the_bot_api_refuses_names_the_token(
    tmp_path: Path,
) -> None:
    refused = "123456789:AAFake.Token.The.Fake.Refuses_XYZ"  # a 401, as for a revoked one
    async with FakeTelegram(token=TEST_TOKEN) as fake:
        env = env_for(
            telegram_token=refused,
            telegram_base_url=fake.base_url,
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'run.db'}",
        )
        code, out, err = await wgbot_run(env)
    assert code == 2
    last_line(err, f"WGBOT_TELEGRAM_TOKEN: the Bot API at {fake.base_url} rejected this token")
    assert refused.partition(":")[2] not in err + out


async def test_wgbot_run_on_a_port_in_use_is_one_line(tmp_path: Path, held_port: int) -> None:
    async with FakeTelegram(token=TOKEN) as fake:
        env = env_for(
            telegram_token=TOKEN,
            telegram_base_url=fake.base_url,
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'run.db'}",
            http_port=str(held_port),
        )
        code, out, err = await wgbot_run(env)
    assert code == 2
    last_line(err, f"WGBOT_HTTP_PORT: port {held_port} on 127.0.0.1 is already in use")
    assert SECRET_HALF not in out


async def test_a_bot_api_that_fails_at_first_is_tried_again_at_start(tmp_path: Path) -> None:
    """A Bot API still starting (5xx, a dropped connection) is worth a few tries."""
    async with FakeTelegram(token=TEST_TOKEN) as fake:
        fake.add_user(USER, "Saraa")
        fake.add_group(GROUP, "Working group", admins=[USER])
        fake.fail("getMe", kind="500", times=1)
        fake.fail("getMe", kind="network", times=1)
        database = f"sqlite+aiosqlite:///{tmp_path / 'retry.db'}"
        settings = Settings(
            _env_file=None,
            telegram_token=TEST_TOKEN,
            telegram_base_url=fake.base_url,
            database_url=database,
            http_port=0,
        )
        engine = create_engine(database)
        await migrate(engine)
        await import_into(
            engine,
            load_plan(EXAMPLES / "mongolia-2021-2023.yaml"),
            chat_id=GROUP,
            now=dt.datetime.now(dt.UTC),
        )
        await engine.dispose()
        async with BotRun(fake, settings) as run:
            reply = await run.unique_reply(GROUP, USER, "/plan")
        assert "Extractive Industry Transparency" in (reply.text or "")
        assert len(fake.calls("getMe")) >= 3
