"""Group commit: the requests that wait at the same moment share one transaction.

Under load a worker makes many small writes at once (a send slot for each chat it is
sending to, a record for each message that went). Each in a transaction of its own costs
a session, a commit and, on SQLite, a turn at the file: most of what delivery spent. A
`GroupCommit` runs one transaction at a time for whatever requests are waiting when it
starts; those that arrive meanwhile go together in the next. A request alone goes at
once, so nothing ever waits for company.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import transaction

T = TypeVar("T")
R = TypeVar("R")

# What `work` answers for each request, in order: its result, or an exception of its
# own (raised to that caller only; the transaction still commits for the others).
Work = Callable[[AsyncSession, Sequence[T]], Awaitable[Sequence[R | Exception]]]


class GroupCommit(Generic[T, R]):
    """`await commit(request)`: the request's result, written in a transaction shared
    with the requests made at the same time (at most `most` together).

    A shared transaction that fails is tried again for each request alone, so a failure
    (one request's, or the database's for a moment) reaches only the callers it
    concerns, and the others' writes are not lost with it. A request whose caller gave
    up (was cancelled) before its transaction began is left out; one cancelled later is
    written all the same. Never call it from inside a transaction: on SQLite that
    transaction holds the file's turn the shared one needs.
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        work: Work[T, R],
        *,
        most: int = 64,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._work = work
        self._most = most
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._runner: asyncio.Task[None] | None = None

    async def __call__(self, request: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((request, future))
        if self._runner is None:
            # A context of its own: the caller's (a transaction's SQLite turn, a reply's
            # prepaid slot) is not the runner's.
            self._runner = asyncio.create_task(self._run(), context=contextvars.Context())
            self._runner.add_done_callback(self._ended)
        return await future

    def _ended(self, runner: asyncio.Task[None]) -> None:
        """A runner cancelled before it began leaves nobody waiting for it either."""
        if self._runner is not runner:
            return  # it ended in its own time and let go (or a new one runs)
        self._runner = None
        for _, future in self._waiting:
            future.cancel()
        self._waiting.clear()

    async def _run(self) -> None:
        try:
            while self._waiting:
                batch = [(r, f) for r, f in self._waiting[: self._most] if not f.done()]
                del self._waiting[: self._most]
                try:
                    await self._one(batch, alone=len(batch) == 1)
                finally:
                    for _, future in batch:  # never left unanswered, whatever happened
                        if not future.done():
                            future.cancel()
        finally:
            # No await between the last look at the queue and this: a request made
            # from now on starts a runner of its own.
            self._runner = None
            for _, future in self._waiting:  # cancelled: nobody will run these
                future.cancel()
            self._waiting.clear()

    async def _one(self, batch: list[tuple[T, asyncio.Future[R]]], *, alone: bool) -> None:
        if not batch:
            return
        try:
            async with transaction(self._sessionmaker) as session:
                results = list(await self._work(session, [request for request, _ in batch]))
        except Exception as error:
            if not alone:
                for item in batch:
                    if not item[1].done():
                        await self._one([item], alone=True)
                return
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            return
        if len(results) != len(batch):
            mismatch = RuntimeError(f"{len(results)} answers to {len(batch)} requests")
            results = [mismatch] * len(batch)
        for (_, future), result in zip(batch, results, strict=True):
            if future.done():
                continue
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)
