"""Meeting occurrences: an RFC 5545 rule of local wall times, in the group's time zone.

A weekly 10:00 meeting stays at 10:00 local across daylight-saving changes, so the
rule runs on naive wall times and each occurrence is then placed in the zone. A wall
time that does not exist (skipped by a spring-forward gap) moves forward by the gap;
an ambiguous one (autumn fold) takes its first instance.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import zoneinfo
from collections.abc import Iterator

from dateutil.rrule import rrule, rrulestr


@dataclasses.dataclass(frozen=True)
class Schedule:
    """What a stored meeting's schedule is made of (storage.models.Meeting's columns)."""

    first_start_local: dt.datetime  # naive wall time of the first occurrence
    rrule: str | None  # RRULE body without DTSTART, None for a one-off
    timezone: str
    skipped_dates: frozenset[dt.date] = frozenset()


def place(wall: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """A naive local wall time as an aware instant in `tz` (gaps move forward)."""
    # fold=0 reads a gap time with the offset before the change (PEP 495), so the
    # round trip through UTC lands the same distance past the gap: 02:15 -> 02:45.
    aware = wall.replace(tzinfo=tz, fold=0)
    return aware.astimezone(dt.UTC).astimezone(tz)


_UTC_UNTIL = re.compile(r"UNTIL=(\d{8}T\d{6})Z", re.IGNORECASE)


def wall_rule(body: str, dtstart: dt.datetime, tz: zoneinfo.ZoneInfo) -> rrule:
    """The rule over naive wall times. RFC 5545 writes UNTIL in UTC (`…Z`) while the
    start is a wall time; dateutil refuses that mix, so UNTIL becomes a wall time too."""

    def to_wall(match: re.Match[str]) -> str:
        until = dt.datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=dt.UTC)
        return "UNTIL=" + until.astimezone(tz).strftime("%Y%m%dT%H%M%S")

    rule = rrulestr(_UTC_UNTIL.sub(to_wall, body), dtstart=dtstart)
    assert isinstance(rule, rrule)  # a bare RRULE body, never an rruleset
    return rule


def _walls(schedule: Schedule) -> Iterator[dt.datetime]:
    if schedule.rrule is None:
        yield schedule.first_start_local
        return
    tz = zoneinfo.ZoneInfo(schedule.timezone)
    yield from wall_rule(schedule.rrule, schedule.first_start_local, tz)


def occurrences(
    schedule: Schedule, *, after: dt.datetime, until: dt.datetime, limit: int = 1000
) -> list[dt.datetime]:
    """Aware starts with after <= start < until, skipped dates left out, at most `limit`."""
    if after.tzinfo is None or until.tzinfo is None:
        raise ValueError("occurrences() needs aware datetimes")
    tz = zoneinfo.ZoneInfo(schedule.timezone)
    # Compare in wall time first (cheap), with a day's margin for offsets.
    lower = after.astimezone(tz).replace(tzinfo=None) - dt.timedelta(days=1)
    upper = until.astimezone(tz).replace(tzinfo=None) + dt.timedelta(days=1)
    found: list[dt.datetime] = []
    for wall in _walls(schedule):
        if wall >= upper or len(found) >= limit:
            break
        if wall < lower or wall.date() in schedule.skipped_dates:
            continue
        start = place(wall, tz)
        if after <= start < until:
            found.append(start)
    return found


def next_occurrences(schedule: Schedule, *, now: dt.datetime, count: int) -> list[dt.datetime]:
    """The next `count` starts at or after `now`, looking up to ten years ahead."""
    return occurrences(schedule, after=now, until=now + dt.timedelta(days=3660), limit=count)
