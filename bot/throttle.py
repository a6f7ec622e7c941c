"""Per-member and per-group throttles: one member's burst of commands, or a group's
repeated exports, cannot fill Telegram's windows for everyone else.

A member may send `MEMBER` commands a minute in a chat; the first command past it gets
one translated answer ("please wait"), later ones in the same window get none, and the
window opens again by itself. In memory, per process: a restart forgets it, which is
harmless (the windows Telegram counts are in the database, bot.pacing).
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Hashable

from domain.ratelimit import Limit, admit, free_at, prune

MEMBER = Limit(20, 60.0)  # commands per member per chat
EXPORT = Limit(3, 600.0)  # /export files per group
MAX_KEYS = 10_000  # idle keys are forgotten past this many


class Verdict(enum.Enum):
    GO = "go"
    TELL = "tell"  # refused, and told so once per window
    QUIET = "quiet"  # refused again: already told


class Throttle:
    """Sliding windows of recent instants per key (pure arithmetic: domain.ratelimit)."""

    def __init__(self, limit: Limit, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.clock = clock
        self._recent: dict[Hashable, list[float]] = {}
        self._told: dict[Hashable, float] = {}

    def check(self, key: Hashable) -> Verdict:
        now = self.clock()
        if len(self._recent) > MAX_KEYS:
            self.forget_idle()
        ok, window = admit(self._recent.get(key, []), now, self.limit, self.limit.seconds)
        self._recent[key] = window
        if ok:
            return Verdict.GO
        told = self._told.get(key)
        if told is not None and told > now - self.limit.seconds:
            return Verdict.QUIET
        self._told[key] = now
        return Verdict.TELL

    def wait(self, key: Hashable) -> float:
        """Seconds until `key` may go again (0 when it may now)."""
        now = self.clock()
        window = prune(self._recent.get(key, []), now, self.limit.seconds)
        opens = free_at(window, self.limit, self.limit.seconds)
        return max(0.0, opens - now) if opens is not None else 0.0

    def forget_idle(self) -> None:
        """Drop keys with nothing in their window: memory stays bounded."""
        now = self.clock()
        for key in [k for k, v in self._recent.items() if not prune(v, now, self.limit.seconds)]:
            del self._recent[key]
            self._told.pop(key, None)
