"""The token, its secret half, the webhook secret and the database password never reach
stdout or stderr: not in logs, not in a traceback nobody caught (PRODUCT.md, "Quality
bars"). The end-to-end cases run the real console script with a token-shaped secret."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from wgbot.logs import RedactingFormatter, Redactor

TOKEN = "123456789:AAFakeTokenXYZ_redactionNeverShowsThisPart"
SECRET_HALF = TOKEN.partition(":")[2]
PASSWORD = "db-Pa55word_that-stays-hidden"
HOOK_SECRET = "webhook-Secret_0123456789abcdef"


def secrets_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WGBOT_")}
    return env | {
        "WGBOT_TELEGRAM_TOKEN": TOKEN,
        "WGBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'r.db'}",
        **extra,
    }


def run_python(script: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def assert_nothing_secret(text: str) -> None:
    assert TOKEN not in text and SECRET_HALF not in text
    assert PASSWORD not in text and HOOK_SECRET not in text


def test_wgbot_run_with_a_base_url_without_bot_never_shows_the_token(tmp_path: Path) -> None:
    """The reported case: a local Bot API's natural URL once made the token the port,
    and a 90-line traceback showed it three times."""
    with socket.socket() as probe:  # a local Bot API server that is not running
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = secrets_env(tmp_path, WGBOT_TELEGRAM_BASE_URL=f"http://localhost:{port}")
    result = subprocess.run(
        [sys.executable, "-m", "wgbot.cli", "run"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert_nothing_secret(result.stdout + result.stderr)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1].startswith(
        f"wgbot: WGBOT_TELEGRAM_BASE_URL: cannot reach the Bot API at http://localhost:{port}/bot"
    )


# Each script is the console script's own main(), with one step replaced by a failure
# whose message carries every secret, as httpx's "Invalid port: '<token>'" did.
EXPLODING_RUN = """
import sys
import httpx
from wgbot import admin, cli

def explode(settings, *_):
    token = settings.require_token().get_secret_value()
    raise httpx.InvalidURL(f"Invalid port: '8081{token}' {settings.secrets()}")

admin.run = explode
sys.exit(cli.main(["run"]))
"""

TASK_NEVER_RETRIEVED = """
import asyncio, gc, sys
from wgbot import admin, cli

async def leak(settings):
    async def fail():
        raise RuntimeError(f"lost {settings.secrets()}")
    task = asyncio.get_running_loop().create_task(fail())
    await asyncio.sleep(0.01)
    del task
    gc.collect()
    return 0

admin.migrate_database = leak
sys.exit(cli.main(["migrate"]))
"""

THREAD_DIES = """
import asyncio, sys, threading
from wgbot import admin, cli

async def thread(settings):
    def fail():
        raise RuntimeError(f"thread lost {settings.secrets()}")
    worker = threading.Thread(target=fail, name="worker")
    worker.start()
    worker.join()
    return 0

admin.migrate_database = thread
sys.exit(cli.main(["migrate"]))
"""


@pytest.mark.parametrize(
    ("script", "code", "shown"),
    [
        (EXPLODING_RUN, 1, "httpx.InvalidURL: Invalid port: '8081[redacted]'"),
        (TASK_NEVER_RETRIEVED, 0, "Task exception was never retrieved"),
        (THREAD_DIES, 0, "Exception in thread worker"),
    ],
    ids=["uncaught", "event-loop", "thread"],
)
def test_an_exception_nobody_caught_is_printed_without_secrets(
    script: str, code: int, shown: str, tmp_path: Path
) -> None:
    env = secrets_env(
        tmp_path,
        WGBOT_DATABASE_URL=f"postgresql+asyncpg://wg:{PASSWORD}@127.0.0.1:1/wgbot",
        WGBOT_WEBHOOK_URL="https://bot.example.org/telegram",
        WGBOT_WEBHOOK_SECRET=HOOK_SECRET,
    )
    result = run_python(script, env)
    assert result.returncode == code, result.stderr
    assert shown in result.stderr, result.stderr
    assert "Traceback" in result.stderr and "[redacted]" in result.stderr
    assert_nothing_secret(result.stdout + result.stderr)


def test_the_redactor_takes_out_the_token_and_its_secret_half() -> None:
    redact = Redactor([TOKEN, PASSWORD, ""])
    text = f"GET /bot{TOKEN}/getMe; half {SECRET_HALF}; db {PASSWORD}; id 123456789"
    assert redact(text) == "GET /bot[redacted]/getMe; half [redacted]; db [redacted]; id 123456789"


def test_log_lines_and_their_tracebacks_are_redacted() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter("%(levelname)s %(message)s", [TOKEN]))
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    try:
        try:
            raise RuntimeError(f"url http://x/bot{TOKEN}/getMe")
        except RuntimeError:
            logger.exception("failed with %s", SECRET_HALF)
    finally:
        logger.removeHandler(handler)
    assert "RuntimeError: url http://x/bot[redacted]/getMe" in stream.getvalue()
    assert_nothing_secret(stream.getvalue())


async def test_the_loop_handler_redacts_what_it_logs(caplog: pytest.LogCaptureFixture) -> None:
    loop = asyncio.get_running_loop()
    redactor = Redactor([TOKEN])
    previous = loop.get_exception_handler()
    loop.set_exception_handler(redactor.loop_exception_handler)
    try:
        with caplog.at_level(logging.ERROR, logger="asyncio"):
            loop.call_exception_handler(
                {"message": f"callback failed for {TOKEN}", "exception": ValueError(TOKEN)}
            )
    finally:
        loop.set_exception_handler(previous)
    assert "callback failed for [redacted]" in caplog.text
    assert "ValueError: [redacted]" in caplog.text
    assert_nothing_secret(caplog.text)
