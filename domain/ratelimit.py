"""Telegram's flood limits as sliding windows of send instants (pure; stored by storage.outbox).

A send is admitted only when fewer than `count` sends lie in the last `seconds` (stretched
by a margin, so that a little network jitter between our clock and Telegram's arrival
times never makes a window look fuller at Telegram than it was here). The margin is
`safety` of the window, up to `safety` of a second: jitter is the same whatever the
window, so a group's minute is 60.07 s, not 64.2 s (20 messages a minute, not 18.7).

A send that waited for its slot (the database was busy when the slot opened) is recorded
at the instant the slot opened, if that was at most `back` ago (`taken_at`; 10 ms by
default): otherwise each such delay would push every later slot back, and under a long
fan-out the delays add up to a slower rate than the windows allow. The rest of the
margin (60 ms) covers the way from here to Telegram: a busy event loop (other sends
being rendered and recorded) holds a request back for tens of milliseconds.
"""

from __future__ import annotations

import dataclasses

GLOBAL_CHAT = 0  # the chat_rate row that holds the bot's overall window


@dataclasses.dataclass(frozen=True)
class Limit:
    count: int
    seconds: float


@dataclasses.dataclass(frozen=True)
class RateLimits:
    """Telegram's published limits by default; tests scale them down, same code."""

    overall: Limit = Limit(30, 1.0)
    group: Limit = Limit(20, 60.0)
    private: Limit = Limit(1, 1.0)
    safety: float = 0.07
    back: float = 0.01  # how far back a late send may be recorded (of the 70 ms margin)

    def for_chat(self, chat_id: int) -> Limit:
        """Groups, supergroups and channels have negative ids; private chats positive."""
        if chat_id == GLOBAL_CHAT:
            return self.overall
        return self.group if chat_id < 0 else self.private

    def span(self, limit: Limit) -> float:
        return limit.seconds + self.safety * min(limit.seconds, 1.0)


def prune(recent: list[float], now: float, span: float) -> list[float]:
    """The instants still inside the window ending at `now`, oldest first."""
    return sorted(t for t in recent if t > now - span)


def free_at(recent: list[float], limit: Limit, span: float) -> float | None:
    """When the next send fits the window (None: right away). `recent` must be pruned."""
    if len(recent) < limit.count:
        return None
    return recent[-limit.count] + span


def admit(recent: list[float], now: float, limit: Limit, span: float) -> tuple[bool, list[float]]:
    """Whether a send fits at `now`, and the window afterwards (with it, when admitted)."""
    window = prune(recent, now, span)
    at = free_at(window, limit, span)
    if at is not None and at > now:
        return False, window
    return True, [*window, now]


def taken_at(now: float, windows: list[tuple[list[float], Limit, float]], back: float) -> float:
    """The instant a send admitted at `now` is recorded at, given each of its windows as
    (its instants, its limit, its span): as far back as `back`, but never before a
    window had room nor before its latest send, so every window still holds at most
    its count and its instants stay in order."""
    floor = now - back
    for recent, limit, span in windows:
        if recent:
            floor = max(floor, max(recent))
        if len(recent) >= limit.count:
            floor = max(floor, sorted(recent)[-limit.count] + span)
    return min(now, floor)
