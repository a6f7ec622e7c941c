"""Group commit: requests made at the same moment share one transaction, each keeps its
own answer, and a failure reaches exactly the callers it concerns."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.group_commit import GroupCommit
from storage.models import ChatRate


class Refused(Exception):
    pass


class Ledger:
    """Writes one window row per request; odd chat ids are refused, 13 breaks the lot."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []

    async def work(self, session: AsyncSession, chats: Sequence[int]) -> list[int | Exception]:
        self.batches.append(list(chats))
        if 13 in chats:
            raise RuntimeError("the database went away")
        answers: list[int | Exception] = []
        for chat in chats:
            if chat % 2:
                answers.append(Refused(chat))
                continue
            session.add(ChatRate(chat_id=chat, recent=[]))
            answers.append(chat * 10)
        return answers


async def _stored(sessionmaker: async_sessionmaker[AsyncSession]) -> list[int]:
    async with sessionmaker() as session:
        return sorted(await session.scalars(select(ChatRate.chat_id)))


async def test_requests_made_together_share_a_transaction_and_keep_their_answers(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    ledger = Ledger()
    commit = GroupCommit[int, int](sessionmaker, ledger.work)
    answers = await asyncio.gather(*(commit(c) for c in (2, 4, 6, 8)))
    assert answers == [20, 40, 60, 80]
    assert ledger.batches == [[2, 4, 6, 8]]
    assert await _stored(sessionmaker) == [2, 4, 6, 8]
    # Alone, a request goes at once, in a transaction of its own.
    assert await commit(10) == 100
    assert ledger.batches[-1] == [10]


async def test_those_arriving_during_a_transaction_go_together_in_the_next(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    ledger = Ledger()
    commit = GroupCommit[int, int](sessionmaker, ledger.work, most=3)
    first = asyncio.ensure_future(commit(2))
    await asyncio.sleep(0)  # its transaction has begun
    rest = [asyncio.ensure_future(commit(c)) for c in (4, 6, 8, 10)]
    assert await asyncio.gather(first, *rest) == [20, 40, 60, 80, 100]
    assert ledger.batches == [[2], [4, 6, 8], [10]]


async def test_a_refused_request_fails_alone_and_so_does_one_that_breaks_the_transaction(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    ledger = Ledger()
    commit = GroupCommit[int, int](sessionmaker, ledger.work)
    answers = await asyncio.gather(*(commit(c) for c in (2, 3, 4)), return_exceptions=True)
    assert answers[0] == 20 and answers[2] == 40
    assert isinstance(answers[1], Refused)
    assert await _stored(sessionmaker) == [2, 4]  # the others' writes were committed
    # 13 breaks the shared transaction: each is tried again alone, and only 13 fails.
    broken = await asyncio.gather(*(commit(c) for c in (6, 13)), return_exceptions=True)
    assert broken[0] == 60 and isinstance(broken[1], RuntimeError)
    assert ledger.batches[-3:] == [[6, 13], [6], [13]]
    assert await _stored(sessionmaker) == [2, 4, 6]
    assert await commit(8) == 80  # and the next transaction is fine


async def test_a_runner_cancelled_leaves_nobody_waiting_and_the_next_request_goes(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    ledger = Ledger()
    commit = GroupCommit[int, int](sessionmaker, ledger.work)
    waiting = asyncio.ensure_future(commit(2))
    await asyncio.sleep(0)  # the request is made; its runner is created, not yet begun
    assert commit._runner is not None
    commit._runner.cancel()  # before it began: the loop shutting down, say
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert await commit(4) == 40


async def test_a_request_given_up_before_its_turn_is_left_out(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    ledger = Ledger()
    commit = GroupCommit[int, int](sessionmaker, ledger.work)
    first = asyncio.ensure_future(commit(2))
    await asyncio.sleep(0)
    given_up = asyncio.ensure_future(commit(4))
    kept = asyncio.ensure_future(commit(6))
    await asyncio.sleep(0)
    given_up.cancel()
    assert await first == 20 and await kept == 60
    with pytest.raises(asyncio.CancelledError):
        await given_up
    assert [4] not in ledger.batches and all(4 not in b for b in ledger.batches)
    assert await _stored(sessionmaker) == [2, 6]
