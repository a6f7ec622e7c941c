"""The outbox: every notification is a row first, then a Telegram message.

States: pending → sending (claimed by one worker, a lease) → sent; or failed (gave up,
chat gone), cancelled (no longer wanted before it was sent), dropped (missed by more
than the grace window). A row is created once per key, ever (INSERT … ON CONFLICT).
Claiming under the flood limits is in storage.claims.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, bindparam, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from domain.rules import LATE_AFTER, PLANNED_KINDS, Planned, Window
from storage.models import ChatRate, Notification

log = logging.getLogger(__name__)


class State(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"
    DROPPED = "dropped"


def dialect_insert(session: AsyncSession) -> Any:
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# The outbox's table for Core statements built once (here, in claims and in outcomes).
NOTIFICATIONS = Notification.metadata.tables[Notification.__tablename__]
_ROWS = NOTIFICATIONS.c


# --- planning ---------------------------------------------------------------------------


def _upsert(insert: Any) -> Any:
    stmt = insert(NOTIFICATIONS)
    revive = {
        name: stmt.excluded[name]
        for name in ("chat_id", "payload", "due_at", "state", "late", "attempts")
    }
    revive |= {"next_attempt_at": None, "last_error": None, "parts_sent": 0}
    return stmt.on_conflict_do_update(
        index_elements=["key"], set_=revive, where=stmt.table.c.state == State.CANCELLED
    ).returning(stmt.table.c.key, stmt.table.c.state, stmt.table.c.due_at)


# Built once (Core, executed with a parameter set per row): planning runs every minute
# for every group, and most of what it writes is already there.
_STORE = {"postgresql": _upsert(postgresql.insert), "sqlite": _upsert(sqlite.insert)}


async def store_planned(
    *,
    session: AsyncSession,
    group_id: int | None,
    planned: Sequence[Planned],
    now: dt.datetime,
    grace: dt.timedelta,
) -> list[str]:
    """Insert what is new (a cancelled row of a wanted key comes back); the keys written."""
    if not planned:
        return []
    rows = [
        {
            "key": p.key,
            "working_group_id": group_id,
            "chat_id": p.chat_id,
            "kind": p.kind,
            "payload": p.payload,
            "due_at": p.due_at,
            "state": State.DROPPED if p.due_at < now - grace else State.PENDING,
            "attempts": 0,
            "late": p.due_at < now - LATE_AFTER,
            "parts_sent": 0,
            "created_at": now,
        }
        for p in planned
    ]
    written: list[str] = []
    stmt = _STORE["postgresql" if is_postgres(session) else "sqlite"]
    for key, state, due_at in (await session.execute(stmt, rows)).all():
        written.append(key)
        if state == State.DROPPED:
            log.warning("dropped %s: due %s, older than the grace window", key, due_at)
    return written


# The group's planner-written rows (what members asked for, /digest, is not the
# planner's to cancel): pending ones in the window, and those of a wanted key whatever
# their state.
_FOLLOWING = select(
    Notification.id,
    Notification.key,
    Notification.state,
    Notification.due_at,
    Notification.chat_id,
    Notification.payload,
).where(
    Notification.working_group_id == bindparam("group_id"),
    Notification.kind.in_(PLANNED_KINDS),
    or_(
        and_(
            Notification.state == State.PENDING,
            Notification.due_at >= bindparam("start"),
            Notification.due_at < bindparam("end"),
        ),
        Notification.key.in_(bindparam("keys", expanding=True)),
    ),
)


@dataclasses.dataclass(frozen=True)
class Followed:
    cancelled: list[str]  # pending rows no longer wanted
    present: frozenset[str]  # wanted keys in the outbox already, not cancelled


async def reconcile(
    *,
    session: AsyncSession,
    group_id: int,
    planned: Sequence[Planned],
    window: Window,
    now: dt.datetime,
) -> Followed:
    """Pending rows follow the plan: unwanted ones in the window are cancelled, wanted ones
    get their current time, chat and facts. Says which wanted keys are there already
    (what `store_planned` need not write)."""
    wanted = {p.key: p for p in planned}
    rows = (
        await session.execute(
            _FOLLOWING,
            {
                "group_id": group_id,
                "start": window.start,
                "end": window.end,
                "keys": list(wanted),
            },
        )
    ).all()
    present = frozenset(r.key for r in rows if r.key in wanted and r.state != State.CANCELLED)
    rows = [r for r in rows if r.state == State.PENDING]
    # Every write re-checks `pending`: a worker may have claimed the row since it was read
    # (then it is the worker's to settle, and cancelling it would let it be revived and
    # sent again).
    still_pending = Notification.state == State.PENDING
    unwanted = [r.id for r in rows if r.key not in wanted and r.due_at in window]
    cancelled: list[str] = []
    if unwanted:
        result = await session.execute(
            update(Notification)
            .where(Notification.id.in_(unwanted), still_pending)
            .values(state=State.CANCELLED)
            .returning(Notification.key)
            .execution_options(synchronize_session=False)
        )
        cancelled = sorted(result.scalars())
    for row in rows:
        want = wanted.get(row.key)
        if want is None:
            continue
        if (row.due_at, row.chat_id, row.payload) != (want.due_at, want.chat_id, want.payload):
            await session.execute(
                update(Notification)
                .where(Notification.id == row.id, still_pending)
                .values(
                    due_at=want.due_at,
                    chat_id=want.chat_id,
                    payload=want.payload,
                    late=want.due_at < now - LATE_AFTER,
                )
                .execution_options(synchronize_session=False)
            )
    return Followed(cancelled=cancelled, present=present)


_DROP_STALE = (
    update(NOTIFICATIONS)
    .where(
        _ROWS.due_at < bindparam("before"),
        or_(
            _ROWS.state == State.PENDING,
            and_(_ROWS.state == State.SENDING, _ROWS.claimed_at < bindparam("lease_from")),
        ),
    )
    .values(state=State.DROPPED, claimed_by=None, last_error="missed the grace window")
    .returning(_ROWS.key, _ROWS.due_at)
)
_DROP_STALE_OF = _DROP_STALE.where(_ROWS.working_group_id == bindparam("group_id"))


async def drop_stale(
    *,
    session: AsyncSession,
    now: dt.datetime,
    grace: dt.timedelta,
    lease: dt.timedelta,
    group_id: int | None = None,
) -> list[str]:
    """Rows not sent within the grace window are never sent: dropped, with a log line."""
    stmt = _DROP_STALE if group_id is None else _DROP_STALE_OF
    params = {"before": now - grace, "lease_from": now - lease, "group_id": group_id}
    dropped = list((await session.execute(stmt, params)).all())
    for key, due_at in dropped:
        log.warning("dropped %s: due %s, not sent within the grace window", key, due_at)
    return [key for key, _ in dropped]


async def clean_up(
    *, session: AsyncSession, before: dt.datetime, idle_since: dt.datetime
) -> tuple[int, int]:
    """Forget settled notifications due before `before` and send windows unused since
    `idle_since` (the bot-wide one stays). Returns (notifications, windows) deleted."""
    settled = [State.SENT, State.CANCELLED, State.DROPPED, State.FAILED]
    gone = await session.execute(
        delete(Notification)
        .where(Notification.state.in_(settled), Notification.due_at < before)
        .returning(Notification.id)
        .execution_options(synchronize_session=False)
    )
    notifications = len(gone.all())
    # The bot-wide window first, like every claim: a window is never deleted under a
    # worker that is reserving a slot in it.
    await session.get(ChatRate, 0, with_for_update=is_postgres(session))
    query = select(ChatRate).where(ChatRate.chat_id != 0)
    if is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    idle = idle_since.timestamp()
    stale = [
        r.chat_id
        for r in await session.scalars(query)
        if (r.next_send_at is None or r.next_send_at < idle_since)
        and all(t < idle for t in r.recent or [])
    ]
    for start in range(0, len(stale), 500):
        await session.execute(
            delete(ChatRate).where(ChatRate.chat_id.in_(stale[start : start + 500]))
        )
    return notifications, len(stale)
