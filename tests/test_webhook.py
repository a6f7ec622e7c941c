"""Webhook mode: Telegram's posts are taken only with the secret, and answered."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import aiohttp

from fakebot import FakeTelegram
from storage.db import create_engine, migrate
from storage.planfile import load_plan
from tests.conftest import EXAMPLES, import_into
from wgbot.harness import TEST_TOKEN
from wgbot.lifecycle import serve
from wgbot.settings import Settings

SECRET = "s3cret-Webhook_token-0123456789"
GROUP, USER = -100555, 77


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_webhook_mode_checks_the_secret_and_answers(tmp_path: Path) -> None:
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
        import datetime as dt

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
                                if health.status == 200:
                                    break
                        except aiohttp.ClientConnectionError:
                            await asyncio.sleep(0.05)
                [registered] = fake.calls("setWebhook")
                assert registered.params["url"] == f"http://127.0.0.1:{port}/telegram"
                assert registered.params["secret_token"] == SECRET

                update_id = fake.user_says(GROUP, USER, "/plan")
                [update] = fake.pending_updates()
                url = f"http://127.0.0.1:{port}/telegram"
                async with http.post(url, json=update) as stranger:
                    assert stranger.status == 403
                wrong = {"X-Telegram-Bot-Api-Secret-Token": "not-the-secret-at-all"}
                async with http.post(url, json=update, headers=wrong) as forged:
                    assert forged.status == 403
                assert fake.bot_messages(GROUP, since_update=update_id) == []

                right = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
                async with http.post(url, json=update, headers=right) as telegram:
                    assert telegram.status == 200
                async with asyncio.timeout(10):
                    while not fake.bot_messages(GROUP, since_update=update_id):  # noqa: ASYNC110
                        await asyncio.sleep(0.02)
            [reply] = fake.bot_messages(GROUP, since_update=update_id)
            assert reply.text is not None
            assert "Extractive Industry Transparency" in reply.text
        finally:
            stop.set()
            await asyncio.wait_for(server, 20)
