"""Webhook mode: Telegram's posts are taken only with the secret, and answered; anything
else gets a 4xx answer, is not queued and leaves no traceback in the log."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import io
import json
import logging
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from fakebot import FakeTelegram
from storage.db import create_engine, migrate
from storage.planfile import load_plan
from tests.conftest import EXAMPLES, import_into
from wgbot.harness import TEST_TOKEN
from wgbot.lifecycle import serve
from wgbot.settings import Settings

SECRET = "s3cret-Webhook_token-0123456789"
RIGHT = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
GROUP, USER = -100555, 77


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclasses.dataclass
class Hook:
    """`wgbot run` in webhook mode, the fake Telegram it registered with, and a client."""

    fake: FakeTelegram
    http: aiohttp.ClientSession
    url: str

    def post(self, **kwargs: Any) -> Any:
        return self.http.post(self.url, **kwargs)

    async def replies_to(self, update_id: int) -> list[str]:
        """Until the bot answered update `update_id` in the group; its replies."""
        async with asyncio.timeout(10):
            while not self.fake.bot_messages(GROUP, since_update=update_id):  # noqa: ASYNC110
                await asyncio.sleep(0.02)
        return [m.text or "" for m in self.fake.bot_messages(GROUP, since_update=update_id)]


@pytest.fixture
async def hook(tmp_path: Path) -> AsyncIterator[Hook]:
    port = free_port()
    async with FakeTelegram(token=TEST_TOKEN) as fake:
        fake.add_user(USER, "Saraa")
        fake.add_group(GROUP, "Working group", admins=[USER])
        database = f"sqlite+aiosqlite:///{tmp_path / 'hook.db'}"
        settings = Settings(
            _env_file=None,
            telegram_token=TEST_TOKEN,
            telegram_base_url=fake.base_url,
            database_url=database,
            webhook_url=f"http://127.0.0.1:{port}/telegram",
            webhook_secret=SECRET,
            http_port=port,
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

        stop = asyncio.Event()
        server = asyncio.create_task(serve(settings, stop=stop))
        try:
            async with aiohttp.ClientSession() as http:
                async with asyncio.timeout(20):
                    while True:  # the web server comes up after migrations and setWebhook
                        try:
                            async with http.get(f"http://127.0.0.1:{port}/healthz") as health:
                                if health.status == 200 and fake.calls("setWebhook"):
                                    break
                        except aiohttp.ClientConnectionError:
                            pass
                        await asyncio.sleep(0.05)
                yield Hook(fake=fake, http=http, url=f"http://127.0.0.1:{port}/telegram")
        finally:
            stop.set()
            await asyncio.wait_for(server, 20)


async def test_webhook_mode_checks_the_secret_and_answers(hook: Hook) -> None:
    [registered] = hook.fake.calls("setWebhook")
    assert registered.params["url"] == hook.url
    assert registered.params["secret_token"] == SECRET

    update_id = hook.fake.user_says(GROUP, USER, "/plan")
    [update] = hook.fake.pending_updates()
    async with hook.post(json=update) as stranger:
        assert stranger.status == 403
    for wrong in (
        "not-the-secret-at-all",
        SECRET[:-1],  # one character short
        SECRET + "x",  # one too many
        SECRET.upper(),
        "",
    ):
        headers = {"X-Telegram-Bot-Api-Secret-Token": wrong}
        async with hook.post(json=update, headers=headers) as forged:
            assert forged.status == 403, wrong
    assert hook.fake.bot_messages(GROUP, since_update=update_id) == []

    async with hook.post(json=update, headers=RIGHT) as telegram:
        assert telegram.status == 200
    [reply] = await hook.replies_to(update_id)
    assert "Extractive Industry Transparency" in reply


@pytest.mark.parametrize(
    "body",
    [
        "[]",
        "null",
        "{}",
        "42",
        '"an update"',
        '{"update_id": "7"}',
        '{"update_id": true}',
        '{"update_id": 7.5}',
        '{"message": {"text": "/plan"}}',
        "{not json",
        "",
    ],
)
async def test_a_body_that_is_not_an_update_gets_400_and_nothing_is_queued(
    hook: Hook, body: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        async with hook.post(data=body.encode(), headers=RIGHT) as answer:
            assert answer.status == 400
        # The bot goes on as before: the next real update gets one answer.
        update_id = hook.fake.user_says(GROUP, USER, "/plan")
        [update] = hook.fake.pending_updates()
        async with hook.post(json=update, headers=RIGHT) as telegram:
            assert telegram.status == 200
        [reply] = await hook.replies_to(update_id)
    assert "Extractive Industry Transparency" in reply
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_a_body_over_one_megabyte_gets_413(hook: Hook) -> None:
    update_id = hook.fake.user_says(GROUP, USER, "/plan")
    [update] = hook.fake.pending_updates()
    padded = json.dumps({**update, "padding": "x" * (1024 * 1024)}).encode()
    async with hook.post(data=io.BytesIO(padded), headers=RIGHT) as answer:
        assert answer.status == 413
    await asyncio.sleep(0.2)  # had it been queued, the bot would be answering by now
    assert hook.fake.bot_messages(GROUP, since_update=update_id) == []
