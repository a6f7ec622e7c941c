"""One lifecycle for every way the bot runs: `wgbot run`, the demo and the test harness.

`async with running(settings) as bot:` migrates the schema, starts the application, the
web server (/healthz, the webhook), the command menu, leadership and the scheduler, and
polls Telegram (the elected leader only) or takes the webhook; leaving the block stops
everything in the reverse order: polling, the scheduler (delivery finishes the sends in
flight), the application, the web server, the database. `serve` is `wgbot run`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
import signal
from collections.abc import AsyncIterator

from aiohttp import web
from telegram import Update
from telegram.error import InvalidToken
from telegram.ext import BaseUpdateProcessor

from bot.context import Deps, WGApplication
from bot.menu import announce_commands
from bot.notices import render_notice
from domain.clock import Clock
from scheduler.delivery import DeliveryConfig
from scheduler.leader import (
    AlreadyRunning,
    Leadership,
    PostgresLeadership,
    SoleLeader,
    SqliteFileLock,
)
from scheduler.service import NotificationService
from storage.db import migrate
from wgbot.app import build_application
from wgbot.settings import Settings
from wgbot.web import web_app

log = logging.getLogger(__name__)


class RunError(Exception):
    """A failure to start that deserves one clear line, not a traceback."""


@dataclasses.dataclass(frozen=True)
class Polling:
    """How long polling waits: Telegram's defaults for `wgbot run`, quick for tests."""

    interval: float = 0.0
    timeout: int = 10


@dataclasses.dataclass
class Running:
    """A started bot: the application, its dependencies, the scheduler if it runs, and
    the web server's port."""

    app: WGApplication
    service: NotificationService | None
    port: int

    @property
    def deps(self) -> Deps:
        return self.app.deps


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


async def _poll(app: WGApplication, polling: Polling) -> None:
    """Long polling, unless it runs already."""
    if app.updater is not None and not app.updater.running:
        await app.updater.start_polling(
            poll_interval=polling.interval,
            timeout=polling.timeout,
            allowed_updates=Update.ALL_TYPES,
        )
        log.info("long polling as @%s", app.bot.username)


def _service(
    app: WGApplication,
    settings: Settings,
    delivery: DeliveryConfig | None,
    polling: Polling | None,
) -> NotificationService:
    """Planning and delivery; with `polling`, the leader alone polls Telegram."""
    leadership: Leadership = (
        SoleLeader() if settings.is_sqlite else PostgresLeadership(settings.database_url)
    )
    grace = dt.timedelta(minutes=settings.grace_minutes)

    async def start_polling() -> None:
        if polling is not None:
            await _poll(app, polling)

    async def stop_polling() -> None:
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
            log.info("stopped polling")

    return NotificationService(
        sessionmaker=app.deps.sessionmaker,
        bot=app.bot,
        clock=app.deps.clock,
        grace=grace,
        render=render_notice,
        leadership=leadership,
        config=delivery or DeliveryConfig(grace=grace),
        on_elected=start_polling if polling is not None else None,
        on_deposed=stop_polling if polling is not None else None,
    )


@contextlib.asynccontextmanager
async def running(
    settings: Settings,
    *,
    clock: Clock | None = None,
    update_processor: BaseUpdateProcessor | None = None,
    services: bool = True,
    delivery: DeliveryConfig | None = None,
    polling: Polling | None = None,
) -> AsyncIterator[Running]:
    """The whole bot, started; stopped cleanly when the block ends. Without `services`
    (tests of commands alone) there is no scheduler, and this process polls at once."""
    lock = _claim_sqlite(settings)
    try:
        async with _started(settings, clock, update_processor, services, delivery, polling) as bot:
            yield bot
    finally:
        if lock is not None:
            lock.release()


@contextlib.asynccontextmanager
async def _started(
    settings: Settings,
    clock: Clock | None,
    update_processor: BaseUpdateProcessor | None,
    services: bool,
    delivery: DeliveryConfig | None,
    polling: Polling | None,
) -> AsyncIterator[Running]:
    built = build_application(settings, clock=clock, update_processor=update_processor)
    app = built.app
    webhook = settings.webhook_url is not None
    polls = None if webhook else (polling or Polling())
    runner = web.AppRunner(web_app(app, settings))
    service: NotificationService | None = None
    try:
        await migrate(built.engine)
        try:
            await app.initialize()
        except InvalidToken:
            raise RunError("WGBOT_TELEGRAM_TOKEN: Telegram rejected this token") from None
        await app.start()
        await announce_commands(app.bot)
        await runner.setup()
        site = web.TCPSite(runner, settings.http_host, settings.http_port)
        await site.start()
        if webhook:
            await app.bot.set_webhook(
                url=str(settings.webhook_url),
                secret_token=(
                    settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
                ),
                allowed_updates=Update.ALL_TYPES,
            )
            log.info("webhook mode on %s:%s", settings.http_host, settings.http_port)
        if services:
            service = _service(app, settings, delivery, polls)
            app.deps.schedule_listeners.append(service.schedule_changed)
            app.deps.queued_listeners.append(service.notifications_queued)
            await service.start()
        elif polls is not None and app.updater is not None:
            await app.updater.start_polling(
                poll_interval=polls.interval,
                timeout=polls.timeout,
                allowed_updates=Update.ALL_TYPES,
            )
        yield Running(app=app, service=service, port=_port(runner))
    finally:
        if service is not None:
            await service.stop()
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await runner.cleanup()
        await app.shutdown()
        await built.engine.dispose()


def _port(runner: web.AppRunner) -> int:
    """The port the web server listens on (port 0 in the settings takes any free one)."""
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return int(address[1])
    return 0


async def serve(settings: Settings, *, stop: asyncio.Event | None = None) -> None:
    """`wgbot run`: until SIGINT/SIGTERM or `stop`. In polling mode only the elected
    leader polls (PRODUCT.md, several processes); every process delivers notifications."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    async with running(settings, polling=Polling(interval=0.0, timeout=10)):
        await stop.wait()
        log.info("stopping")
