"""What became of an outbox row, written down while its worker holds the lease: each
message sent, the row settled (sent, failed, cancelled), handed back, retried later; a
chat that blocked us, left, or moved; leases of workers that are gone taken over.
Claiming is in storage.claims, planning in storage.outbox.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Chat, ChatRate, Member, Notification
from storage.outbox import NOTIFICATIONS, State, is_postgres

log = logging.getLogger("storage.outbox")

_ROWS = NOTIFICATIONS.c


# Core, built once: the columns to set come with each execution's parameters.
_LEASED_ROW = (
    update(NOTIFICATIONS)
    .where(
        _ROWS.id == bindparam("row_id"),
        _ROWS.claimed_by == bindparam("worker"),
        _ROWS.state == State.SENDING,
    )
    .returning(_ROWS.id)
)


async def _set(session: AsyncSession, row_id: int, worker: str, **values: Any) -> bool:
    """Write an outcome only while `worker` still holds the row's lease; False when it
    does not (the lease expired and another worker took the row over). Plain values go
    as parameters of the one statement built once; an expression (attempts + 1) is
    added to it."""
    expressions = {k: v for k, v in values.items() if isinstance(v, ColumnElement)}
    stmt = _LEASED_ROW.values(**expressions) if expressions else _LEASED_ROW
    params = {k: v for k, v in values.items() if k not in expressions}
    result = await session.execute(stmt, {"row_id": row_id, "worker": worker, **params})
    if result.first() is None:
        log.warning("row %s is no longer leased by %s: outcome not recorded", row_id, worker)
        return False
    return True


@dataclasses.dataclass(frozen=True)
class PartSent:
    """A message of a leased outbox row went out; the row is sent once its last has."""

    row_id: int
    parts_sent: int  # how many of the row's messages have gone, this one included
    message_id: int | None  # kept on the row (its first message's); None: leave it
    final: bool
    late: bool


async def record_sends(
    *, session: AsyncSession, worker: str, now: dt.datetime, sends: Sequence[PartSent]
) -> list[bool]:
    """Each message that went, written while `worker` still holds its row's lease: for
    each, False when it does not (another worker took the row over)."""
    written = []
    for sent in sends:
        values: dict[str, Any] = {"parts_sent": sent.parts_sent}
        if sent.final:  # claimed_by stays: which worker sent it
            values.update(state=State.SENT, late=sent.late, sent_at=now, last_error=None)
        if sent.message_id is not None:
            values["telegram_message_id"] = sent.message_id
        written.append(await _set(session, sent.row_id, worker, **values))
    return written


async def record_state(
    *,
    session: AsyncSession,
    row_id: int,
    worker: str,
    state: State,
    error: str | None = None,
    count_attempt: bool = False,
) -> bool:
    """A final state other than sent (failed on a permanent error, cancelled at render)."""
    values: dict[str, Any] = {"state": state, "last_error": error, "claimed_by": None}
    if count_attempt:
        values["attempts"] = Notification.attempts + 1
    return await _set(session, row_id, worker, **values)


async def record_retry(
    *,
    session: AsyncSession,
    row_id: int,
    worker: str,
    error: str,
    next_attempt_at: dt.datetime | None,
    count_attempt: bool,
) -> bool:
    """Back to pending: later (`next_attempt_at`) or when its chat's block ends."""
    values: dict[str, Any] = {
        "state": State.PENDING,
        "claimed_by": None,
        "last_error": error[:500],
        "next_attempt_at": next_attempt_at,
    }
    if count_attempt:
        values["attempts"] = Notification.attempts + 1
    return await _set(session, row_id, worker, **values)


async def block_chat(*, session: AsyncSession, chat_id: int, until: dt.datetime) -> None:
    """Telegram said "retry after": that chat, and only that chat, waits."""
    rate = await session.get(ChatRate, chat_id, with_for_update=is_postgres(session))
    if rate is None:
        session.add(ChatRate(chat_id=chat_id, recent=[], next_send_at=until))
    elif rate.next_send_at is None or rate.next_send_at < until:
        rate.next_send_at = until


async def chat_gone(*, session: AsyncSession, chat_id: int, reason: str) -> int:
    """The bot may no longer write to a chat: mark it and fail what was waiting for it.

    A group chat becomes inactive; for a private chat, the user's members forget that
    they opened one (so no personal reminder is planned for them again).
    """
    if chat_id < 0:
        await session.execute(
            update(Chat).where(Chat.id == chat_id).values(active=False, inactive_reason=reason)
        )
    else:
        await session.execute(
            update(Member).where(Member.telegram_user_id == chat_id).values(private_chat=False)
        )
    result = await session.execute(
        update(Notification)
        .where(
            Notification.chat_id == chat_id,
            Notification.state.in_([State.PENDING, State.SENDING]),
        )
        .values(state=State.FAILED, last_error=reason[:500], claimed_by=None)
        .returning(Notification.id)
    )
    return len(result.all())


async def release(*, session: AsyncSession, row_ids: Sequence[int], worker: str) -> None:
    """A stopping worker hands back rows it claimed but never started to send."""
    if row_ids:
        await session.execute(
            update(Notification)
            .where(
                Notification.id.in_(list(row_ids)),
                Notification.state == State.SENDING,
                Notification.claimed_by == worker,
            )
            .values(state=State.PENDING, claimed_by=None, claimed_at=None)
        )


async def lease_holders(*, session: AsyncSession) -> set[str]:
    """The workers that hold a lease on some row now."""
    rows = await session.scalars(
        select(Notification.claimed_by)
        .where(Notification.state == State.SENDING, Notification.claimed_by.is_not(None))
        .distinct()
    )
    return {r for r in rows if r is not None}


async def take_over(*, session: AsyncSession, dead: Sequence[str]) -> int:
    """Rows leased by workers known to be dead go back to the queue at once, instead of
    waiting for their leases to run out. How many rows."""
    if not dead:
        return 0
    result = await session.execute(
        update(Notification)
        .where(Notification.state == State.SENDING, Notification.claimed_by.in_(list(dead)))
        .values(state=State.PENDING, claimed_by=None, claimed_at=None)
        .returning(Notification.id)
    )
    return len(result.all())


async def follow_migration(*, session: AsyncSession, old_id: int, new_id: int, worker: str) -> int:
    """A group became a supergroup: its waiting rows, and the rows this worker holds for
    it (back to pending), now go to the new chat. How many rows moved."""
    result = await session.execute(
        update(Notification)
        .where(
            Notification.chat_id == old_id,
            or_(
                Notification.state == State.PENDING,
                and_(Notification.state == State.SENDING, Notification.claimed_by == worker),
            ),
        )
        .values(chat_id=new_id, state=State.PENDING, claimed_by=None, claimed_at=None)
        .returning(Notification.id)
        .execution_options(synchronize_session=False)
    )
    return len(result.all())
