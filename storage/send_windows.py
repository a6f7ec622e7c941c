"""Telegram's flood limits, kept in the database and shared by every process: the send
windows (`chat_rate`, one row per chat, 0 = the whole bot), locked in one order, and a
send's slot taken in them (the rule itself is domain.ratelimit). Replies take their
slots here (`take_slot`); the outbox through storage.claims.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from domain.ratelimit import GLOBAL_CHAT, RateLimits, admit, free_at, taken_at
from storage.models import ChatRate
from storage.outbox import is_postgres


def wall_instant(at: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(at, dt.UTC)


_RATE_TABLE = ChatRate.metadata.tables[ChatRate.__tablename__]
_W = _RATE_TABLE.c
# Core statements built once: a send slot is the hottest write the bot makes.
# The windows' rows are created as needed (executed with one parameter set per chat).
_ADD_RATES = {
    "postgresql": postgresql.insert(_RATE_TABLE).on_conflict_do_nothing(index_elements=["chat_id"]),
    "sqlite": sqlite.insert(_RATE_TABLE).on_conflict_do_nothing(index_elements=["chat_id"]),
}
_RATES = select(_W.chat_id, _W.recent, _W.next_send_at).where(
    _W.chat_id.in_(bindparam("ids", expanding=True))
)
_LOCK_RATES = _RATES.order_by(_W.chat_id != GLOBAL_CHAT, _W.chat_id).with_for_update()
_READ_RATES = _RATES.order_by(_W.chat_id)
_SAVE_RATE = (
    update(_RATE_TABLE)
    .where(_W.chat_id == bindparam("window"))
    .values(recent=bindparam("instants"), next_send_at=bindparam("closed_until"))
)


@dataclasses.dataclass
class SendWindow:
    """A chat's window as locked: its recent send instants and how long it is closed."""

    chat_id: int
    recent: list[float]
    next_send_at: dt.datetime | None
    changed: bool = False


async def lock_windows(session: AsyncSession, chat_ids: Sequence[int]) -> dict[int, SendWindow]:
    """The bot-wide window row first (every claimer takes it, so claims queue), then the
    chats' rows in id order: one lock order everywhere, no deadlock.

    On PostgreSQL one SELECT … FOR UPDATE locks them in that order: the bot-wide row,
    which every reply and every notification waits for, is held for that statement, the
    windows' update and the commit. On SQLite this process is the only one that writes
    the windows (a second bot refuses the file; the command line never sends), and its
    transactions take turns (storage.db.transaction). Changes are written by `save_windows`."""
    ids = sorted({GLOBAL_CHAT, *chat_ids}, key=lambda c: (c != GLOBAL_CHAT, c))
    postgres = is_postgres(session)
    query = _LOCK_RATES if postgres else _READ_RATES
    windows = await _windows(session, query, ids)
    missing = [c for c in ids if c not in windows]
    if not missing:
        return windows
    # Every locker takes the bot's row first, so a missing row can be created after the
    # others are locked (once per chat, ever).
    await session.execute(
        _ADD_RATES["postgresql" if postgres else "sqlite"],
        [{"chat_id": c, "recent": []} for c in missing],
    )
    return await _windows(session, query, ids)


async def _windows(
    session: AsyncSession, query: Select[Any], ids: list[int]
) -> dict[int, SendWindow]:
    rows = await session.execute(query, {"ids": ids})
    return {r.chat_id: SendWindow(r.chat_id, r.recent or [], r.next_send_at) for r in rows}


async def save_windows(session: AsyncSession, windows: dict[int, SendWindow]) -> None:
    changed = [
        {"window": w.chat_id, "instants": w.recent, "closed_until": w.next_send_at}
        for w in windows.values()
        if w.changed
    ]
    if changed:
        await session.execute(_SAVE_RATE, changed)


def _window_after(rate: SendWindow, recent: list[float], limits: RateLimits, wall: float) -> None:
    limit = limits.for_chat(rate.chat_id)
    span = limits.span(limit)
    rate.recent = recent
    blocked = (
        rate.next_send_at if rate.next_send_at and rate.next_send_at > wall_instant(wall) else None
    )
    free = free_at(recent, limit, span)
    candidates = [t for t in (blocked, wall_instant(free) if free is not None else None) if t]
    rate.next_send_at = max(candidates) if candidates else None
    rate.changed = True


async def take_slot(
    *, session: AsyncSession, chat_id: int, wall: Callable[[], float], limits: RateLimits
) -> float | None:
    """A reply's send slot in the same windows the outbox uses, so replies and
    notifications together stay within Telegram's limits, across processes: None when
    taken, else the wall-clock instant the chat (or the bot) has room again."""
    rates = await lock_windows(session, [chat_id])
    taken = take(rates, chat_id, wall(), limits)
    await save_windows(session, rates)
    return taken


def take(rates: dict[int, SendWindow], chat_id: int, at: float, limits: RateLimits) -> float | None:
    """Take one send at `at` in the chat's and the bot's windows (locked), or say when."""
    rate, overall = rates[chat_id], rates[GLOBAL_CHAT]
    if rate.next_send_at is not None and rate.next_send_at > wall_instant(at):
        return rate.next_send_at.timestamp()
    chat_limit = limits.for_chat(chat_id)
    bot_window = (overall.recent, limits.overall, limits.span(limits.overall))
    chat_window = (rate.recent, chat_limit, limits.span(chat_limit))
    ok_all, all_after = admit(bot_window[0], at, *bot_window[1:])
    ok_chat, chat_after = admit(chat_window[0], at, *chat_window[1:])
    if not ok_chat:
        opens = free_at(chat_after, *chat_window[1:])
        if opens is not None:
            rate.next_send_at, rate.changed = wall_instant(opens), True
    if not (ok_all and ok_chat):
        waits = [
            free_at(all_after, *bot_window[1:]) if not ok_all else None,
            free_at(chat_after, *chat_window[1:]) if not ok_chat else None,
        ]
        return max(w for w in waits if w is not None)
    # Recorded when its slot opened, if it waited for it a little; both windows have
    # room at that instant too (taken_at's promise; admit checks it again).
    back = taken_at(at, [bot_window, chat_window], limits.back)
    ok_all, all_back = admit(bot_window[0], back, *bot_window[1:])
    ok_chat, chat_back = admit(chat_window[0], back, *chat_window[1:])
    if ok_all and ok_chat:
        at, all_after, chat_after = back, all_back, chat_back
    _window_after(overall, all_after, limits, at)
    _window_after(rate, chat_after, limits, at)
    return None


async def queue_claims(session: AsyncSession) -> None:
    """Where claims queue: the bot-wide window row, locked. On SQLite a write takes the
    file's write lock before the candidates are read, so no other process (the command
    line) writes in between."""
    if is_postgres(session):
        await lock_windows(session, [])
    else:
        await session.execute(_ADD_RATES["sqlite"], [{"chat_id": GLOBAL_CHAT, "recent": []}])
