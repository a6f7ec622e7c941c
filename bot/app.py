"""The bot as python-telegram-bot sees it: an Application with every handler, in order.

The composition root (wgbot.app) decides where Telegram is and hands in the
dependencies; nothing here reads settings or connects anywhere.
"""

from __future__ import annotations

from typing import Any

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import (
    ApplicationBuilder,
    BaseRateLimiter,
    BaseUpdateProcessor,
    ContextTypes,
    Defaults,
)

from bot.context import Deps, WGApplication, WGContext
from bot.errors import on_error
from bot.handlers import (
    digest,
    export,
    general,
    guard,
    lists,
    meetings,
    membership,
    metering,
    minutes,
    ogp,
    people,
    plan,
    progress,
    quiet,
)
from bot.handlers import settings as settings_handlers


def build_bot(
    *,
    token: str,
    base_url: str,
    deps: Deps,
    update_processor: BaseUpdateProcessor | None = None,
    rate_limiter: BaseRateLimiter[Any] | None = None,
) -> WGApplication:
    """The application with its handlers; it talks to Telegram only once started.
    `rate_limiter` paces what it sends (bot.pacing)."""
    builder = (
        ApplicationBuilder()
        .application_class(WGApplication, {"deps": deps})
        .token(token)
        .base_url(base_url)
        .base_file_url(base_url.removesuffix("/bot") + "/file/bot")
        .context_types(ContextTypes(context=WGContext))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
    )
    if update_processor is not None:
        builder = builder.concurrent_updates(update_processor)
    if rate_limiter is not None:
        builder = builder.rate_limiter(rate_limiter)
    app = builder.build()
    assert isinstance(app, WGApplication)  # application_class above
    register_handlers(app)
    return app


def register_handlers(app: WGApplication) -> None:
    """Every handler, in the order that decides which one answers."""
    # Order matters: within handler group 0 the first matching handler wins, so the
    # catch-all for unknown commands comes after every real command, and private-chat
    # variants (in lists) before their group twins.
    metering.register(app)  # group -2: counts every update for /metrics
    guard.register(app)  # group -1: before every command
    membership.register(app)
    general.register(app)
    plan.register(app)
    digest.register(app)
    progress.register(app)
    meetings.register(app)
    export.register(app)
    lists.register(app)
    people.register(app)
    settings_handlers.register(app)
    quiet.register(app)  # /holiday, /holidays and the snooze buttons
    minutes.register(app)
    ogp.register(app)
    general.register_fallback(app)
    app.add_error_handler(on_error)
