"""Telegram's flood limits, enforced by the fake when a test asks for it.

Telegram refuses a message that breaks its limits (about 30 a second overall, 20 a
minute in a group, 1 a second in a private chat) with 429 and `retry_after`. With
`FakeTelegram(flood=FloodLimits())` the fake does the same, counting each refusal, so a
test can show the bot never breaks a limit (no refusal) and honours one when it does.
"""

from __future__ import annotations

import dataclasses
import math


@dataclasses.dataclass(frozen=True)
class Window:
    count: int
    seconds: float


@dataclasses.dataclass
class FloodLimits:
    """Telegram's published limits by default; tests may scale them down."""

    overall: Window = Window(30, 1.0)
    group: Window = Window(20, 60.0)
    private: Window = Window(1, 1.0)
    admitted: list[tuple[float, int]] = dataclasses.field(default_factory=list)
    refusals: list[tuple[float, int]] = dataclasses.field(default_factory=list)

    def _window(self, chat_id: int) -> Window:
        return self.group if chat_id < 0 else self.private

    def admit(self, chat_id: int, now: float) -> int | None:
        """None when a message to `chat_id` may go now (and it is counted); else the
        whole seconds to wait, as Telegram's retry_after says them."""
        longest = max(self.overall.seconds, self.group.seconds, self.private.seconds)
        self.admitted = [(at, chat) for at, chat in self.admitted if at > now - longest]
        waits = []
        for window, chat in ((self.overall, None), (self._window(chat_id), chat_id)):
            inside = [at for at, c in self.admitted if at > now - window.seconds]
            if chat is not None:
                inside = [at for at, c in self.admitted if c == chat and at > now - window.seconds]
            if len(inside) >= window.count:
                waits.append(inside[-window.count] + window.seconds - now)
        if waits:
            self.refusals.append((now, chat_id))
            return max(1, math.ceil(max(waits)))
        self.admitted.append((now, chat_id))
        return None
