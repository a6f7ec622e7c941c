"""/metrics: domain.metrics.Metrics with prometheus_client, on a registry of its own.

One registry per application (not prometheus_client's global one), so several bots in
one process (the tests, the benchmarks) count apart. Counters are this process's; the
pending gauge and the planner's age are read from the database at scrape time, so they
are the cluster's (every process shows the same).
"""

from __future__ import annotations

import datetime as dt

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.commands import COMMANDS
from storage.health import PLANNER, backlog, last_beat
from wgbot.health import OVERDUE

__all__ = ["CONTENT_TYPE", "PrometheusMetrics"]

# What generate_latest writes: the classic text format (prometheus_client's own server
# answers with this type unless a scraper asks for OpenMetrics).
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4

KNOWN_COMMANDS = frozenset(c.name for c in COMMANDS)
# Seconds from due to sent: on time is well under a minute; after downtime, hours.
DELAY_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 21600)


class PrometheusMetrics:
    """Implements domain.metrics.Metrics; `exposition()` is the body of /metrics."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self._updates = Counter("wgbot_updates", "Updates from Telegram handled", registry=r)
        self._commands = Counter(
            "wgbot_commands", "Commands received, by name", ["command"], registry=r
        )
        self._sent = Counter(
            "wgbot_notifications_sent", "Notifications sent, by kind", ["kind"], registry=r
        )
        self._failed = Counter(
            "wgbot_notifications_failed",
            "Notifications given up on, by reason",
            ["reason"],
            registry=r,
        )
        self._delay = Histogram(
            "wgbot_delivery_delay_seconds",
            "From a notification's due time to its sending",
            buckets=DELAY_BUCKETS,
            registry=r,
        )
        self._throttled = Counter(
            "wgbot_telegram_429",
            "429 Too Many Requests answers from Telegram, by sender",
            ["source"],
            registry=r,
        )
        self._pending = Gauge(
            "wgbot_notifications_pending",
            "Notifications not yet sent (the whole cluster's outbox)",
            registry=r,
        )
        self._overdue = Gauge(
            "wgbot_notifications_overdue",
            "Pending notifications more than 10 minutes past their due time (as /healthz)",
            registry=r,
        )
        self._planned_ago = Gauge(
            "wgbot_planned_seconds_ago",
            "Seconds since the cluster's last planning pass (-1: never)",
            registry=r,
        )
        # Every label value known in advance shows from the start, at 0.
        for source in ("outbox", "reply"):
            self._throttled.labels(source=source)
        for name in (*sorted(KNOWN_COMMANDS), "other"):
            self._commands.labels(command=name)

    def update_handled(self) -> None:
        self._updates.inc()

    def command(self, name: str) -> None:
        self._commands.labels(command=name if name in KNOWN_COMMANDS else "other").inc()

    def sent(self, kind: str, delay_seconds: float) -> None:
        self._sent.labels(kind=kind).inc()
        self._delay.observe(max(0.0, delay_seconds))

    def failed(self, reason: str, count: int = 1) -> None:
        self._failed.labels(reason=reason).inc(count)

    def throttled(self, source: str) -> None:
        self._throttled.labels(source=source).inc()

    async def refresh(
        self, sessionmaker: async_sessionmaker[AsyncSession], now: dt.datetime
    ) -> None:
        """The gauges the database knows, read now."""
        async with sessionmaker() as session:
            late = await backlog(session=session, overdue_before=now - OVERDUE)
            beat = await last_beat(session=session, name=PLANNER)
        self._pending.set(late.pending)
        self._overdue.set(late.overdue)
        self._planned_ago.set(-1 if beat is None else (now - beat.at).total_seconds())

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
