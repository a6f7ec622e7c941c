"""OGP's minimum requirements: the dates recorded, and where the group stands.

The forum met: closed minutes (on the day they were opened, local) or `/ogp met`. The
repository was updated: `/ogp repository`, and, while the group's public page is
published, every progress update with evidence (milestones' and action items').
Keyword-only functions taking the caller's session; none of them commits.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.ogp import Requirement, Standing, standing
from domain.text import clean_optional
from domain.tracked import OgpFacts
from storage.models import (
    ActionItem,
    ActionUpdate,
    Member,
    Milestone,
    Minutes,
    OgpEvent,
    ProgressUpdate,
    WorkingGroup,
)


def _local_day(when: dt.datetime, group: WorkingGroup) -> dt.date:
    return when.astimezone(zoneinfo.ZoneInfo(group.timezone)).date()


async def record_event(
    *,
    session: AsyncSession,
    group: WorkingGroup,
    requirement: Requirement,
    day: dt.date,
    now: dt.datetime,
    member: Member | None = None,
    link: str | None = None,
    minutes_id: int | None = None,
) -> OgpEvent:
    event = OgpEvent(
        working_group_id=group.id,
        kind=requirement.value,
        day=day,
        link=clean_optional(link),
        minutes_id=minutes_id,
        member_id=member.id if member is not None else None,
        created_at=now,
    )
    session.add(event)
    await session.flush()
    return event


async def record_forum_meeting(
    *, session: AsyncSession, group: WorkingGroup, minutes: Minutes, now: dt.datetime
) -> None:
    """Closing minutes records that the working group met that day."""
    await record_event(
        session=session,
        group=group,
        requirement=Requirement.FORUM,
        day=_local_day(minutes.opened_at, group),
        now=now,
        minutes_id=minutes.id,
    )


_LAST_EVENTS = (
    select(OgpEvent.kind, func.max(OgpEvent.day))
    .where(OgpEvent.working_group_id == bindparam("group_id"))
    .group_by(OgpEvent.kind)
)


async def _last_evidence(session: AsyncSession, group: WorkingGroup) -> dt.date | None:
    """The latest progress update with evidence, as a local day (public page published)."""
    milestone = await session.scalar(
        select(func.max(ProgressUpdate.created_at))
        .join(Milestone, Milestone.id == ProgressUpdate.milestone_id)
        .where(Milestone.working_group_id == group.id, ProgressUpdate.evidence_url.is_not(None))
    )
    action = await session.scalar(
        select(func.max(ActionUpdate.created_at))
        .join(ActionItem, ActionItem.id == ActionUpdate.action_item_id)
        .where(ActionItem.working_group_id == group.id, ActionUpdate.evidence_url.is_not(None))
    )
    latest = max((d for d in (milestone, action) if d is not None), default=None)
    return _local_day(latest, group) if latest is not None else None


async def last_dates(
    *, session: AsyncSession, group: WorkingGroup
) -> tuple[dt.date | None, dt.date | None]:
    """(the forum's last meeting, the repository's last update); None: never recorded."""
    last = dict((await session.execute(_LAST_EVENTS, {"group_id": group.id})).all())
    forum, repository = last.get(Requirement.FORUM.value), last.get(Requirement.REPOSITORY.value)
    if group.public_slug is not None:
        evidence = await _last_evidence(session, group)
        if evidence is not None and (repository is None or evidence > repository):
            repository = evidence
    return forum, repository


async def ogp_facts(*, session: AsyncSession, group: WorkingGroup) -> OgpFacts:
    forum, repository = await last_dates(session=session, group=group)
    return OgpFacts(created=_local_day(group.created_at, group), forum=forum, repository=repository)


async def ogp_standing(
    *, session: AsyncSession, group: WorkingGroup, now: dt.datetime
) -> tuple[Standing, Standing]:
    """Where the forum and the repository stand today (the group's local day)."""
    facts = await ogp_facts(session=session, group=group)
    today = _local_day(now, group)
    return (
        standing(Requirement.FORUM, last=facts.forum, created=facts.created, today=today),
        standing(Requirement.REPOSITORY, last=facts.repository, created=facts.created, today=today),
    )
