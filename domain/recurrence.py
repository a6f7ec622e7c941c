"""Meeting occurrences: an RFC 5545 rule of local wall times, in the group's time zone.

A weekly 10:00 meeting stays at 10:00 local across daylight-saving changes, so the
rule runs on naive wall times and each occurrence is then placed in the zone. A wall
time that does not exist (skipped by a spring-forward gap) moves forward by the gap;
an ambiguous one (autumn fold) takes its first instance.

Every walk through a rule is bounded (see `walls`): dateutil only stops looking for a
rule's next date at year 9999, whatever its UNTIL or COUNT say, so a rule that has no
more dates would otherwise cost seconds on every planning pass.
"""

from __future__ import annotations

import calendar
import contextlib
import dataclasses
import datetime as dt
import functools
import zoneinfo
from collections.abc import Iterator

from dateutil.rrule import rrule, rrulestr

__all__ = [
    "FIRST_WITHIN",
    "HORIZON",
    "Schedule",
    "endless",
    "first_wall_within",
    "next_occurrences",
    "occurrences",
    "place",
    "until_wall",
    "wall_rule",
    "walls",
]

# A rule's first date must come this soon after its start (five years, leap days
# included), or the rule is refused: this is what bounds the search for it.
FIRST_WITHIN = dt.timedelta(days=5 * 365 + 2)
# How far next_occurrences() looks for a rule's next dates.
HORIZON = dt.timedelta(days=3660)
# The ends of the calendar as naive wall times (where far-off values are clamped).
_FIRST_WALL = dt.datetime.combine(dt.date.min, dt.time())
_LAST_WALL = dt.datetime.combine(dt.date.max, dt.time(23, 59, 59))


@dataclasses.dataclass(frozen=True)
class Schedule:
    """What a stored meeting's schedule is made of (storage.models.Meeting's columns)."""

    first_start_local: dt.datetime  # naive wall time of the first occurrence
    rrule: str | None  # RRULE body without DTSTART, None for a one-off
    timezone: str
    skipped_dates: frozenset[dt.date] = frozenset()


