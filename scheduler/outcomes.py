"""What became of each outbox row, written down: sent (part by part), handed back,
retried with backoff, given up on, or following its chat; the delivery worker's half
that only writes (scheduler.delivery sends).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.clock import Clock
from domain.metrics import Metrics
from scheduler.sending import ChatGone, Moved, Outcome, Refused, Throttled, Trouble, finish
from storage.claims import Claimed
from storage.db import transaction
from storage.groups import move_chat
from storage.outbox import State
from storage.outcomes import (
    PartSent,
    block_chat,
    chat_gone,
    follow_migration,
    record_retry,
    record_state,
    release,
)

if TYPE_CHECKING:
    from scheduler.delivery import DeliveryConfig

log = logging.getLogger("scheduler.delivery")


@dataclasses.dataclass
class Outcomes:
    """One worker's writes of its rows' outcomes, in short transactions: each of its own,
    but the records of messages that went, which the chats sending at once share with
    their slots (the worker's GroupCommit)."""

    sessionmaker: async_sessionmaker[AsyncSession]
    worker: str
    clock: Clock
    wall: Callable[[], float]
    config: DeliveryConfig
    metrics: Metrics
    # Writes a sent message down (the worker's shared transactions, with the slots).
    sends: Callable[[PartSent], Awaitable[object]]

    async def release(self, row_ids: list[int]) -> None:
        if not row_ids:
            return
        try:
            async with transaction(self.sessionmaker) as session:
                await release(session=session, row_ids=row_ids, worker=self.worker)
        except Exception:
            log.warning("could not hand back %d rows; their leases will expire", len(row_ids))

    async def failed(self, row: Claimed, outcome: Outcome) -> bool:
        """Write down a send that did not go; False when its chat takes nothing more now."""
        if isinstance(outcome, Throttled):
            self.metrics.throttled("outbox")
            log.info(
                "429 in chat %s: waiting %ss there (%s)", row.chat_id, outcome.seconds, row.key
            )
            async with transaction(self.sessionmaker) as session:
                until = dt.datetime.fromtimestamp(self.wall() + outcome.seconds, dt.UTC)
                await block_chat(session=session, chat_id=row.chat_id, until=until)
                await record_retry(
                    session=session,
                    row_id=row.id,
                    worker=self.worker,
                    error=outcome.error,
                    next_attempt_at=None,
                    count_attempt=False,
                )
            return False
        if isinstance(outcome, ChatGone):
            async with transaction(self.sessionmaker) as session:
                count = await chat_gone(session=session, chat_id=row.chat_id, reason=outcome.reason)
            self.metrics.failed("chat_gone", count)
            log.warning(
                "chat %s is gone (%s): marked inactive, %d notifications failed",
                row.chat_id,
                outcome.reason,
                count,
            )
            return False
        if isinstance(outcome, Moved):
            await self.chat_moved(row, outcome.new_chat_id)
            return False
        if isinstance(outcome, Refused):
            log.warning("failed %s: Telegram refused it: %s", row.key, outcome.reason)
            await self.settle(row, State.FAILED, outcome.reason)
            self.metrics.failed("refused")
            return True
        assert isinstance(outcome, Trouble)
        await self.retry_later(row, outcome.error)
        return True

    async def chat_moved(self, row: Claimed, new_id: int) -> None:
        """The group became a supergroup: link and queue follow it, this row included."""
        async with transaction(self.sessionmaker) as session:
            now = self.clock.now()
            await move_chat(session=session, old_id=row.chat_id, new_id=new_id, now=now)
            moved = await follow_migration(
                session=session, old_id=row.chat_id, new_id=new_id, worker=self.worker
            )
        log.warning(
            "chat %s moved to %s: %d notifications follow it (%s)",
            row.chat_id,
            new_id,
            moved,
            row.key,
        )

    async def retry_later(self, row: Claimed, error: str) -> None:
        attempts = row.attempts + 1
        if attempts >= self.config.max_attempts:
            log.error("failed %s after %d attempts: %s", row.key, attempts, error)
            async with transaction(self.sessionmaker) as session:
                await record_state(
                    session=session,
                    row_id=row.id,
                    worker=self.worker,
                    state=State.FAILED,
                    error=error[:500],
                    count_attempt=True,
                )
            self.metrics.failed("gave_up")
            return
        delay = min(self.config.backoff_cap, self.config.backoff_base * 2 ** (attempts - 1))
        delay *= random.uniform(0.5, 1.5)  # jitter, not cryptography
        log.info("retrying %s in %.0fs (attempt %d): %s", row.key, delay, attempts, error)
        async with transaction(self.sessionmaker) as session:
            await record_retry(
                session=session,
                row_id=row.id,
                worker=self.worker,
                error=error,
                next_attempt_at=self.clock.now() + dt.timedelta(seconds=delay),
                count_attempt=True,
            )

    async def settle(self, row: Claimed, state: State, error: str | None) -> None:
        async with transaction(self.sessionmaker) as session:
            await record_state(
                session=session, row_id=row.id, worker=self.worker, state=state, error=error
            )

    async def record(
        self,
        row: Claimed,
        *,
        final: bool,
        parts_sent: int,
        message_id: int | None,
        first: bool = False,
    ) -> None:
        """One more part, or (`final`) the whole row, sent; finishes even when cancelled.

        The records of the chats sending at once share a transaction (GroupCommit)."""
        if not final and message_id is None:
            return
        sent = PartSent(
            row_id=row.id,
            parts_sent=parts_sent,  # every part counts: a row resumed goes on after it
            message_id=message_id if final or first else None,  # the row keeps its first
            final=final,
            late=row.late,
        )
        await finish(lambda: self.sends(sent))
