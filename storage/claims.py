"""Claiming outbox rows under Telegram's flood limits, shared by every process.

A worker takes the lease on due rows whose chats have room (`claim`), then takes each
message's place in the windows right before sending it (`reserve_slots`). The windows
live in `chat_rate` (storage.send_windows), so the limits hold across
restarts and processes; on PostgreSQL rows are claimed with FOR UPDATE SKIP LOCKED.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.ratelimit import GLOBAL_CHAT, RateLimits, admit, free_at, prune
from storage.models import Chat, ChatRate, Notification
from storage.outbox import NOTIFICATIONS, State, drop_stale, is_postgres
from storage.send_windows import lock_windows, queue_claims, save_windows, take, wall_instant

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Claimed:
    """A row a worker holds the lease on, detached from the session."""

    id: int
    key: str
    kind: str
    chat_id: int
    group_id: int | None
    payload: dict[str, Any]
    due_at: dt.datetime
    late: bool
    attempts: int
    parts_sent: int


@dataclasses.dataclass(frozen=True)
class Claim:
    rows: list[Claimed]
    wake_at: float | None  # wall-clock instant when a rate-limited row may go; None: unknown


async def claim(
    *,
    session: AsyncSession,
    worker: str,
    now: dt.datetime,
    wall: float,
    limits: RateLimits,
    lease: dt.timedelta,
    grace: dt.timedelta,
    batch: int,
    lookahead: float = 0.0,
) -> Claim:
    """Take the lease on due rows whose chats have room at the wall-clock instant `wall`.

    Room is the chat's window (and the bot's) minus the rows already being sent; the
    slot itself is reserved just before each send (`reserve_slots`), so the windows hold
    the instants messages really left. Rows past the grace window are dropped first.

    With a `lookahead` (seconds), rows whose place in the bot's window opens within it
    are taken too, so that the worker holds them ready when their slots open instead of
    claiming again each time one does (what kept fan-out at three quarters of 30/s).
    """
    due = and_(
        Notification.state == State.PENDING,
        Notification.due_at <= now,
        or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now),
    )
    stale = and_(Notification.state == State.SENDING, Notification.claimed_at < now - lease)
    # An idle poll only reads: no lock, no write, when nothing is due.
    if await session.scalar(select(Notification.id).where(or_(due, stale)).limit(1)) is None:
        return Claim(rows=[], wake_at=None)
    await queue_claims(session)
    await drop_stale(session=session, now=now, grace=grace, lease=lease)
    query = (
        select(Notification)
        .outerjoin(ChatRate, ChatRate.chat_id == Notification.chat_id)
        .where(
            or_(due, stale),
            or_(ChatRate.next_send_at.is_(None), ChatRate.next_send_at <= wall_instant(wall)),
        )
        .order_by(Notification.due_at, Notification.id)
        .limit(batch * 4)
    )
    if is_postgres(session):
        query = query.with_for_update(skip_locked=True, of=Notification)
    candidates = list(await session.scalars(query))
    if not candidates:
        return Claim(rows=[], wake_at=await _blocked_until(session, due, wall))
    chats = {c.chat_id for c in candidates}
    gone = set(
        await session.scalars(select(Chat.id).where(Chat.id.in_(chats), Chat.active.is_(False)))
    )
    windows = await _windows_in_use(session, chats, now=now, wall=wall, lease=lease, limits=limits)
    claimed: list[Notification] = []
    wake: float | None = None
    for row in candidates:
        if row.chat_id in gone:
            row.state, row.last_error = State.FAILED, "chat is inactive"
            log.warning("failed %s: chat %s is inactive", row.key, row.chat_id)
            continue
        if len(claimed) >= batch:
            break
        overall, chat_limit = limits.overall, limits.for_chat(row.chat_id)
        at = wall
        ok, overall_window = admit(windows[GLOBAL_CHAT], wall, overall, limits.span(overall))
        if not ok:
            opens = free_at(overall_window, overall, limits.span(overall))
            if opens is None or opens > wall + lookahead:
                wake = opens
                break
            # Its slot opens within the lookahead: count it there, as the send will.
            at, overall_window = opens, sorted([*overall_window, opens])
        ok, chat_window = admit(windows[row.chat_id], at, chat_limit, limits.span(chat_limit))
        if not ok:
            room = free_at(chat_window, chat_limit, limits.span(chat_limit))
            wake = room if wake is None or (room is not None and room < wake) else wake
            continue
        windows[GLOBAL_CHAT], windows[row.chat_id] = overall_window, chat_window
        if row.state == State.SENDING:
            log.warning("reclaiming %s from %s: its lease expired", row.key, row.claimed_by)
        row.state, row.claimed_by, row.claimed_at = State.SENDING, worker, now
        claimed.append(row)
    await session.flush()
    return Claim(rows=[detached(r) for r in claimed], wake_at=wake)


async def _windows_in_use(
    session: AsyncSession,
    chats: set[int],
    *,
    now: dt.datetime,
    wall: float,
    lease: dt.timedelta,
    limits: RateLimits,
) -> dict[int, list[float]]:
    """Each chat's recent sends plus one placeholder per row some worker is sending now."""
    rates = {
        r.chat_id: r
        for r in await session.scalars(
            select(ChatRate)
            .where(ChatRate.chat_id.in_({GLOBAL_CHAT, *chats}))
            .execution_options(populate_existing=True)
        )
    }
    in_flight = dict(
        (
            await session.execute(
                select(Notification.chat_id, func.count())
                .where(Notification.state == State.SENDING, Notification.claimed_at >= now - lease)
                .group_by(Notification.chat_id)
            )
        ).all()
    )
    windows: dict[int, list[float]] = {}
    for chat in {GLOBAL_CHAT, *chats}:
        rate = rates.get(chat)
        span = limits.span(limits.for_chat(chat))
        recent = prune((rate.recent or []) if rate else [], wall, span)
        busy = sum(in_flight.values()) if chat == GLOBAL_CHAT else in_flight.get(chat, 0)
        windows[chat] = sorted([*recent, *([wall] * busy)])
    return windows


