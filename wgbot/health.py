"""/healthz: is this process, and the cluster it belongs to, doing its job?

Three checks, each a reason when it fails (503):
- the database answers a trivial query within DB_TIMEOUT;
- somebody planned lately: the leader writes the end of every planning pass to
  `scheduler_beat`, a row every process reads, so a standby does not fail because it is
  not the one planning, yet every process fails when nobody planned for PLAN_STALE
  (a cluster without a leader, a leader whose planning hangs or cannot read the groups).
  A process younger than PLAN_STALE counts from its own start (a fresh database has no
  beat yet). The times are the processes' own clocks: a skew of seconds between hosts
  is nothing against 3 minutes;
- no unsettled notification is more than OVERDUE past its due time (delivery is stuck
  or far behind: Telegram unreachable, every worker busy, a chat blocked for long).
Without the scheduler (tests of commands alone) the planner check does not apply.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.clock import Clock
from storage.health import PLANNER, backlog, last_beat, ping

log = logging.getLogger(__name__)

DB_TIMEOUT = 3.0  # seconds for the whole database part of one check
PLAN_STALE = dt.timedelta(minutes=3)
OVERDUE = dt.timedelta(minutes=10)


@dataclasses.dataclass(frozen=True)
class Verdict:
    ok: bool
    body: dict[str, Any]


def _never() -> bool | None:
    return None


@dataclasses.dataclass
class Health:
    """The checks of one process. `leading` says whether its scheduler leads (None:
    no scheduler runs here); the lifecycle sets it once the scheduler exists."""

    sessionmaker: async_sessionmaker[AsyncSession]
    clock: Clock
    started_at: dt.datetime
    leading: Callable[[], bool | None] = _never
    timeout: float = DB_TIMEOUT

    async def check(self) -> Verdict:
        now = self.clock.now()
        leading = self.leading()
        body: dict[str, Any] = {"ok": True, "leader": leading}
        problems: list[str] = []
        try:
            async with asyncio.timeout(self.timeout), self.sessionmaker() as session:
                await ping(session=session)
                body["database"] = "ok"
                beat = await last_beat(session=session, name=PLANNER)
                late = await backlog(session=session, overdue_before=now - OVERDUE)
        except Exception as exc:  # whatever the database does, the answer is a 503
            reason = f"database: {_short(exc)}"
            log.warning("healthz: %s", reason)
            return Verdict(False, {"ok": False, "leader": leading, "problems": [reason]})
        if leading is not None:
            since = max(beat.at, self.started_at) if beat is not None else self.started_at
            ago = (now - since).total_seconds()
            body["planned_seconds_ago"] = round(ago) if beat is not None else None
            if now - since > PLAN_STALE:
                who = "this process leads" if leading else "this process stands by"
                last = beat.at.isoformat(timespec="seconds") if beat is not None else "never"
                problems.append(
                    f"planner: no planning pass for {round(ago)} s (last {last}; {who})"
                )
        body["pending"] = late.pending
        body["overdue"] = late.overdue
        if late.overdue and late.oldest_due is not None:
            minutes = (now - late.oldest_due).total_seconds() / 60
            things = "notification" if late.overdue == 1 else "notifications"
            problems.append(
                f"delivery: {late.overdue} {things} more than "
                f"{round(OVERDUE.total_seconds() / 60)} min overdue (oldest {minutes:.0f} min)"
            )
        if problems:
            body["ok"] = False
            body["problems"] = problems
        return Verdict(not problems, body)


def _short(exc: BaseException) -> str:
    """The error's kind and first line, without a URL (it may hold a password)."""
    if isinstance(exc, TimeoutError):
        return "no answer within the timeout"
    first = (str(getattr(exc, "orig", None) or exc).splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first[:160]}"
