"""The public progress page's data: publishing, and the plan as facts with no personal data.

PRODUCT.md, "Public progress page": a report is attributed to its agency, never to a
person. So nothing here reads a member, a reporter's name or a Telegram id: updates are
selected column by column (`ProgressUpdate.reporter_name` and `member_id` never are), and
a meeting's place is kept only when it is not a link (a call's address stays private).
Functions never commit (the edge does).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import secrets
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from domain.enums import Sector, Status
from storage.actions import label
from storage.meetings import MeetingView, active_meetings
from storage.models import (
    ActionItem,
    ActionUpdate,
    Agency,
    Commitment,
    Meeting,
    Milestone,
    ProgressUpdate,
    WorkingGroup,
)

# 24 random bytes: 192 bits, 32 URL-safe characters (PRODUCT.md asks for at least 128).
SLUG_BYTES = 24
_SLUG = re.compile(r"[A-Za-z0-9_-]{32,64}")
# A place that is (or holds) an address: a scheme, www., or a host with a path.
_LINK = re.compile(
    r"[a-z][a-z0-9+.-]*://|\bwww\.|\bt\.me/|\b[a-z0-9-]+(\.[a-z0-9-]+)+/\S", re.IGNORECASE
)


# --- publishing ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Published:
    """What `/settings publish` did: the slug now in force (None: not published), and
    whether anything changed."""

    slug: str | None
    changed: bool


def new_slug() -> str:
    return secrets.token_urlsafe(SLUG_BYTES)


def publish(*, group: WorkingGroup, action: str) -> Published:
    """`on` keeps a slug already in force; `off` forgets it; `rotate` replaces it (only
    while published). The old address answers 404 from the commit on."""
    if action == "on":
        if group.public_slug is not None:
            return Published(group.public_slug, changed=False)
        group.public_slug = new_slug()
        return Published(group.public_slug, changed=True)
    if action == "off":
        changed = group.public_slug is not None
        group.public_slug = None
        return Published(None, changed=changed)
    if action == "rotate":
        if group.public_slug is None:
            return Published(None, changed=False)
        group.public_slug = new_slug()
        return Published(group.public_slug, changed=True)
    raise ValueError(f"unknown publish action {action!r}")


def is_slug(text: str) -> bool:
    return _SLUG.fullmatch(text) is not None


async def group_by_slug(*, session: AsyncSession, slug: str) -> WorkingGroup | None:
    """The group published under `slug`, or None (an old or unknown one)."""
    if not is_slug(slug):
        return None
    return await session.scalar(select(WorkingGroup).where(WorkingGroup.public_slug == slug))


# --- the facts ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PublicAgency:
    code: str
    name: str
    sector: Sector


@dataclasses.dataclass(frozen=True)
class PublicUpdate:
    """One progress report, as the public sees it: when, what, by which agency."""

    at: dt.datetime
    status: Status
    note: str | None
    evidence_url: str | None
    agency: PublicAgency | None


@dataclasses.dataclass(frozen=True)
class PublicMilestone:
    number: str
    title: str
    responsible: PublicAgency | None
    start: dt.date | None
    due: dt.date
    status: Status
    updates: tuple[PublicUpdate, ...]  # newest first

    @property
    def latest(self) -> PublicUpdate | None:
        return self.updates[0] if self.updates else None


@dataclasses.dataclass(frozen=True)
class PublicCommitment:
    number: str
    ogp_id: str | None
    title: str
    description: str | None
    policy_area: str | None
    lead: PublicAgency | None
    supporting: tuple[PublicAgency, ...]
    start: dt.date | None
    end: dt.date | None
    milestones: tuple[PublicMilestone, ...]


@dataclasses.dataclass(frozen=True)
class PublicActionItem:
    """An action item from the minutes (`A1`, `A2`, …), open or closed."""

    number: str
    text: str
    agency: PublicAgency | None
    due: dt.date | None
    status: Status
    updates: tuple[PublicUpdate, ...]  # newest first

    @property
    def latest(self) -> PublicUpdate | None:
        return self.updates[0] if self.updates else None


@dataclasses.dataclass(frozen=True)
class PublicPlan:
    group_id: int
    name: str
    country: str | None
    period: str | None
    timezone: str
    language: str
    agencies: tuple[PublicAgency, ...]
    commitments: tuple[PublicCommitment, ...]
    # Places that are links are already gone (see public_place).
    meetings: tuple[MeetingView, ...]
    action_items: tuple[PublicActionItem, ...]
    # The newest change of what the page shows: its Last-Modified, the calendar's DTSTAMP.
    last_updated: dt.datetime
    # When the group was made: with its id, its calendar's UIDs (storage.ics).
    created_at: dt.datetime

    @property
    def milestones(self) -> list[PublicMilestone]:
        return [m for c in self.commitments for m in c.milestones]


def public_place(place: str | None) -> str | None:
    """A meeting's place for the public: a room or an address in words; never a link."""
    if place is None or not place.strip() or _LINK.search(place):
        return None
    return place


def _agency(agency: Agency | None) -> PublicAgency | None:
    if agency is None:
        return None
    return PublicAgency(code=agency.code, name=agency.name, sector=agency.sector)


def _public_columns(model: type[ProgressUpdate] | type[ActionUpdate], subject: Any) -> Select[Any]:
    """A report's public columns, one by one: never the reporter's name or member id."""
    return select(
        subject,
        model.created_at,
        model.status,
        model.note,
        model.evidence_url,
        model.agency_id,
    ).order_by(model.id.desc())


