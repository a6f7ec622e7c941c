"""`wgbot run`: the bot in long polling or webhook mode, with the built-in web server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.error import InvalidToken

from bot.app import build_application, close_resources
from bot.context import WGApplication
from bot.menu import announce_commands
from storage.db import create_engine, migrate
from wgbot.settings import Settings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class RunError(Exception):
    """A failure to start that deserves one clear line, not a traceback."""


def _web_app(app: WGApplication, settings: Settings) -> web.Application:
    web_app = web.Application()

    async def health(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    web_app.router.add_get("/healthz", health)
    if settings.webhook_url is not None:
        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None

        async def webhook(request: web.Request) -> web.Response:
            # Telegram echoes the secret we registered; anything else is not Telegram.
            if secret is not None and request.headers.get(SECRET_HEADER) != secret:
                return web.Response(status=403)
            try:
                data = await request.json()
            except ValueError:
                return web.Response(status=400)
            update = Update.de_json(data, app.bot)
            await app.update_queue.put(update)
            return web.Response()

        path = urlsplit(str(settings.webhook_url)).path or "/"
        web_app.router.add_post(path, webhook)
    return web_app


async def serve(settings: Settings, *, stop: asyncio.Event | None = None) -> None:
    """Migrate, start the bot and the web server, run until SIGINT/SIGTERM or `stop`."""
    engine = create_engine(settings.database_url)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)

    app = build_application(settings)
    try:
        await app.initialize()
    except InvalidToken:
        raise RunError("WGBOT_TELEGRAM_TOKEN: Telegram rejected this token") from None
    runner = web.AppRunner(_web_app(app, settings))
    try:
        await app.start()
        await announce_commands(app.bot)
        await runner.setup()
        site = web.TCPSite(runner, settings.http_host, settings.http_port)
        await site.start()
        if settings.webhook_url is not None:
            await app.bot.set_webhook(
                url=str(settings.webhook_url),
                secret_token=(
                    settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
                ),
                allowed_updates=Update.ALL_TYPES,
            )
            log.info("webhook mode on %s:%s", settings.http_host, settings.http_port)
        else:
            assert app.updater is not None
            await app.updater.start_polling(allowed_updates=Update.ALL_TYPES)
            log.info("long polling as @%s", app.bot.username)
        await stop.wait()
        log.info("stopping")
    finally:
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await runner.cleanup()
        await app.shutdown()
        await close_resources(app)
