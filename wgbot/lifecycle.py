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
import errno
import logging
import signal
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

from aiohttp import web
from telegram import Bot, Update
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter, TelegramError
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
    PostgresPresence,
    Presence,
    SoleLeader,
    SolePresence,
    SqliteFileLock,
)
from scheduler.service import NotificationService, worker_name
from wgbot.admin import at_start, connect_and_migrate, database_problem
from wgbot.app import build_application
from wgbot.health import Health
from wgbot.settings import DEFAULT_BASE_URL, Settings, SettingsError
from wgbot.web import web_app

log = logging.getLogger(__name__)


class RunError(Exception):
    """A failure to start that deserves one clear line, not a traceback (exit 1; a
    setting that does not work is a SettingsError, exit 2)."""


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
        except OSError as exc:
            raise SettingsError(database_problem(settings, exc)) from None
    return lock


def _bot_api(settings: Settings) -> str:
    return f"the Bot API at {settings.telegram_base_url}"


def _unanswered(exc: Exception) -> bool:
    """Worth another try at start: the Bot API did not answer, or answered 5xx."""
    return isinstance(exc, NetworkError)


def _reason(exc: Exception) -> str:
    """An error of the Bot API in a few words: PTB appends the whole answer when it is
    not JSON (a web page), and its status is enough."""
    text = exc.message if isinstance(exc, TelegramError) else str(exc)
    lines = text.partition(". Parsing the server response")[0].splitlines()
    return lines[0][:200] if lines else type(exc).__name__


async def _call_at_start(action: Callable[[], Awaitable[object]], settings: Settings) -> None:
    """A Bot API call at start, tried again a few times while the Bot API does not answer."""
    await at_start(action, transient=_unanswered, what=_bot_api(settings), reason=_reason)


class _NoRequestLogs(logging.Filter):
    """While we probe the Bot API, its failures are ours to report, in one line: PTB
    would log an answer that is not JSON (a web page) with a traceback and the page."""

    def filter(self, record: logging.LogRecord) -> bool:
        return False


@contextlib.contextmanager
def _quiet_requests() -> Iterator[None]:
    logger = logging.getLogger("telegram.request.BaseRequest")  # PTB's request logger
    quiet = _NoRequestLogs()
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)


async def _reach_bot_api(bot: Bot, settings: Settings) -> None:
    """getMe (the bot's initialize), a few tries while the Bot API does not answer; then
    one line naming the setting that is wrong."""
    try:
        with _quiet_requests():
            await _call_at_start(bot.initialize, settings)
    except TelegramError as exc:
        # A bot that failed to initialize still holds its HTTP clients.
        await bot.shutdown()
        raise SettingsError(_bot_api_problem(settings, exc)) from None


def _bot_api_problem(settings: Settings, exc: TelegramError) -> str:
    if isinstance(exc, InvalidToken):
        if settings.telegram_base_url == DEFAULT_BASE_URL:
            return "WGBOT_TELEGRAM_TOKEN: Telegram rejected this token"
        return (
            f"WGBOT_TELEGRAM_TOKEN: {_bot_api(settings)} rejected this token (or "
            "WGBOT_TELEGRAM_BASE_URL is not the address of a Bot API server)"
        )
    # PTB chains a failure to parse the answer as the cause: something answered over
    # HTTP, but not with a Bot API's JSON.
    if isinstance(exc, NetworkError) and not isinstance(exc.__cause__, TelegramError):
        return f"WGBOT_TELEGRAM_BASE_URL: cannot reach {_bot_api(settings)}: {_reason(exc)}"
    return (
        f"WGBOT_TELEGRAM_BASE_URL: {_bot_api(settings)} does not answer like a Bot API "
        f"({_reason(exc)})"
    )


async def _command_menu(app: WGApplication, settings: Settings) -> None:
    """The command menu; best effort, since Telegram keeps the last one it was given."""
    try:
        await _call_at_start(lambda: announce_commands(app.bot), settings)
    except (NetworkError, RetryAfter) as exc:
        log.warning(
            "could not set the command menu (%s); Telegram keeps the last one", _reason(exc)
        )


