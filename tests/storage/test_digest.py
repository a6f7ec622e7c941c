"""collect_digest: what one week's digest shows, read from either database at a fixed now."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.enums import Status
from storage.db import transaction
from storage.digest import DigestMeeting, DigestMilestone, DigestUpdate, QuietAgency, collect_digest
from storage.groups import group_for_chat
from storage.models import Agency, Meeting, Milestone, ProgressUpdate, WorkingGroup
from storage.plan_import import import_plan
from storage.planfile import AgencySpec, CommitmentSpec, MilestoneSpec, PlanFile, WorkingGroupSpec

NY = zoneinfo.ZoneInfo("America/New_York")
# Monday 2 November 2026, 09:00 in New York (EST); the week began in daylight time (EDT).
NOW = dt.datetime(2026, 11, 2, 14, 0, tzinfo=dt.UTC)
WEEK_START = dt.datetime(2026, 10, 26, 13, 0, tzinfo=dt.UTC)  # 09:00 EDT, 169 hours earlier
CHAT, OTHER_CHAT = -1001, -1002


def plan() -> PlanFile:
    def ms(number: str, due: str, responsible: str, status: str = "not_started") -> MilestoneSpec:
        return MilestoneSpec(
            number=number,
            title=f"Milestone {number}",
            due=due,
            responsible=responsible,
            status=Status(status),
        )

    return PlanFile(
        working_group=WorkingGroupSpec(name="Digest WG", timezone="America/New_York"),
        agencies=[
            AgencySpec(code=code, name=f"Agency {code}")
            for code in ("CS", "DEC", "MOF", "MRPAM", "PPA", "SWB")
        ],
        commitments=[
            CommitmentSpec(
                number="1",
                title="Extractives",
                lead_agency="MRPAM",
                milestones=[
                    ms("1.1", "2026-10-15", "MRPAM", "limited"),  # overdue
                    ms("1.2", "2026-11-02", "DEC"),  # due today: a deadline, not overdue
                    ms("1.3", "2026-09-01", "SWB", "complete"),  # closed: neither
                ],
            ),
            CommitmentSpec(
                number="2",
                title="Procurement",
                lead_agency="PPA",
                milestones=[
                    ms("2.1", "2026-11-16", "PPA", "limited"),  # the 14th day: a deadline
                    ms("2.2", "2026-11-17", "PPA"),  # the 15th day: not yet
                    ms("2.3", "2026-10-01", "MOF", "withdrawn"),  # closed: not overdue
                    ms("2.4", "2026-11-05", "PPA"),  # archived below: nowhere
                    ms("2.5", "2027-03-31", "MOF"),
                    ms("2.6", "2027-03-31", "CS"),
                ],
            ),
        ],
    )


async def _setup(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    for chat in (CHAT, OTHER_CHAT):
        async with transaction(sessionmaker) as session:
            await import_plan(
                session=session,
                plan=plan(),
                chat_id=chat,
                now=NOW - dt.timedelta(days=90),
                name=None,
                default_name="x",
                default_timezone="UTC",
                default_language="en",
            )
    async with transaction(sessionmaker) as session:
        group = await _group(session, CHAT)
        other = await _group(session, OTHER_CHAT)

        async def milestone(g: WorkingGroup, number: str) -> Milestone:
            found = await session.scalar(
                select(Milestone).where(
                    Milestone.working_group_id == g.id, Milestone.number == number
                )
            )
            assert found is not None
            return found

        async def agency(code: str) -> int:
            found = await session.scalar(
                select(Agency.id).where(Agency.working_group_id == group.id, Agency.code == code)
            )
            assert found is not None
            return found

        async def update(
            g: WorkingGroup, number: str, at: dt.datetime, who: str, agency_id: int | None = None
        ) -> None:
            m = await milestone(g, number)
            session.add(
                ProgressUpdate(
                    milestone_id=m.id,
                    reporter_name=who,
                    agency_id=agency_id,
                    created_at=at,
                    status=m.status,
                    note=None,
                )
            )

        (await milestone(group, "2.4")).archived = True
        # Exactly at the week's start: last week's digest had it. PPA reported lately.
        await update(group, "2.1", WEEK_START, "Bat", await agency("PPA"))
        await update(group, "1.1", WEEK_START + dt.timedelta(minutes=1), "Oyuna")
        # By a DEC member on MRPAM's milestone, at the very instant of the digest.
        await update(group, "1.1", NOW, "Saraa", await agency("DEC"))
        # MOF last reported 43 days ago; on an archived milestone nothing shows.
        await update(group, "2.5", NOW - dt.timedelta(days=43), "Dorj")
        await update(group, "2.4", NOW - dt.timedelta(days=1), "Dorj")
        # Another group's week is not this group's.
        await update(other, "2.6", NOW - dt.timedelta(days=1), "Stranger")

        def meeting(
            title: str,
            first: dt.datetime,
            rrule: str | None = None,
            *,
            place: str | None = None,
            skipped_dates: tuple[str, ...] = (),
            cancelled_at: dt.datetime | None = None,
        ) -> Meeting:
            return Meeting(
                working_group_id=group.id,
                title=title,
                first_start_local=first,
                rrule=rrule,
                timezone="America/New_York",
                place=place,
                skipped_dates=list(skipped_dates),
                created_at=NOW - dt.timedelta(days=30),
                cancelled_at=cancelled_at,
            )

        session.add_all(
            [
                meeting(
                    "Working group",
                    dt.datetime(2026, 10, 19, 10, 0),  # noqa: DTZ001 - a local wall time
                    "FREQ=WEEKLY;BYDAY=MO",
                    skipped_dates=("2026-11-09",),
                ),
                meeting(
                    "Review",
                    dt.datetime(2026, 11, 5, 14, 0),  # noqa: DTZ001
                    place="Room 1",
                ),
                meeting(
                    "Cancelled",
                    dt.datetime(2026, 11, 3, 14, 0),  # noqa: DTZ001
                    cancelled_at=NOW - dt.timedelta(days=2),
                ),
                meeting("Past", dt.datetime(2026, 11, 1, 14, 0)),  # noqa: DTZ001
                meeting("Too far", dt.datetime(2026, 11, 16, 9, 30)),  # noqa: DTZ001
            ]
        )


async def _group(session: AsyncSession, chat: int) -> WorkingGroup:
    group = await group_for_chat(session=session, chat_id=chat)
    assert group is not None
    return group


async def test_collect_digest_at_a_fixed_now(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _setup(sessionmaker)
    async with sessionmaker() as session:
        data = await collect_digest(session=session, group=await _group(session, CHAT), now=NOW)

    assert (data.group_name, data.timezone, data.today) == (
        "Digest WG",
        "America/New_York",
        dt.date(2026, 11, 2),
    )
    assert (data.week_start, data.week_end) == (WEEK_START, NOW)
    assert data.week_dates == (dt.date(2026, 10, 26), dt.date(2026, 11, 2))
    assert dict(data.status_counts) == {
        Status.NOT_STARTED: 4,
        Status.LIMITED: 2,
        Status.SUBSTANTIAL: 0,
        Status.COMPLETE: 1,
        Status.WITHDRAWN: 1,
    }
    assert data.total == 8

    assert data.updates == (
        DigestUpdate(
            number="1.1",
            title="Milestone 1.1",
            status=Status.LIMITED,
            reporter="Oyuna",
            agency=None,
            at=dt.datetime(2026, 10, 26, 9, 1, tzinfo=NY),
        ),
        DigestUpdate(
            number="1.1",
            title="Milestone 1.1",
            status=Status.LIMITED,
            reporter="Saraa",
            agency="DEC",
            at=dt.datetime(2026, 11, 2, 9, 0, tzinfo=NY),
        ),
    )
    assert data.deadlines == (
        DigestMilestone("1.2", "Milestone 1.2", "DEC", dt.date(2026, 11, 2), Status.NOT_STARTED),
        DigestMilestone("2.1", "Milestone 2.1", "PPA", dt.date(2026, 11, 16), Status.LIMITED),
    )
    assert data.overdue == (
        DigestMilestone("1.1", "Milestone 1.1", "MRPAM", dt.date(2026, 10, 15), Status.LIMITED),
    )
    assert [(m.title, m.start.replace(tzinfo=None), m.place) for m in data.meetings] == [
        ("Working group", dt.datetime(2026, 11, 2, 10, 0), None),  # noqa: DTZ001
        ("Review", dt.datetime(2026, 11, 5, 14, 0), "Room 1"),  # noqa: DTZ001
    ]
    assert all(isinstance(m, DigestMeeting) and m.start.tzinfo == NY for m in data.meetings)
    assert data.meetings[0].start.utcoffset() == dt.timedelta(hours=-5)
    # PPA, MRPAM (on its milestones) and DEC (by its member) reported; SWB has nothing open.
    assert data.quiet_agencies == (
        QuietAgency(code="CS", name="Agency CS", last_report=None),
        QuietAgency(code="MOF", name="Agency MOF", last_report=dt.date(2026, 9, 20)),
    )


async def test_an_empty_group_has_an_empty_digest(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with transaction(sessionmaker) as session:
        await import_plan(
            session=session,
            plan=PlanFile(working_group=WorkingGroupSpec(name="Empty")),
            chat_id=CHAT,
            now=NOW,
            name=None,
            default_name="x",
            default_timezone="Asia/Ulaanbaatar",
            default_language="mn",
        )
    async with sessionmaker() as session:
        data = await collect_digest(session=session, group=await _group(session, CHAT), now=NOW)
    assert data.total == 0 and all(n == 0 for _, n in data.status_counts)
    assert (data.updates, data.deadlines, data.overdue, data.meetings) == ((), (), (), ())
    assert data.quiet_agencies == ()
    assert data.today == dt.date(2026, 11, 2)  # 22:00 in Ulaanbaatar
