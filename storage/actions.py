"""Action items `A<n>`: recorded in minutes, tracked like milestones.

Keyword-only functions taking the caller's session; none of them commits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools

from sqlalchemy import Row, Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from domain.enums import Sector, Status
from domain.text import clean_text
from domain.tracked import ActionFacts
from storage.deadlines import (
    OPEN_STATUSES,
    DeadlineRow,
)
from storage.models import ActionItem, ActionUpdate, Agency, Member, WorkingGroup
from storage.progress import MilestoneHistory, report_fields, reports_of
from storage.queries import AgencyView, MilestoneView

PREFIX = "A"


def label(number: int) -> str:
    """How an action item is shown and typed: A1, A2, …"""
    return f"{PREFIX}{number}"


def parse_label(word: str) -> int | None:
    """The number of `A3` (or `a3`), else None."""
    word = word.strip().rstrip(".:,")
    if len(word) < 2 or word[0] not in "Aa" or not word[1:].isascii() or not word[1:].isdigit():
        return None
    number = int(word[1:])
    return number if 0 < number < 10**9 else None


@dataclasses.dataclass(frozen=True)
class ActionView:
    number: int
    text: str
    due: dt.date | None
    status: Status
    agency: AgencyView | None
    id: int = 0

    @property
    def label(self) -> str:
        return label(self.number)


def view(item: ActionItem) -> ActionView:
    agency = item.agency
    return ActionView(
        id=item.id,
        number=item.number,
        text=item.text,
        due=item.due,
        status=item.status,
        agency=(
            AgencyView(code=agency.code, name=agency.name, sector=agency.sector)
            if agency is not None
            else None
        ),
    )


def _actions() -> Select[int, int, str, dt.date | None, Status, str, str, Sector]:
    """A group's action items as an ActionView's columns, their agency's None without
    one. Built once per statement below, the values bound at execution."""
    return (
        select(
            ActionItem.id,
            ActionItem.number,
            ActionItem.text,
            ActionItem.due,
            ActionItem.status,
            Agency.code,
            Agency.name,
            Agency.sector,
        )
        .outerjoin(Agency, Agency.id == ActionItem.agency_id)
        .where(ActionItem.working_group_id == bindparam("group_id"))
    )


_IS_OPEN = ActionItem.status.in_(OPEN_STATUSES)
# By due date, those without one last, then number.
_OPEN_ACTIONS = (
    _actions().where(_IS_OPEN).order_by(ActionItem.due.is_(None), ActionItem.due, ActionItem.number)
)
_ALL_ACTIONS = _actions().order_by(ActionItem.number)
_ACTION_BY_ID = select(ActionItem).where(
    ActionItem.working_group_id == bindparam("group_id"),
    ActionItem.id == bindparam("action_id"),
    _IS_OPEN,
)


@functools.cache
def _action_rows(
    *, start: bool, end: bool, agency: bool, open_only: bool
) -> Select[int, int, str, dt.date | None, Status, str, str, Sector]:
    """action_rows' statement for the filters it is given, built on first use."""
    query = (
        _actions().where(ActionItem.due.is_not(None)).order_by(ActionItem.due, ActionItem.number)
    )
    if start:
        query = query.where(ActionItem.due >= bindparam("start"))
    if end:
        query = query.where(ActionItem.due <= bindparam("end"))
    if agency:
        query = query.where(ActionItem.agency_id == bindparam("agency_id"))
    if open_only:
        query = query.where(_IS_OPEN)
    return query


def _view(row: Row[int, int, str, dt.date | None, Status, str, str, Sector]) -> ActionView:
    id_, number, text, due, status, code, name, sector = row  # no agency: its columns are None
    return ActionView(
        id=id_,
        number=number,
        text=text,
        due=due,
        status=status,
        agency=None if code is None else AgencyView(code=code, name=name, sector=sector),
    )


def as_deadline(item: ActionView) -> DeadlineRow:
    """An action item with a due date as a row of /deadlines, /overdue and /mine."""
    assert item.due is not None
    return DeadlineRow(
        number=item.label,
        title=item.text,
        due=item.due,
        status=item.status,
        responsible=item.agency,
    )


async def add_action(
    *,
    session: AsyncSession,
    group: WorkingGroup,
    member: Member,
    agency: Agency,
    text: str,
    due: dt.date | None,
    minutes_id: int | None,
    now: dt.datetime,
) -> ActionItem:
    """A new action item, numbered after the group's last one."""
    last = await session.scalar(
        select(func.max(ActionItem.number)).where(ActionItem.working_group_id == group.id)
    )
    item = ActionItem(
        working_group_id=group.id,
        number=(last or 0) + 1,
        agency_id=agency.id,
        text=clean_text(text),
        due=due,
        status=Status.NOT_STARTED,
        minutes_id=minutes_id,
        created_by_member_id=member.id,
        created_at=now,
    )
    item.agency = agency
    session.add(item)
    await session.flush()
    return item


async def action_by_number(
    *, session: AsyncSession, group_id: int, number: int
) -> ActionItem | None:
    return await session.scalar(
        select(ActionItem)
        .where(ActionItem.working_group_id == group_id, ActionItem.number == number)
        .options(selectinload(ActionItem.agency))
    )


async def open_actions(*, session: AsyncSession, group_id: int) -> list[ActionView]:
    """Open action items, by due date (those without one last), then number."""
    return [_view(a) for a in await session.execute(_OPEN_ACTIONS, {"group_id": group_id})]


