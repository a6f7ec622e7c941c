"""The calendar export: valid iCalendar that expands to the bot's own meeting dates."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar, Event

from bot.i18n import translator
from domain.enums import Sector, Status
from domain.recurrence import occurrences
from storage.ics import CalendarInput, render_ics
from storage.meetings import MeetingView
from storage.plan_export import ExportFormat, export_plan
from storage.queries import AgencyView, CommitmentView, MilestoneView, PlanView, UpdateView

NOW = dt.datetime(2022, 9, 1, 2, 0, tzinfo=dt.UTC)
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
MRPAM = AgencyView(code="MRPAM", name="Mineral Resources Authority", sector=Sector.GOVERNMENT)

EN = translator("en")  # the words of English exports


def wall(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """A naive local wall time, as meetings store them."""
    return dt.datetime.combine(dt.date(year, month, day), dt.time(hour, minute))


def meeting(
    meeting_id: int,
    start: dt.datetime,
    rrule: str | None,
    *,
    tz: str = "America/New_York",
    skipped: tuple[dt.date, ...] = (),
    title: str = "Working group meeting",
    place: str | None = None,
    duration: int | None = None,
) -> MeetingView:
    return MeetingView(
        id=meeting_id,
        title=title,
        first_start_local=start,
        rrule=rrule,
        timezone=tz,
        duration_minutes=duration,
        place=place,
        skipped_dates=frozenset(skipped),
    )


def plan(timezone: str = "America/New_York") -> PlanView:
    milestones = (
        MilestoneView(
            number="3.1",
            title="Draft the law",
            responsible=MRPAM,
            start=None,
            due=dt.date(2022, 10, 31),
            status=Status.COMPLETE,
            last_update=None,
        ),
        MilestoneView(
            number="3.2",
            title="Submit the law; to parliament, <b>now</b>",
            responsible=MRPAM,
            start=None,
            due=dt.date(2022, 12, 15),
            status=Status.SUBSTANTIAL,
            last_update=UpdateView(
                at=dt.datetime(2022, 8, 30, 4, tzinfo=dt.UTC),
                reporter="Bat",
                status=Status.SUBSTANTIAL,
                note="Draft submitted",
                evidence_url=None,
            ),
        ),
    )
    commitment = CommitmentView(
        number="3",
        title="Mineral transparency",
        ogp_id=None,
        description=None,
        policy_area=None,
        lead=MRPAM,
        supporting=(),
        start=None,
        end=None,
        milestones=milestones,
    )
    return PlanView(
        group_name="Mongolia OGP Working Group",
        country="Mongolia",
        period="2021-2023",
        timezone=timezone,
        language="en",
        agencies=(MRPAM,),
        commitments=(commitment,),
    )


def render(meetings: list[MeetingView], timezone: str = "America/New_York") -> Calendar:
    data = render_ics(plan(timezone), CalendarInput(group_id=7, meetings=meetings, now=NOW), EN)
    return Calendar.from_ical(data)


def events(calendar: Calendar) -> dict[str, Event]:
    return {str(e["UID"]): e for e in calendar.events}


def exdates(event: Event) -> set[dt.datetime]:
    found: Any = event.get("EXDATE")
    if found is None:
        return set()
    lists = found if isinstance(found, list) else [found]
    return {d.dt for item in lists for d in item.dts}


def expand(event: Event, until: dt.datetime) -> list[dt.datetime]:
    """What a calendar client does with the VEVENT: RRULE from DTSTART, minus EXDATEs."""
    start = event.start
    assert isinstance(start, dt.datetime)
    if "RRULE" not in event:
        instants = [start]
    else:
        rule = rrulestr(event["RRULE"].to_ical().decode(), dtstart=start)  # type: ignore[union-attr]
        instants = list(rule.between(start - dt.timedelta(seconds=1), until))
    skip = {d.astimezone(dt.UTC) for d in exdates(event)}
    # astimezone() reads a wall time inside a DST gap with the offset before it (RFC 5545).
    return [i.astimezone(dt.UTC) for i in instants if i.astimezone(dt.UTC) not in skip]


def test_the_calendar_parses_back_with_everything_in_it() -> None:
    weekly = meeting(
        1,
        wall(2022, 9, 6, 10, 0),
        "FREQ=WEEKLY;BYDAY=TU",
        skipped=(dt.date(2022, 9, 13),),
        place="Government House",
        duration=120,
    )
    once = meeting(2, wall(2022, 9, 20, 15, 30), None, title="Budget review")
    calendar = render([weekly, once])

    assert str(calendar["VERSION"]) == "2.0"
    assert "wgbot" in str(calendar["PRODID"])
    [timezone] = calendar.walk("VTIMEZONE")
    assert str(timezone["TZID"]) == "America/New_York"

    found = events(calendar)
    assert set(found) == {
        "meeting-1@wgbot",
        "meeting-2@wgbot",
        "milestone-7-3.1@wgbot",
        "milestone-7-3.2@wgbot",
    }
    first = found["meeting-1@wgbot"]
    assert first.DTSTAMP == NOW
    assert first["DTSTART"].params["TZID"] == "America/New_York"
    assert first.start == dt.datetime(2022, 9, 6, 10, 0, tzinfo=NEW_YORK)
    assert first.duration == dt.timedelta(minutes=120)
    assert first["RRULE"].to_ical() == b"FREQ=WEEKLY;BYDAY=TU"
    assert exdates(first) == {dt.datetime(2022, 9, 13, 10, 0, tzinfo=NEW_YORK)}
    assert str(first["LOCATION"]) == "Government House"

    second = found["meeting-2@wgbot"]
    assert "RRULE" not in second and "EXDATE" not in second
    assert second.duration == dt.timedelta(minutes=60)  # the default

    due = found["milestone-7-3.2@wgbot"]
    assert str(due["SUMMARY"]) == "3.2 Submit the law; to parliament, <b>now</b>"
    assert due.start == dt.date(2022, 12, 15)
    assert not isinstance(due.start, dt.datetime)  # all day
    description = str(due["DESCRIPTION"])
    assert "Status: substantial" in description
    assert "Bat: Draft submitted" in description
    assert "Status: complete" in str(found["milestone-7-3.1@wgbot"]["DESCRIPTION"])


def test_the_output_is_the_same_for_the_same_input() -> None:
    meetings = [meeting(1, wall(2022, 9, 6, 10, 0), "FREQ=WEEKLY;BYDAY=TU")]
    again = CalendarInput(group_id=7, meetings=meetings, now=NOW)
    assert render_ics(plan(), again, EN) == render_ics(plan(), again, EN)


@pytest.mark.parametrize(
    ("start", "rule", "skipped"),
    [
        # Weekly at 10:00 across the autumn change (6 Nov 2022): stays 10:00 local.
        (wall(2022, 10, 11, 10, 0), "FREQ=WEEKLY;BYDAY=TU", (dt.date(2022, 11, 8),)),
        # Monthly on the 2nd Tuesday across the spring change (13 Mar 2022).
        (wall(2022, 1, 11, 10, 0), "FREQ=MONTHLY;BYDAY=2TU", (dt.date(2022, 4, 12),)),
        # Daily at 02:30: that wall time does not exist on 13 Mar 2022 (moves to 03:30).
        (wall(2022, 3, 10, 2, 30), "FREQ=DAILY;COUNT=8", ()),
        # Daily at 01:30: twice on 6 Nov 2022; the first instance counts.
        (wall(2022, 11, 3, 1, 30), "FREQ=DAILY", (dt.date(2022, 11, 4),)),
        # A local UNTIL becomes UTC in the file and still ends on the same day.
        (wall(2022, 10, 31, 9, 0), "FREQ=DAILY;UNTIL=20221110", ()),
        # A first start that does not match the rule: DTSTART moves to the first real date.
        (wall(2022, 10, 27, 18, 0), "FREQ=WEEKLY;BYDAY=MO", ()),
    ],
)
def test_expanding_the_rrule_gives_the_bots_own_dates_across_dst(
    start: dt.datetime, rule: str, skipped: tuple[dt.date, ...]
) -> None:
    view = meeting(1, start, rule, skipped=skipped)
    event = events(render([view]))["meeting-1@wgbot"]
    after = start.replace(tzinfo=dt.UTC) - dt.timedelta(days=2)
    until = after + dt.timedelta(days=200)
    expected = [o.astimezone(dt.UTC) for o in occurrences(view.schedule, after=after, until=until)]
    assert len(expected) >= 5
    assert expand(event, until) == expected


def test_a_skipped_one_off_is_left_out_and_a_utc_group_works() -> None:
    skipped = meeting(1, wall(2022, 9, 20, 9, 0), None, tz="UTC", skipped=(dt.date(2022, 9, 20),))
    kept = meeting(2, wall(2022, 9, 21, 9, 0), "FREQ=DAILY", tz="UTC")
    calendar = render([skipped, kept], timezone="UTC")
    found = events(calendar)
    assert "meeting-1@wgbot" not in found
    assert found["meeting-2@wgbot"].start == dt.datetime(2022, 9, 21, 9, 0, tzinfo=dt.UTC)
    assert calendar.get_missing_tzids() == set()


def test_meetings_keep_their_own_zone_after_the_group_moves() -> None:
    old = meeting(1, wall(2022, 9, 6, 10, 0), "FREQ=WEEKLY;BYDAY=TU", tz="Europe/Berlin")
    calendar = render([old], timezone="Asia/Ulaanbaatar")
    assert {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")} == {
        "Asia/Ulaanbaatar",
        "Europe/Berlin",
    }
    assert calendar.get_missing_tzids() == set()


def test_titles_and_places_cannot_inject_properties_or_events() -> None:
    title = "Review\nEND:VEVENT\nBEGIN:VEVENT\nUID:evil@x\nSUMMARY:evil"
    place = 'https://meet.example/abc?x=1;y=2,z "q" \\ done'
    calendar = render([meeting(1, wall(2022, 9, 6, 10, 0), None, title=title, place=place)])
    found = events(calendar)
    assert set(found) == {"meeting-1@wgbot", "milestone-7-3.1@wgbot", "milestone-7-3.2@wgbot"}
    assert str(found["meeting-1@wgbot"]["SUMMARY"]) == title
    assert str(found["meeting-1@wgbot"]["LOCATION"]) == place


def test_ics_is_an_export_format_that_needs_the_meetings() -> None:
    with pytest.raises(ValueError, match="calendar"):
        export_plan(plan(), ExportFormat.ICS, words=EN)
    data: Any = export_plan(
        plan(), ExportFormat.ICS, words=EN, calendar=CalendarInput(group_id=7, meetings=[], now=NOW)
    )
    assert data.startswith(b"BEGIN:VCALENDAR")


def test_rows_stored_before_dates_were_bounded_still_export() -> None:
    # parse_when now refuses these, but a database may hold them from before.
    stored = [
        meeting(1, wall(1, 1, 1), None, tz="Asia/Ulaanbaatar"),
        meeting(2, wall(9999, 12, 31, 23, 0), None, tz="America/Los_Angeles"),
        meeting(
            3, wall(2022, 9, 6, 10, 0), "FREQ=DAILY;UNTIL=99991231T235959Z", tz="Asia/Ulaanbaatar"
        ),
        meeting(
            4, wall(2022, 9, 6, 10, 0), "FREQ=DAILY;UNTIL=99991231T235959", tz="America/Los_Angeles"
        ),
        meeting(
            5, wall(2022, 9, 6, 10, 0), "FREQ=DAILY;INTERVAL=7;BYDAY=SA", tz="Pacific/Kiritimati"
        ),
        # An out-of-range number never matches: left out of the file, which refuses it.
        meeting(6, wall(2022, 10, 1, 10, 0), "FREQ=MONTHLY;BYMONTHDAY=1,1000000000000000000"),
    ]
    found = events(render(stored, timezone="Asia/Ulaanbaatar"))
    assert {f"meeting-{n}@wgbot" for n in range(1, 7)} <= set(found)
    assert found["meeting-6@wgbot"]["RRULE"].to_ical() == b"FREQ=MONTHLY;BYMONTHDAY=1"
    assert found["meeting-1@wgbot"].start == dt.datetime(
        1, 1, 1, tzinfo=zoneinfo.ZoneInfo("Asia/Ulaanbaatar")
    )
    # A local UNTIL becomes UTC; at the very end of the calendar it stays there.
    assert found["meeting-4@wgbot"]["RRULE"].to_ical() == b"FREQ=DAILY;UNTIL=99991231T235959Z"


def test_a_one_off_decades_ahead_gets_its_zones_offset() -> None:
    # The VTIMEZONE reaches the one-off, so a client places it at 10:00 daylight time.
    far = meeting(1, wall(2090, 6, 1, 10, 0), None)
    calendar = render([far])
    [timezone] = calendar.timezones
    event = events(calendar)["meeting-1@wgbot"]
    start = event.start
    assert isinstance(start, dt.datetime)
    client = start.replace(tzinfo=timezone.to_tz(lookup_tzid=False))  # as the file says
    assert client.utcoffset() == dt.timedelta(hours=-4)


def test_every_group_has_its_own_uid_host_and_keeps_it() -> None:
    """Two countries' feeds in one calendar app never overwrite each other's events: the
    UIDs' host is the group's own (its id and creation instant), the same every time."""
    from storage.ics import calendar_host

    made = dt.datetime(2022, 9, 1, 2, 0, 0, 123456, tzinfo=dt.UTC)
    assert calendar_host(1, made) == calendar_host(1, made.astimezone(dt.timezone.max))
    another_install = made + dt.timedelta(microseconds=1)
    assert (
        len({calendar_host(1, made), calendar_host(2, made), calendar_host(1, another_install)})
        == 3
    )
    assert calendar_host(1, made).endswith(".wgbot")
