"""The composition root: settings in, the bot and its dependencies out.

The one place that knows every floor: it builds the engine, the bot's dependencies and
the application (bot.app), and hands the bot's notification renderer to the scheduler
(see wgbot.lifecycle, which runs what is built here).
"""

from __future__ import annotations

import dataclasses

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.ext import BaseUpdateProcessor

from bot.app import build_bot
from bot.context import Deps, WGApplication
from bot.pacing import SharedWindowLimiter
from bot.processing import ChatOrderedUpdateProcessor
from domain.clock import Clock, SystemClock
from domain.metrics import Metrics
from domain.ratelimit import RateLimits
from storage.db import create_engine, create_sessionmaker
from wgbot.metrics import PrometheusMetrics
from wgbot.settings import Settings


@dataclasses.dataclass(frozen=True)
class Built:
    """What build_application made; the lifecycle starts it and disposes the engine."""

    app: WGApplication
    engine: AsyncEngine
    # This application's counters (a registry of its own), served at /metrics.
    metrics: PrometheusMetrics

    @property
    def deps(self) -> Deps:
        return self.app.deps


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    update_processor: BaseUpdateProcessor | None = None,
    limits: RateLimits | None = None,
) -> Built:
    """The bot with its database; nothing connects until the application starts.
    Its replies take their send slots in the windows the outbox uses (`limits`:
    Telegram's own unless a test scales them)."""
    engine = create_engine(settings.database_url)
    metrics = PrometheusMetrics()
    counts: Metrics = metrics
    deps = Deps(
        metrics=counts,
        sessionmaker=create_sessionmaker(engine),
        clock=clock or SystemClock(),
        default_language=settings.language,
        public_url=settings.public_base,
    )
    app = build_bot(
        token=settings.require_token().get_secret_value(),
        base_url=settings.telegram_base_url,
        deps=deps,
        update_processor=update_processor
        or ChatOrderedUpdateProcessor(settings.concurrent_updates),
        rate_limiter=SharedWindowLimiter(deps.sessionmaker, limits, metrics=counts),
    )
    return Built(app=app, engine=engine, metrics=metrics)
