"""A working group's settings: read them as a plain view, change one at a time.

Callers validate first (bot/parsing.py); these functions only record, stamp
`updated_at` and say whether anything changed. They never commit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from storage.models import WorkingGroup


@dataclasses.dataclass(frozen=True)
class GroupSettingsView:
    name: str
    timezone: str
    language: str
    digest_weekday: int | None
    digest_time: dt.time
    deadline_offsets_days: tuple[int, ...]
    quiet_weeks: int
    holiday_country: str | None = None  # quiet days (storage.quiet)
    workdays: str = "01234"
    published: bool = False  # the public progress page (storage.public)


def settings_view(group: WorkingGroup) -> GroupSettingsView:
    return GroupSettingsView(
        name=group.name,
        timezone=group.timezone,
        language=group.language,
        digest_weekday=group.digest_weekday,
        digest_time=group.digest_time,
        deadline_offsets_days=tuple(group.deadline_offsets_days or ()),
        quiet_weeks=group.quiet_weeks,
        holiday_country=group.holiday_country,
        workdays=group.workdays or "01234",
        published=group.public_slug is not None,
    )


def _touch(group: WorkingGroup, now: dt.datetime, changed: bool) -> bool:
    if changed:
        group.updated_at = now
    return changed


def set_timezone(*, group: WorkingGroup, timezone: str, now: dt.datetime) -> bool:
    changed = group.timezone != timezone
    group.timezone = timezone
    return _touch(group, now, changed)


def set_language(*, group: WorkingGroup, language: str, now: dt.datetime) -> bool:
    changed = group.language != language
    group.language = language
    return _touch(group, now, changed)


def set_digest(
    *, group: WorkingGroup, weekday: int | None, time: dt.time | None, now: dt.datetime
) -> bool:
    """`weekday` None switches the weekly digest off and keeps the last time of day."""
    if weekday is not None and not 0 <= weekday <= 6:
        raise ValueError(f"weekday must be 0..6, not {weekday}")
    new_time = time if time is not None else group.digest_time
    changed = (group.digest_weekday, group.digest_time) != (weekday, new_time)
    group.digest_weekday = weekday
    group.digest_time = new_time
    return _touch(group, now, changed)


def set_deadline_offsets(*, group: WorkingGroup, offsets: list[int], now: dt.datetime) -> bool:
    """Days before a due date to remind, stored distinct and largest first."""
    clean = sorted(set(offsets), reverse=True)
    if any(not 0 <= days <= 365 for days in clean):
        raise ValueError("reminder offsets must be 0..365 days")
    changed = list(group.deadline_offsets_days or []) != clean
    # A new list object, so the JSON column is seen as changed.
    group.deadline_offsets_days = clean
    return _touch(group, now, changed)
