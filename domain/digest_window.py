"""The weekly digest's time rules: pure functions of an explicit, aware `now`.

The digest's week is the seven local days ending at `now`: from the same wall-clock time
a week earlier to `now`. Across a daylight-saving change that week is 167, 169 (or, on
Lord Howe Island, 167.5 or 168.5) hours long. Because the start is placed with the same
rule as meeting times (`domain.recurrence.place`), digests posted at one local time
every week tile exactly: each week starts at the instant the previous one ended.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from domain.recurrence import place

# PRODUCT.md: deadlines in the next 14 days, meetings ahead, agencies quiet for 30 days.
DEADLINE_DAYS = 14
MEETING_DAYS = 14
QUIET_DAYS = 30


def _require_aware(now: dt.datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("digest times need an aware `now`")


def digest_week(now: dt.datetime, tz: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """(start, end) as UTC instants: the seven days in `tz` ending at `now`.

    An update belongs to the week when start < created_at <= end, so consecutive weeks
    neither overlap nor leave a gap, and an update sent just before /digest is in it.
    UTC, not `tz`, because Python compares and subtracts two datetimes of one zone by
    their wall times: across a DST change that would be an hour (or half) off.
    """
    _require_aware(now)
    local = now.astimezone(tz)
    start = place(local.replace(tzinfo=None) - dt.timedelta(days=7), tz)
    return start.astimezone(dt.UTC), now.astimezone(dt.UTC)


def local_today(now: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.date:
    """The calendar date in the group's zone: due dates and "overdue" are local dates."""
    _require_aware(now)
    return now.astimezone(tz).date()


def deadline_range(today: dt.date, days: int = DEADLINE_DAYS) -> tuple[dt.date, dt.date]:
    """First and last due date (both included) of "due in the next `days` days"."""
    return today, today + dt.timedelta(days=days)


def meeting_range(now: dt.datetime, days: int = MEETING_DAYS) -> tuple[dt.datetime, dt.datetime]:
    """(after, until) for the meetings the digest announces: from now, `days` ahead."""
    _require_aware(now)
    return now, now + dt.timedelta(days=days)


def quiet_since(now: dt.datetime, days: int = QUIET_DAYS) -> dt.datetime:
    """An agency whose last report is older than this instant has gone quiet."""
    _require_aware(now)
    return now - dt.timedelta(days=days)
