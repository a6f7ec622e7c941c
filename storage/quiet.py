"""A group's quiet days as stored: its holiday country, working week and own days off.

Public holidays come from the `holidays` library (cached per country, year and
language) and reach the domain as plain dates (domain.quiet.QuietCalendar). Callers
validate first (bot/quiet_words.py); these functions record, stamp `updated_at` and
say whether anything changed. They never commit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools

import holidays
from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.quiet import MAX_RUN, QuietCalendar
from storage.models import DayOff, WorkingGroup

DEFAULT_WORKDAYS = "01234"
# The library's words for our languages, best first (its English is American).
_LIBRARY_LANGUAGES = {"en": ("en_US", "en_GB", "en"), "mn": ("mn",), "es": ("es",), "ru": ("ru",)}


@functools.cache
def supported_countries() -> frozenset[str]:
    return frozenset(holidays.list_supported_countries())


def country_code(word: str) -> str | None:
    """An ISO 3166 alpha-2 code the holidays library knows, upper-cased; else None."""
    code = word.strip().upper()
    return code if len(code) == 2 and code in supported_countries() else None


@functools.lru_cache(maxsize=512)
def public_holidays(country: str, year: int, language: str | None = None) -> dict[dt.date, str]:
    """The country's public holidays of one year with their names, in `language` (ours:
    en, mn, es, ru) where the library has it, else in the country's own default."""
    wanted = _LIBRARY_LANGUAGES.get(language or "", ())
    if country not in supported_countries():
        return {}  # stored under an older library that knew it: no holidays, no failure
    probe = holidays.country_holidays(country, years=[])
    known = set(getattr(probe, "supported_languages", ()) or ())
    chosen = next((code for code in wanted if code in known), None)
    found = holidays.country_holidays(country, years=year, language=chosen)
    return {day: str(name) for day, name in sorted(found.items())}


def workdays_of(group: WorkingGroup) -> frozenset[int]:
    return frozenset(int(c) for c in (group.workdays or DEFAULT_WORKDAYS) if c.isdigit())


_DAYS_OFF = (
    select(DayOff)
    .where(
        DayOff.working_group_id == bindparam("group_id"),
        DayOff.first <= bindparam("last"),
        DayOff.last >= bindparam("first"),
    )
    .order_by(DayOff.first, DayOff.id)
)


async def days_off(
    *, session: AsyncSession, group_id: int, first: dt.date, last: dt.date
) -> list[DayOff]:
    """The group's own days off overlapping `first`..`last`, in order."""
    return list(
        await session.scalars(_DAYS_OFF, {"group_id": group_id, "first": first, "last": last})
    )


async def quiet_calendar(
    *, session: AsyncSession, group: WorkingGroup, first: dt.date, last: dt.date
) -> QuietCalendar:
    """The working week and every day off (holidays and own) from `first` to `last`,
    widened by the longest stretch the moving rule follows."""
    first, last = first - dt.timedelta(days=MAX_RUN), last + dt.timedelta(days=MAX_RUN)
    off: set[dt.date] = set()
    if group.holiday_country:
        for year in range(first.year, last.year + 1):
            off |= {d for d in public_holidays(group.holiday_country, year) if first <= d <= last}
    for span in await days_off(session=session, group_id=group.id, first=first, last=last):
        day = max(span.first, first)
        while day <= min(span.last, last):
            off.add(day)
            day += dt.timedelta(days=1)
    return QuietCalendar(workdays=workdays_of(group), days_off=frozenset(off))


@dataclasses.dataclass(frozen=True)
class QuietDay:
    """One quiet day of /holidays: a public holiday, an own day off, or both."""

    day: dt.date
    holiday: str | None = None  # the public holiday's name
    own: str | None = None  # the own day off's name ("" when it has none)


async def quiet_days_ahead(
    *, session: AsyncSession, group: WorkingGroup, first: dt.date, last: dt.date
) -> list[QuietDay]:
    """Holidays and own days off from `first` to `last` (weekends are not listed: the
    working week says them), names in the group's language where the library has it."""
    found: dict[dt.date, QuietDay] = {}
    if group.holiday_country:
        for year in range(first.year, last.year + 1):
            for day, name in public_holidays(group.holiday_country, year, group.language).items():
                if first <= day <= last:
                    found[day] = QuietDay(day, holiday=name)
    for span in await days_off(session=session, group_id=group.id, first=first, last=last):
        day = max(span.first, first)
        while day <= min(span.last, last):
            found[day] = dataclasses.replace(found.get(day, QuietDay(day)), own=span.name or "")
            day += dt.timedelta(days=1)
    return [found[d] for d in sorted(found)]


def _touch(group: WorkingGroup, now: dt.datetime, changed: bool) -> bool:
    if changed:
        group.updated_at = now
    return changed


def set_holiday_country(*, group: WorkingGroup, country: str | None, now: dt.datetime) -> bool:
    """`country` a code country_code() accepted, or None for no public holidays."""
    changed = group.holiday_country != country
    group.holiday_country = country
    return _touch(group, now, changed)


def set_workdays(*, group: WorkingGroup, workdays: frozenset[int], now: dt.datetime) -> bool:
    if not workdays or any(not 0 <= d <= 6 for d in workdays):
        raise ValueError("a working week needs days 0..6, at least one")
    digits = "".join(str(d) for d in sorted(workdays))
    changed = (group.workdays or DEFAULT_WORKDAYS) != digits
    group.workdays = digits
    return _touch(group, now, changed)


async def add_day_off(
    *,
    session: AsyncSession,
    group: WorkingGroup,
    first: dt.date,
    last: dt.date,
    name: str | None,
    now: dt.datetime,
) -> bool:
    """Record an own day off (or span); False when exactly that span is known already."""
    same = await session.scalar(
        select(DayOff).where(
            DayOff.working_group_id == group.id, DayOff.first == first, DayOff.last == last
        )
    )
    if same is not None:
        if same.name == name:
            return False
        same.name = name
        return _touch(group, now, True)
    session.add(
        DayOff(working_group_id=group.id, first=first, last=last, name=name, created_at=now)
    )
    return _touch(group, now, True)


async def remove_day_off(
    *, session: AsyncSession, group: WorkingGroup, day: dt.date, now: dt.datetime
) -> list[tuple[dt.date, dt.date]]:
    """Forget every own day off (or span) that contains `day`; the spans removed."""
    spans = await days_off(session=session, group_id=group.id, first=day, last=day)
    if spans:
        await session.execute(delete(DayOff).where(DayOff.id.in_([s.id for s in spans])))
        _touch(group, now, True)
    return [(s.first, s.last) for s in spans]
