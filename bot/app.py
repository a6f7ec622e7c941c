"""The composition root: settings in, a ready python-telegram-bot Application out."""

from __future__ import annotations

import logging
from typing import Any, cast

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    ContextTypes,
    Defaults,
)

from bot.context import DEPS_KEY, Deps, WGApplication, WGContext
from bot.errors import on_error
from bot.handlers import (
    digest,
    export,
    general,
    lists,
    meetings,
    membership,
    people,
    plan,
    progress,
)
from bot.handlers import settings as settings_handlers
from domain.clock import Clock, SystemClock
from storage.db import create_engine, create_sessionmaker
from wgbot.settings import Settings

log = logging.getLogger(__name__)


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    update_processor: BaseUpdateProcessor | None = None,
) -> WGApplication:
    """Build the bot with its database; nothing connects until the application starts."""
    token = settings.require_token().get_secret_value()
    engine = create_engine(settings.database_url)
    deps = Deps(
        settings=settings,
        engine=engine,
        sessionmaker=create_sessionmaker(engine),
        clock=clock or SystemClock(),
    )
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_base_url.removesuffix("/bot") + "/file/bot")
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
    app = cast(WGApplication, builder.build())
    app.bot_data[DEPS_KEY] = deps

    # Order matters: within handler group 0 the first matching handler wins, so the
    # catch-all for unknown commands comes after every real command.
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
    general.register_fallback(app)
    app.add_error_handler(on_error)
    return app


async def close_resources(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """After app.shutdown(): PTB calls post_shutdown only from run_polling/run_webhook."""
    deps = app.bot_data.get(DEPS_KEY)
    if isinstance(deps, Deps):
        await deps.engine.dispose()