async def _listen(runner: web.AppRunner, settings: Settings) -> None:
    """The web server on WGBOT_HTTP_HOST:WGBOT_HTTP_PORT, or one line saying why not."""
    site = web.TCPSite(runner, settings.http_host, settings.http_port)
    try:
        await site.start()
    except OSError as exc:
        raise SettingsError(_listen_problem(settings, exc)) from None


def _listen_problem(settings: Settings, exc: OSError) -> str:
    host, port = settings.http_host, settings.http_port
    if isinstance(exc, socket.gaierror):
        return f"WGBOT_HTTP_HOST: cannot listen on {host}: unknown host name"
    if exc.errno == errno.EADDRINUSE:
        return (
            f"WGBOT_HTTP_PORT: port {port} on {host} is already in use (by another "
            "process; give each process its own port, or 0 for any free one)"
        )
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"WGBOT_HTTP_HOST: {host} is not an address of this machine"
    if exc.errno == errno.EACCES:
        return f"WGBOT_HTTP_PORT: no permission to listen on port {port} on {host}"
    return f"WGBOT_HTTP_PORT: cannot listen on {host}:{port} ({exc.strerror or exc})"


async def _set_webhook(app: WGApplication, settings: Settings) -> None:
    """Tell Telegram where to post updates; a refusal names WGBOT_WEBHOOK_URL."""
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None

    async def register() -> None:
        await app.bot.set_webhook(
            url=str(settings.webhook_url), secret_token=secret, allowed_updates=Update.ALL_TYPES
        )

    try:
        await _call_at_start(register, settings)
    except BadRequest as exc:
        raise SettingsError(f"WGBOT_WEBHOOK_URL: Telegram refused it ({exc.message})") from None
    except NetworkError as exc:
        raise SettingsError(_bot_api_problem(settings, exc)) from None


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
    outbox_bot: Bot,
    settings: Settings,
    delivery: DeliveryConfig | None,
    polling: Polling | None,
) -> NotificationService:
    """Planning and delivery; with `polling`, the leader alone polls Telegram."""
    leadership: Leadership = (
        SoleLeader() if settings.is_sqlite else PostgresLeadership(settings.database_url)
    )
    name = worker_name()
    presence: Presence = (
        SolePresence(name) if settings.is_sqlite else PostgresPresence(settings.database_url, name)
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
        # A bot of its own: delivery takes its send slots itself (with its leases), so
        # it must not pass through the replies' rate limiter as well.
        bot=outbox_bot,
        clock=app.deps.clock,
        grace=grace,
        render=render_notice,
        leadership=leadership,
        presence=presence,
        name=name,
        config=delivery or DeliveryConfig(grace=grace),
        on_elected=start_polling if polling is not None else None,
        on_deposed=stop_polling if polling is not None else None,
        metrics=app.deps.metrics,
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
    limits = delivery.limits if delivery is not None else None
    try:
        built = build_application(
            settings, clock=clock, update_processor=update_processor, limits=limits
        )
    except OSError as exc:  # the SQLite file's directory could not be created
        raise SettingsError(database_problem(settings, exc)) from None
    app = built.app
    webhook = settings.webhook_url is not None
    polls = None if webhook else (polling or Polling())
    health = Health(app.deps.sessionmaker, app.deps.clock, app.deps.clock.now())
    runner = web.AppRunner(web_app(app, settings, health=health, metrics=built.metrics))
    outbox_bot = Bot(
        settings.require_token().get_secret_value(), base_url=settings.telegram_base_url
    )
    service: NotificationService | None = None
    try:
        await connect_and_migrate(built.engine, settings)
        # Then the application's initialize finds the bot initialized: no second getMe.
        await _reach_bot_api(app.bot, settings)
        await app.initialize()
        await app.start()
        await _command_menu(app, settings)
        await runner.setup()
        await _listen(runner, settings)
        if webhook:
            await _set_webhook(app, settings)
            log.info("webhook mode on %s:%s", settings.http_host, settings.http_port)
        if services:
            await outbox_bot.initialize()
            service = started = _service(app, outbox_bot, settings, delivery, polls)
            health.leading = lambda: started.leading
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
        await outbox_bot.shutdown()
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
