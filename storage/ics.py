"""The plan's calendar as iCalendar (RFC 5545): meetings and milestone due dates.

Meetings keep their wall time across daylight-saving changes the way
domain.recurrence places them: DTSTART carries the zone's TZID (with its VTIMEZONE),
so a client expanding the RRULE lands on the same instants, skipped dates included.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import uuid
import zoneinfo
from collections.abc import Sequence

from icalendar import Calendar, Event, Timezone, vRecur

from domain.recurrence import place
from domain.when import EARLIEST, LATEST, by_item_ok
from storage.meetings import MeetingView, first_wall
from storage.queries import MilestoneView, PlanView
from storage.words import Words

PRODID = "-//wgbot//Working group calendar//EN"
_UNTIL = re.compile(r"UNTIL=([0-9]{8})(T([0-9]{6}))?(Z?)")


@dataclasses.dataclass(frozen=True)
class CalendarInput:
    """What a calendar needs beyond the plan: the group's id, its meetings and now."""

    group_id: int
    meetings: Sequence[MeetingView]
    now: dt.datetime  # DTSTAMP: when this calendar was made
    # Action items with a due date (number A<n>), all-day events like milestones'.
    actions: Sequence[MilestoneView] = ()
    # The right-hand side of every UID (calendar_host): one per working group, so two
    # groups' feeds, from one installation or two, never share an event's identity.
    uid_host: str = "wgbot"


def calendar_host(group_id: int, created_at: dt.datetime) -> str:
    """A stable UID host for one working group: the same on every export and feed of
    it, different for every group anywhere (its id and creation instant, hashed)."""
    name = f"wgbot:{group_id}:{created_at.astimezone(dt.UTC).isoformat()}"
    return f"{uuid.uuid5(uuid.NAMESPACE_URL, name)}.wgbot"


def _utc_until(rule: str, tz: zoneinfo.ZoneInfo) -> str:
    """RFC 5545 wants UNTIL in UTC when DTSTART has a TZID; ours are local wall times."""
    match = _UNTIL.search(rule)
    if match is None or match[4]:
        return rule
    wall = dt.datetime.strptime(match[1] + (match[3] or "000000"), "%Y%m%d%H%M%S")  # noqa: DTZ007 - a wall time, placed in tz next
    try:
        until = place(wall, tz).astimezone(dt.UTC)
    except OverflowError:
        # A row stored before UNTIL was bounded, at the very end of the calendar.
        until = dt.datetime.max.replace(microsecond=0, tzinfo=dt.UTC)
    return rule[: match.start()] + f"UNTIL={until:%Y%m%dT%H%M%SZ}" + rule[match.end() :]


def _rfc_recur(rule: str) -> vRecur:
    """The RRULE property. A row stored before BY… numbers were checked may hold one out
    of RFC 5545's range, which never matches (dateutil skips it) and icalendar refuses:
    it is left out."""
    recur: vRecur
    try:
        recur = vRecur.from_ical(rule)
    except ValueError:
        parts = []
        for part in rule.split(";"):
            name, _, value = part.partition("=")
            kept = ",".join(item for item in value.split(",") if by_item_ok(name, item))
            parts.append(f"{name}={kept or value}")
        recur = vRecur.from_ical(";".join(parts))
    return recur


def _zone_span(now: dt.datetime, starts: Sequence[dt.date]) -> tuple[dt.date, dt.date]:
    """The dates the VTIMEZONEs cover: from the first meeting (or now) to ten years on
    or the last one-off, kept within the dates a <when> may name (rows stored before
    dates were bounded reach year 1 or 9999, where the date arithmetic overflows)."""

    def bounded(day: dt.date) -> dt.date:
        return min(max(day, EARLIEST), LATEST)

    first = bounded(min([now.date(), *starts])) - dt.timedelta(days=1)
    ahead = dt.date(bounded(now.date()).year + 10, 1, 1)
    last = max(
        Timezone.DEFAULT_LAST_DATE, ahead, *(bounded(d) + dt.timedelta(days=1) for d in starts)
    )
    return first, last


