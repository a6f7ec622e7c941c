"""What the bot counts for /metrics, as an interface every floor may call.

The composition root (wgbot.metrics) implements it with prometheus_client on a registry
of its own and hands it down; the floors below call these methods and never import
prometheus_client, so a test or a tool that wires nothing counts into `NO_METRICS`.
Labels are closed sets chosen by the caller (a command of the command table, a
notification kind, a failure reason), never text a user typed.
"""

from __future__ import annotations

from typing import Protocol


class Metrics(Protocol):
    def update_handled(self) -> None:
        """One update from Telegram reached the handlers."""
        ...

    def command(self, name: str) -> None:
        """A command of the command table (or "other") was received."""
        ...

    def sent(self, kind: str, delay_seconds: float) -> None:
        """A notification of `kind` went out, `delay_seconds` after it was due."""
        ...

    def failed(self, reason: str, count: int = 1) -> None:
        """Notifications given up on (`reason`: refused, gave_up, chat_gone, render)."""
        ...

    def throttled(self, source: str) -> None:
        """Telegram answered 429 (`source`: outbox or reply)."""
        ...


class NoMetrics:
    """Counts nothing: the default wherever no registry is wired."""

    def update_handled(self) -> None:
        return None

    def command(self, name: str) -> None:
        return None

    def sent(self, kind: str, delay_seconds: float) -> None:
        return None

    def failed(self, reason: str, count: int = 1) -> None:
        return None

    def throttled(self, source: str) -> None:
        return None


NO_METRICS: Metrics = NoMetrics()