def place(wall: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """A naive local wall time as an aware instant in `tz` (gaps move forward)."""
    # fold=0 reads a gap time with the offset before the change (PEP 495), so the
    # round trip through UTC lands the same distance past the gap: 02:15 -> 02:45.
    aware = wall.replace(tzinfo=tz, fold=0)
    return aware.astimezone(dt.UTC).astimezone(tz)


def _parts(body: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for pair in body.upper().split(";"):
        name, _, value = pair.partition("=")
        parts[name] = value
    return parts


def _body(parts: dict[str, str]) -> str:
    return ";".join(f"{name}={value}" for name, value in parts.items())


def endless(body: str) -> str:
    """The rule without its COUNT and UNTIL: the pattern a start is looked for in."""
    return _body({k: v for k, v in _parts(body).items() if k not in ("COUNT", "UNTIL")})


def until_wall(value: str, tz: dt.tzinfo) -> dt.datetime:
    """An UNTIL value as a naive wall time in `tz`. RFC 5545 writes it in UTC (`…Z`)
    while our starts are wall times, and dateutil refuses that mix; a bare date is its
    midnight, as dateutil reads it. Far ends that leave the calendar are clamped."""
    if len(value) == 8:
        return dt.datetime.strptime(value, "%Y%m%d")  # noqa: DTZ007 - a wall time
    if not value.endswith("Z"):
        return dt.datetime.strptime(value, "%Y%m%dT%H%M%S")  # noqa: DTZ007 - same
    utc = dt.datetime.strptime(value[:-1], "%Y%m%dT%H%M%S").replace(tzinfo=dt.UTC)
    try:
        return utc.astimezone(tz).replace(tzinfo=None)
    except OverflowError:
        return _LAST_WALL if utc.year > 1 else _FIRST_WALL


def _ical(wall: dt.datetime) -> str:
    return (
        f"{wall.year:04d}{wall.month:02d}{wall.day:02d}"
        f"T{wall.hour:02d}{wall.minute:02d}{wall.second:02d}"
    )


def wall_rule(body: str, dtstart: dt.datetime, tz: dt.tzinfo) -> rrule:
    """The rule over naive wall times, its UNTIL made a wall time too (`until_wall`).

    Unbounded: iterate it through `walls`, which always ends."""
    parts = _parts(body)
    if "UNTIL" in parts:
        parts["UNTIL"] = _ical(until_wall(parts["UNTIL"], tz))
    rule = rrulestr(_body(parts), dtstart=dtstart)
    assert isinstance(rule, rrule)  # a bare RRULE body, never an rruleset
    return rule


def _calendar(year: int) -> tuple[bool, int]:
    """What a year's dates and weekdays depend on: leap or not, and its 1 January."""
    return calendar.isleap(year), dt.date(year, 1, 1).weekday()


@functools.lru_cache(maxsize=1024)
def _shift(first_year: int, last_year: int) -> int:
    """How many years to move first_year..last_year forward onto identical calendars
    (same leap years, same weekdays) that end as close to year 9999 as they can.

    The Gregorian calendar repeats every 400 years, and every 28 years where no century
    year that is not a leap year (2100, 2200, 2300) gets in the way: so the years are
    found within 400 tries, and for years from 1901 to 2099 end within 28 of year 9999."""
    for end in range(dt.MAXYEAR, last_year, -1):
        years = end - last_year
        if all(_calendar(y) == _calendar(y + years) for y in range(first_year, last_year + 1)):
            return years
    return 0


def _move(wall: dt.datetime, years: int) -> dt.datetime:
    return wall.replace(year=wall.year + years)


def walls(
    body: str, dtstart: dt.datetime, tz: dt.tzinfo, *, before: dt.datetime
) -> Iterator[dt.datetime]:
    """The rule's wall times from `dtstart` up to (not including) `before`, in bounded time.

    dateutil gives up looking for a next date only at year 9999, however near UNTIL is
    (a daily rule that no longer happens walks 8000 years: over a second). So the rule is
    run on an identical calendar placed just before year 9999 (see `_shift`) and its dates
    are moved back: the search never goes on for more than 28 years past `before`, or
    400 when the years between dtstart and `before` include 2100."""
    parts = _parts(body)
    until = before
    if "UNTIL" in parts:
        until = min(until_wall(parts["UNTIL"], tz), before)
    if until < dtstart or before <= dtstart:
        return
    # The years either side count too: a week or an ISO week number can span New Year.
    first_year = max(dtstart.year - 1, dt.MINYEAR)
    last_year = min(before.year + 1, dt.MAXYEAR)
    years = _shift(first_year, last_year)
    if "UNTIL" in parts:
        parts["UNTIL"] = _ical(_move(until, years))
    end = _move(before, years)
    rule = rrulestr(_body(parts), dtstart=_move(dtstart, years))
    found = iter(rule)
    while True:
        try:
            wall = next(found)
        except StopIteration:
            return
        except (ValueError, OverflowError):
            return  # a date past 9999-12-31, long after `before`
        if wall >= end:
            return
        yield _move(wall, -years)


def first_wall_within(
    body: str, start: dt.datetime, tz: dt.tzinfo, within: dt.timedelta = FIRST_WITHIN
) -> dt.datetime | None:
    """The rule's first wall time at or after `start`, if it comes `within` that long."""
    try:
        before = start + within
    except OverflowError:
        before = _LAST_WALL
    return next(walls(body, start, tz, before=before), None)


def _wall_in(instant: dt.datetime, tz: dt.tzinfo, days: int) -> dt.datetime:
    """The naive wall time `days` from `instant` in `tz`, clamped to the calendar."""
    try:
        return instant.astimezone(tz).replace(tzinfo=None) + dt.timedelta(days=days)
    except OverflowError:
        return _LAST_WALL if days > 0 else _FIRST_WALL


def _walls(schedule: Schedule, *, before: dt.datetime) -> Iterator[dt.datetime]:
    if schedule.rrule is None:
        if schedule.first_start_local < before:
            yield schedule.first_start_local
        return
    tz = zoneinfo.ZoneInfo(schedule.timezone)
    yield from walls(schedule.rrule, schedule.first_start_local, tz, before=before)


def occurrences(
    schedule: Schedule, *, after: dt.datetime, until: dt.datetime, limit: int = 1000
) -> list[dt.datetime]:
    """Aware starts with after <= start < until, skipped dates left out, at most `limit`."""
    if after.tzinfo is None or until.tzinfo is None:
        raise ValueError("occurrences() needs aware datetimes")
    tz = zoneinfo.ZoneInfo(schedule.timezone)
    # Compare in wall time first (cheap), with a day's margin for offsets.
    lower = _wall_in(after, tz, -1)
    upper = _wall_in(until, tz, 1)
    found: list[dt.datetime] = []
    for wall in _walls(schedule, before=upper):
        if len(found) >= limit:
            break
        if wall < lower or wall.date() in schedule.skipped_dates:
            continue
        start = place(wall, tz)
        if after <= start < until:
            found.append(start)
    return found


def next_occurrences(schedule: Schedule, *, now: dt.datetime, count: int) -> list[dt.datetime]:
    """The next `count` starts at or after `now`: a rule's up to ten years ahead, a
    one-off's however far ahead it is (there is nothing to walk through to find it)."""
    until = now + HORIZON
    if schedule.rrule is None:
        tz = zoneinfo.ZoneInfo(schedule.timezone)
        # (A stored date at the very end of the calendar overflows: never to come.)
        with contextlib.suppress(OverflowError):
            until = max(until, place(schedule.first_start_local + dt.timedelta(days=1), tz))
    return occurrences(schedule, after=now, until=until, limit=count)