async def action_rows(
    *,
    session: AsyncSession,
    group_id: int,
    start: dt.date | None = None,
    end: dt.date | None = None,
    agency_id: int | None = None,
    open_only: bool = True,
) -> list[DeadlineRow]:
    """Action items with a due date in [start, end] (or of one agency), as deadline rows,
    by due date then number."""
    query = _action_rows(
        start=start is not None,
        end=end is not None,
        agency=agency_id is not None,
        open_only=open_only,
    )
    values = {"group_id": group_id, "start": start, "end": end, "agency_id": agency_id}
    return [as_deadline(_view(a)) for a in await session.execute(query, values)]


async def record_action_update(
    *,
    session: AsyncSession,
    item: ActionItem,
    member: Member,
    status: Status,
    note: str | None,
    evidence_url: str | None,
    now: dt.datetime,
) -> ActionUpdate:
    """Append one update and make its status the action item's current one."""
    update = ActionUpdate(
        action_item_id=item.id,
        **report_fields(
            member=member, status=status, note=note, evidence_url=evidence_url, now=now
        ),
    )
    session.add(update)
    item.status = status
    await session.flush()
    return update


async def action_history(
    *, session: AsyncSession, group_id: int, number: int, limit: int
) -> MilestoneHistory | None:
    """The newest `limit` updates of one action item, in a milestone history's shape."""
    item = await action_by_number(session=session, group_id=group_id, number=number)
    if item is None:
        return None
    total, entries = await reports_of(
        session=session, subject=ActionUpdate.action_item_id, subject_id=item.id, limit=limit
    )
    return MilestoneHistory(
        number=label(item.number),
        title=item.text,
        status=item.status,
        archived=False,
        total=total,
        entries=entries,
    )


_PRIVATE_CHATS = select(Member.agency_id, Member.telegram_user_id).where(
    Member.working_group_id == bindparam("group_id"),
    Member.private_chat.is_(True),
    Member.agency_id.is_not(None),
    Member.left_at.is_(None),
)
_OPEN_DATED = (
    select(
        ActionItem.id,
        ActionItem.due,
        ActionItem.status,
        ActionItem.agency_id,
        ActionItem.created_at,
    )
    .where(ActionItem.working_group_id == bindparam("group_id"), ActionItem.due.is_not(None))
    .where(_IS_OPEN)
    .order_by(ActionItem.id)
)


async def private_chats_by_agency(*, session: AsyncSession, group_id: int) -> dict[int, list[int]]:
    """Telegram user ids of each agency's members who opened a private chat with the bot."""
    found: dict[int, list[int]] = {}
    for agency_id, user_id in await session.execute(_PRIVATE_CHATS, {"group_id": group_id}):
        if agency_id is not None:
            found.setdefault(agency_id, []).append(user_id)
    return found


async def action_facts(
    *, session: AsyncSession, group_id: int, private: dict[int, list[int]]
) -> list[ActionFacts]:
    """Open action items with a due date, as the reminder rules read them (`private`:
    each agency's members' private chats)."""
    rows = await session.execute(_OPEN_DATED, {"group_id": group_id})
    return [
        ActionFacts(
            id=a.id,
            due=a.due,
            status=a.status,
            private_chats=tuple(private.get(a.agency_id or -1, ())),
            created_at=a.created_at,
        )
        for a in rows
    ]


async def all_actions(*, session: AsyncSession, group_id: int) -> list[ActionView]:
    """Every action item of the group, by number (for the exports)."""
    return [_view(a) for a in await session.execute(_ALL_ACTIONS, {"group_id": group_id})]


def calendar_actions(actions: list[ActionView]) -> list[MilestoneView]:
    """Action items with a due date in the shape the calendar draws due dates from."""
    return [
        MilestoneView(
            number=a.label,
            title=a.text,
            responsible=a.agency,
            start=None,
            due=a.due,
            status=a.status,
            last_update=None,
        )
        for a in actions
        if a.due is not None
    ]


async def action_by_id(
    *, session: AsyncSession, group_id: int, action_id: int
) -> ActionItem | None:
    """An open action item by database id, only if it is the group's (buttons carry ids)."""
    return await session.scalar(_ACTION_BY_ID, {"group_id": group_id, "action_id": action_id})


@dataclasses.dataclass(frozen=True)
class ActionUpdateRow:
    """One update of an action item, for the weekly digest's "what changed"."""

    number: str  # A3
    text: str
    status: Status
    reporter: str
    agency: str | None  # the reporter's agency code at the time
    at: dt.datetime


async def action_updates_between(
    *, session: AsyncSession, group_id: int, start: dt.datetime, end: dt.datetime
) -> list[ActionUpdateRow]:
    """Updates of the group's action items with start < created_at <= end, oldest first."""
    rows = await session.execute(
        select(ActionUpdate, ActionItem.number, ActionItem.text, Agency.code)
        .join(ActionItem, ActionItem.id == ActionUpdate.action_item_id)
        .outerjoin(Agency, Agency.id == ActionUpdate.agency_id)
        .where(
            ActionItem.working_group_id == group_id,
            ActionUpdate.created_at > start,
            ActionUpdate.created_at <= end,
        )
        .order_by(ActionUpdate.created_at, ActionUpdate.id)
    )
    return [
        ActionUpdateRow(
            number=label(number),
            text=text,
            status=u.status,
            reporter=u.reporter_name,
            agency=code,
            at=u.created_at,
        )
        for u, number, text, code in rows
    ]
