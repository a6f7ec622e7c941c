"""The public plan from either database: its facts hold no person, its calendar expands
to the bot's own meeting dates across a DST change, its JSON validates against the
schema in docs/, its CSV parses."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zoneinfo
from typing import Any

import jsonschema
import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.i18n import translator
from domain.enums import Role, Status
from domain.recurrence import occurrences
from storage.db import create_sessionmaker, transaction
from storage.groups import group_for_chat
from storage.models import Agency, Meeting, Member, WorkingGroup
from storage.planfile import load_plan
from storage.progress import find_milestone, record_update
from storage.public import (
    PublicPlan,
    group_by_slug,
    is_slug,
    new_slug,
    public_place,
    public_plan,
    publish,
)
from storage.public_data import CSV_COLUMNS, render_csv, render_json, render_public_ics
from tests.conftest import EXAMPLES, ROOT, import_into

MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
CHAT = -1002200
# Wednesday 1 March 2023, 10:00 in Madrid; summer time starts Sunday 26 March.
NOW = dt.datetime(2023, 3, 1, 9, 0, tzinfo=dt.UTC)
REPORTED = dt.datetime(2023, 3, 2, 11, 30, tzinfo=dt.UTC)
PERSON = (987_650_003, "Lucía Fernández-Ortega", "lucia_ogp_es")
CALL = "https://meet.example.org/secret-madrid-room"
SCHEMA = json.loads((ROOT / "docs" / "public-data.schema.json").read_text())


def wall(year: int, month: int, day: int, hour: int) -> dt.datetime:
    """A naive local wall time, as meetings store them."""
    return dt.datetime.combine(dt.date(year, month, day), dt.time(hour, 0))


async def seed(engine: AsyncEngine) -> None:
    """The example plan in Madrid's zone, a weekly Friday meeting across the change with
    one date skipped, a call whose place is a link, and two reports by a named person."""
    plan = load_plan(EXAMPLES / "mongolia-2021-2023.yaml")
    assert plan.working_group is not None
    plan = plan.model_copy(
        update={
            "working_group": plan.working_group.model_copy(update={"timezone": "Europe/Madrid"}),
            "meetings": [],
        }
    )
    await import_into(engine, plan, chat_id=CHAT, now=NOW)
    async with transaction(create_sessionmaker(engine)) as session:
        group = await group_for_chat(session=session, chat_id=CHAT)
        assert group is not None
        agency = await session.scalar(
            select(Agency).where(Agency.working_group_id == group.id, Agency.code == "MRPAM")
        )
        assert agency is not None
        member = Member(
            working_group_id=group.id,
            telegram_user_id=PERSON[0],
            full_name=PERSON[1],
            username=PERSON[2],
            agency_id=agency.id,
            role=Role.MEMBER,
            created_at=NOW,
        )
        nobody = Member(
            working_group_id=group.id,
            telegram_user_id=PERSON[0] + 1,
            full_name="Ignacio Sin-Agencia",
            username="ignacio_na",
            created_at=NOW,
        )
        session.add_all([member, nobody])
        await session.flush()
        for who, number, status, note, evidence in (
            (member, "1.1", Status.SUBSTANTIAL, "Draft sent", None),
            (member, "1.1", Status.COMPLETE, "=HYPERLINK(1)", "https://example.gov/law.pdf"),
            (nobody, "2.1", Status.LIMITED, None, None),
        ):
            milestone = await find_milestone(session=session, group=group, number=number)
            assert milestone is not None
            await record_update(
                session=session,
                milestone=milestone,
                member=who,
                status=status,
                note=note,
                evidence_url=evidence,
                now=REPORTED,
            )
        for title, first, place, skipped in (
            ("Working group", wall(2023, 3, 10, 10), "Sala 2, Ministerio", ["2023-03-24"]),
            ("Online check-in", wall(2023, 3, 6, 18), CALL, []),
        ):
            session.add(
                Meeting(
                    working_group_id=group.id,
                    title=title,
                    first_start_local=first,
                    rrule="FREQ=WEEKLY;BYDAY=FR" if title == "Working group" else "FREQ=WEEKLY",
                    timezone="Europe/Madrid",
                    duration_minutes=90,
                    place=place,
                    skipped_dates=skipped,
                    created_at=NOW,
                )
            )


async def the_plan(engine: AsyncEngine) -> PublicPlan:
    async with transaction(create_sessionmaker(engine)) as session:
        group = await group_for_chat(session=session, chat_id=CHAT)
        assert group is not None
        return await public_plan(session=session, group=group)


def no_person(data: bytes) -> None:
    unfolded = data.replace(b"\r\n ", b"")
    for trace in (str(PERSON[0]), *PERSON[1:], "Lucía", "Ignacio", "ignacio_na", str(CHAT)):
        assert trace.encode() not in unfolded, trace
    assert b"secret-madrid-room" not in unfolded


def expand(event: Event, until: dt.datetime) -> list[dt.datetime]:
    """What a calendar app does with a VEVENT: RRULE from DTSTART, minus EXDATEs."""
    start = event.start
    assert isinstance(start, dt.datetime)
    rule = rrulestr(event["RRULE"].to_ical().decode(), dtstart=start)  # type: ignore[union-attr]
    found: Any = event.get("EXDATE")
    lists = [] if found is None else found if isinstance(found, list) else [found]
    skip = {d.dt.astimezone(dt.UTC) for item in lists for d in item.dts}
    return [
        i.astimezone(dt.UTC)
        for i in rule.between(start, until, inc=True)
        if i.astimezone(dt.UTC) not in skip
    ]


async def test_the_facts_attribute_reports_to_agencies_and_keep_links_private(
    engine: AsyncEngine,
) -> None:
    await seed(engine)
    plan = await the_plan(engine)
    assert plan.last_updated == REPORTED
    milestone = plan.milestones[0]
    assert [u.status for u in milestone.updates] == [Status.COMPLETE, Status.SUBSTANTIAL]
    latest = milestone.latest
    assert latest is not None and latest.agency is not None and latest.agency.code == "MRPAM"
    assert latest.evidence_url == "https://example.gov/law.pdf"
    other = next(m for m in plan.milestones if m.number == "2.1")
    assert other.latest is not None and other.latest.agency is None
    assert {m.title: m.place for m in plan.meetings} == {
        "Working group": "Sala 2, Ministerio",
        "Online check-in": None,
    }
    words = translator("es")
    for data in (render_json(plan, now=NOW), render_csv(plan), render_public_ics(plan, words)):
        no_person(data)


async def test_the_calendar_expands_to_the_bots_own_dates_across_the_dst_change(
    engine: AsyncEngine,
) -> None:
    await seed(engine)
    plan = await the_plan(engine)
    calendar = Calendar.from_ical(render_public_ics(plan, translator("en")))
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/Madrid"
    meetings = {
        str(e["SUMMARY"]): e for e in calendar.events if str(e["UID"]).startswith("meeting")
    }
    weekly = meetings["Working group"]
    assert weekly["DTSTART"].params["TZID"] == "Europe/Madrid"
    assert weekly.DTSTAMP == REPORTED  # the plan's last change: same data, same bytes
    assert str(weekly["LOCATION"]) == "Sala 2, Ministerio"
    assert "LOCATION" not in meetings["Online check-in"]
    until = dt.datetime(2023, 4, 8, tzinfo=dt.UTC)
    expected = [
        dt.datetime(2023, 3, 10, 9, 0, tzinfo=dt.UTC),  # 10:00 CET
        dt.datetime(2023, 3, 17, 9, 0, tzinfo=dt.UTC),
        # 24 March skipped; summer time from Sunday 26 March: 10:00 CEST is 08:00 UTC.
        dt.datetime(2023, 3, 31, 8, 0, tzinfo=dt.UTC),
        dt.datetime(2023, 4, 7, 8, 0, tzinfo=dt.UTC),
    ]
    assert expand(weekly, until) == expected
    bots_own = next(m for m in plan.meetings if m.title == "Working group")
    assert occurrences(bots_own.schedule, after=NOW, until=until, limit=10) == [
        e.astimezone(MADRID) for e in expected
    ]

    # UIDs end in the group's own host (storage.ics.calendar_host): keyed by the left part.
    by_uid = {str(e["UID"]).split("@")[0]: e for e in calendar.events}
    hosts = {str(e["UID"]).split("@")[1] for e in calendar.events}
    assert len(hosts) == 1 and hosts != {"wgbot"}
    due = by_uid[f"milestone-{plan.group_id}-1.1"]
    assert due.start == dt.date(2022, 6, 30) and not isinstance(due.start, dt.datetime)
    description = str(due["DESCRIPTION"])
    assert "Last update: 2023-03-02, Mineral Resources and Petroleum Authority of Mongolia" in (
        description
    )
    reported_by_nobody = by_uid[f"milestone-{plan.group_id}-2.1"]
    assert "a member of the working group" in str(reported_by_nobody["DESCRIPTION"])


def date_time(value: object) -> bool:
    """RFC 3339 date-time, to the second, with its offset (jsonschema needs a package for
    this format; the rule is short)."""
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value):
        return False
    dt.datetime.fromisoformat(value)
    return True


async def test_the_json_validates_against_its_documented_schema(engine: AsyncEngine) -> None:
    await seed(engine)
    plan = await the_plan(engine)
    data = json.loads(render_json(plan, now=NOW))
    checker = jsonschema.FormatChecker()
    checker.checks("date-time", raises=ValueError)(date_time)
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=checker)
    assert [e.message for e in validator.iter_errors(data)] == []
    assert data["last_updated"] == "2023-03-02T11:30:00Z"
    milestone = data["commitments"][0]["milestones"][0]
    assert milestone["number"] == "1.1" and milestone["status"] == "complete"
    assert milestone["updates"][0] == {
        "date": "2023-03-02",
        "at": "2023-03-02T11:30:00Z",
        "status": "complete",
        "agency": "MRPAM",
        "note": "=HYPERLINK(1)",
        "evidence_url": "https://example.gov/law.pdf",
    }
    assert data["progress"]["total"] == len(plan.milestones)
    weekly = next(m for m in data["meetings"] if m["title"] == "Working group")
    assert weekly["skipped_dates"] == ["2023-03-24"]
    assert weekly["next_starts"] == [
        "2023-03-10T10:00:00+01:00",
        "2023-03-17T10:00:00+01:00",
        "2023-03-31T10:00:00+02:00",
    ]
    # A document that breaks the schema is refused: the test would see a drift.
    broken = data | {"commitments": [{"number": "1"}]}
    assert not validator.is_valid(broken)


async def test_the_csv_parses_with_one_row_per_milestone(engine: AsyncEngine) -> None:
    await seed(engine)
    plan = await the_plan(engine)
    rows = list(csv.DictReader(io.StringIO(render_csv(plan).decode())))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r["number"] for r in rows] == [m.number for m in plan.milestones]
    first = rows[0]
    assert first["kind"] == "milestone" and first["commitment_number"] == "1"
    assert first["status"] == "complete" and first["last_update_date"] == "2023-03-02"
    assert first["last_update_agency"] == "MRPAM" and first["updates"] == "2"
    assert first["last_update_note"] == "'=HYPERLINK(1)"  # never a formula in a spreadsheet
    assert first["last_update_evidence_url"] == "https://example.gov/law.pdf"


async def test_publish_on_off_rotate_and_lookup(engine: AsyncEngine) -> None:
    await seed(engine)
    async with transaction(create_sessionmaker(engine)) as session:
        group = await session.scalar(select(WorkingGroup))
        assert group is not None
        first = publish(group=group, action="on")
        assert first.changed and first.slug is not None and is_slug(first.slug)
        assert publish(group=group, action="on") == first.__class__(first.slug, changed=False)
        await session.flush()
        found = await group_by_slug(session=session, slug=first.slug)
        assert found is not None and found.id == group.id
        rotated = publish(group=group, action="rotate")
        assert rotated.changed and rotated.slug != first.slug
        await session.flush()
        assert await group_by_slug(session=session, slug=first.slug) is None
        assert publish(group=group, action="off").changed
        assert not publish(group=group, action="off").changed
        assert not publish(group=group, action="rotate").changed
        await session.flush()
        assert group.public_slug is None
        assert await group_by_slug(session=session, slug=str(rotated.slug)) is None


def test_slugs_carry_at_least_128_random_bits() -> None:
    slugs = {new_slug() for _ in range(200)}
    assert len(slugs) == 200
    for slug in slugs:
        assert re.fullmatch(r"[A-Za-z0-9_-]{32}", slug)  # 24 bytes of base64url: 192 bits


@pytest.mark.parametrize(
    ("place", "public"),
    [
        ("Government House, Ulaanbaatar", "Government House, Ulaanbaatar"),
        ("Room 3.2, Ministry of Justice", "Room 3.2, Ministry of Justice"),
        ("https://zoom.us/j/123", None),
        ("Zoom: zoom.us/j/123?pwd=x", None),
        ("join at www.example.org", None),
        ("t.me/+secretgroup", None),
        ("meet.google.com/abc-defg-hij", None),
        ("", None),
        (None, None),
    ],
)
def test_a_place_that_is_a_link_stays_private(place: str | None, public: str | None) -> None:
    assert public_place(place) == public