async def _by_subject(
    session: AsyncSession, query: Select[Any], agencies: dict[int, PublicAgency]
) -> dict[int, list[PublicUpdate]]:
    """The reports `query` finds, newest first, by what they report on."""
    found: dict[int, list[PublicUpdate]] = {}
    for subject_id, at, status, note, evidence, agency_id in await session.execute(query):
        agency = agencies.get(agency_id) if agency_id is not None else None
        found.setdefault(subject_id, []).append(
            PublicUpdate(at=at, status=status, note=note, evidence_url=evidence, agency=agency)
        )
    return found


async def _updates(
    *, session: AsyncSession, group_id: int, agencies: dict[int, PublicAgency]
) -> dict[int, list[PublicUpdate]]:
    """Every update of the group's milestones, newest first, by milestone id."""
    query = (
        _public_columns(ProgressUpdate, ProgressUpdate.milestone_id)
        .join(Milestone, Milestone.id == ProgressUpdate.milestone_id)
        .where(Milestone.working_group_id == group_id)
    )
    return await _by_subject(session, query, agencies)


async def _action_updates(
    *, session: AsyncSession, group_id: int, agencies: dict[int, PublicAgency]
) -> dict[int, list[PublicUpdate]]:
    """Every update of the group's action items, newest first, by action item id."""
    query = (
        _public_columns(ActionUpdate, ActionUpdate.action_item_id)
        .join(ActionItem, ActionItem.id == ActionUpdate.action_item_id)
        .where(ActionItem.working_group_id == group_id)
    )
    return await _by_subject(session, query, agencies)


async def action_items(
    *, session: AsyncSession, group: WorkingGroup, agencies: dict[int, PublicAgency]
) -> tuple[PublicActionItem, ...]:
    """The group's action items, open and closed, by number."""
    updates = await _action_updates(session=session, group_id=group.id, agencies=agencies)
    rows = await session.execute(
        select(
            ActionItem.id,
            ActionItem.number,
            ActionItem.text,
            ActionItem.agency_id,
            ActionItem.due,
            ActionItem.status,
        )
        .where(ActionItem.working_group_id == group.id)
        .order_by(ActionItem.number)
    )
    return tuple(
        PublicActionItem(
            number=label(number),
            text=text,
            agency=agencies.get(agency_id) if agency_id is not None else None,
            due=due,
            status=status,
            updates=tuple(updates.get(item_id, ())),
        )
        for item_id, number, text, agency_id, due, status in rows
    )


async def _last_change(*, session: AsyncSession, group: WorkingGroup) -> dt.datetime:
    newest_update = await session.scalar(
        select(func.max(ProgressUpdate.created_at))
        .join(Milestone, Milestone.id == ProgressUpdate.milestone_id)
        .where(Milestone.working_group_id == group.id)
    )
    newest_meeting = await session.scalar(
        select(func.max(func.coalesce(Meeting.cancelled_at, Meeting.created_at))).where(
            Meeting.working_group_id == group.id
        )
    )
    newest_action = await session.scalar(
        select(func.max(ActionItem.created_at)).where(ActionItem.working_group_id == group.id)
    )
    newest_action_update = await session.scalar(
        select(func.max(ActionUpdate.created_at))
        .join(ActionItem, ActionItem.id == ActionUpdate.action_item_id)
        .where(ActionItem.working_group_id == group.id)
    )
    found = (group.updated_at, newest_update, newest_meeting, newest_action, newest_action_update)
    times = [t for t in found if t is not None]
    # SQLite's max() of a coalesce comes back as text.
    return max(_aware(t) for t in times)


def _aware(value: dt.datetime | str) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


async def public_plan(*, session: AsyncSession, group: WorkingGroup) -> PublicPlan:
    """The group's current plan as the public page, its data and its calendar show it."""
    agency_rows = await session.scalars(
        select(Agency).where(Agency.working_group_id == group.id).order_by(Agency.id)
    )
    agencies = {a.id: PublicAgency(code=a.code, name=a.name, sector=a.sector) for a in agency_rows}
    updates = await _updates(session=session, group_id=group.id, agencies=agencies)
    commitments = await session.scalars(
        select(Commitment)
        .where(Commitment.working_group_id == group.id, Commitment.archived.is_(False))
        .options(
            selectinload(Commitment.lead_agency),
            selectinload(Commitment.supporting_agencies),
            selectinload(Commitment.milestones).selectinload(Milestone.responsible_agency),
        )
        .order_by(Commitment.position, Commitment.id)
    )
    meetings = await active_meetings(session=session, group=group)
    return PublicPlan(
        group_id=group.id,
        created_at=group.created_at,
        name=group.name,
        country=group.country,
        period=group.period,
        timezone=group.timezone,
        language=group.language,
        agencies=tuple(sorted(agencies.values(), key=lambda a: a.code)),
        commitments=tuple(
            PublicCommitment(
                number=c.number,
                ogp_id=c.ogp_id,
                title=c.title,
                description=c.description,
                policy_area=c.policy_area,
                lead=_agency(c.lead_agency),
                supporting=tuple(a for a in map(_agency, c.supporting_agencies) if a),
                start=c.start,
                end=c.end,
                milestones=tuple(
                    PublicMilestone(
                        number=m.number,
                        title=m.title,
                        responsible=_agency(m.responsible_agency),
                        start=m.start,
                        due=m.due,
                        status=m.status,
                        updates=tuple(updates.get(m.id, ())),
                    )
                    for m in c.milestones
                    if not m.archived
                ),
            )
            for c in commitments
        ),
        meetings=tuple(dataclasses.replace(m, place=public_place(m.place)) for m in meetings),
        action_items=await action_items(session=session, group=group, agencies=agencies),
        last_updated=await _last_change(session=session, group=group),
    )
