"""Update processing that can be awaited: the demo and the tests know when a reply is done."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import SimpleUpdateProcessor


class TrackingUpdateProcessor(SimpleUpdateProcessor):
    """Processes updates one at a time, like the default, and records which are done."""

    def __init__(self) -> None:
        super().__init__(max_concurrent_updates=1)
        self._done: set[int] = set()
        self._changed = asyncio.Condition()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await coroutine
        finally:
            if isinstance(update, Update):
                async with self._changed:
                    self._done.add(update.update_id)
                    self._changed.notify_all()

    async def wait_for(self, update_id: int) -> None:
        """Return once update `update_id` has been fully handled; callers bound the wait."""
        async with self._changed:
            await self._changed.wait_for(lambda: update_id in self._done)
