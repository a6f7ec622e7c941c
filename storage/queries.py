"""Read models of a working group's plan, loaded eagerly for rendering and export.

Handlers and exporters get plain dataclasses, never ORM objects: nothing lazy-loads
outside the session, and the renderers stay pure functions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from domain.enums import Sector, Status
from storage.models import Agency, Commitment, Milestone, ProgressUpdate, WorkingGroup


@dataclasses.dataclass(frozen=True)
class AgencyView:
    code: str
    name: str
    sector: Sector


@dataclasses.dataclass(frozen=True)
class UpdateView:
    at: dt.datetime
    reporter: str
    status: Status
    note: str | None
    evidence_url: str | None


@dataclasses.dataclass(frozen=True)
class MilestoneView:
    number: str
    title: str
    responsible: AgencyView | None
    start: dt.date | None
    due: dt.date
    status: Status
    last_update: UpdateView | None


@dataclasses.dataclass(frozen=True)
class CommitmentView:
    number: str
    title: str
    ogp_id: str | None
    description: str | None
    policy_area: str | None
    lead: AgencyView | None
    supporting: tuple[AgencyView, ...]
    start: dt.date | None
    end: dt.date | None
    milestones: tuple[MilestoneView, ...]

    @property
    def complete(self) -> int:
        return sum(1 for m in self.milestones if m.status is Status.COMPLETE)


@dataclasses.dataclass(frozen=True)
class PlanView:
    group_name: str
    country: str | None
    period: str | None
    timezone: str
    language: str
    agencies: tuple[AgencyView, ...]
    commitments: tuple[CommitmentView, ...]


def _agency(agency: Agency | None) -> AgencyView | None:
    if agency is None:
        return None
    return AgencyView(code=agency.code, name=agency.name, sector=agency.sector)


async def latest_updates(
    *, session: AsyncSession, group_id: int, commitment_id: int | None = None
) -> dict[int, UpdateView]:
    """The newest update of every milestone that has one, by milestone id."""
    newest = (
        select(func.max(ProgressUpdate.id))
        .join(Milestone, Milestone.id == ProgressUpdate.milestone_id)
        .where(Milestone.working_group_id == group_id)
        .group_by(ProgressUpdate.milestone_id)
    )
    if commitment_id is not None:
        newest = newest.where(Milestone.commitment_id == commitment_id)
    rows = await session.scalars(select(ProgressUpdate).where(ProgressUpdate.id.in_(newest)))
    return {
        u.milestone_id: UpdateView(
            at=u.created_at,
            reporter=u.reporter_name,
            status=u.status,
            note=u.note,
            evidence_url=u.evidence_url,
        )
        for u in rows
    }


def _commitment_view(c: Commitment, updates: dict[int, UpdateView]) -> CommitmentView:
    return CommitmentView(
        number=c.number,
        title=c.title,
        ogp_id=c.ogp_id,
        description=c.description,
        policy_area=c.policy_area,
        lead=_agency(c.lead_agency),
        supporting=tuple(a for a in map(_agency, c.supporting_agencies) if a is not None),
        start=c.start,
        end=c.end,
        milestones=tuple(
            MilestoneView(
                number=m.number,
                title=m.title,
                responsible=_agency(m.responsible_agency),
                start=m.start,
                due=m.due,
                status=m.status,
                last_update=updates.get(m.id),
            )
            for m in c.milestones
            if not m.archived
        ),
    )


def _commitments_query(group_id: int) -> Select[Commitment]:
    return (
        select(Commitment)
        .where(Commitment.working_group_id == group_id, Commitment.archived.is_(False))
        .options(
            selectinload(Commitment.lead_agency),
            selectinload(Commitment.supporting_agencies),
            selectinload(Commitment.milestones).selectinload(Milestone.responsible_agency),
        )
        .order_by(Commitment.position, Commitment.id)
    )


async def plan_view(*, session: AsyncSession, group: WorkingGroup) -> PlanView:
    """The whole current plan of a group, with each milestone's latest update."""
    updates = await latest_updates(session=session, group_id=group.id)
    commitments = await session.scalars(_commitments_query(group.id))
    agencies = await session.scalars(
        select(Agency).where(Agency.working_group_id == group.id).order_by(Agency.id)
    )
    return PlanView(
        group_name=group.name,
        country=group.country,
        period=group.period,
        timezone=group.timezone,
        language=group.language,
        agencies=tuple(AgencyView(code=a.code, name=a.name, sector=a.sector) for a in agencies),
        commitments=tuple(_commitment_view(c, updates) for c in commitments),
    )


@dataclasses.dataclass(frozen=True)
class PlanLine:
    """One commitment as /plan lists it."""

    number: str
    title: str
    lead: str | None  # the lead agency's code
    complete: int
    total: int


@dataclasses.dataclass(frozen=True)
class PlanSummary:
    group_name: str
    period: str | None
    commitments: tuple[PlanLine, ...]


async def plan_summary(*, session: AsyncSession, group: WorkingGroup) -> PlanSummary:
    """/plan's lines, in one query whatever the plan's size: each current commitment with
    its lead agency's code and how many of its current milestones are complete."""
    counted = Milestone.archived.is_(False)
    rows = await session.execute(
        select(
            Commitment.number,
            Commitment.title,
            Agency.code,
            func.count(Milestone.id).filter(counted, Milestone.status == Status.COMPLETE),
            func.count(Milestone.id).filter(counted),
        )
        .outerjoin(Agency, Agency.id == Commitment.lead_agency_id)
        .outerjoin(Milestone, Milestone.commitment_id == Commitment.id)
        .where(Commitment.working_group_id == group.id, Commitment.archived.is_(False))
        .group_by(Commitment.id, Agency.code)
        .order_by(Commitment.position, Commitment.id)
    )
    return PlanSummary(
        group_name=group.name,
        period=group.period,
        commitments=tuple(
            PlanLine(number=n, title=title, lead=lead, complete=done, total=total)
            for n, title, lead, done, total in rows
        ),
    )


async def commitment_view(
    *, session: AsyncSession, group: WorkingGroup, number: str
) -> CommitmentView | None:
    """One commitment by its plan number, or None."""
    commitment = await session.scalar(
        _commitments_query(group.id).where(Commitment.number == number)
    )
    if commitment is None:
        return None
    updates = await latest_updates(session=session, group_id=group.id, commitment_id=commitment.id)
    return _commitment_view(commitment, updates)
