"""How updates are processed: one chat in order, different chats at once.

Telegram is 30-150 ms away from a real server, so a bot that handles one update at a
time answers at most a few commands a second whatever the machine. This processor runs
the updates of different chats concurrently, at most `max_concurrent` at once, and
keeps the updates of one chat in the order they came (a guided /update, its note and a
button press of the same chat never overtake each other). A private chat is its user's
chat; a button press belongs to the chat of the message that carries it.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Coroutine, Hashable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

DEFAULT_CONCURRENT_UPDATES = 64
# PTB's own gate is taken before ours and in arrival order; it must never be what
# limits us, or updates waiting for a busy chat would hold places other chats need.
_PTB_GATE = 1_000_000


def chat_key(update: object) -> Hashable | None:
    """Whose turn an update waits for: its chat, else its user; None for neither."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return ("chat", update.effective_chat.id)
    if update.effective_user is not None:
        return ("user", update.effective_user.id)  # inline queries and their buttons
    return None


@dataclasses.dataclass
class _Turn:
    lock: asyncio.Lock = dataclasses.field(default_factory=asyncio.Lock)
    waiting: int = 0


class ChatOrderedUpdateProcessor(BaseUpdateProcessor):
    """Per-chat order, cross-chat concurrency, bounded by `max_concurrent`."""

    def __init__(self, max_concurrent: int = DEFAULT_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates=_PTB_GATE)
        if max_concurrent < 1:
            raise ValueError("max_concurrent must be at least 1")
        self.max_concurrent = max_concurrent
        self._gate = asyncio.Semaphore(max_concurrent)
        self._turns: dict[Hashable, _Turn] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        turn = self._turns.setdefault(key, _Turn()) if key is not None else None
        if turn is not None:
            turn.waiting += 1
        try:
            # The chat's turn first (FIFO: asyncio.Lock wakes waiters in order), then a
            # place among the updates running now.
            if turn is not None:
                async with turn.lock, self._gate:
                    await coroutine
            else:
                async with self._gate:
                    await coroutine
        except asyncio.CancelledError:
            if isinstance(coroutine, Coroutine):
                coroutine.close()  # cancelled while waiting for its turn: never started
            raise
        finally:
            if turn is not None:
                turn.waiting -= 1
                if turn.waiting == 0:
                    del self._turns[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""


class TrackingUpdateProcessor(ChatOrderedUpdateProcessor):
    """The same processing, recording which updates are done: the demo and the tests
    know when a reply has been sent without sleeping."""

    def __init__(self, max_concurrent: int = DEFAULT_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent)
        self._done: set[int] = set()
        self._changed = asyncio.Condition()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await super().do_process_update(update, coroutine)
        finally:
            if isinstance(update, Update):
                async with self._changed:
                    self._done.add(update.update_id)
                    self._changed.notify_all()

    async def wait_for(self, update_id: int) -> None:
        """Return once update `update_id` has been fully handled; callers bound the wait."""
        async with self._changed:
            await self._changed.wait_for(lambda: update_id in self._done)