def meeting_event(meeting: MeetingView, *, now: dt.datetime, host: str = "wgbot") -> Event | None:
    """One VEVENT for a meeting (None for a one-off whose only date is skipped)."""
    tz = zoneinfo.ZoneInfo(meeting.timezone)
    start = first_wall(meeting.first_start_local, meeting.rrule, tz)
    if meeting.rrule is None and start.date() in meeting.skipped_dates:
        return None
    event = Event.new(
        uid=f"meeting-{meeting.id}@{host}",
        stamp=now.astimezone(dt.UTC),
        start=start.replace(tzinfo=tz),
        summary=meeting.title,
        location=meeting.place,
    )
    event.add("duration", meeting.duration)
    if meeting.rrule is not None:
        event.add("rrule", _rfc_recur(_utc_until(meeting.rrule, tz)))
        skipped = sorted(meeting.skipped_dates)
        if skipped:
            # EXDATE must name the instance's start exactly: same wall time, same zone.
            event.add("exdate", [dt.datetime.combine(d, start.time(), tzinfo=tz) for d in skipped])
    return event


def _milestone_description(m: MilestoneView, tz: zoneinfo.ZoneInfo, words: Words) -> str:
    lines = [words("calendar.status", status=words(f"status.{m.status.value}"))]
    if m.responsible is not None:
        lines.append(
            words("calendar.responsible", name=m.responsible.name, code=m.responsible.code)
        )
    if m.last_update is not None:
        u = m.last_update
        date = u.at.astimezone(tz).date().isoformat()
        last = words("calendar.last_update", date=date, reporter=u.reporter)
        lines.append(last + (f": {u.note}" if u.note else ""))
    return "\n".join(lines)


def milestone_event(
    m: MilestoneView,
    *,
    group_id: int,
    now: dt.datetime,
    tz: zoneinfo.ZoneInfo,
    words: Words,
    host: str = "wgbot",
) -> Event:
    """An all-day VEVENT on the milestone's due date."""
    event = Event.new(
        uid=f"milestone-{group_id}-{m.number}@{host}",
        stamp=now.astimezone(dt.UTC),
        start=m.due,
        end=m.due + dt.timedelta(days=1),
        summary=f"{m.number} {m.title}",
        description=_milestone_description(m, tz, words),
    )
    event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy
    return event


def render_ics(plan: PlanView, calendar: CalendarInput, words: Words) -> bytes:
    """The whole calendar: VTIMEZONEs first, then meetings, then milestone due dates."""
    now = calendar.now
    cal = Calendar.new(
        prodid=PRODID, name=plan.group_name, uid=f"calendar-{calendar.group_id}@{calendar.uid_host}"
    )
    cal.add("calscale", "GREGORIAN")
    events = [
        e
        for m in calendar.meetings
        if (e := meeting_event(m, now=now, host=calendar.uid_host)) is not None
    ]
    starts = [
        first_wall(m.first_start_local, m.rrule, zoneinfo.ZoneInfo(m.timezone)).date()
        for m in calendar.meetings
    ]
    first, last = _zone_span(now, starts)
    # The group's own zone always, so clients show the calendar in it; others as used.
    cal.add_component(Timezone.from_tzid(plan.timezone, first_date=first, last_date=last))
    for event in events:
        cal.add_component(event)
    for commitment in plan.commitments:
        for milestone in commitment.milestones:
            cal.add_component(
                milestone_event(
                    milestone,
                    group_id=calendar.group_id,
                    now=now,
                    tz=zoneinfo.ZoneInfo(plan.timezone),
                    words=words,
                    host=calendar.uid_host,
                )
            )
    for action in calendar.actions:
        event = milestone_event(
            action,
            group_id=calendar.group_id,
            now=now,
            tz=zoneinfo.ZoneInfo(plan.timezone),
            words=words,
            host=calendar.uid_host,
        )
        event.pop("UID")
        event.add("uid", f"action-{calendar.group_id}-{action.number}@{calendar.uid_host}")
        cal.add_component(event)
    cal.add_missing_timezones(first_date=first, last_date=last)
    data: bytes = cal.to_ical()
    return data
