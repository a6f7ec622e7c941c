"""A watch on the rule "no Telegram call inside a transaction" (STYLE.md, habit 11).

SQLAlchemy's session events mark which asyncio task holds an open transaction; every
Bot API request python-telegram-bot makes is checked against the task making it. A
request made while its own task holds a transaction is recorded as a breach, and the
autouse fixture in tests/conftest.py fails the test that caused it.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction
from telegram.request import HTTPXRequest


class TransactionWatch:
    """Which task has a transaction open, and which Bot API calls were made inside one."""

    def __init__(self) -> None:
        self._holders: weakref.WeakKeyDictionary[Session, asyncio.Task[Any]] = (
            weakref.WeakKeyDictionary()
        )
        self.breaches: list[str] = []

    def began(self, session: Session, _transaction: SessionTransaction, _conn: Any) -> None:
        try:
            task = asyncio.current_task()
        except RuntimeError:  # a synchronous session outside any event loop
            return
        if task is not None:
            self._holders[session] = task

    def ended(self, session: Session, transaction: SessionTransaction) -> None:
        if transaction.parent is None:
            self._holders.pop(session, None)

    def open_here(self) -> bool:
        try:
            task = asyncio.current_task()
        except RuntimeError:
            return False
        return task is not None and task in self._holders.values()

    def check(self, url: str) -> None:
        if self.open_here():
            # The method name only: the URL carries the token.
            self.breaches.append(url.rsplit("/", 1)[-1])


@pytest.fixture
def transaction_watch(monkeypatch: pytest.MonkeyPatch) -> Iterator[TransactionWatch]:
    watch = TransactionWatch()
    event.listen(Session, "after_begin", watch.began)
    event.listen(Session, "after_transaction_end", watch.ended)
    original = HTTPXRequest.do_request

    async def guarded(self: HTTPXRequest, url: str, *args: Any, **kwargs: Any) -> Any:
        watch.check(url)
        return await original(self, url, *args, **kwargs)

    monkeypatch.setattr(HTTPXRequest, "do_request", guarded)
    try:
        yield watch
    finally:
        event.remove(Session, "after_begin", watch.began)
        event.remove(Session, "after_transaction_end", watch.ended)
