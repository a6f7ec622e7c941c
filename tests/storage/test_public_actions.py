"""Action items on the public plan: in the JSON (valid against the schema), the CSV and
the calendar, attributed to agencies like every report."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import jsonschema
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.i18n import translator
from domain.enums import Status
from storage.actions import add_action, record_action_update
from storage.db import create_sessionmaker, transaction
from storage.groups import group_for_chat
from storage.models import Agency, Member
from storage.public_data import render_csv, render_json, render_public_ics
from tests.storage.test_public_data import (
    CHAT,
    NOW,
    PERSON,
    REPORTED,
    SCHEMA,
    date_time,
    no_person,
    seed,
    the_plan,
)


async def add_actions(engine: AsyncEngine) -> None:
    """A1 open with a due date; A2 without one, closed by a named person's report."""
    async with transaction(create_sessionmaker(engine)) as session:
        group = await group_for_chat(session=session, chat_id=CHAT)
        assert group is not None
        member = await session.scalar(select(Member).where(Member.telegram_user_id == PERSON[0]))
        agency = await session.scalar(
            select(Agency).where(Agency.working_group_id == group.id, Agency.code == "MOJHA")
        )
        assert member is not None and agency is not None
        await add_action(
            session=session,
            group=group,
            member=member,
            agency=agency,
            text="Send the draft <law> to the CSOs",
            due=dt.date(2023, 3, 20),
            minutes_id=None,
            now=REPORTED,
        )
        second = await add_action(
            session=session,
            group=group,
            member=member,
            agency=agency,
            text="Book the hall",
            due=None,
            minutes_id=None,
            now=REPORTED,
        )
        await record_action_update(
            session=session,
            item=second,
            member=member,
            status=Status.COMPLETE,
            note="Booked",
            evidence_url=None,
            now=REPORTED + dt.timedelta(hours=1),
        )


async def test_action_items_are_in_the_data_and_the_calendar(engine: AsyncEngine) -> None:
    await seed(engine)
    await add_actions(engine)
    plan = await the_plan(engine)
    assert plan.last_updated == REPORTED + dt.timedelta(hours=1)
    assert [(a.number, a.status) for a in plan.action_items] == [
        ("A1", Status.NOT_STARTED),
        ("A2", Status.COMPLETE),
    ]
    data = json.loads(render_json(plan, now=NOW))
    checker = jsonschema.FormatChecker()
    checker.checks("date-time", raises=ValueError)(date_time)
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=checker)
    assert [e.message for e in validator.iter_errors(data)] == []
    assert data["action_items"][1] == {
        "number": "A2",
        "text": "Book the hall",
        "agency": "MOJHA",
        "due": None,
        "status": "complete",
        "updates": [
            {
                "date": "2023-03-02",
                "at": "2023-03-02T12:30:00Z",
                "status": "complete",
                "agency": "MRPAM",  # the reporter's agency, as for milestones
                "note": "Booked",
                "evidence_url": None,
            }
        ],
    }
    assert data["progress"]["total"] == len(plan.milestones)  # as /plan counts: no actions
    rows = list(csv.DictReader(io.StringIO(render_csv(plan).decode())))
    actions = [r for r in rows if r["kind"] == "action_item"]
    assert [(r["number"], r["due"], r["status"]) for r in actions] == [
        ("A1", "2023-03-20", "not_started"),
        ("A2", "", "complete"),
    ]
    calendar = Calendar.from_ical(render_public_ics(plan, translator("en")))
    found = {str(e["UID"]).split("@")[0]: e for e in calendar.events}
    due = found[f"action-{plan.group_id}-A1"]
    assert due.start == dt.date(2023, 3, 20) and not isinstance(due.start, dt.datetime)
    assert str(due["SUMMARY"]) == "A1 Send the draft <law> to the CSOs"
    assert f"action-{plan.group_id}-A2" not in found  # no due date, no event
    for data_bytes in (render_json(plan, now=NOW), render_csv(plan)):
        no_person(data_bytes)
    no_person(render_public_ics(plan, translator("en")))
