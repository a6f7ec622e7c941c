"""The built-in web server: /healthz, /metrics, and the webhook when one is configured."""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update

from bot.context import WGApplication
from wgbot.health import DB_TIMEOUT, Health
from wgbot.metrics import CONTENT_TYPE, PrometheusMetrics
from wgbot.public import add_public_routes
from wgbot.settings import Settings

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's updates are a few kilobytes; a bigger body is not one (aiohttp answers 413).
MAX_BODY = 1024 * 1024

log = logging.getLogger(__name__)


def web_app(
    app: WGApplication,
    settings: Settings,
    *,
    health: Health | None = None,
    metrics: PrometheusMetrics | None = None,
) -> web.Application:
    """The aiohttp application of one `wgbot run` process."""
    server = web.Application(client_max_size=MAX_BODY)
    checks = health or Health(app.deps.sessionmaker, app.deps.clock, app.deps.clock.now())

    async def healthz(_request: web.Request) -> web.Response:
        verdict = await checks.check()
        return web.json_response(verdict.body, status=200 if verdict.ok else 503)

    server.router.add_get("/healthz", healthz)
    add_public_routes(server, app.deps)  # /p/<slug> and its .ics, .csv, .json
    if metrics is not None:
        server.router.add_get("/metrics", _metrics(app, metrics))
    if settings.webhook_url is not None and settings.webhook_secret is not None:
        path = urlsplit(str(settings.webhook_url)).path or "/"
        secret = settings.webhook_secret.get_secret_value().encode()
        server.router.add_post(path, _webhook(app, secret))
    return server


def _metrics(
    app: WGApplication, metrics: PrometheusMetrics
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Prometheus's text format; the database's gauges are read at each scrape (a
    database that does not answer leaves them as last read)."""

    async def scrape(_request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(DB_TIMEOUT):
                await metrics.refresh(app.deps.sessionmaker, app.deps.clock.now())
        except Exception as exc:  # the counters are still worth answering with
            log.warning("metrics: could not read the outbox (%s)", type(exc).__name__)
        response = web.Response(body=metrics.exposition())
        response.headers["Content-Type"] = CONTENT_TYPE
        return response

    return scrape


def _webhook(app: WGApplication, secret: bytes) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The handler Telegram posts updates to: 403 without our secret, 400 for a body
    that is not an update (nothing is queued), 200 once the update is queued."""

    async def webhook(request: web.Request) -> web.Response:
        # Telegram echoes the secret we registered; anything else is not Telegram. In
        # constant time, so the answer's timing tells nothing about how much matched.
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, secret):
            return web.Response(status=403)
        try:
            data = await request.json()
        except ValueError:  # not JSON, or not UTF-8
            return web.Response(status=400, text="the body is not JSON")
        if not _is_update(data):
            return web.Response(status=400, text="the body is not a Telegram update")
        try:
            update = Update.de_json(data, app.bot)
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            log.warning("webhook: refused a malformed update (%s: %s)", type(exc).__name__, exc)
            return web.Response(status=400, text="the body is not a Telegram update")
        await app.update_queue.put(update)
        return web.Response()

    return webhook


def _is_update(data: object) -> bool:
    """A JSON object with an integer update_id (true and false are not integers here)."""
    if not isinstance(data, dict):
        return False
    update_id = data.get("update_id")
    return isinstance(update_id, int) and not isinstance(update_id, bool)
