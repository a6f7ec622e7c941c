"""`wgbot run`: the bot in long polling or webhook mode, with the built-in web server."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import signal
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.error import InvalidToken

from bot.app import build_application, close_resources
from bot.context import DEPS_KEY, Deps, WGApplication
from bot.menu import announce_commands
from scheduler.delivery import DeliveryConfig
from scheduler.leader import (
    AlreadyRunning,
    Leadership,
    PostgresLeadership,
    SoleLeader,
    SqliteFileLock,
)
from scheduler.service import NotificationService
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


def _claim_sqlite(settings: Settings) -> SqliteFileLock | None:
    """One process per SQLite file: a second `wgbot run` says so and stops."""
    lock = SqliteFileLock.for_url(settings.database_url) if settings.is_sqlite else None
    if lock is not None:
        try:
            lock.acquire()
        except AlreadyRunning:
            raise RunError(
                f"another `wgbot run` is already using this SQLite database ({lock.path} is "
                "locked); stop it first, or use PostgreSQL to run several processes"
            ) from None
    return lock


def _notifications(app: WGApplication, settings: Settings, *, polling: bool) -> NotificationService:
    """Planning and delivery; in polling mode the leader alone polls Telegram."""
    deps = app.bot_data[DEPS_KEY]
    assert isinstance(deps, Deps)
    leadership: Leadership = (
        SoleLeader() if settings.is_sqlite else PostgresLeadership(settings.database_url)
    )

    async def start_polling() -> None:
        assert app.updater is not None
        if not app.updater.running:
            await app.updater.start_polling(allowed_updates=Update.ALL_TYPES)
            log.info("long polling as @%s", app.bot.username)

    async def stop_polling() -> None:
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
            log.info("stopped polling")

    grace = dt.timedelta(minutes=settings.grace_minutes)
    return NotificationService(
        sessionmaker=deps.sessionmaker,
        bot=app.bot,
        clock=deps.clock,
        grace=grace,
        leadership=leadership,
        config=DeliveryConfig(grace=grace),
        on_elected=start_polling if polling else None,
        on_deposed=stop_polling if polling else None,
    )


async def serve(settings: Settings, *, stop: asyncio.Event | None = None) -> None:
    """Migrate, start the bot, the web server and the scheduler; run until SIGINT/SIGTERM
    or `stop`. In polling mode only the elected leader polls (PRODUCT.md, several
    processes); every process delivers notifications."""
    lock = _claim_sqlite(settings)
    try:
        await _serve(settings, stop)
    finally:
        if lock is not None:
            lock.release()


async def _serve(settings: Settings, stop: asyncio.Event | None) -> None:
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
    service: NotificationService | None = None
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
        service = _notifications(app, settings, polling=settings.webhook_url is None)
        deps = app.bot_data[DEPS_KEY]
        assert isinstance(deps, Deps)
        deps.schedule_listeners.append(service.schedule_changed)
        await service.start()
        await stop.wait()
        log.info("stopping")
    finally:
        if service is not None:
            await service.stop()
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await runner.cleanup()
        await app.shutdown()
        await close_resources(app)
