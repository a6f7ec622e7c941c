"""Milestones by due date: what is coming up, what is overdue, what one agency holds.

Dates are the group's local calendar dates; the caller passes "today" in the group's
time zone. Archived milestones and those of archived commitments never show.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo

from sqlalchemy import Row, Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import Sector, Status
from storage.models import Agency, Commitment, Milestone
from storage.queries import AgencyView

OPEN_STATUSES = tuple(s for s in Status if s.is_open)


@dataclasses.dataclass(frozen=True)
class DeadlineRow:
    number: str
    title: str
    due: dt.date
    status: Status
    responsible: AgencyView | None


@dataclasses.dataclass(frozen=True)
class DueList:
    """Open milestones in a window, and how many in it are already done (not listed)."""

    rows: tuple[DeadlineRow, ...]
    done: int


def local_today(now: dt.datetime, timezone: str) -> dt.date:
    """The calendar date at `now` in a group's time zone."""
    return now.astimezone(zoneinfo.ZoneInfo(timezone)).date()


def deadline_window(today: dt.date, days: int) -> tuple[dt.date, dt.date]:
    """From today through `days` days ahead, both ends included."""
    return today, today + dt.timedelta(days=days)


def days_overdue(due: dt.date, today: dt.date) -> int:
    """Whole days past the due date (1 on the day after it)."""
    return (today - due).days


def days_until(due: dt.date, today: dt.date) -> int:
    return (due - today).days


def _milestones() -> Select[str, str, dt.date, Status, str, str, Sector]:
    """A group's current milestones as deadline rows' columns, by due date then plan
    order. Built once per query below, the values bound at execution."""
    return (
        select(
            Milestone.number,
            Milestone.title,
            Milestone.due,
            Milestone.status,
            Agency.code,
            Agency.name,
            Agency.sector,
        )
        .join(Commitment, Commitment.id == Milestone.commitment_id)
        .outerjoin(Agency, Agency.id == Milestone.responsible_agency_id)
        .where(
            Milestone.working_group_id == bindparam("group_id"),
            Milestone.archived.is_(False),
            Commitment.archived.is_(False),
        )
        .order_by(Milestone.due, Commitment.position, Milestone.position, Milestone.id)
    )


_DUE_BETWEEN = _milestones().where(
    Milestone.due >= bindparam("start"), Milestone.due <= bindparam("end")
)
_OVERDUE_AT = _milestones().where(
    Milestone.due < bindparam("today"), Milestone.status.in_(OPEN_STATUSES)
)
_OF_AGENCY = _milestones().where(Milestone.responsible_agency_id == bindparam("agency_id"))


def _row(row: Row[str, str, dt.date, Status, str, str, Sector]) -> DeadlineRow:
    number, title, due, status, code, name, sector = row  # no agency: its columns are None
    return DeadlineRow(
        number=number,
        title=title,
        due=due,
        status=status,
        responsible=None if code is None else AgencyView(code=code, name=name, sector=sector),
    )


async def due_between(
    *, session: AsyncSession, group_id: int, start: dt.date, end: dt.date
) -> DueList:
    """Open milestones due from `start` through `end`, soonest first."""
    found = await session.execute(_DUE_BETWEEN, {"group_id": group_id, "start": start, "end": end})
    rows = [_row(m) for m in found]
    open_rows = tuple(r for r in rows if r.status.is_open)
    return DueList(rows=open_rows, done=len(rows) - len(open_rows))


async def overdue_at(*, session: AsyncSession, group_id: int, today: dt.date) -> list[DeadlineRow]:
    """Open milestones whose due date is before `today`, most overdue first."""
    found = await session.execute(_OVERDUE_AT, {"group_id": group_id, "today": today})
    return [_row(m) for m in found]


async def of_agency(*, session: AsyncSession, group_id: int, agency_id: int) -> list[DeadlineRow]:
    """Every current milestone an agency is responsible for, by due date."""
    found = await session.execute(_OF_AGENCY, {"group_id": group_id, "agency_id": agency_id})
    return [_row(m) for m in found]
