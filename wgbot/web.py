"""The built-in web server: /healthz, and the webhook when one is configured."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update

from bot.context import WGApplication
from wgbot.settings import Settings

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's updates are a few kilobytes; a bigger body is not one (aiohttp answers 413).
MAX_BODY = 1024 * 1024

log = logging.getLogger(__name__)


def web_app(app: WGApplication, settings: Settings) -> web.Application:
    """The aiohttp application of one `wgbot run` process."""
    server = web.Application(client_max_size=MAX_BODY)

    async def health(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    server.router.add_get("/healthz", health)
    if settings.webhook_url is not None and settings.webhook_secret is not None:
        path = urlsplit(str(settings.webhook_url)).path or "/"
        secret = settings.webhook_secret.get_secret_value().encode()
        server.router.add_post(path, _webhook(app, secret))
    return server


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
