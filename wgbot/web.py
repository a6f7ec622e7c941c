"""The built-in web server: /healthz, and the webhook when one is configured."""

from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update

from bot.context import WGApplication
from wgbot.settings import Settings

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def web_app(app: WGApplication, settings: Settings) -> web.Application:
    """The aiohttp application of one `wgbot run` process."""
    server = web.Application()

    async def health(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    server.router.add_get("/healthz", health)
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
        server.router.add_post(path, webhook)
    return server
