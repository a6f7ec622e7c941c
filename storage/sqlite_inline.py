"""SQLite through aiosqlite's interface, each call made right away in the event loop's thread.

aiosqlite makes every call (execute, fetch, commit…) in a thread of its own and hands
the result back through the event loop: two thread switches a call, a wake-up of the
loop, and, in between, whatever else the loop has to run. One process owns a SQLite
file and its transactions take turns (storage.db.transaction), so while one of them
waited for its thread switches, every other transaction of the process waited for it:
under a burst of commands from 100 chats the turn was held 91% of the time, 20 ms a
transaction for statements that take SQLite tens of microseconds.

Here a call runs where it is made and returns at once: a transaction holds the turn only
as long as its statements really take. A statement blocks the loop while it runs,
which SQLite's statements of this bot do for microseconds; the busy timeout is the one
long wait, when another process (an operator's `wgbot import`) holds the file's write
lock, and then nothing else of this process could write anyway.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Generator
from typing import Any

import aiosqlite


class InlineConnection(aiosqlite.Connection):
    """aiosqlite's connection (SQLAlchemy's aiosqlite dialect drives it), without its thread."""

    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, iter_chunk_size=64)

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self._connection is None:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)

    async def _connect(self) -> InlineConnection:
        if self._connection is None:
            self._connection = self._connector()
        return self

    def __await__(self) -> Generator[Any, None, InlineConnection]:
        return self._connect().__await__()  # no thread to start

    def stop(self) -> None:
        self._running = False
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def close(self) -> None:
        self.stop()


def inline_connector(database: str, **kwargs: Any) -> Callable[[], InlineConnection]:
    """An `async_creator` for SQLAlchemy's create_async_engine: `sqlite3.connect(database,
    **kwargs)` behind aiosqlite's interface."""

    def connect() -> InlineConnection:
        return InlineConnection(lambda: sqlite3.connect(database, **kwargs))

    return connect