async def _blocked_until(session: AsyncSession, due: Any, wall: float) -> float | None:
    """When the first chat with due rows that is held back (429, full window) opens."""
    opens = await session.scalar(
        select(func.min(ChatRate.next_send_at))
        .join(Notification, Notification.chat_id == ChatRate.chat_id)
        .where(due, ChatRate.next_send_at > wall_instant(wall))
    )
    return opens.timestamp() if opens is not None else None


class LeaseLost(Exception):
    """The row's lease ran out and another worker took it over: do not send it."""


_ROWS = NOTIFICATIONS.c
_RENEW = (
    update(NOTIFICATIONS)
    .where(
        _ROWS.id.in_(bindparam("ids", expanding=True)),
        _ROWS.claimed_by == bindparam("worker"),
        _ROWS.state == State.SENDING,
    )
    .values(claimed_at=bindparam("now"))
    .returning(_ROWS.id)
)


@dataclasses.dataclass(frozen=True)
class SlotRequest:
    """A message of an outbox row about to leave: the row and the chat it goes to."""

    row_id: int
    chat_id: int


async def reserve_slots(
    *,
    session: AsyncSession,
    requests: Sequence[SlotRequest],
    worker: str,
    now: dt.datetime,
    wall: Callable[[], float],
    limits: RateLimits,
) -> list[float | LeaseLost | None]:
    """The send slots of messages about to be sent, in the order asked: for each, None
    when taken, else the wall-clock instant its chat (or the bot) has room again, or
    LeaseLost when another worker has its row now (nothing is taken for it).

    The same transaction renews the rows' leases (`claimed_at = now`), so a worker that
    took long to get here still owns a row while it sends. The instant recorded is read
    once the windows are locked, so waiting for the lock never makes a send look earlier
    than it was. A chat whose window is full is marked closed until it opens
    (`next_send_at`), so claims skip it meanwhile.
    """
    rates = await lock_windows(session, [r.chat_id for r in requests])
    renewed = set(
        await session.scalars(
            _RENEW, {"ids": [r.row_id for r in requests], "worker": worker, "now": now}
        )
    )
    at = wall()
    taken = [
        take(rates, r.chat_id, at, limits) if r.row_id in renewed else LeaseLost(r.row_id)
        for r in requests
    ]
    await save_windows(session, rates)
    return taken


def detached(row: Notification) -> Claimed:
    """The row's facts, free of the session."""
    return Claimed(
        id=row.id,
        key=row.key,
        kind=row.kind,
        chat_id=row.chat_id,
        group_id=row.working_group_id,
        payload=dict(row.payload),
        due_at=row.due_at,
        late=row.late,
        attempts=row.attempts,
        parts_sent=row.parts_sent,
    )
